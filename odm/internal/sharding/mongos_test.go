package sharding_test

import (
	"encoding/json"
	"errors"
	"sync"
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
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The golden plans: one model x each cluster state, through a fake mongos
// on the wire (detection, config.collections, shardCollection and the
// index commands all go over the driver). Each case checks the plan row,
// the report row and the commands, in order.
func TestGoldenNotShardedEmpty(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	k := key(schema.Asc("tenant"))

	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(k)}, engine.DryRun())
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) shard createIndexes, shardCollection empty collection; supporting index tenant_1 first"}, shardRows(rep.Plan.String()))
	assert.NotContains(t, names(rec), "shardCollection", "a plan sends nothing")
	assert.Equal(t, 3, rep.Plan.Pending(), "two indexes and the key")

	rec.Reset()
	rep, err = run(t, db, sharding.Options{}, []*schema.Declared{orders(k)})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) shard sharded after building its supporting index tenant_1"}, shardRows(rep.String()))
	assert.Equal(t, []string{"find collections", "find orders", "listIndexes", "insert odm_locks", "listIndexes", "createIndexes(tenant_1)", "shardCollection",
		"listIndexes", "createIndexes(email_1)", "delete odm_locks"}, names(rec), "under the lease, a listing for the conflicts; then supporting index, shardCollection, the other indexes")
	sc := rec.Commands("shardCollection")[0]
	assert.Equal(t, "admin", sc.Database)
	assert.Equal(t, ns, sc.Body.Lookup("shardCollection").StringValue())
	assert.Equal(t, `{"tenant": {"$numberInt":"1"}}`, sc.Body.Lookup("key").String())
	assert.Equal(t, `{"locale": "simple"}`, sc.Body.Lookup("collation").String())
	assert.Nil(t, sc.Body.Lookup("unique").Value, "unique is sent only when declared")
	doc, ok := m.Tracked(ns)
	require.True(t, ok, "the cluster tracks the collection")
	assert.Equal(t, bson.D{{Key: "tenant", Value: int32(1)}}, doc[2].Value)

	rec.Reset()
	rep, err = run(t, db, sharding.Options{}, []*schema.Declared{orders(k)})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) unchanged existed"}, shardRows(rep.String()))
	assert.Equal(t, []string{"find collections", "listIndexes"}, names(rec), "steady state: the key's read and the listing")
}

func TestGoldenNotShardedPopulated(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	_, err := db.Collection("orders").InsertOne(ctx(t), bson.D{{Key: "tenant", Value: "a"}, {Key: "email", Value: "x@a"}})
	require.NoError(t, err)
	k := key(schema.Asc("tenant"), schema.Asc("at"))
	d := orders(k, schema.Index(schema.Asc("tenant"), schema.Asc("at")).Named("by_tenant_at"))

	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	require.NoError(t, err, "held by the default policy, which is no failure")
	assert.Equal(t, []string{"orders (shard key) shard held the collection holds documents; ShardPolicy(ShardPopulated) shards it"}, shardRows(rep.String()))
	assert.NotContains(t, names(rec), "shardCollection")
	assert.ElementsMatch(t, []string{"tenant_1", "email_1", "by_tenant_at"}, append(rep.Collections[0].Names(outcome.Created), rep.Collections[0].Names(outcome.Existed)...), "the indexes go on")
	_, ok := m.Tracked(db.Name() + ".orders")
	assert.False(t, ok)

	// A fresh collection, populated, under ShardPopulated: its declared
	// supporting index first.
	db2 := testrig.Database(t, c)
	_, err = db2.Collection("orders").InsertOne(ctx(t), bson.D{{Key: "tenant", Value: "a"}})
	require.NoError(t, err)
	rec.Reset()
	rep, err = run(t, db2, sharding.Options{Mode: shard.Populated}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) shard sharded after building its supporting index by_tenant_at"}, shardRows(rep.String()))
	assert.Equal(t, "orders (shard key) shard createIndexes, shardCollection populated collection; supporting index by_tenant_at first", shardRows(rep.Plan.String())[0])
	assert.Equal(t, []string{"find collections", "find orders", "listIndexes", "insert odm_locks", "listIndexes", "createIndexes(by_tenant_at)", "shardCollection",
		"listIndexes", "createIndexes(tenant_1,email_1)", "delete odm_locks"}, names(rec))
}

