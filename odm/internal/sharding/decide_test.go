package sharding

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestDecide: the plan row for each declared key x state x topology x
// policy, as the plan's table shows it.
func TestDecide(t *testing.T) {
	tenant := schema.Shard(schema.Asc("tenant"))
	tenantID := schema.Shard(schema.Asc("tenant"), schema.Asc("_id"))
	hashed := schema.Shard(schema.Hashed("tenant"))
	decl := func(k *schema.ShardKey, specs ...schema.IndexSpec) *schema.Declared {
		return &schema.Declared{Collection: "orders", Specs: specs, ShardKey: k}
	}
	mongos := Server{Topology: Mongos, Version: "7.0.14", Major: 7}
	listed := func(d bson.D) State { return State{Sharded: true, Key: d} }
	tests := []struct {
		name string
		d    *schema.Declared
		st   State
		srv  Server
		o    Options
		want string // the row, "" for none
	}{
		{"not sharded, empty", decl(&tenant), State{Empty: true}, mongos, Options{},
			"orders (shard key) shard createIndexes, shardCollection empty collection; supporting index tenant_1 first"},
		{"not sharded, empty, supporting index listed", decl(&tenant), State{Empty: true, Support: true}, mongos, Options{},
			"orders (shard key) shard shardCollection empty collection"},
		{"not sharded, populated, default policy", decl(&tenant), State{}, mongos, Options{},
			"orders (shard key) shard held the collection holds documents; ShardPolicy(ShardPopulated) shards it"},
		{"not sharded, populated, ShardPopulated", decl(&tenant, schema.Index(schema.Asc("tenant"), schema.Asc("at")).Named("by_tenant")), State{}, mongos, Options{Mode: shard.Populated},
			"orders (shard key) shard createIndexes, shardCollection populated collection; supporting index by_tenant first"},
		{"not sharded, ShardReport", decl(&tenant), State{Empty: true}, mongos, Options{Mode: shard.Report},
			"orders (shard key) shard report empty collection; supporting index tenant_1 first"},
		{"same key", decl(&tenant), listed(bson.D{{Key: "tenant", Value: 1.0}}), mongos, Options{},
			"orders (shard key) unchanged -"},
		{"same hashed key", decl(&hashed), listed(bson.D{{Key: "tenant", Value: "hashed"}}), mongos, Options{},
			"orders (shard key) unchanged -"},
		{"unique differs", decl(&tenant), State{Sharded: true, Key: bson.D{{Key: "tenant", Value: int32(1)}}, Unique: true}, mongos, Options{},
			`orders (shard key) mismatch fail Init never reshards; run by hand: db.adminCommand({reshardCollection: "shop.orders", key: {tenant: 1}})`},
		{"refinable, held", decl(&tenantID), listed(bson.D{{Key: "tenant", Value: int64(1)}}), mongos, Options{},
			"orders (shard key) refine held sharded on a prefix of the declared key; AllowRefine refines it with refineCollectionShardKey"},
		{"refinable, AllowRefine", decl(&tenantID), listed(bson.D{{Key: "tenant", Value: int64(1)}}), mongos, Options{AllowRefine: true},
			"orders (shard key) refine createIndexes, refineCollectionShardKey sharded on a prefix of the declared key"},
		{"different key", decl(&tenant), listed(bson.D{{Key: "region", Value: 1.0}}), mongos, Options{},
			`orders (shard key) mismatch fail Init never reshards; run by hand: db.adminCommand({reshardCollection: "shop.orders", key: {tenant: 1}})`},
		{"hashed where ranged is listed", decl(&hashed), listed(bson.D{{Key: "tenant", Value: 1.0}}), mongos, Options{},
			`orders (shard key) mismatch fail Init never reshards; run by hand: db.adminCommand({reshardCollection: "shop.orders", key: {tenant: "hashed"}})`},
		{"sharded outside the model", decl(nil), listed(bson.D{{Key: "region", Value: 1.0}}), mongos, Options{Mode: shard.Report},
			"orders (shard key) sharded outside the model - no model declares a shard key; Init never unshards"},
		{"no key, not sharded", decl(nil), State{}, mongos, Options{Mode: shard.Report}, ""},
		{"config unreadable", decl(&tenant), State{Unknown: "config.collections is not readable: not authorized", Empty: true, Support: true}, mongos, Options{},
			"orders (shard key) unknown shardCollection config.collections is not readable: not authorized; shardCollection's reply decides"},
		{"FerretDB", decl(&hashed), State{}, Server{Topology: FerretDB, FerretMajor: 2}, Options{},
			"orders (shard key) unsupported shardCollection FerretDB does not route shardCollection"},
		{"FerretDB v2, sharded through DocumentDB", decl(&hashed), listed(bson.D{{Key: "tenant", Value: "hashed"}}), Server{Topology: FerretDB, FerretMajor: 2}, Options{},
			"orders (shard key) unchanged -"},
		{"DocumentDB gateway, empty", decl(&hashed), State{Empty: true}, Server{Topology: DocumentDBGateway}, Options{},
			"orders (shard key) shard shardCollection empty collection"},
		{"replica set", decl(&tenant), State{}, Server{Topology: Unsharded}, Options{},
			"orders (shard key) not a sharded cluster - replica set or standalone: the key shapes validation only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decide(tt.d, tt.st, tt.srv, tt.o, "shop.orders")
			var b strings.Builder
			p.WriteRow(&b, "orders")
			assert.Equal(t, tt.want, strings.TrimSpace(strings.ReplaceAll(b.String(), "\t", " ")))
		})
	}
}

// TestSupport: which listed index supports a key (the server's rule).
func TestSupport(t *testing.T) {
	k := schema.Shard(schema.Asc("tenant"), schema.Hashed("user"))
	idx := func(extra ...bson.E) bson.Raw {
		d := append(bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: bson.D{{Key: "tenant", Value: int32(1)}, {Key: "user", Value: "hashed"}, {Key: "at", Value: int32(1)}}}, {Key: "name", Value: "x"}}, extra...)
		b, _ := bson.Marshal(d)
		return b
	}
	assert.True(t, supports(idx(), k))
	assert.True(t, supports(idx(bson.E{Key: "sparse", Value: false}), k))
	assert.False(t, supports(idx(bson.E{Key: "sparse", Value: true}), k))
	assert.False(t, supports(idx(bson.E{Key: "hidden", Value: true}), k))
	assert.False(t, supports(idx(bson.E{Key: "partialFilterExpression", Value: bson.D{{Key: "a", Value: 1}}}), k))
	assert.False(t, supports(idx(bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}}), k))
	desc, _ := bson.Marshal(bson.D{{Key: "key", Value: bson.D{{Key: "tenant", Value: int32(-1)}, {Key: "user", Value: "hashed"}}}})
	assert.False(t, supports(desc, k), "a descending index does not support a ranged key")
}
