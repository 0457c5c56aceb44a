package odm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

type raceItem struct {
	A string `bson:"a" odm:"index:by_a"`
}

func (raceItem) CollectionName() string { return "items" }

// once runs f the first time a command of that name is about to be sent.
func once(name string, f func()) func(string, bson.Raw) {
	var o sync.Once
	return func(n string, _ bson.Raw) {
		if n == name {
			o.Do(f)
		}
	}
}

// TestAnotherProcessBetweenListingAndCommand: another process changes the
// collection after Init listed it and before Init's command reaches the
// server. Init takes the server's answer as a reason to plan again, and
// ends as the policy says: a *ConflictError under the default policy, the
// declared index under ConflictRebuild, success when the index it was
// dropping is gone already.
func TestAnotherProcessBetweenListingAndCommand(t *testing.T) {
	other := func(db *mongo.Database) *mongo.Collection {
		return testrig.Client().Database(db.Name()).Collection("items")
	}
	conflicting := mongo.IndexModel{Keys: bson.D{{Key: "a", Value: -1}}, Options: options.Index().SetName("by_a")}
	for _, tt := range []struct {
		name   string
		setUp  func(t *testing.T, coll *mongo.Collection)
		before string // the command before which the other process acts
		act    func(t *testing.T, coll *mongo.Collection)
		opts   []any
		check  func(t *testing.T, err error, coll *mongo.Collection)
	}{
		{
			name:   "a conflicting index created before our createIndexes, default policy",
			before: "createIndexes",
			act: func(t *testing.T, coll *mongo.Collection) {
				_, err := coll.Indexes().CreateOne(context.Background(), conflicting)
				require.NoError(t, err)
			},
			check: func(t *testing.T, err error, _ *mongo.Collection) {
				var ce *outcome.ConflictError
				require.ErrorAs(t, err, &ce, "%v", err)
			},
		},
		{
			name:   "a conflicting index created before our createIndexes, ConflictRebuild",
			before: "createIndexes",
			act: func(t *testing.T, coll *mongo.Collection) {
				_, err := coll.Indexes().CreateOne(context.Background(), conflicting)
				require.NoError(t, err)
			},
			opts: []any{odm.OnConflict(outcome.ConflictRebuild)},
			check: func(t *testing.T, err error, coll *mongo.Collection) {
				require.NoError(t, err)
				assertKeys(t, coll, "by_a", "a:1")
			},
		},
		{
			name: "the undeclared index dropped before our dropIndexes",
			setUp: func(t *testing.T, coll *mongo.Collection) {
				_, err := coll.Indexes().CreateOne(context.Background(), mongo.IndexModel{Keys: bson.D{{Key: "b", Value: 1}}})
				require.NoError(t, err)
			},
			before: "dropIndexes",
			act: func(t *testing.T, coll *mongo.Collection) {
				require.NoError(t, coll.Indexes().DropOne(context.Background(), "b_1"))
			},
			opts: []any{odm.DropUndeclared()},
			check: func(t *testing.T, err error, coll *mongo.Collection) {
				require.NoError(t, err, "IndexNotFound is progress")
				assertKeys(t, coll, "b_1")
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var db *mongo.Database
			fired := false
			c := testrig.HookedClient(t, once(tt.before, func() { fired = true; tt.act(t, other(db)) }))
			db = testrig.Database(t, c)
			if tt.setUp != nil {
				tt.setUp(t, other(db))
			}
			_, err := odm.Init(context.Background(), db, append([]any{raceItem{}}, tt.opts...)...)
			require.True(t, fired, "Init sent no %s", tt.before)
			tt.check(t, err, other(db))
		})
	}
}

// assertKeys asserts the listed keys of the named index; none for an
// index that must be absent.
func assertKeys(t *testing.T, coll *mongo.Collection, name string, keys ...string) {
	t.Helper()
	listed := testrig.ListIndexes(t, coll.Database().Name(), coll.Name())
	doc, ok := listed[name]
	if len(keys) == 0 {
		assert.False(t, ok, "index %s must be gone: %v", name, doc)
		return
	}
	require.True(t, ok, "index %s must be listed", name)
	assert.Equal(t, keys, doc.Keys)
}

type uniqueItem struct {
	A string `bson:"a" odm:"index:by_a,unique"`
}

func (uniqueItem) CollectionName() string { return "items" }

// TestAUniqueIndexOverDuplicatesIsDuplicateDataError: the server refuses
// to build a unique index over duplicated keys; Init says so with a
// *DuplicateDataError holding a sample, the server's error reachable.
func TestAUniqueIndexOverDuplicatesIsDuplicateDataError(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := db.Collection("items").InsertMany(context.Background(), []any{bson.D{{Key: "a", Value: "x"}}, bson.D{{Key: "a", Value: "x"}}})
	require.NoError(t, err)
	report, err := odm.Init(context.Background(), db, uniqueItem{})
	var dk *outcome.DuplicateDataError
	require.ErrorAs(t, err, &dk, "%v", err)
	assert.Equal(t, "by_a", dk.Index)
	assert.Equal(t, int64(2), dk.Count)
	sample, err2 := bson.MarshalExtJSON(dk.Sample, false, false)
	require.NoError(t, err2)
	assert.JSONEq(t, `{"a": "x"}`, string(sample))
	var ce mongo.CommandError
	require.ErrorAs(t, err, &ce)
	t.Logf("%s answers code %d: %s", testrig.Server(), ce.Code, ce.Message)
	cr, _ := report.Collection("items")
	assert.Equal(t, []string{"by_a"}, cr.Names(outcome.Failed))
}
