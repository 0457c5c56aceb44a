package sharding_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// shardedDB is a fresh database on the MongoDB sharded cluster behind
// MONGODB_SHARDED_URI (a mongos), dropped when the test ends.
func shardedDB(t *testing.T) *mongo.Database {
	t.Helper()
	uri := os.Getenv("MONGODB_SHARDED_URI")
	if uri == "" {
		t.Skip("MONGODB_SHARDED_URI is not set: these tests need a MongoDB sharded cluster (a mongos)")
	}
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	require.NoError(t, err)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	db := c.Database("t_sharded_" + hex.EncodeToString(b))
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = db.Drop(cctx)
		_ = c.Disconnect(cctx)
	})
	admin := c.Database("admin")
	hello, err := admin.RunCommand(ctx(t), bson.D{{Key: "hello", Value: 1}}).Raw()
	require.NoError(t, err)
	info, err := admin.RunCommand(ctx(t), bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	require.NoError(t, err)
	require.Equal(t, sharding.Mongos, sharding.Detect(hello, info).Topology, "MONGODB_SHARDED_URI must name a mongos")
	return db
}

// TestLiveShardCollection: on a real cluster, an empty collection is
// sharded with its supporting index first, the catalog shows the key, a
// second run sends no shardCollection, and another key is a mismatch.
func TestLiveShardCollection(t *testing.T) {
	db := shardedDB(t)
	ns := db.Name() + ".orders"
	d := orders(key(schema.Asc("tenant")))
	rep, err := run(t, db, sharding.Options{Verify: true}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) shard sharded after building its supporting index tenant_1"}, shardRows(rep.String())[:1])

	var doc struct {
		Key bson.D `bson:"key"`
	}
	require.NoError(t, db.Client().Database("config").Collection("collections").FindOne(ctx(t), bson.D{{Key: "_id", Value: ns}}).Decode(&doc))
	assert.Equal(t, "tenant", doc.Key[0].Key)

	rep, err = run(t, db, sharding.Options{Verify: true}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, shard.Existed, rep.Collections[0].Shard.Outcome)
	assert.Empty(t, rep.Collections[0].Shard.Drift, "a fresh collection's indexes are alike on every shard")
	assert.NotEmpty(t, rep.Collections[0].Shard.Verified)

	_, err = run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Hashed("email")))})
	var me *shard.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "tenant", me.Listed[0].Key)
}

// TestLivePopulatedHeld: a populated collection is held by default and
// sharded under ShardPopulated after its supporting index.
func TestLivePopulatedHeld(t *testing.T) {
	db := shardedDB(t)
	_, err := db.Collection("orders").InsertOne(ctx(t), bson.D{{Key: "tenant", Value: "a"}})
	require.NoError(t, err)
	d := orders(key(schema.Asc("tenant")))
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, shard.Held, rep.Collections[0].Shard.Outcome)
	rep, err = run(t, db, sharding.Options{Mode: shard.Populated}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, shard.Sharded, rep.Collections[0].Shard.Outcome)
}

// TestLiveUniqueNotPrefixed: the server's own 67 over the key pattern is a
// declaration error naming the index.
func TestLiveUniqueNotPrefixed(t *testing.T) {
	db := shardedDB(t)
	d := orders(key(schema.Hashed("tenant")))
	_, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	require.NoError(t, err)
	d2 := orders(key(schema.Hashed("tenant")), schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("code")}, Unique: true})
	_, err = run(t, db, sharding.Options{}, []*schema.Declared{d2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "code_1")
	assert.Contains(t, err.Error(), "shard key pattern")
}