func TestGoldenSameKey(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	tracked(m, db.Name()+".orders", bson.D{{Key: "tenant", Value: 1.0}}, false)
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("tenant")))})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) unchanged existed"}, shardRows(rep.String()))
	assert.Equal(t, []string{"find collections", "listIndexes", "createIndexes(tenant_1,email_1)"}, names(rec), "no lease, no shardCollection")
}

func TestGoldenRefinable(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	tracked(m, ns, bson.D{{Key: "tenant", Value: 1.0}}, false)
	d := orders(key(schema.Asc("tenant"), schema.Asc("_id")))

	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) refine held sharded on a prefix of the declared key; AllowRefine refines it with refineCollectionShardKey"}, shardRows(rep.String()))
	assert.NotContains(t, names(rec), "refineCollectionShardKey")

	rec.Reset()
	rep, err = run(t, db, sharding.Options{AllowRefine: true}, []*schema.Declared{d})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) refine refined after building its supporting index tenant_1__id_1"}, shardRows(rep.String()))
	assert.Equal(t, []string{"find collections", "insert odm_locks", "listIndexes", "createIndexes(tenant_1__id_1)", "refineCollectionShardKey", "listIndexes", "delete odm_locks"}, names(rec))
	doc, _ := m.Tracked(ns)
	assert.Equal(t, bson.D{{Key: "tenant", Value: int32(1)}, {Key: "_id", Value: int32(1)}}, doc[2].Value)
}

