package odm_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// TestNilContextOrDatabaseIsAnError: Init, Plan and the repositories'
// constructors refuse a nil context or database with an error naming the
// call, before any command; MustCollection panics with that error.
func TestNilContextOrDatabaseIsAnError(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	var noCtx context.Context
	ctx := context.Background()
	mustPanic := func(f func()) (err error) {
		defer func() { err, _ = recover().(error) }()
		f()
		return errors.New("no panic")
	}
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"Init, nil context", func() error { _, err := odm.Init(noCtx, db, member{}); return err }, "odm: Init: a context is needed, got nil"},
		{"Plan, nil context", func() error { _, err := odm.Plan(noCtx, db, member{}); return err }, "odm: Plan: a context is needed, got nil"},
		{"Init, nil context and database", func() error { _, err := odm.Init(noCtx, nil, member{}); return err }, "odm: Init: a context is needed, got nil"},
		{"Init, nil database", func() error { _, err := odm.Init(ctx, nil, member{}); return err }, "odm: Init: a database is needed, got nil"},
		{"Plan, nil database", func() error { _, err := odm.Plan(ctx, nil, member{}); return err }, "odm: Plan: a database is needed, got nil"},
		{"Init, nil context, with progress", func() error {
			_, err := odm.Init(noCtx, db, member{}, odm.OnProgress(func(outcome.Progress) {}))
			return err
		}, "odm: Init: a context is needed, got nil"},
		{"NewCollection", func() error { _, err := odm.NewCollection[member](nil); return err }, "odm: Collection[odm_test.member]: a database is needed, got nil"},
		{"NewCollectionIn", func() error { _, err := odm.NewCollectionIn[member](nil, "t1_members"); return err },
			`odm: Collection[odm_test.member] in "t1_members": a database is needed, got nil`},
		{"MustCollection", func() error { return mustPanic(func() { odm.MustCollection[member](nil) }) }, "odm: Collection[odm_test.member]: a database is needed, got nil"},
		{"MustCollectionIn", func() error { return mustPanic(func() { odm.MustCollectionIn[member](nil, "t1_members") }) },
			`odm: Collection[odm_test.member] in "t1_members": a database is needed, got nil`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			assert.EqualError(t, err, tt.want)
			assert.Empty(t, rec.Commands(), "nothing was sent")
		})
	}
}

// revisioned is a model whose writes look once at the server (with a
// repository logger), in a session-free context built from the caller's.
type revisioned struct {
	ID  bson.ObjectID `bson:"_id,omitempty"`
	Rev int64         `bson:"rev" odm:"revision"`
	N   int           `bson:"n"`
}

func (revisioned) CollectionName() string { return "revisioned" }

