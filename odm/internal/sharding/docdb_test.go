package sharding_test

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/tagodm/tagodm/odm/outcome"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// detectLive is the deployment the test server is, from its own hello and
// buildInfo.
func detectLive(t *testing.T) sharding.Server {
	t.Helper()
	admin := testrig.Client().Database("admin")
	hello, err := admin.RunCommand(ctx(t), bson.D{{Key: "hello", Value: 1}}).Raw()
	require.NoError(t, err)
	info, err := admin.RunCommand(ctx(t), bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	require.NoError(t, err)
	return sharding.Detect(hello, info)
}

// shardViaSQL puts a collection into a sharded state through DocumentDB's
// SQL API (documentdb_api.shard_collection on the PostgreSQL behind
// FerretDB v2), as an operator of Azure DocumentDB would through its
// gateway; FerretDB itself does not route shardCollection.
func shardViaSQL(t *testing.T, db, coll, keyJSON string) {
	t.Helper()
	sql := fmt.Sprintf("SELECT documentdb_api.shard_collection('%s', '%s', '%s', false);", db, coll, keyJSON)
	cmd := exec.Command("su", "postgres", "-c", "psql -h 127.0.0.1 -p 5433 -d postgres -X -q -v ON_ERROR_STOP=1")
	cmd.Stdin = strings.NewReader(sql)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && (!errors.As(err, &ee) || ee.ExitCode() == 2) {
		t.Skipf("DocumentDB's SQL API on 127.0.0.1:5433 is not reachable (%v: %s): cannot put a collection into a sharded state", err, strings.TrimSpace(string(out)))
	}
	require.NoError(t, err, "%s: %s", sql, out)
}

// TestDocumentDBShardedState: on FerretDB v2 over DocumentDB, collections
// sharded through the SQL API are read from listCollections' info.shardKey:
// the same key is left alone, another one is a mismatch, and a keyless
// model on a sharded collection is reported; an unsharded collection's
// shardCollection is answered CommandNotFound by FerretDB and reported
// unsupported, the indexes going on.
func TestDocumentDBShardedState(t *testing.T) {
	if srv := detectLive(t); !srv.DocumentDB() {
		t.Skipf("needs FerretDB v2 on DocumentDB (MONGODB_URI=mongodb://127.0.0.1:27018/); the test server is %s %s", srv.Topology, srv.Version)
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	_, err := db.Collection("c1").InsertOne(ctx(t), bson.D{{Key: "t", Value: "a"}, {Key: "email", Value: "x@a"}})
	require.NoError(t, err)
	shardViaSQL(t, db.Name(), "c1", `{"t": "hashed"}`)

	hashedT := func(specs ...schema.IndexSpec) *schema.Declared {
		return &schema.Declared{Collection: "c1", Specs: specs, ShardKey: key(schema.Hashed("t"))}
	}
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{hashedT(schema.Index(schema.Asc("email")))})
	require.NoError(t, err)
	assert.Equal(t, []string{`c1 (shard key) unchanged existed`}, shardRows(rep.String()))
	assert.Empty(t, rec.Commands("shardCollection"))
	assert.Equal(t, `{t: "hashed"}`, rep.Collections[0].Shard.Listed)

	_, err = run(t, db, sharding.Options{}, []*schema.Declared{{Collection: "c1", ShardKey: key(schema.Hashed("u"))}})
	var me *shard.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Contains(t, err.Error(), `the model declares shard key {u: "hashed"} but the collection is sharded on {t: "hashed"}`)

	rep, err = run(t, db, sharding.Options{Mode: shard.Report}, []*schema.Declared{{Collection: "c1"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c1 (shard key) sharded outside the model kept no model declares a shard key; Init never unshards"}, shardRows(rep.String()))

	// A unique index the key does not prefix: DocumentDB would enforce it
	// per key value only (recorded), so it is refused before any command.
	rec.Reset()
	_, err = run(t, db, sharding.Options{}, []*schema.Declared{hashedT(schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true})})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "unique index email_1 does not start with the shard key")
	assert.Empty(t, rec.Commands(), "nothing sent")

	// An unsharded collection: FerretDB answers shardCollection with
	// CommandNotFound, first checked by hand.
	err = c.Database("admin").RunCommand(ctx(t), bson.D{{Key: "shardCollection", Value: db.Name() + ".c2"}, {Key: "key", Value: bson.D{{Key: "t", Value: "hashed"}}}}).Err()
	var ce mongo.CommandError
	require.ErrorAs(t, err, &ce)
	require.EqualValues(t, 59, ce.Code, "recorded: (CommandNotFound) no such command: 'shardCollection'")
	c2 := &schema.Declared{Collection: "c2", Specs: []schema.IndexSpec{schema.Index(schema.Asc("email"))}, ShardKey: key(schema.Hashed("t"))}
	rep, err = run(t, db, sharding.Options{}, []*schema.Declared{c2})
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "(shard key)", ue.Index)
	assert.True(t, rep.Collections[0].Failed)
	assert.ElementsMatch(t, []string{"_id_", "email_1"}, listed(t, db.Collection("c2")), "the index plan goes on")
	db2 := testrig.Database(t, c)
	rep, err = run(t, db2, sharding.Options{}, []*schema.Declared{c2}, engine.SkipUnsupported())
	require.NoError(t, err)
	assert.Equal(t, []string{"c2 (shard key) unsupported skipped no such command: 'shardCollection'"}, shardRows(rep.String()))
}

// TestFerretDBShardCollectionUnsupported: through FerretDB (v1 or v2),
// shardCollection is a command it does not have; Init reports the key as
// unsupported and makes the indexes.
func TestFerretDBShardCollectionUnsupported(t *testing.T) {
	srv := detectLive(t)
	if srv.Topology != sharding.FerretDB {
		t.Skipf("needs FerretDB; the test server is %s %s", srv.Topology, srv.Version)
	}
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	err := c.Database("admin").RunCommand(ctx(t), bson.D{{Key: "shardCollection", Value: db.Name() + ".orders"}, {Key: "key", Value: bson.D{{Key: "tenant", Value: "hashed"}}}}).Err()
	var ce mongo.CommandError
	require.ErrorAs(t, err, &ce)
	require.EqualValues(t, 59, ce.Code, "FerretDB has no shardCollection: %v", err)
	rec.Reset()

	d := orders(key(schema.Hashed("tenant")))
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d}, engine.DryRun())
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) unsupported shardCollection FerretDB does not route shardCollection"}, shardRows(rep.Plan.String()))

	rep, err = run(t, db, sharding.Options{}, []*schema.Declared{d})
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "index (shard key): the server does not support shardCollection")
	assert.True(t, rep.Collections[0].Failed)
	assert.ElementsMatch(t, []string{"_id_", "tenant_1", "email_1"}, listed(t, db.Collection("orders")), "the index plan goes on")
	assert.Len(t, rec.Commands("shardCollection"), 1)
	var se *shard.Error
	assert.False(t, errors.As(err, &se))
}

func listed(t *testing.T, coll *mongo.Collection) []string {
	t.Helper()
	specs, err := coll.Indexes().ListSpecifications(ctx(t))
	require.NoError(t, err)
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}
