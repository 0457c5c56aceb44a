package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tagodm/tagodm/odm/schema"
)

// The recursive models below are those of package odm's tests of Init on
// recursive models; the schema they generate needs no server.

type treeNode struct {
	Name string     `bson:"name" odm:"index;required"`
	Kids []treeNode `bson:"kids"`
}

func (treeNode) Validator() schema.Validator { return schema.Validator{} }

func (treeNode) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{schema.Index(schema.Asc("kids.kids.name")).Named("grandchildren")}
}

type listNode struct {
	V    int       `bson:"v" odm:"index"`
	Next *listNode `bson:"next,omitempty"`
}

func (listNode) Validator() schema.Validator { return schema.Validator{} }

type mutualA struct {
	B    *mutualB `bson:"b"`
	Name string   `bson:"name"`
}

func (mutualA) Validator() schema.Validator { return schema.Validator{} }

type mutualB struct {
	X  string             `bson:"x" odm:"index"`
	As []mutualA          `bson:"as"`
	M  map[string]mutualA `bson:"m"`
}

// TestRecursiveTypesGetAFiniteSchema: where a struct type recurs within
// itself, through slices, pointers or another type, the generated schema
// is a permissive object (an array of them for a slice).
func TestRecursiveTypesGetAFiniteSchema(t *testing.T) {
	tests := []struct {
		model any
		want  string
	}{
		{treeNode{}, `{"bsonType":"object","required":["name"],"properties":{"name":{"bsonType":"string"},` +
			`"kids":{"bsonType":["array","null"],"items":{"bsonType":"object"}}}}`},
		{listNode{}, `{"bsonType":"object","properties":{"v":{"bsonType":["int","long"]},"next":{"bsonType":["object","null"]}}}`},
		{mutualA{}, `{"bsonType":"object","properties":{"b":{"bsonType":["object","null"],"properties":{` +
			`"x":{"bsonType":"string"},"as":{"bsonType":["array","null"],"items":{"bsonType":"object"}},"m":{"bsonType":["object","null"]}}},` +
			`"name":{"bsonType":"string"}}}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, schemaJSON(t, tt.model))
	}
}
