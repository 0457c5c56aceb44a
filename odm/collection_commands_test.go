package odm_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

type reading struct {
	At     time.Time `bson:"at"`
	Sensor string    `bson:"sensor"`
	Value  float64   `bson:"value"`
}

func (reading) CollectionName() string { return "readings" }
func (reading) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "at", MetaField: "sensor", Granularity: "minutes", ExpireAfter: schema.TTL(24 * time.Hour)}}
}

type logLine struct {
	Msg string `bson:"msg"`
}

func (logLine) CollectionName() string { return "log_lines" }
func (logLine) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20, Max: 1000}}
}

type clustered struct {
	ID string `bson:"_id"`
}

func (clustered) CollectionName() string { return "clustered" }
func (clustered) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{ClusteredIndex: true, ChangeStreamPreAndPostImages: true}
}

type person struct {
	Name string `bson:"name" odm:"index"`
}

func (person) CollectionName() string { return "people" }
func (person) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{Collation: &options.Collation{Locale: "fr", Strength: 2}}
}

type ticket struct {
	ID     string `bson:"_id"`
	Status string `bson:"status" odm:"required;enum:open|closed"`
	Seats  int32  `bson:"seats" odm:"min:1"`
}

func (ticket) CollectionName() string      { return "tickets" }
func (ticket) Validator() schema.Validator { return schema.Validator{Action: schema.ActionError} }

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

// seatsOnly is ticket without the keywords some servers cannot evaluate
// (required, enum): a validator of bsonType, properties and minimum.
type seatsOnly struct {
	ID     string `bson:"_id"`
	Status string `bson:"status"`
	Seats  int32  `bson:"seats" odm:"min:1"`
}

func (seatsOnly) CollectionName() string      { return "seats" }
func (seatsOnly) Validator() schema.Validator { return schema.Validator{Action: schema.ActionError} }

// TestPlanShowsAValidatorChange: a collection without the declared
// validator plans a collMod, and Init sends it, in one command. A
// validator with keywords the server's profile says it cannot evaluate
// is not sent, and the report says why.
func TestPlanShowsAValidatorChange(t *testing.T) {
	for _, tt := range []struct {
		model any
		coll  string
		check func(t *testing.T, schema bson.Raw)
	}{
		{ticket{}, "tickets", func(t *testing.T, schema bson.Raw) {
			assert.Equal(t, `["status"]`, schema.Lookup("required").Array().String())
		}},
		{seatsOnly{}, "seats", func(t *testing.T, schema bson.Raw) {
			assert.EqualValues(t, 1, schema.Lookup("properties", "seats", "minimum").AsInt64())
		}},
	} {
		t.Run(tt.coll, func(t *testing.T) {
			c, rec := testrig.MonitoredClient(t)
			db := testrig.Database(t, c)
			ctx := context.Background()
			require.NoError(t, testrig.Client().Database(db.Name()).CreateCollection(ctx, tt.coll))

			plan, err := odm.Plan(ctx, db, tt.model)
			require.NoError(t, err)
			require.Len(t, plan.Collections[0].Options, 3)
			assert.Equal(t, "validator", plan.Collections[0].Options[2].Option)
			assert.Equal(t, diff.ModifyInPlace, plan.Collections[0].Options[2].Action)
			assert.Regexp(t, tt.coll+`\s+\(collection\)\s+modify\s+collMod\s+validator: declared \{"\$jsonSchema":`, plan.String())
			assert.Equal(t, 3, plan.Pending())

			rec.Reset()
			report, err := odm.Init(ctx, db, tt.model, odm.SkipUnsupported())
			require.NoError(t, err)
			cr, _ := report.Collection(tt.coll)
			if len(cr.Options) > 0 && cr.Options[0].Outcome == outcome.Skipped && strings.Contains(cr.Options[0].Reason, "Unknown $jsonSchema keyword") {
				assert.Empty(t, rec.Commands("collMod"), "a validator the server cannot evaluate is not sent")
				assert.Contains(t, cr.Options[0].Reason, "required")
				_, err := odm.Init(ctx, db, tt.model)
				var ue *outcome.UnsupportedError
				require.ErrorAs(t, err, &ue, "without SkipUnsupported, Init fails")
				assert.Contains(t, ue.Options, "validator")
				assert.Empty(t, rec.Commands("collMod"), "and sends nothing")
				t.Skipf("%s cannot evaluate the validator's keywords (%s); it was not sent", testrig.Server(), cr.Options[0].Reason)
			}
			mods := rec.Commands("collMod")
			require.Len(t, mods, 1, "the validator, its level and its action in one collMod")
			assert.Equal(t, tt.coll, mods[0].Body.Lookup("collMod").StringValue())
			assert.Equal(t, "moderate", mods[0].Body.Lookup("validationLevel").StringValue())
			assert.Equal(t, "error", mods[0].Body.Lookup("validationAction").StringValue())
			tt.check(t, mods[0].Body.Lookup("validator", "$jsonSchema").Document())

			if len(cr.Options) > 0 && cr.Options[0].Outcome == outcome.Skipped {
				t.Skipf("%s refuses collMod (%s); the command was checked instead", testrig.Server(), cr.Options[0].Reason)
			}
			plan, err = odm.Plan(ctx, db, tt.model)
			require.NoError(t, err)
			assert.Zero(t, plan.Pending())
		})
	}
}

