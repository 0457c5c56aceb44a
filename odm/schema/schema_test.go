package schema_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

func schemaJSON(t *testing.T, model any) string {
	t.Helper()
	s, err := schema.GenerateSchema(model)
	require.NoError(t, err)
	b, err := bson.MarshalExtJSON(s, false, false)
	require.NoError(t, err)
	return string(b)
}

// TestSchemaPerGoType: each Go type maps to its bsonType.
func TestSchemaPerGoType(t *testing.T) {
	type inner struct {
		N int32 `bson:"n"`
	}
	tests := []struct {
		name  string
		model any
		want  string
	}{
		{"string", struct {
			S string `bson:"s"`
		}{}, `{"s":{"bsonType":"string"}}`},
		{"int", struct {
			I int `bson:"i"`
		}{}, `{"i":{"bsonType":["int","long"]}}`},
		{"int32", struct {
			I int32 `bson:"i"`
		}{}, `{"i":{"bsonType":"int"}}`},
		{"int64", struct {
			I int64 `bson:"i"`
		}{}, `{"i":{"bsonType":"long"}}`},
		{"float64", struct {
			F float64 `bson:"f"`
		}{}, `{"f":{"bsonType":"double"}}`},
		{"decimal", struct {
			D bson.Decimal128 `bson:"d"`
		}{}, `{"d":{"bsonType":"decimal"}}`},
		{"bool", struct {
			B bool `bson:"b"`
		}{}, `{"b":{"bsonType":"bool"}}`},
		{"time", struct {
			T time.Time `bson:"t"`
		}{}, `{"t":{"bsonType":"date"}}`},
		{"object id", struct {
			ID bson.ObjectID `bson:"_id"`
		}{}, `{"_id":{"bsonType":"objectId"}}`},
		{"pointer allows null", struct {
			P *string `bson:"p"`
		}{}, `{"p":{"bsonType":["string","null"]}}`},
		{"omitempty allows null", struct {
			O int64 `bson:"o,omitempty"`
		}{}, `{"o":{"bsonType":["long","null"]}}`},
		{"map", struct {
			M map[string]any `bson:"m"`
		}{}, `{"m":{"bsonType":["object","null"]}}`},
		{"nested struct", struct {
			In inner `bson:"in"`
		}{}, `{"in":{"bsonType":"object","properties":{"n":{"bsonType":"int"}}}}`},
		{"slice of strings", struct {
			L []string `bson:"l"`
		}{}, `{"l":{"bsonType":["array","null"],"items":{"bsonType":"string"}}}`},
		{"slice of structs", struct {
			L []inner `bson:"l"`
		}{}, `{"l":{"bsonType":["array","null"],"items":{"bsonType":"object","properties":{"n":{"bsonType":"int"}}}}}`},
		{"bytes", struct {
			B []byte `bson:"b"`
		}{}, `{"b":{"bsonType":["binData","null"]}}`},
		{"interface is any type", struct {
			X any `bson:"x"`
		}{}, `{"x":{}}`},
		{"skipped field", struct {
			S string `bson:"-"`
			K string `bson:"k"`
		}{}, `{"k":{"bsonType":"string"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, `{"bsonType":"object","properties":`+tt.want+`}`, schemaJSON(t, tt.model))
		})
	}
}

type ruled struct {
	ID      string   `bson:"_id" odm:"required"`
	Status  string   `bson:"status" odm:"required;enum:open|closed"`
	Version string   `bson:"version" odm:"pattern:^\\d+\\.\\d+$"`
	Retries int32    `bson:"retries" odm:"min:0;max:10;enum:0|1|2"`
	Meta    metaPart `bson:"meta"`
}

type metaPart struct {
	User string `bson:"user" odm:"required"`
}

func (ruled) Validator() schema.Validator {
	return schema.Validator{Required: []string{"version"}, Rules: map[string]schema.Rule{"meta.user": {Pattern: "^u-"}}}
}

func TestSchemaRules(t *testing.T) {
	assert.Equal(t, `{"bsonType":"object","required":["_id","status","version"],"properties":{`+
		`"_id":{"bsonType":"string"},`+
		`"status":{"bsonType":"string","enum":["open","closed"]},`+
		`"version":{"bsonType":"string","pattern":"^\\d+\\.\\d+$"},`+
		`"retries":{"bsonType":"int","enum":[0,1,2],"minimum":0.0,"maximum":10.0},`+
		`"meta":{"bsonType":"object","required":["user"],"properties":{"user":{"bsonType":"string","pattern":"^u-"}}}}}`,
		schemaJSON(t, ruled{}))
}

type badSchemaType struct {
	C chan int `bson:"c"`
}

type badRulePath struct {
	A string `bson:"a"`
}

func (badRulePath) Validator() schema.Validator {
	return schema.Validator{Required: []string{"nosuch"}}
}

type badEnumType struct {
	T time.Time `bson:"t" odm:"enum:a|b"`
}

func TestSchemaErrors(t *testing.T) {
	_, err := schema.GenerateSchema(badSchemaType{})
	assert.ErrorContains(t, err, "schema_test.badSchemaType: field c (chan int): a value of Go type chan int cannot map to a BSON type")
	_, err = schema.GenerateSchema(badRulePath{})
	assert.ErrorContains(t, err, `names "nosuch", which is no field of the struct`)
	_, err = schema.GenerateSchema(badEnumType{})
	assert.ErrorContains(t, err, "enum in a tag needs a string, number or bool field")
}
