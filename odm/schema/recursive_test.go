package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tagodm/tagodm/internal/testmodels"
)

// TestRecursiveTypesGetAFiniteSchema: where a struct type recurs within
// itself, through slices, pointers or another type, the generated schema
// is a permissive object (an array of them for a slice).
func TestRecursiveTypesGetAFiniteSchema(t *testing.T) {
	tests := []struct {
		model any
		want  string
	}{
		{testmodels.TreeNode{}, `{"bsonType":"object","required":["name"],"properties":{"name":{"bsonType":"string"},` +
			`"kids":{"bsonType":["array","null"],"items":{"bsonType":"object"}}}}`},
		{testmodels.ListNode{}, `{"bsonType":"object","properties":{"v":{"bsonType":["int","long"]},"next":{"bsonType":["object","null"]}}}`},
		{testmodels.MutualA{}, `{"bsonType":"object","properties":{"b":{"bsonType":["object","null"],"properties":{` +
			`"x":{"bsonType":"string"},"as":{"bsonType":["array","null"],"items":{"bsonType":"object"}},"m":{"bsonType":["object","null"]}}},` +
			`"name":{"bsonType":"string"}}}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, schemaJSON(t, tt.model))
	}
}
