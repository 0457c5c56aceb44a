package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

type supportHashedTag struct {
	ID bson.ObjectID `bson:"_id,omitempty"`
	T  string        `bson:"t" odm:"shard:hashed"`
}

type plainOrder struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Tenant string        `bson:"tenant"`
	Total  int           `bson:"total"`
}

// TestDescribeGivesTheShardKey: Describe gives the model's key, its key
// document and the supporting index's name; the copy it gives is the
// caller's to change. A model without a key has none.
func TestDescribeGivesTheShardKey(t *testing.T) {
	m, err := schema.Describe(supportHashedTag{})
	require.NoError(t, err)
	require.NotNil(t, m.ShardKey)
	assert.Equal(t, []schema.IndexKey{schema.Hashed("t")}, m.ShardKey.Keys)
	assert.Equal(t, bson.D{{Key: "t", Value: "hashed"}}, m.ShardKey.KeyDocument())
	assert.Equal(t, "t_hashed", m.ShardKey.IndexName())
	assert.True(t, m.ShardKey.Hashed())
	m.ShardKey.Keys[0] = schema.Asc("x")
	again, err := schema.Describe(schema.In("elsewhere", supportHashedTag{}))
	require.NoError(t, err)
	assert.Equal(t, []schema.IndexKey{schema.Hashed("t")}, again.ShardKey.Keys)

	m, err = schema.Describe(plainOrder{})
	require.NoError(t, err)
	assert.Nil(t, m.ShardKey)
}
