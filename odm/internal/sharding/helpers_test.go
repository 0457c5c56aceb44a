package sharding_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tagodm/tagodm/odm/outcome"

	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// run is Init's engine on declarations built in the test (a model's
// ShardKey method fills Declared.ShardKey the same way).
func run(t *testing.T, db *mongo.Database, so sharding.Options, cols []*schema.Declared, opts ...engine.Option) (*outcome.Report, error) {
	t.Helper()
	cfg := engine.Defaults()
	for _, o := range opts {
		require.Empty(t, cfg.Apply(o))
	}
	cfg.Shard = so
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return engine.Apply(ctx, cfg, db, cols, time.Now())
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// orders declares tenant_1 (which supports the key) and email_1.
func orders(k *schema.ShardKey, extra ...schema.IndexSpec) *schema.Declared {
	specs := append([]schema.IndexSpec{schema.Index(schema.Asc("tenant")), schema.Index(schema.Asc("email"))}, extra...)
	return &schema.Declared{Collection: "orders", Specs: specs, ShardKey: k}
}

func key(keys ...schema.IndexKey) *schema.ShardKey {
	k := schema.Shard(keys...)
	return &k
}

// shardRows are the plan's or report's (shard key) rows, tabs as spaces.
func shardRows(table string) []string {
	var out []string
	for _, l := range strings.Split(table, "\n") {
		if strings.Contains(l, "(shard key)") || strings.Contains(l, " drift ") {
			out = append(out, strings.Join(strings.Fields(l), " "))
		}
	}
	return out
}

// names are the recorded commands' names, with the index names of each
// createIndexes.
func names(rec *testrig.Recorder) []string {
	var out []string
	for _, c := range rec.Commands() {
		n := c.Name
		if c.Name == "createIndexes" {
			idx, _ := c.Body.Lookup("indexes").Array().Values()
			var ns []string
			for _, v := range idx {
				ns = append(ns, v.Document().Lookup("name").StringValue())
			}
			n += "(" + strings.Join(ns, ",") + ")"
		}
		if c.Name == "find" || c.Name == "insert" || c.Name == "delete" {
			n += " " + c.Body.Lookup(c.Name).StringValue()
		}
		out = append(out, n)
	}
	return out
}

func tracked(m *testrig.Mongos, ns string, keys bson.D, unique bool) {
	m.Track(bson.D{{Key: "_id", Value: ns}, {Key: "lastmodEpoch", Value: bson.NewObjectID()}, {Key: "key", Value: keys}, {Key: "unique", Value: unique}})
}