// TestSchemaKeywords measures which $jsonSchema keywords the server at
// hand evaluates (a validator with the keyword is stored with collMod,
// then a document it accepts is inserted) and checks the server's profile
// against it: a keyword the profile refuses is one the server cannot
// evaluate, and one it allows is evaluated.
func TestSchemaKeywords(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	prop := func(field string, schema bson.D) bson.D {
		return bson.D{{Key: "properties", Value: bson.D{{Key: field, Value: schema}}}}
	}
	probes := map[string]bson.D{
		"bsonType":             {{Key: "bsonType", Value: "object"}},
		"type":                 prop("n", bson.D{{Key: "type", Value: "number"}}),
		"minimum":              prop("n", bson.D{{Key: "minimum", Value: 0}}),
		"maximum":              prop("n", bson.D{{Key: "maximum", Value: 5}}),
		"multipleOf":           prop("n", bson.D{{Key: "multipleOf", Value: 1}}),
		"minLength":            prop("s", bson.D{{Key: "minLength", Value: 1}}),
		"maxLength":            prop("s", bson.D{{Key: "maxLength", Value: 9}}),
		"pattern":              prop("s", bson.D{{Key: "pattern", Value: "^x"}}),
		"items":                prop("l", bson.D{{Key: "items", Value: bson.D{{Key: "bsonType", Value: "int"}}}}),
		"minItems":             prop("l", bson.D{{Key: "minItems", Value: 1}}),
		"uniqueItems":          prop("l", bson.D{{Key: "uniqueItems", Value: true}}),
		"required":             {{Key: "required", Value: bson.A{"n"}}},
		"enum":                 prop("s", bson.D{{Key: "enum", Value: bson.A{"x", "y"}}}),
		"additionalProperties": {{Key: "additionalProperties", Value: true}},
		"anyOf":                {{Key: "anyOf", Value: bson.A{bson.D{{Key: "bsonType", Value: "object"}}}}},
		"not":                  prop("s", bson.D{{Key: "not", Value: bson.D{{Key: "bsonType", Value: "int"}}}}),
		"minProperties":        {{Key: "minProperties", Value: 1}},
		"description":          {{Key: "description", Value: "a ticket"}},
	}
	doc := bson.D{{Key: "n", Value: int32(1)}, {Key: "s", Value: "x"}, {Key: "l", Value: bson.A{int32(1)}}}
	evaluated := 0
	for keyword, schema := range probes {
		coll := "kw_" + keyword
		require.NoError(t, db.CreateCollection(ctx, coll))
		err := db.RunCommand(ctx, bson.D{{Key: "collMod", Value: coll}, {Key: "validator", Value: bson.D{{Key: "$jsonSchema", Value: schema}}}, {Key: "validationAction", Value: "error"}}).Err()
		if odm.ReplyMeans(ctx, db, err) == "unsupported" {
			t.Skipf("%s refuses collMod with a validator (%v): it keeps no validator to evaluate", testrig.Server(), err)
		}
		require.NoError(t, err, keyword)
		_, err = db.Collection(coll).InsertOne(ctx, doc)
		refused := odm.SchemaKeywordsRefused(ctx, db, schema)
		if err == nil {
			evaluated++
			assert.Empty(t, refused, "%s evaluates %s; its profile must not refuse it", testrig.Server(), keyword)
		} else {
			assert.Contains(t, err.Error(), "$jsonSchema keyword", keyword)
			assert.Equal(t, []string{keyword}, refused, "%s cannot evaluate %s (%v); its profile must refuse it", testrig.Server(), keyword, err)
		}
	}
	t.Logf("%s evaluates %d of %d keywords probed", testrig.Server(), evaluated, len(probes))
}

