package odm_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

const tmpCode = "idx_code.odm-rebuild" // the temporary index of a rebuild

// indexStep is a createIndexes or dropIndexes command, by the index it
// names.
func indexStep(name string, body bson.Raw) string {
	switch name {
	case "createIndexes":
		vals, _ := body.Lookup("indexes").Array().Values()
		var names []string
		for _, v := range vals {
			names = append(names, v.Document().Lookup("name").StringValue())
		}
		sort.Strings(names)
		return "create " + strings.Join(names, ",")
	case "dropIndexes":
		return "drop " + body.Lookup("index").StringValue()
	}
	return ""
}

// stepClient is a client that records the index steps the server
// accepted, in order, and calls after with their count after each one.
func stepClient(t *testing.T, after func(n int)) (*mongo.Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	started := map[int64]string{}
	var done []string
	mon := &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			if s := indexStep(e.CommandName, e.Command); s != "" {
				mu.Lock()
				started[e.RequestID] = s
				mu.Unlock()
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			mu.Lock()
			s, ok := started[e.RequestID]
			if ok {
				done = append(done, s)
			}
			n := len(done)
			mu.Unlock()
			if ok {
				after(n)
			}
		},
	}
	c, err := mongo.Connect(options.Client().ApplyURI(testrig.URI()).SetMonitor(mon))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), done...)
	}
}

// indexKeys lists the collection's indexes as name: keys.
func indexKeys(t *testing.T, db *mongo.Database, coll string) map[string][]string {
	out := map[string][]string{}
	for name, d := range testrig.ListIndexes(t, db.Name(), coll) {
		out[name] = d.Keys
	}
	return out
}

// TestOrderedRebuildKeepsAnIndexThroughout: a rebuild whose keys differ
// creates the temporary index first, drops the old index, creates the
// declared one and drops the temporary one; stopped after any of these
// steps, the next Init converges with nothing left behind.
func TestOrderedRebuildKeepsAnIndexThroughout(t *testing.T) {
	steps := []string{"create " + tmpCode, "drop idx_code", "create idx_code", "drop " + tmpCode}
	old := []string{"code:-1"}
	tmp := []string{"code:1", "_id:1"}
	declared := []string{"code:1"}
	for _, tt := range []struct {
		name    string
		stopAt  int                 // cancel Init after this many steps; 0: never
		between map[string][]string // the listing after the stop, _id_ aside
	}{
		{name: "uninterrupted", between: map[string][]string{"idx_code": declared}},
		{name: "stopped after the temporary index", stopAt: 1, between: map[string][]string{"idx_code": old, tmpCode: tmp}},
		{name: "stopped after the old index's drop", stopAt: 2, between: map[string][]string{tmpCode: tmp}},
		{name: "stopped after the declared index", stopAt: 3, between: map[string][]string{"idx_code": declared, tmpCode: tmp}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, done := stepClient(t, func(n int) {
				if n == tt.stopAt {
					cancel()
				}
			})
			db := testrig.Database(t, c)
			createIndex(t, db, "codes", bson.D{{Key: "code", Value: -1}}, options.Index().SetName("idx_code"))
			_, err := db.Collection("codes").InsertMany(context.Background(), []any{bson.D{{Key: "code", Value: "x"}}, bson.D{{Key: "code", Value: "y"}}})
			require.NoError(t, err)

			report, err := odm.Init(ctx, db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild), odm.Retries(0, 0))
			got := indexKeys(t, db, "codes")
			delete(got, "_id_")
			assert.Equal(t, tt.between, got)
			if tt.stopAt == 0 {
				require.NoError(t, err)
				assert.Equal(t, steps, done(), "the steps, in order")
				cr, _ := report.Collection("codes")
				assert.Equal(t, []string{"idx_code"}, cr.Names(outcome.Rebuilt))
				assert.Equal(t, "true", testrig.ListIndexes(t, db.Name(), "codes")["idx_code"].Options["unique"])
				return
			}
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, steps[:tt.stopAt], done(), "stopped right after step %d", tt.stopAt)

			report, err = odm.Init(context.Background(), db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild))
			require.NoError(t, err)
			got = indexKeys(t, db, "codes")
			assert.Equal(t, map[string][]string{"_id_": {"_id:1"}, "idx_code": declared}, got, "converged, nothing left behind")
			assert.Equal(t, "true", testrig.ListIndexes(t, db.Name(), "codes")["idx_code"].Options["unique"])
			cr, _ := report.Collection("codes")
			if tt.stopAt < 3 {
				assert.NotContains(t, cr.Names(outcome.Existed), "idx_code")
			}
			if tt.stopAt > 1 {
				assert.Equal(t, []string{tmpCode}, cr.Names(outcome.Dropped), "the temporary index is reported dropped")
			}
			report, err = odm.Init(context.Background(), db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild))
			require.NoError(t, err)
			assert.Zero(t, report.Plan.Pending(), "a third run has nothing to do")
		})
	}
}

