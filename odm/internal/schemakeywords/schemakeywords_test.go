package schemakeywords

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestUnknown: keywords are found at every depth the walk reaches, once
// each and in order; property names are never taken for keywords.
func TestUnknown(t *testing.T) {
	known := []string{"bsonType", "properties", "items", "additionalItems", "required"}
	doc := bson.D{
		{Key: "bsonType", Value: "object"},
		{Key: "required", Value: bson.A{"a"}},
		{Key: "properties", Value: bson.D{
			{Key: "title", Value: bson.D{{Key: "bsonType", Value: "string"}, {Key: "pattern", Value: "^x"}}},
			{Key: "tags", Value: bson.D{{Key: "items", Value: bson.D{{Key: "enum", Value: bson.A{"x"}}}}}},
			{Key: "pairs", Value: bson.D{{Key: "items", Value: bson.A{bson.D{{Key: "pattern", Value: "y"}}}}, {Key: "additionalItems", Value: bson.D{{Key: "minimum", Value: 1}}}}},
		}},
		{Key: "title", Value: "top-level keyword"},
	}
	assert.Equal(t, []string{"pattern", "enum", "minimum", "title"}, Unknown(doc, known))
	assert.Nil(t, Unknown(bson.D{{Key: "properties", Value: bson.D{{Key: "pattern", Value: bson.D{}}}}}, known))
	assert.Nil(t, Unknown(nil, known))
}