// TestValidatorAfterCreate (with a validator every server that keeps one
// evaluates): Init creates a collection with its validator
// in the create command. Where create keeps it (MongoDB), nothing more is
// sent. Where create answers ok and keeps none (FerretDB v2; measured here
// first, with a create of the same options on another collection), the
// same Init sends one collMod with the validator, from the listing that
// follows the create, and the report's collection line says so. Either way
// the next plan has nothing pending.
func TestValidatorAfterCreate(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	report, err := odm.Init(ctx, db, seatsOnly{}, odm.SkipUnsupported())
	require.NoError(t, err)
	cr, _ := report.Collection("seats")
	require.Len(t, cr.Options, 1)
	require.Equal(t, "collection", cr.Options[0].Name)
	require.Equal(t, outcome.Created, cr.Options[0].Outcome)

	// The commands, in order: the create carries the validator.
	var sent []testrig.Command
	for _, cmd := range rec.Commands() {
		if cmd.Name == "create" || cmd.Name == "collMod" || cmd.Name == "listCollections" {
			sent = append(sent, cmd)
		}
	}
	creates := rec.Commands("create")
	require.NotEmpty(t, creates)
	wantValidator := creates[0].Body.Lookup("validator")
	require.Equal(t, bson.TypeEmbeddedDocument, wantValidator.Type, "the create carries the validator")
	if len(cr.Options[0].Options) > 0 {
		require.Zero(t, rec.Count("collMod"), "nothing refused is sent again")
		t.Skipf("%s refuses %v at create (%s); the create command was checked instead", testrig.Server(), cr.Options[0].Options, cr.Options[0].Reason)
	}
	require.Len(t, creates, 1)

	// What create alone keeps on this server.
	probe := testrig.Client().Database(db.Name())
	require.NoError(t, probe.RunCommand(ctx, bson.D{{Key: "create", Value: "probe"},
		{Key: "validator", Value: wantValidator}, {Key: "validationLevel", Value: "moderate"}, {Key: "validationAction", Value: "error"}}).Err())
	specs, err := probe.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: "probe"}})
	require.NoError(t, err)
	require.Len(t, specs, 1)
	_, keptByCreate := specs[0].Options.Lookup("validator").DocumentOK()

	mods := rec.Commands("collMod")
	if keptByCreate {
		assert.Empty(t, mods, "create kept the validator: no collMod")
		assert.NotContains(t, cr.Options[0].Reason, "collMod")
	} else {
		require.Len(t, mods, 1, "one collMod round, in the same Init")
		assert.Equal(t, wantValidator.String(), mods[0].Body.Lookup("validator").String())
		assert.Equal(t, "moderate", mods[0].Body.Lookup("validationLevel").StringValue())
		assert.Equal(t, "error", mods[0].Body.Lookup("validationAction").StringValue())
		// create, a listing that finds no validator, collMod, a listing
		// that finds it.
		var order []string
		for _, cmd := range sent {
			order = append(order, cmd.Name)
		}
		i := slices.Index(order, "create")
		require.GreaterOrEqual(t, i, 0)
		assert.Equal(t, []string{"create", "listCollections", "collMod", "listCollections"}, order[i:])
		assert.Contains(t, cr.Options[0].Reason, "the server's create did not keep validator, validationLevel, validationAction: set by collMod")
		t.Logf("%s keeps no validator given to create: %s", testrig.Server(), cr.Options[0].Reason)
	}
	plan, err := odm.Plan(ctx, db, seatsOnly{})
	require.NoError(t, err)
	assert.Zero(t, plan.Pending(), "the server holds the validator:\n%s", plan)
}