func TestGoldenDifferentKey(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	tracked(m, ns, bson.D{{Key: "region", Value: 1.0}}, false)
	d := orders(key(schema.Hashed("tenant")))

	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d}, engine.DryRun())
	require.NoError(t, err, "a plan shows the mismatch without failing")
	assert.Equal(t, []string{`orders (shard key) mismatch fail Init never reshards; run by hand: db.adminCommand({reshardCollection: "` + ns + `", key: {tenant: "hashed"}})`}, shardRows(rep.Plan.String()))
	js, err := json.Marshal(rep.Plan)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"shard":{"key":"{tenant: \"hashed\"}","listed":"{region: 1}","action":"mismatch","step":"fail"`)

	rec.Reset()
	_, err = run(t, db, sharding.Options{}, []*schema.Declared{d})
	var me *shard.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Contains(t, err.Error(), `the model declares shard key {tenant: "hashed"} but the collection is sharded on {region: 1}`)
	assert.Contains(t, err.Error(), `db.adminCommand({reshardCollection: "`+ns+`", key: {tenant: "hashed"}})`)
	assert.Equal(t, []string{"find collections"}, names(rec), "no index change, no reshard")
}

func TestGoldenShardedOutsideModel(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	tracked(m, db.Name()+".orders", bson.D{{Key: "region", Value: 1.0}}, false)

	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(nil)})
	require.NoError(t, err)
	assert.Empty(t, shardRows(rep.String()), "without a key or a policy, nothing about keys is read")
	assert.Equal(t, []string{"listIndexes", "createIndexes(tenant_1,email_1)"}, names(rec))

	rec.Reset()
	rep, err = run(t, db, sharding.Options{Mode: shard.Report}, []*schema.Declared{orders(nil)})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) sharded outside the model - no model declares a shard key; Init never unshards"}, shardRows(rep.Plan.String()))
	assert.Equal(t, []string{"orders (shard key) sharded outside the model kept no model declares a shard key; Init never unshards"}, shardRows(rep.String()))
	assert.Equal(t, []string{"find collections", "listIndexes"}, names(rec))
}

// TestUnsplittable: 8.0 tracks unsharded collections in config.collections
// with unsplittable: true and key {_id: 1}; that is not a shard key.
func TestUnsplittable(t *testing.T) {
	m := testrig.StartMongos(t, "8.0.4")
	c, _ := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	m.Track(bson.D{{Key: "_id", Value: ns}, {Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "unique", Value: false}, {Key: "unsplittable", Value: true}})
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("tenant")))})
	require.NoError(t, err, "an unsplittable entry is no mismatch")
	assert.Equal(t, []string{"orders (shard key) shard sharded after building its supporting index tenant_1"}, shardRows(rep.String()))
	doc, _ := m.Tracked(ns)
	assert.Equal(t, bson.D{{Key: "tenant", Value: int32(1)}}, doc[2].Value)
}

// TestCatalogUnreadable: without the right to read config.collections
// the state is unknown, not "not sharded": shardCollection's reply
// decides (ok, or 23 with the server's words).
func TestCatalogUnreadable(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	m.DenyCatalog()
	c, _ := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("tenant")))}, engine.DryRun())
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) unknown createIndexes, shardCollection config.collections is not readable: not authorized on config to execute command { find: \"collections\" }; shardCollection's reply decides; supporting index tenant_1 first"}, shardRows(rep.Plan.String()))
	rep, err = run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("tenant")))})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) unknown sharded after building its supporting index tenant_1"}, shardRows(rep.String()))

	// Sharded meanwhile on another key: 23, never success.
	_, err = run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("email")))})
	var me *shard.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Nil(t, me.Listed, "the listed key could not be read")
	assert.Contains(t, err.Error(), "sharded on another key")
	assert.Contains(t, err.Error(), "server: sharding already enabled for collection "+ns)
}

// TestShardCollectionRefusals: the recorded refusals of shardCollection,
// as Init reports them.
func TestShardCollectionRefusals(t *testing.T) {
	tests := []struct {
		name     string
		code     int32
		codeName string
		msg      string
		skip     bool
		check    func(t *testing.T, err error, rep *outcome.Report)
	}{
		{"59 unsupported, the indexes go on", 59, "CommandNotFound", "no such command: 'shardCollection'", false, func(t *testing.T, err error, rep *outcome.Report) {
			var ue *outcome.UnsupportedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, "(shard key)", ue.Index)
			assert.Equal(t, []string{"shardCollection"}, ue.Options)
			assert.Contains(t, err.Error(), "no such command: 'shardCollection'")
			assert.Equal(t, "orders (shard key) unsupported failed no such command: 'shardCollection'", shardRows(rep.String())[0])
		}},
		{"59 under SkipUnsupported", 59, "CommandNotFound", "no such command: 'shardCollection'", true, func(t *testing.T, err error, rep *outcome.Report) {
			require.NoError(t, err)
			assert.Equal(t, []string{"orders (shard key) unsupported skipped no such command: 'shardCollection'"}, shardRows(rep.String()))
			assert.ElementsMatch(t, []string{"email_1"}, rep.Collections[0].Names(outcome.Created))
		}},
		{"72 no supporting index", 72, "InvalidOptions", "Please create an index that starts with the proposed shard key before sharding the collection", true, func(t *testing.T, err error, rep *outcome.Report) {
			var se *shard.Error
			require.ErrorAs(t, err, &se, "a declaration or data error, even under SkipUnsupported")
			assert.Contains(t, err.Error(), "shardCollection with shard key {tenant: 1}: (InvalidOptions) Please create an index")
			assert.Equal(t, "orders (shard key) shard failed Please create an index that starts with the proposed shard key before sharding the collection", shardRows(rep.String())[0])
		}},
		{"2 collation", 2, "BadValue", "If no collation was specified, the collection collation must be {locale: 'simple'}, but found: { locale: \"fr\" }", false, func(t *testing.T, err error, rep *outcome.Report) {
			var se *shard.Error
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), "collation must be {locale: 'simple'}")
		}},
		{"338 busy", 338, "ReshardCollectionInProgress", "reshardCollection is in progress for namespace x", false, func(t *testing.T, err error, rep *outcome.Report) {
			var se *shard.Error
			require.ErrorAs(t, err, &se)
			assert.True(t, se.Busy)
			assert.Contains(t, err.Error(), "another operation holds the collection")
			assert.Equal(t, "orders (shard key) shard busy reshardCollection is in progress for namespace x", shardRows(rep.String())[0])
		}},
		{"117 busy", 117, "ConflictingOperationInProgress", "Another create collection with different arguments is already running for the same namespace", false, func(t *testing.T, err error, rep *outcome.Report) {
			var se *shard.Error
			require.ErrorAs(t, err, &se)
			assert.True(t, se.Busy)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testrig.StartMongos(t, "7.0.14")
			m.Refuse("shardCollection", tt.code, tt.codeName, tt.msg)
			c, rec := m.Client(t)
			db := testrig.Database(t, c)
			var opts []engine.Option
			if tt.skip {
				opts = append(opts, engine.SkipUnsupported())
			}
			rep, err := run(t, db, sharding.Options{}, []*schema.Declared{orders(key(schema.Asc("tenant")))}, opts...)
			tt.check(t, err, rep)
			var ue *outcome.UnsupportedError
			if tt.code == 59 {
				assert.Contains(t, names(rec), "createIndexes(email_1)", "the index plan goes on")
			} else if !errors.As(err, &ue) {
				assert.NotContains(t, names(rec), "createIndexes(email_1)", "no index change after a refused key")
			}
		})
	}
}

// TestUniqueOverShardKeyPattern: 67 about the key pattern, answered to a
// createIndexes on a sharded collection, is a declaration error naming
// the index, not a lack of the server's.
func TestUniqueOverShardKeyPattern(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, _ := m.Client(t)
	db := testrig.Database(t, c)
	tracked(m, db.Name()+".orders", bson.D{{Key: "tenant", Value: "hashed"}}, false)
	m.Refuse("createIndexes", 67, "CannotCreateIndex", `cannot create unique index over { email: 1 } with shard key pattern { tenant: "hashed" }`)
	d := &schema.Declared{Collection: "orders", Specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}},
		ShardKey: key(schema.Hashed("tenant"))}
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{d}, engine.SkipUnsupported())
	require.Error(t, err)
	var ue *outcome.UnsupportedError
	assert.False(t, errors.As(err, &ue), "not unsupported: %v", err)
	assert.Contains(t, err.Error(), "email_1")
	assert.Contains(t, err.Error(), "shard key pattern")
	assert.Empty(t, rep.Collections[0].Names(outcome.Skipped))
}

// TestVerifyAcrossShards: checkMetadataConsistency's findings become drift
// rows, repaired with the declared index's createIndexes and collMod.
func TestVerifyAcrossShards(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	tracked(m, ns, bson.D{{Key: "tenant", Value: 1.0}}, false)
	m.Inconsistencies(
		bson.D{{Key: "type", Value: "InconsistentIndex"}, {Key: "details", Value: bson.D{{Key: "namespace", Value: ns}, {Key: "info", Value: bson.D{
			{Key: "missingFromShards", Value: bson.A{"shard-rs1"}}, {Key: "inconsistentProperties", Value: bson.A{}}, {Key: "indexName", Value: "email_1"}}}}}},
		bson.D{{Key: "type", Value: "InconsistentIndex"}, {Key: "details", Value: bson.D{{Key: "namespace", Value: ns}, {Key: "info", Value: bson.D{
			{Key: "missingFromShards", Value: bson.A{}}, {Key: "inconsistentProperties", Value: bson.A{
				bson.D{{Key: "k", Value: "expireAfterSeconds"}, {Key: "v", Value: int64(60)}}, bson.D{{Key: "k", Value: "expireAfterSeconds"}, {Key: "v", Value: int64(600)}}}},
			{Key: "indexName", Value: "at_1"}}}}}},
		bson.D{{Key: "type", Value: "InconsistentIndex"}, {Key: "details", Value: bson.D{{Key: "namespace", Value: ns}, {Key: "info", Value: bson.D{
			{Key: "missingFromShards", Value: bson.A{"shard-rs0"}}, {Key: "indexName", Value: "legacy_1"}}}}}},
	)
	ttl := schema.Index(schema.Asc("at"))
	ttl.ExpireAfter = schema.TTL(60e9)
	d := orders(key(schema.Asc("tenant")), ttl)
	// The repair's collMod, answered per shard as a mongos does
	// (DOCS-12094): a shard without the collection is no failure.
	m.Reply("collMod", bson.D{{Key: "raw", Value: bson.D{
		{Key: "h:4100", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(26)}, {Key: "errmsg", Value: "ns does not exist"}}},
		{Key: "h:4200", Value: bson.D{{Key: "expireAfterSeconds_old", Value: int32(600)}, {Key: "expireAfterSeconds_new", Value: int32(60)}, {Key: "ok", Value: 1.0}}}}},
		{Key: "ok", Value: 1.0}})
	// SkipUnsupported: a server without TTL indexes skips at_1 here; the
	// drift the cluster reports is repaired all the same.
	rep, err := run(t, db, sharding.Options{Verify: true}, []*schema.Declared{d}, engine.SkipUnsupported())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"orders (shard key) unchanged existed",
		"orders email_1 drift repaired missing from shard-rs1",
		"orders at_1 drift repaired differs between shards in expireAfterSeconds",
		"orders legacy_1 drift found missing from shard-rs0; not declared: left as it is",
	}, shardRows(rep.String()))
	assert.Equal(t, "checkMetadataConsistency", rep.Collections[0].Shard.Verified)
	got := names(rec)
	i := len(got) - 3
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, []string{"checkMetadataConsistency", "createIndexes(email_1)", "collMod"}, got[i:], "the check after the index changes, then the repairs")

	// Without the privilege: noted, no failure.
	m.Refuse("checkMetadataConsistency", 13, "Unauthorized", "not authorized on "+db.Name()+" to execute command { checkMetadataConsistency: ... }")
	rep, err = run(t, db, sharding.Options{Verify: true}, []*schema.Declared{d}, engine.SkipUnsupported())
	require.NoError(t, err)
	assert.Contains(t, rep.Collections[0].Shard.Verified, "not checked: not authorized")
	assert.Empty(t, rep.Collections[0].Shard.Drift)
}

// TestDocumentDBGatewayRefusesBeforeDDL: on the DocumentDB gateway a
// ranged key and a unique index the key does not prefix are refused
// before any command changes anything.
func TestDocumentDBGatewayRefusesBeforeDDL(t *testing.T) {
	g := testrig.StartDocumentDBGateway(t)
	c, rec := g.Client(t)
	db := testrig.Database(t, c)
	d := &schema.Declared{Collection: "orders", Specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}},
		ShardKey: key(schema.Asc("tenant"))}
	_, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	var ve *schema.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "DocumentDB shards on a hashed key only")
	assert.Contains(t, err.Error(), "unique index email_1 does not start with the shard key")
	assert.Empty(t, names(rec), "nothing sent but detection")

	hashed := &schema.Declared{Collection: "orders", Specs: []schema.IndexSpec{schema.Index(schema.Asc("email"))}, ShardKey: key(schema.Hashed("tenant"))}
	rep, err := run(t, db, sharding.Options{}, []*schema.Declared{hashed})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders (shard key) shard sharded"}, shardRows(rep.String()))
	sc := rec.Commands("shardCollection")
	require.Len(t, sc, 1)
	elems, _ := sc[0].Body.Elements()
	var keys []string
	for _, e := range elems {
		if e.Key() != "lsid" && e.Key() != "$db" && e.Key() != "maxTimeMS" {
			keys = append(keys, e.Key())
		}
	}
	assert.Equal(t, []string{"shardCollection", "key"}, keys, "the gateway takes the key alone")
	assert.NotContains(t, names(rec), "createIndexes(tenant_hashed)", "DocumentDB needs no supporting index")
}

// TestKeylessCommandsUnchanged: Init on models without a key sends what it
// always sent, on a mongos too: no detection, no catalog read, and in
// steady state one listIndexes per collection.
func TestKeylessCommandsUnchanged(t *testing.T) {
	cols := []*schema.Declared{orders(nil), {Collection: "users", Specs: []schema.IndexSpec{schema.Index(schema.Asc("name"))}}}
	t.Run("test server", func(t *testing.T) {
		var mu sync.Mutex
		var all []string // every command, hello and buildInfo included
		c := testrig.HookedClient(t, func(name string, _ bson.Raw) { mu.Lock(); all = append(all, name); mu.Unlock() })
		db := testrig.Database(t, c)
		_, err := run(t, db, sharding.Options{}, cols)
		require.NoError(t, err)
		mu.Lock()
		assert.NotContains(t, all, "hello")
		all = nil
		mu.Unlock()
		_, err = run(t, db, sharding.Options{}, cols)
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []string{"listIndexes", "listIndexes"}, all)
	})
	t.Run("fake mongos", func(t *testing.T) {
		m := testrig.StartMongos(t, "7.0.14")
		c, rec := m.Client(t)
		db := testrig.Database(t, c)
		_, err := run(t, db, sharding.Options{}, cols)
		require.NoError(t, err)
		assert.NotContains(t, names(rec), "find collections")
		rec.Reset()
		_, err = run(t, db, sharding.Options{}, cols)
		require.NoError(t, err)
		assert.Equal(t, []string{"listIndexes", "listIndexes"}, names(rec))
	})
}

// TestRawCreateIndexesReply: a mongos's createIndexes reply that says ok
// at the top and holds one shard's refusal under raw fails the index, as
// that shard's reply says (duplicate keys on one shard, the manual's
// partial failure).
func TestRawCreateIndexesReply(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, _ := m.Client(t)
	db := testrig.Database(t, c)
	tracked(m, db.Name()+".users", bson.D{{Key: "email", Value: 1.0}}, false)
	m.Reply("createIndexes", bson.D{{Key: "raw", Value: bson.D{
		{Key: "shA/h:27018", Value: bson.D{{Key: "numIndexesBefore", Value: int32(1)}, {Key: "numIndexesAfter", Value: int32(2)}, {Key: "ok", Value: 1.0}}},
		{Key: "shB/h:27019", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(11000)}, {Key: "codeName", Value: "DuplicateKey"},
			{Key: "errmsg", Value: `E11000 duplicate key error collection: x.users index: email_1 dup key: { email: "a@x" }`}}}}},
		{Key: "ok", Value: 1.0}})
	d := &schema.Declared{Collection: "users", Specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}}, ShardKey: key(schema.Asc("email"))}
	_, err := run(t, db, sharding.Options{}, []*schema.Declared{d})
	var dk *outcome.DuplicateDataError
	require.ErrorAs(t, err, &dk)
	assert.Equal(t, "email_1", dk.Index)
	var sr *sharding.ShardReplyError
	require.ErrorAs(t, err, &sr, "the shard's reply is kept")
	assert.Equal(t, "shB/h:27019", sr.Shard)
}

// TestConflictBeforeShardCollection: under ConflictFail an index conflict
// fails the collection before its key changes anything: no supporting
// index, no shardCollection.
func TestConflictBeforeShardCollection(t *testing.T) {
	m := testrig.StartMongos(t, "7.0.14")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	// email_1 listed on other keys than declared: a conflict.
	_, err := db.Collection("orders").Indexes().CreateOne(ctx(t), mongo.IndexModel{Keys: bson.D{{Key: "email", Value: -1}}, Options: options.Index().SetName("email_1")})
	require.NoError(t, err)
	d := orders(key(schema.Asc("tenant")))
	rec.Reset()
	_, err = run(t, db, sharding.Options{}, []*schema.Declared{d})
	var ce *outcome.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.NotContains(t, names(rec), "shardCollection")
	assert.NotContains(t, names(rec), "createIndexes(tenant_1)")
	_, ok := m.Tracked(db.Name() + ".orders")
	assert.False(t, ok)
}

// TestVerifyIndexStats: before 7.0 the check reads $indexStats (one
// document per index per shard, SERVER-44915) and repairs an index
// missing from a shard.
func TestVerifyIndexStats(t *testing.T) {
	m := testrig.StartMongos(t, "6.0.12")
	c, rec := m.Client(t)
	db := testrig.Database(t, c)
	ns := db.Name() + ".orders"
	tracked(m, ns, bson.D{{Key: "tenant", Value: 1.0}}, false)
	stat := func(name, shard string, keys bson.D) bson.D {
		return bson.D{{Key: "name", Value: name}, {Key: "key", Value: keys}, {Key: "host", Value: shard + ":27018"}, {Key: "shard", Value: shard},
			{Key: "spec", Value: bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: keys}, {Key: "name", Value: name}}}}
	}
	id, tenant, email := bson.D{{Key: "_id", Value: int32(1)}}, bson.D{{Key: "tenant", Value: int32(1)}}, bson.D{{Key: "email", Value: int32(1)}}
	m.Reply("aggregate", bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: ns}, {Key: "firstBatch", Value: bson.A{
		stat("_id_", "shA", id), stat("_id_", "shB", id), stat("tenant_1", "shA", tenant), stat("tenant_1", "shB", tenant), stat("email_1", "shA", email),
	}}}}, {Key: "ok", Value: 1.0}})
	rep, err := run(t, db, sharding.Options{Verify: true}, []*schema.Declared{orders(key(schema.Asc("tenant")))})
	require.NoError(t, err)
	assert.Equal(t, "$indexStats", rep.Collections[0].Shard.Verified)
	assert.Equal(t, []string{"orders (shard key) unchanged existed", "orders email_1 drift repaired missing from shB"}, shardRows(rep.String()))
	got := names(rec)
	assert.Equal(t, []string{"aggregate", "createIndexes(email_1)"}, got[len(got)-2:])
	assert.NotContains(t, got, "checkMetadataConsistency")
}
