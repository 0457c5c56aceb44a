package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type benchModel struct {
	Key    string `bson:"key" odm:"uniqueIndex"`
	Owner  string `bson:"owner" odm:"index:idx_owner_at,priority:1"`
	At     int64  `bson:"at" odm:"index:idx_owner_at,priority:2,sort:desc"`
	Status string `bson:"status" odm:"index"`
	Kind   string `bson:"kind" odm:"index"`
}

// BenchmarkSteadyCollection is Init's CPU for one collection in the steady
// state beyond listing it: given the listing a server returns (here, the
// declared indexes as MongoDB lists them), everything the executor does
// with it, from the comparison to the collection's report. No server is
// involved, so the figure is the client's work alone.
func BenchmarkSteadyCollection(b *testing.B) {
	cols, err := memo.Collect([]any{schema.In("bench", benchModel{})})
	require.NoError(b, err)
	decl := cols[0]
	listing := []bson.Raw{mustRaw(b, bson.D{{Key: "v", Value: 2}, {Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "name", Value: "_id_"}})}
	for _, s := range decl.Specs {
		listing = append(listing, mustRaw(b, append(bson.D{{Key: "v", Value: 2}}, s.Document()...)))
	}
	changes, err := diff.Diff(decl.Specs, listing)
	require.NoError(b, err)
	for _, c := range changes {
		require.Equal(b, diff.Unchanged, c.Action, c.Name)
	}
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1")) // never dialled
	require.NoError(b, err)
	defer client.Disconnect(context.Background())
	db := client.Database("bench")
	server := &ServerInfo{DB: db}
	ctx := context.Background()
	ahead := &aheadListing{indexes: listing, listed: true} // as a worker reads it; taken, never changed
	for _, skip := range []bool{false, true} {
		cfg := Defaults()
		cfg.skipUnsupported = skip
		b.Run(fmt.Sprintf("skipUnsupported=%v", skip), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x := newExecutor(cfg, db, decl, server)
				x.readAhead = ahead
				if _, _, err := x.run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustRaw(b *testing.B, d bson.D) bson.Raw {
	raw, err := bson.Marshal(d)
	require.NoError(b, err)
	return raw
}
