package odm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	validator := &collectionShape{validator: &Validator{Schema: jsonSchema, Level: LevelModerate, Action: ActionWarn}}
	tests := []struct {
		name   string
		shape  *collectionShape
		listed string // listCollections options; "" for a missing collection
		want   []OptionChange
	}{
		{"missing collection is created", validator, "", []OptionChange{{Option: "collection", Action: Create}}},
		{"same validator, keys and lists in another order", validator,
			`{"validationLevel": "moderate", "validator": {"$jsonSchema": {"properties": {"a": {"bsonType": ["null", "string"]}}, "required": ["b", "a"], "bsonType": "object"}}, "validationAction": "warn"}`,
			nil},
		{"no validator yet", validator, `{}`, []OptionChange{
			{Option: "validationAction", Action: ModifyInPlace, Declared: "warn"},
			{Option: "validationLevel", Action: ModifyInPlace, Declared: "moderate"},
			{Option: "validator", Action: ModifyInPlace, Declared: `{"$jsonSchema":{"bsonType":"object","properties":{"a":{"bsonType":["null","string"]}},"required":["a","b"]}}`},
		}},
		{"level and action left to the server's defaults", validator,
			`{"validator": {"$jsonSchema": {"bsonType": "object", "required": ["a", "b"], "properties": {"a": {"bsonType": ["string", "null"]}}}}}`,
			[]OptionChange{
				{Option: "validationAction", Action: ModifyInPlace, Declared: "warn", Listed: "error"},
				{Option: "validationLevel", Action: ModifyInPlace, Declared: "moderate", Listed: "strict"},
			}},
		{"an undeclared capped collection is a conflict", validator,
			`{"validator": {"$jsonSchema": {"bsonType": "object", "required": ["a", "b"], "properties": {"a": {"bsonType": ["string", "null"]}}}}, "validationLevel": "moderate", "validationAction": "warn", "capped": true, "size": 4096}`,
			[]OptionChange{
				{Option: "capped", Action: Conflict, Listed: "true"},
				{Option: "size", Action: ModifyInPlace, Listed: "4096"},
			}},
		{"time series with the server's defaults", &collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts", MetaField: "m", ExpireAfter: TTL(time.Hour)}}},
			`{"timeseries": {"timeField": "ts", "metaField": "m", "granularity": "seconds", "bucketMaxSpanSeconds": 3600}, "expireAfterSeconds": {"$numberLong": "3600"}}`,
			nil},
		{"time series expiry and granularity changed", &collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts", Granularity: "hours", ExpireAfter: TTL(2 * time.Hour)}}},
			`{"timeseries": {"timeField": "ts", "granularity": "minutes", "bucketMaxSpanSeconds": 86400}, "expireAfterSeconds": 3600}`,
			[]OptionChange{
				{Option: "expireAfterSeconds", Action: ModifyInPlace, Declared: "7200", Listed: "3600"},
				{Option: "timeseries.granularity", Action: ModifyInPlace, Declared: "hours", Listed: "minutes"},
			}},
		{"another time field is a conflict", &collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts"}}},
			`{"timeseries": {"timeField": "at", "granularity": "seconds"}}`,
			[]OptionChange{{Option: "timeseries.timeField", Action: Conflict, Declared: "ts", Listed: "at"}}},
		{"clustered index as listed", &collectionShape{options: &CollectionOptions{ClusteredIndex: true}},
			`{"clusteredIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_", "unique": true}}`,
			nil},
		{"collation with defaults filled in", &collectionShape{options: &CollectionOptions{Collation: &options.Collation{Locale: "fr"}}},
			`{"collation": {"locale": "fr", "caseLevel": false, "strength": 3, "version": "57.1"}}`,
			nil},
		{"pre- and post-images", &collectionShape{options: &CollectionOptions{ChangeStreamPreAndPostImages: true}},
			`{"changeStreamPreAndPostImages": {"enabled": false}}`,
			[]OptionChange{{Option: "changeStreamPreAndPostImages", Action: ModifyInPlace, Declared: "enabled"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var listed bson.Raw
			if tt.listed != "" {
				listed = rawDoc(t, tt.listed)
			}
			assert.Equal(t, tt.want, diffCollection(tt.shape, listed, tt.listed != ""))
		})
	}
}

func TestCheckShape(t *testing.T) {
	exists := func(p string) bool { return p == "ts" || p == "m" }
	for _, tt := range []struct {
		shape collectionShape
		want  string
	}{
		{collectionShape{validator: &Validator{Level: "loose", Action: ActionWarn}}, `validation level must be off, moderate or strict, not "loose"`},
		{collectionShape{validator: &Validator{Level: LevelStrict, Action: "ignore"}}, `validation action must be warn or error`},
		{collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{}}}, "needs a time field"},
		{collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "nope"}}}, "time field nope names no field"},
		{collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts", Granularity: "days"}}}, "granularity must be"},
		{collectionShape{options: &CollectionOptions{TimeSeries: &TimeSeriesOptions{TimeField: "ts"}, Capped: &CappedOptions{Size: 1}}}, "cannot be capped or clustered"},
		{collectionShape{options: &CollectionOptions{Capped: &CappedOptions{}}}, "needs a size"},
		{collectionShape{options: &CollectionOptions{Capped: &CappedOptions{Size: 10}, ClusteredIndex: true}}, "clustered collection cannot be capped"},
	} {
		msgs := checkShape(&tt.shape, exists)
		require.NotEmpty(t, msgs, tt.want)
		assert.Contains(t, msgs[0], tt.want)
	}
}
