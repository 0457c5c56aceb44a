package querydoc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

func raw(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	require.NoError(t, err)
	return b
}

func rv(t *testing.T, v any) bson.RawValue {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	require.NoError(t, err)
	return bson.RawValue{Type: typ, Value: data}
}

func TestShardKeyValues(t *testing.T) {
	k := schema.Shard(schema.Hashed("region.code"), schema.Asc("tenant"), schema.Asc("_id"))
	oid := bson.NewObjectID()
	doc := raw(t, bson.D{{Key: "_id", Value: oid}, {Key: "region", Value: bson.D{{Key: "code", Value: "eu"}}}})
	assert.Equal(t, bson.D{{Key: "region.code", Value: rv(t, "eu")}, {Key: "tenant", Value: nil}, {Key: "_id", Value: rv(t, oid)}},
		ShardKeyValues(&k, doc), "a missing field is null")
	assert.Equal(t, bson.D{{Key: "region.code", Value: nil}, {Key: "tenant", Value: nil}},
		ShardKeyValues(&k, raw(t, bson.D{{Key: "_id", Value: bson.ObjectID{}}})), "a zero ObjectID _id is left out")
	assert.Equal(t, bson.D{{Key: "region.code", Value: nil}, {Key: "tenant", Value: nil}},
		ShardKeyValues(&k, raw(t, bson.D{})), "a missing _id is left out")
}

func TestWithShardKey(t *testing.T) {
	vals := bson.D{{Key: "tenant", Value: rv(t, "acme")}, {Key: "n", Value: rv(t, int32(7))}}
	tests := []struct {
		name    string
		filter  any
		want    any
		changed []string
	}{
		{"bson.D naming neither", bson.D{{Key: "_id", Value: 1}},
			bson.D{{Key: "_id", Value: 1}, {Key: "tenant", Value: rv(t, "acme")}, {Key: "n", Value: rv(t, int32(7))}}, nil},
		{"bson.D naming the same values, numbers of other types", bson.D{{Key: "n", Value: int64(7)}, {Key: "tenant", Value: "acme"}},
			bson.D{{Key: "n", Value: int64(7)}, {Key: "tenant", Value: "acme"}}, nil},
		{"bson.D naming another value", bson.D{{Key: "tenant", Value: "globex"}},
			bson.D{{Key: "tenant", Value: "globex"}, {Key: "n", Value: rv(t, int32(7))}}, []string{"tenant"}},
		{"bson.D naming a condition", bson.D{{Key: "tenant", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}},
			bson.D{{Key: "tenant", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}, {Key: "n", Value: rv(t, int32(7))}}, nil},
		{"bson.D naming a subdocument value", bson.D{{Key: "n", Value: bson.D{{Key: "x", Value: 1}}}},
			bson.D{{Key: "n", Value: bson.D{{Key: "x", Value: 1}}}, {Key: "tenant", Value: rv(t, "acme")}}, []string{"n"}},
		{"bson.M", bson.M{"tenant": "globex", "_id": 1},
			bson.M{"tenant": "globex", "_id": 1, "n": rv(t, int32(7))}, []string{"tenant"}},
		{"any other filter", map[string]any{"_id": 1},
			bson.D{{Key: "$and", Value: bson.A{map[string]any{"_id": 1}, vals}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := WithShardKey(tt.filter, vals)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
		})
	}
	t.Run("an _id of its own is no key change", func(t *testing.T) {
		_, changed := WithShardKey(bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "_id", Value: rv(t, int32(1))}})
		assert.Nil(t, changed)
	})
	t.Run("the filter given is left as it was", func(t *testing.T) {
		f := make(bson.D, 1, 4)
		f[0] = bson.E{Key: "_id", Value: 1}
		_, _ = WithShardKey(f, vals)
		assert.Equal(t, bson.D{{Key: "_id", Value: 1}}, f[:cap(f)][:1])
		assert.Equal(t, bson.E{}, f[:cap(f)][1], "no append into the caller's array")
	})
}