// TestHideThenDrop: HideUndeclared hides an undeclared index; with
// DropUndeclared too, a later run drops it; declaring it again unhides it.
// A server without hidden indexes is checked at the command level.
func TestHideThenDrop(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	createIndex(t, db, "orders", bson.D{{Key: "legacy", Value: 1}}, nil)
	rec.Reset()

	report, err := odm.Init(ctx, db, plainModel{}, odm.HideUndeclared(), odm.DropUndeclared(), odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Zero(t, rec.Count("dropIndexes"), "the first run drops nothing")
	mods := rec.Commands("collMod")
	require.Len(t, mods, 1)
	assert.Equal(t, "orders", mods[0].Body.Lookup("collMod").StringValue())
	assert.Equal(t, `{"name": "legacy_1","hidden": true}`, mods[0].Body.Lookup("index").Document().String())
	cr, _ := report.Collection("orders")
	if skipped := cr.Names(outcome.Skipped); len(skipped) > 0 {
		require.Equal(t, []string{"legacy_1"}, skipped)
		assert.Contains(t, testrig.ListIndexes(t, db.Name(), "orders"), "legacy_1", "a refused hide keeps the index")
		t.Skipf("%s refuses hidden indexes (%s); the collMod command was checked instead", testrig.Server(), cr.Indexes[len(cr.Indexes)-1].Reason)
	}
	assert.Equal(t, []string{"legacy_1"}, cr.Names(outcome.Hidden))
	assert.Equal(t, "true", testrig.ListIndexes(t, db.Name(), "orders")["legacy_1"].Options["hidden"])

	report, err = odm.Init(ctx, db, plainModel{}, odm.HideUndeclared())
	require.NoError(t, err)
	cr, _ = report.Collection("orders")
	assert.Equal(t, []string{"legacy_1"}, cr.Names(outcome.Hidden), "already hidden")
	assert.Zero(t, report.Plan.Pending())

	rec.Reset()
	report, err = odm.Init(ctx, db, plainModel{}, odm.HideUndeclared(), odm.DropUndeclared())
	require.NoError(t, err)
	cr, _ = report.Collection("orders")
	assert.Equal(t, []string{"legacy_1"}, cr.Names(outcome.Dropped), "the later run drops the hidden index")
	assert.NotContains(t, testrig.ListIndexes(t, db.Name(), "orders"), "legacy_1")
	assert.Zero(t, rec.Count("collMod"))
}

// TestRedeclaringAHiddenIndexUnhidesIt: an index hidden by an earlier run
// and declared again is made visible with collMod, not rebuilt.
func TestRedeclaringAHiddenIndexUnhidesIt(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	createIndex(t, db, "orders", bson.D{{Key: "x", Value: 1}}, nil)
	_, err := odm.Init(ctx, db, plainModel{}, odm.HideUndeclared(), odm.SkipUnsupported())
	require.NoError(t, err)
	if testrig.ListIndexes(t, db.Name(), "orders")["x_1"].Options["hidden"] != "true" {
		t.Skipf("%s refuses hidden indexes; TestHideThenDrop checked the command", testrig.Server())
	}
	rec.Reset()
	report, err := odm.Init(ctx, db, plainModel{}, schema.In("orders", otherModel{}))
	require.NoError(t, err)
	cr, _ := report.Collection("orders")
	assert.Equal(t, []string{"x_1"}, cr.Names(outcome.Modified))
	assert.Zero(t, rec.Count("createIndexes")+rec.Count("dropIndexes"), "no rebuild")
	assert.Empty(t, testrig.ListIndexes(t, db.Name(), "orders")["x_1"].Options["hidden"])
}