// TestRepositoryRefusesANilContext: every repository call given a nil
// context returns an error naming the call and the collection, and sends
// nothing; the driver would take it for context.Background(), and the
// library's own uses of it (All's cursor close, the revision guard's look
// at the server) would panic.
func TestRepositoryRefusesANilContext(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	var noCtx context.Context
	ctx := context.Background()
	members, err := odm.NewCollection[member](db)
	require.NoError(t, err)
	revs, err := odm.NewCollection[revisioned](db, odm.CollectionLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	_, err = members.InsertOne(ctx, &member{Email: "ada@x", Team: "core"})
	require.NoError(t, err)
	cur, err := members.Iter(ctx, bson.D{})
	require.NoError(t, err)
	id := bson.NewObjectID()
	all := bson.D{}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 1}}}}
	for _, tt := range []struct {
		name, want string
		call       func() error
	}{
		{"InsertOne", "insert", func() error { _, err := members.InsertOne(noCtx, &member{Email: "b@x"}); return err }},
		{"InsertMany", "insert", func() error { _, err := members.InsertMany(noCtx, []member{{Email: "c@x"}}); return err }},
		{"FindOne", "find", func() error { _, err := members.FindOne(noCtx, all); return err }},
		{"FindByID", "find", func() error { _, err := members.FindByID(noCtx, id); return err }},
		{"Find", "find", func() error { _, err := members.Find(noCtx, all); return err }},
		{"Iter", "find", func() error { _, err := members.Iter(noCtx, all); return err }},
		{"All", "find", func() error {
			for _, err := range members.All(noCtx, all) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"CountDocuments", "count", func() error { _, err := members.CountDocuments(noCtx, all); return err }},
		{"Distinct", "distinct", func() error { _, err := odm.Distinct[string](noCtx, members, "team", all); return err }},
		{"Aggregate", "aggregate", func() error { _, err := odm.Aggregate[bson.M](noCtx, members, bson.A{}); return err }},
		{"UpdateOne", "update", func() error { _, err := members.UpdateOne(noCtx, all, set); return err }},
		{"UpdateByID", "update", func() error { _, err := members.UpdateByID(noCtx, id, set); return err }},
		{"UpdateMany", "update", func() error { _, err := members.UpdateMany(noCtx, all, set); return err }},
		{"FindOneAndUpdate", "update", func() error { _, err := members.FindOneAndUpdate(noCtx, all, set); return err }},
		{"ReplaceOne", "replace", func() error { _, err := members.ReplaceOne(noCtx, all, &member{Email: "d@x"}); return err }},
		{"ReplaceByID", "replace", func() error { _, err := members.ReplaceByID(noCtx, &member{ID: id, Email: "e@x"}); return err }},
		{"FindOneAndReplace", "replace", func() error { _, err := members.FindOneAndReplace(noCtx, all, &member{Email: "f@x"}); return err }},
		{"FindOneAndDelete", "delete", func() error { _, err := members.FindOneAndDelete(noCtx, all); return err }},
		{"DeleteOne", "delete", func() error { _, err := members.DeleteOne(noCtx, all); return err }},
		{"DeleteByID", "delete", func() error { _, err := members.DeleteByID(noCtx, id); return err }},
		{"DeleteMany", "delete", func() error { _, err := members.DeleteMany(noCtx, all); return err }},
		{"revisioned UpdateOne", "update", func() error {
			_, err := revs.UpdateOne(noCtx, bson.D{{Key: "rev", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 1}}}})
			return err
		}},
		{"revisioned ReplaceOne", "replace", func() error { _, err := revs.ReplaceOne(noCtx, all, &revisioned{Rev: 1}); return err }},
		{"Modify", "modify", func() error { _, err := members.Modify(noCtx, all, func(*member) error { return nil }); return err }},
		{"ModifyByID", "modify", func() error { _, err := members.ModifyByID(noCtx, id, func(*member) error { return nil }); return err }},
		{"Query.All", "find", func() error { _, err := members.Query(all).All(noCtx); return err }},
		{"Query.First", "find", func() error { _, err := members.Query(all).First(noCtx); return err }},
		{"Query.Count", "count", func() error { _, err := members.Query(all).Count(noCtx); return err }},
		{"Query.Exists", "find", func() error { _, err := members.Query(all).Exists(noCtx); return err }},
		{"Query.Page", "find", func() error { _, err := members.Query(all).Page(noCtx); return err }},
		{"Collection.Aggregate", "aggregate", func() error { _, err := members.Aggregate(noCtx, bson.A{}); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			require.Error(t, err)
			assert.Regexp(t, `^odm: `+tt.want+` on (members|revisioned): a context is needed, got nil$`, err.Error())
			assert.Empty(t, rec.Commands(), "nothing was sent")
		})
	}
	t.Run("Cursor", func(t *testing.T) {
		require.NotPanics(t, func() { assert.False(t, cur.Next(noCtx)) })
		assert.EqualError(t, cur.Err(), "odm: find on members: a context is needed, got nil")
		assert.EqualError(t, cur.Close(noCtx), "odm: closing a cursor of members: a context is needed, got nil")
	})
	t.Run("AtomicFilteredWrites", func(t *testing.T) {
		fresh, _ := testrig.MonitoredClient(t) // never asked: the answer is kept per client
		var err error
		require.NotPanics(t, func() { _, err = odm.AtomicFilteredWrites(noCtx, fresh) })
		assert.ErrorContains(t, err, "a context is needed, got nil")
	})
}
