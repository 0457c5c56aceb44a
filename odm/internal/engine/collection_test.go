package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func rawDoc(t *testing.T, ext string) bson.Raw {
	t.Helper()
	var raw bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON([]byte(ext), false, &raw), ext)
	return raw
}

func TestDiffCollection(t *testing.T) {
	jsonSchema := bson.D{
		{Key: "bsonType", Value: "object"},
		{Key: "required", Value: bson.A{"a", "b"}},
		{Key: "properties", Value: bson.D{{Key: "a", Value: bson.D{{Key: "bsonType", Value: bson.A{"string", "null"}}}}}},
	}
	validator := &schema.CollectionShape{Validator: &schema.Validator{Schema: jsonSchema, Level: schema.LevelModerate, Action: schema.ActionWarn}}
	tests := []struct {
		name   string
		shape  *schema.CollectionShape
		listed string // listCollections options; "" for a missing collection
		want   []diff.OptionChange
	}{
		{"missing collection is created", validator, "", []diff.OptionChange{{Option: "collection", Action: diff.Create}}},
		{"same validator, keys and lists in another order", validator,
			`{"validationLevel": "moderate", "validator": {"$jsonSchema": {"properties": {"a": {"bsonType": ["null", "string"]}}, "required": ["b", "a"], "bsonType": "object"}}, "validationAction": "warn"}`,
			nil},
		{"no validator yet", validator, `{}`, []diff.OptionChange{
			{Option: "validationAction", Action: diff.ModifyInPlace, Declared: "warn"},
			{Option: "validationLevel", Action: diff.ModifyInPlace, Declared: "moderate"},
			{Option: "validator", Action: diff.ModifyInPlace, Declared: `{"$jsonSchema":{"bsonType":"object","properties":{"a":{"bsonType":["null","string"]}},"required":["a","b"]}}`},
		}},
		{"level and action left to the server's defaults", validator,
			`{"validator": {"$jsonSchema": {"bsonType": "object", "required": ["a", "b"], "properties": {"a": {"bsonType": ["string", "null"]}}}}}`,
			[]diff.OptionChange{
				{Option: "validationAction", Action: diff.ModifyInPlace, Declared: "warn", Listed: "error"},
				{Option: "validationLevel", Action: diff.ModifyInPlace, Declared: "moderate", Listed: "strict"},
			}},
		{"an undeclared capped collection is a conflict", validator,
			`{"validator": {"$jsonSchema": {"bsonType": "object", "required": ["a", "b"], "properties": {"a": {"bsonType": ["string", "null"]}}}}, "validationLevel": "moderate", "validationAction": "warn", "capped": true, "size": 4096}`,
			[]diff.OptionChange{
				{Option: "capped", Action: diff.Conflict, Listed: "true"},
				{Option: "size", Action: diff.ModifyInPlace, Listed: "4096"},
			}},
		{"time series with the server's defaults", &schema.CollectionShape{Options: &schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "ts", MetaField: "m", ExpireAfter: schema.TTL(time.Hour)}}},
			`{"timeseries": {"timeField": "ts", "metaField": "m", "granularity": "seconds", "bucketMaxSpanSeconds": 3600}, "expireAfterSeconds": {"$numberLong": "3600"}}`,
			nil},
		{"time series expiry and granularity changed", &schema.CollectionShape{Options: &schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "ts", Granularity: "hours", ExpireAfter: schema.TTL(2 * time.Hour)}}},
			`{"timeseries": {"timeField": "ts", "granularity": "minutes", "bucketMaxSpanSeconds": 86400}, "expireAfterSeconds": 3600}`,
			[]diff.OptionChange{
				{Option: "expireAfterSeconds", Action: diff.ModifyInPlace, Declared: "7200", Listed: "3600"},
				{Option: "timeseries.granularity", Action: diff.ModifyInPlace, Declared: "hours", Listed: "minutes"},
			}},
		{"another time field is a conflict", &schema.CollectionShape{Options: &schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "ts"}}},
			`{"timeseries": {"timeField": "at", "granularity": "seconds"}}`,
			[]diff.OptionChange{{Option: "timeseries.timeField", Action: diff.Conflict, Declared: "ts", Listed: "at"}}},
		{"clustered index as listed", &schema.CollectionShape{Options: &schema.CollectionOptions{ClusteredIndex: true}},
			`{"clusteredIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_", "unique": true}}`,
			nil},
		{"collation with defaults filled in", &schema.CollectionShape{Options: &schema.CollectionOptions{Collation: &options.Collation{Locale: "fr"}}},
			`{"collation": {"locale": "fr", "caseLevel": false, "strength": 3, "version": "57.1"}}`,
			nil},
		{"pre- and post-images", &schema.CollectionShape{Options: &schema.CollectionOptions{ChangeStreamPreAndPostImages: true}},
			`{"changeStreamPreAndPostImages": {"enabled": false}}`,
			[]diff.OptionChange{{Option: "changeStreamPreAndPostImages", Action: diff.ModifyInPlace, Declared: "enabled"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var listed bson.Raw
			if tt.listed != "" {
				listed = rawDoc(t, tt.listed)
			}
			assert.Equal(t, tt.want, diff.DiffCollection(tt.shape, listed, tt.listed != ""))
		})
	}
}
