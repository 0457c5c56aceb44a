package odm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

type reading struct {
	At     time.Time `bson:"at"`
	Sensor string    `bson:"sensor"`
	Value  float64   `bson:"value"`
}

func (reading) CollectionName() string { return "readings" }
func (reading) CollectionOptions() odm.CollectionOptions {
	return odm.CollectionOptions{TimeSeries: &odm.TimeSeriesOptions{TimeField: "at", MetaField: "sensor", Granularity: "minutes", ExpireAfter: odm.TTL(24 * time.Hour)}}
}

type logLine struct {
	Msg string `bson:"msg"`
}

func (logLine) CollectionName() string { return "log_lines" }
func (logLine) CollectionOptions() odm.CollectionOptions {
	return odm.CollectionOptions{Capped: &odm.CappedOptions{Size: 1 << 20, Max: 1000}}
}

type clustered struct {
	ID string `bson:"_id"`
}

func (clustered) CollectionName() string { return "clustered" }
func (clustered) CollectionOptions() odm.CollectionOptions {
	return odm.CollectionOptions{ClusteredIndex: true, ChangeStreamPreAndPostImages: true}
}

type person struct {
	Name string `bson:"name" odm:"index"`
}

func (person) CollectionName() string { return "people" }
func (person) CollectionOptions() odm.CollectionOptions {
	return odm.CollectionOptions{Collation: &options.Collation{Locale: "fr", Strength: 2}}
}

type ticket struct {
	ID     string `bson:"_id"`
	Status string `bson:"status" odm:"required;enum:open|closed"`
	Seats  int32  `bson:"seats" odm:"min:1"`
}

func (ticket) CollectionName() string   { return "tickets" }
func (ticket) Validator() odm.Validator { return odm.Validator{Action: odm.ActionError} }

// TestCollectionCommands checks each collection option in the create
// command MongoDB documents, and then on the server where it supports it.
func TestCollectionCommands(t *testing.T) {
	tests := []struct {
		model any
		coll  string
		want  string // the create command without its first field
	}{
		{reading{}, "readings", `{"timeseries": {"timeField": "at", "metaField": "sensor", "granularity": "minutes"}, "expireAfterSeconds": {"$numberLong": "86400"}}`},
		{logLine{}, "log_lines", `{"capped": true, "size": {"$numberLong": "1048576"}, "max": {"$numberLong": "1000"}}`},
		{clustered{}, "clustered", `{"clusteredIndex": {"key": {"_id": 1}, "unique": true}, "changeStreamPreAndPostImages": {"enabled": true}}`},
		{person{}, "people", `{"collation": {"locale": "fr", "strength": 2}}`},
		{ticket{}, "tickets", `{"validator": {"$jsonSchema": {"bsonType": "object", "required": ["status"], "properties": {
			"_id": {"bsonType": "string"},
			"status": {"bsonType": "string", "enum": ["open", "closed"]},
			"seats": {"bsonType": "int", "minimum": 1.0}}}},
			"validationLevel": "moderate", "validationAction": "error"}`},
	}
	var models []any
	for _, tt := range tests {
		models = append(models, tt.model)
	}
	report, db, rec := initRecorded(t, models...)

	for _, tt := range tests {
		t.Run(tt.coll, func(t *testing.T) {
			var want bson.Raw
			require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.want), false, &want))
			var first bson.Raw
			for _, cmd := range rec.Commands("create") {
				if cmd.Body.Lookup("create").StringValue() == tt.coll {
					first = cmd.Body
					break
				}
			}
			require.NotNil(t, first, "no create command for %s", tt.coll)
			elems, err := first.Elements()
			require.NoError(t, err)
			got := bson.D{}
			for _, e := range elems[1:] {
				if e.Key() == "$db" || e.Key() == "lsid" || e.Key() == "$clusterTime" || e.Key() == "maxTimeMS" { // added by the driver
					continue
				}
				got = append(got, bson.E{Key: e.Key(), Value: e.Value()})
			}
			gotJSON, err := bson.MarshalExtJSON(got, true, false)
			require.NoError(t, err)
			var wantD bson.D
			require.NoError(t, bson.Unmarshal(want, &wantD))
			wantJSON, err := bson.MarshalExtJSON(wantD, true, false)
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(gotJSON), "the create command")

			cr, _ := report.Collection(tt.coll)
			require.NotEmpty(t, cr.Options)
			if refused := cr.Options[0].Options; len(refused) > 0 {
				t.Skipf("%s refuses %v (%s); the create command was checked instead", testrig.Server(), refused, cr.Options[0].Reason)
			}
			plan, err := odm.Plan(context.Background(), db, tt.model)
			require.NoError(t, err)
			assert.Zero(t, plan.Pending(), "the server holds what was declared:\n%s", plan)
		})
	}
}

// TestPlanShowsAValidatorChange: a collection without the declared
// validator plans a collMod, and Init sends it.
func TestPlanShowsAValidatorChange(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	require.NoError(t, testrig.Client().Database(db.Name()).CreateCollection(ctx, "tickets"))

	plan, err := odm.Plan(ctx, db, ticket{})
	require.NoError(t, err)
	require.Len(t, plan.Collections[0].Options, 3)
	assert.Equal(t, "validator", plan.Collections[0].Options[2].Option)
	assert.Equal(t, odm.ModifyInPlace, plan.Collections[0].Options[2].Action)
	assert.Regexp(t, `tickets\s+\(collection\)\s+modify\s+collMod\s+validator: declared \{"\$jsonSchema":`, plan.String())
	assert.Equal(t, 3, plan.Pending())

	rec.Reset()
	report, err := odm.Init(ctx, db, ticket{}, odm.SkipUnsupported())
	require.NoError(t, err)
	mods := rec.Commands("collMod")
	require.Len(t, mods, 1, "the validator, its level and its action in one collMod")
	assert.Equal(t, "tickets", mods[0].Body.Lookup("collMod").StringValue())
	assert.Equal(t, "moderate", mods[0].Body.Lookup("validationLevel").StringValue())
	assert.Equal(t, "error", mods[0].Body.Lookup("validationAction").StringValue())
	schema := mods[0].Body.Lookup("validator", "$jsonSchema", "required")
	assert.Equal(t, `["status"]`, schema.Array().String())

	cr, _ := report.Collection("tickets")
	if len(cr.Options) > 0 && cr.Options[0].Outcome == odm.Skipped {
		t.Skipf("%s refuses collMod (%s); the command was checked instead", testrig.Server(), cr.Options[0].Reason)
	}
	plan, err = odm.Plan(ctx, db, ticket{})
	require.NoError(t, err)
	assert.Zero(t, plan.Pending())
}
