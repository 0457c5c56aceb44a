package odm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// hooked has every hook, a revision and timestamps. Its hooks record what
// they see in hookLog, and fail or panic when hookLog says so.
type hooked struct {
	ID             bson.ObjectID `bson:"_id"`
	Rev            int64         `bson:"rev" odm:"revision"`
	Name           string        `bson:"name"`
	odm.Timestamps `bson:",inline"`
}

func (hooked) CollectionName() string { return "hooked" }

// hookCall is what a hook saw of its document.
type hookCall struct {
	Hook string
	ID   bool // the document had an _id
	Rev  int64
	Name string
}

var hookLog struct {
	sync.Mutex
	calls       []hookCall
	fail, panic string // the hook that returns errHook, or panics
}

var errHook = errors.New("hook refused")

func logHook(name string, d *hooked) error {
	hookLog.Lock()
	defer hookLog.Unlock()
	hookLog.calls = append(hookLog.calls, hookCall{name, !d.ID.IsZero(), d.Rev, d.Name})
	if hookLog.panic == name {
		panic("hook " + name + " panicked")
	}
	if hookLog.fail == name || d.Name == "refused by "+name {
		return errHook
	}
	return nil
}

// resetHooks forgets the calls; fail and panic name the hooks that fail.
func resetHooks(fail, panic string) {
	hookLog.Lock()
	hookLog.calls, hookLog.fail, hookLog.panic = nil, fail, panic
	hookLog.Unlock()
}

func hookCalls() []hookCall {
	hookLog.Lock()
	defer hookLog.Unlock()
	return hookLog.calls
}

func (d *hooked) BeforeInsert(context.Context) error  { return logHook("BeforeInsert", d) }
func (d *hooked) AfterInsert(context.Context) error   { return logHook("AfterInsert", d) }
func (d *hooked) BeforeReplace(context.Context) error { return logHook("BeforeReplace", d) }
func (d *hooked) AfterReplace(context.Context) error  { return logHook("AfterReplace", d) }
func (d *hooked) BeforeUpdate(context.Context) error  { return logHook("BeforeUpdate", d) }
func (d *hooked) AfterUpdate(context.Context) error   { return logHook("AfterUpdate", d) }
func (d *hooked) BeforeDelete(context.Context) error  { return logHook("BeforeDelete", d) }
func (d *hooked) AfterDelete(context.Context) error   { return logHook("AfterDelete", d) }
func (d *hooked) Validate() error                     { return logHook("Validate", d) }

// hookedRepo is a repository of hooked on a fresh database, with the
// recorder of its commands.
func hookedRepo(t *testing.T, opts ...odm.CollectionOption) (*odm.Collection[hooked], *testrig.Recorder) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	repo, err := odm.NewCollection[hooked](testrig.Database(t, c), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { resetHooks("", "") })
	return repo, rec
}

// TestDocumentWritesRunTheirHooks: every write that holds a document
// calls its before-hook, Validate, then (once stored) its after-hook, in
// that order, on the document: the before-hook sees it as the caller gave
// it, the after-hook as stored, its _id and new revision set.
func TestDocumentWritesRunTheirHooks(t *testing.T) {
	repo, _ := hookedRepo(t)
	ctx := context.Background()
	seed := &hooked{Name: "seed"}
	_, err := repo.InsertOne(ctx, seed)
	require.NoError(t, err)
	byID := bson.D{{Key: "_id", Value: seed.ID}}
	rev := func() int64 {
		d, err := repo.FindByID(ctx, seed.ID)
		require.NoError(t, err)
		return d.Rev
	}
	writes := []struct {
		name string
		call func() error
		want func(r int64) []hookCall // r: the seed's revision before the write
	}{
		{"InsertOne", func() error { _, err := repo.InsertOne(ctx, &hooked{Name: "one"}); return err },
			func(int64) []hookCall {
				return []hookCall{{"BeforeInsert", false, 0, "one"}, {"Validate", false, 0, "one"}, {"AfterInsert", true, 1, "one"}}
			}},
		{"InsertMany", func() error { _, err := repo.InsertMany(ctx, []hooked{{Name: "a"}, {Name: "b"}}); return err },
			func(int64) []hookCall {
				return []hookCall{{"BeforeInsert", false, 0, "a"}, {"Validate", false, 0, "a"}, {"BeforeInsert", false, 0, "b"}, {"Validate", false, 0, "b"},
					{"AfterInsert", true, 1, "a"}, {"AfterInsert", true, 1, "b"}}
			}},
		{"ReplaceOne", func() error {
			_, err := repo.ReplaceOne(ctx, byID, &hooked{ID: seed.ID, Rev: rev(), Name: "r1"})
			return err
		}, replaced("r1")},
		{"ReplaceByID", func() error {
			_, err := repo.ReplaceByID(ctx, &hooked{ID: seed.ID, Rev: rev(), Name: "r2"})
			return err
		}, replaced("r2")},
		{"FindOneAndReplace", func() error {
			_, err := repo.FindOneAndReplace(ctx, byID, &hooked{ID: seed.ID, Rev: rev(), Name: "r3"})
			return err
		}, replaced("r3")},
		{"ReplaceOne upsert", func() error {
			_, err := repo.ReplaceOne(ctx, bson.D{{Key: "name", Value: "up"}}, &hooked{Name: "up"}, options.Replace().SetUpsert(true))
			return err
		}, func(int64) []hookCall {
			return []hookCall{{"BeforeReplace", false, 0, "up"}, {"Validate", false, 0, "up"}, {"AfterReplace", true, 1, "up"}}
		}},
		{"Modify", func() error {
			_, err := repo.Modify(ctx, byID, func(d *hooked) error { d.Name = "m1"; return nil })
			return err
		}, modified("m1")},
		{"ModifyByID", func() error {
			_, err := repo.ModifyByID(ctx, seed.ID, func(d *hooked) error { d.Name = "m2"; return nil })
			return err
		}, modified("m2")},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			r := rev()
			resetHooks("", "")
			require.NoError(t, w.call())
			assert.Equal(t, w.want(r), hookCalls())
		})
	}
}

// replaced is what a replace of the seed with a document named name calls.
func replaced(name string) func(int64) []hookCall {
	return func(r int64) []hookCall {
		return []hookCall{{"BeforeReplace", true, r, name}, {"Validate", true, r, name}, {"AfterReplace", true, r + 1, name}}
	}
}

// modified is what a Modify of the seed to name calls: the before-hooks
// see the change, with the revision read.
func modified(name string) func(int64) []hookCall {
	return func(r int64) []hookCall {
		return []hookCall{{"BeforeUpdate", true, r, name}, {"Validate", true, r, name}, {"AfterUpdate", true, r + 1, name}}
	}
}

// hookedWrites are the writes of hooked that hold a document, each with
// the hook before it, the write's name in errors, and the document it
// writes named name.
func hookedWrites(ctx context.Context, repo *odm.Collection[hooked], seed *hooked) []struct {
	name, before, op string
	call             func(name string) error
} {
	byID := bson.D{{Key: "_id", Value: seed.ID}}
	return []struct {
		name, before, op string
		call             func(name string) error
	}{
		{"InsertOne", "BeforeInsert", "insert", func(n string) error { _, err := repo.InsertOne(ctx, &hooked{Name: n}); return err }},
		{"InsertMany", "BeforeInsert", "insert", func(n string) error {
			docs := []hooked{{Name: "fine"}, {Name: n}}
			_, err := repo.InsertMany(ctx, docs)
			if err != nil {
				assert.True(t_(ctx), docs[0].ID.IsZero(), "the id given to the document before is put back")
			}
			return err
		}},
		{"ReplaceOne", "BeforeReplace", "replace", func(n string) error {
			_, err := repo.ReplaceOne(ctx, byID, &hooked{ID: seed.ID, Rev: seed.Rev, Name: n})
			return err
		}},
		{"ReplaceByID", "BeforeReplace", "replace", func(n string) error {
			_, err := repo.ReplaceByID(ctx, &hooked{ID: seed.ID, Rev: seed.Rev, Name: n})
			return err
		}},
		{"FindOneAndReplace", "BeforeReplace", "replace", func(n string) error {
			_, err := repo.FindOneAndReplace(ctx, byID, &hooked{ID: seed.ID, Rev: seed.Rev, Name: n}, options.FindOneAndReplace().SetUpsert(true))
			return err
		}},
		{"ModifyByID", "BeforeUpdate", "modify", func(n string) error {
			_, err := repo.ModifyByID(ctx, seed.ID, func(d *hooked) error { d.Name = n; return nil })
			return err
		}},
	}
}

type testingKey struct{}

// t_ is the *testing.T a test put in ctx.
func t_(ctx context.Context) *testing.T { return ctx.Value(testingKey{}).(*testing.T) }

// TestBeforeHookErrorWritesNothing: a before-hook's or Validate's error,
// or its panic, ends every write that holds a document before its
// command: the error names the write, the collection, the model and the
// hook, reaches the hook's error (or the *PanicError), and the server
// holds what it held.
func TestBeforeHookErrorWritesNothing(t *testing.T) {
	repo, rec := hookedRepo(t)
	ctx := context.WithValue(context.Background(), testingKey{}, t)
	seed := &hooked{Name: "seed"}
	_, err := repo.InsertOne(ctx, seed)
	require.NoError(t, err)
	for _, w := range hookedWrites(ctx, repo, seed) {
		for _, hook := range []string{w.before, "Validate"} {
			t.Run(w.name+"/"+hook, func(t *testing.T) {
				resetHooks(hook, "")
				rec.Reset()
				err := w.call("changed")
				require.ErrorIs(t, err, errHook)
				assert.ErrorContains(t, err, "odm: "+w.op+" on hooked: ")
				assert.ErrorContains(t, err, "odm_test.hooked."+hook+": hook refused")
				assert.Empty(t, rec.Commands("insert", "update", "findAndModify"), "nothing was sent")
			})
		}
		t.Run(w.name+"/panic", func(t *testing.T) {
			resetHooks("", w.before)
			rec.Reset()
			var err error
			require.NotPanics(t, func() { err = w.call("changed") })
			var pe *outcome.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, w.before, pe.Func)
			assert.Equal(t, "odm_test.hooked", pe.GoType)
			assert.ErrorContains(t, err, "odm: "+w.op+" on hooked: ")
			assert.ErrorContains(t, err, "odm_test.hooked."+w.before+" panicked: hook "+w.before+" panicked")
			assert.Empty(t, rec.Commands("insert", "update", "findAndModify"), "nothing was sent")
		})
	}
	n, err := repo.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "nothing was inserted")
	stored, err := repo.FindByID(ctx, seed.ID)
	require.NoError(t, err)
	assert.Equal(t, "seed", stored.Name, "nothing was changed")
	assert.Equal(t, seed.Rev, stored.Rev)
}

// TestInsertManyBeforeHookIsAllOrNothing: the before-hooks of every
// document run before any is sent; one error sends none.
func TestInsertManyBeforeHookIsAllOrNothing(t *testing.T) {
	repo, rec := hookedRepo(t)
	ctx := context.Background()
	docs := []hooked{{Name: "a"}, {Name: "b"}, {Name: "refused by BeforeInsert"}, {Name: "d"}}
	resetHooks("", "")
	_, err := repo.InsertMany(ctx, docs)
	require.ErrorIs(t, err, errHook)
	assert.ErrorContains(t, err, "odm: insert on hooked: document 2: odm_test.hooked.BeforeInsert: hook refused")
	assert.Zero(t, rec.Count("insert"), "nothing was sent")
	for i, d := range docs {
		assert.True(t, d.ID.IsZero(), "document %d keeps no _id", i)
		assert.Zero(t, d.Rev, "document %d keeps no revision", i)
	}
	n, err := repo.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

// TestAfterHookErrorAfterTheWrite: an after-hook's error is returned,
// saying the write happened, and the document is stored.
func TestAfterHookErrorAfterTheWrite(t *testing.T) {
	repo, _ := hookedRepo(t)
	ctx := context.Background()
	resetHooks("AfterInsert", "")
	doc := &hooked{Name: "kept"}
	_, err := repo.InsertOne(ctx, doc)
	require.ErrorIs(t, err, errHook)
	assert.ErrorContains(t, err, "odm: insert on hooked: written, then odm_test.hooked.AfterInsert: hook refused")
	stored, err := repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	require.NotNil(t, stored, "the document was stored")
	assert.Equal(t, int64(1), stored.Rev)

	resetHooks("", "AfterUpdate")
	_, err = repo.ModifyByID(ctx, doc.ID, func(d *hooked) error { d.Name = "changed"; return nil })
	var pe *outcome.PanicError
	require.ErrorAs(t, err, &pe)
	assert.ErrorContains(t, err, "odm: modify on hooked: written, then odm_test.hooked.AfterUpdate panicked")
	stored, err = repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.Equal(t, "changed", stored.Name)
	assert.Equal(t, int64(2), stored.Rev)

	// A write that stores nothing runs no after-hook.
	resetHooks("", "")
	_, err = repo.ReplaceOne(ctx, bson.D{{Key: "name", Value: "nobody"}}, &hooked{Name: "x"})
	require.NoError(t, err)
	assert.Equal(t, []string{"BeforeReplace", "Validate"}, hookNames(hookCalls()))
	_, err = repo.ReplaceByID(ctx, &hooked{ID: doc.ID, Rev: 1, Name: "stale"})
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, []string{"BeforeReplace", "Validate", "BeforeReplace", "Validate"}, hookNames(hookCalls()), "no AfterReplace for a stale write")
}

func hookNames(calls []hookCall) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Hook)
	}
	return out
}

// TestFilterHooksRunAroundWritesByFilter: every write by filter calls
// FilterHooks' before function with the filter and update as given (its
// error sends nothing), and after it succeeded the after function with
// its result.
func TestFilterHooksRunAroundWritesByFilter(t *testing.T) {
	var seen []odm.FilterWrite
	refuse := false
	repo, rec := hookedRepo(t, odm.FilterHooks(func(_ context.Context, w odm.FilterWrite) error {
		seen = append(seen, w)
		if refuse {
			return errHook
		}
		return nil
	}, func(_ context.Context, w odm.FilterWrite) error {
		seen = append(seen, w)
		return nil
	}))
	ctx := context.Background()
	doc := &hooked{Name: "a"}
	_, err := repo.InsertOne(ctx, doc)
	require.NoError(t, err)
	resetHooks("", "")
	byID := bson.D{{Key: "_id", Value: doc.ID}}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "b"}}}}
	writes := []struct {
		write  string
		filter any
		update any
		call   func() error
		result func(any) bool
	}{
		{"UpdateOne", byID, set, func() error { _, err := repo.UpdateOne(ctx, byID, set); return err }, isUpdate(1)},
		{"UpdateOne", byID, set, func() error { _, err := repo.UpdateByID(ctx, doc.ID, set); return err }, isUpdate(1)},
		{"UpdateMany", bson.D{}, set, func() error { _, err := repo.UpdateMany(ctx, bson.D{}, set); return err }, isUpdate(1)},
		{"FindOneAndUpdate", byID, set, func() error { _, err := repo.FindOneAndUpdate(ctx, byID, set); return err },
			func(r any) bool { d, ok := r.(*hooked); return ok && d != nil && d.ID == doc.ID }},
		{"FindOneAndDelete", byID, nil, func() error { _, err := repo.FindOneAndDelete(ctx, byID); return err },
			func(r any) bool { d, ok := r.(*hooked); return ok && d != nil && d.ID == doc.ID }},
		{"DeleteOne", byID, nil, func() error { _, err := repo.DeleteOne(ctx, byID); return err }, isDelete(0)},
		{"DeleteOne", byID, nil, func() error { _, err := repo.DeleteByID(ctx, doc.ID); return err }, isDelete(0)},
		{"DeleteMany", bson.D{}, nil, func() error { _, err := repo.DeleteMany(ctx, bson.D{}); return err }, isDelete(0)},
	}
	for i, w := range writes {
		t.Run(fmt.Sprint(i, w.write), func(t *testing.T) {
			seen, refuse = nil, true
			rec.Reset()
			err := w.call()
			require.ErrorIs(t, err, errHook)
			assert.ErrorContains(t, err, "FilterHooks' before function of Collection[odm_test.hooked]: hook refused")
			assert.Empty(t, rec.Commands("update", "delete", "findAndModify"), "nothing was sent")
			require.Len(t, seen, 1)

			seen, refuse = nil, false
			require.NoError(t, w.call())
			require.Len(t, seen, 2, "before, then after")
			for _, s := range seen {
				assert.Equal(t, w.write, s.Write)
				assert.Equal(t, "hooked", s.Collection)
				assert.Equal(t, w.filter, s.Filter)
				assert.Equal(t, w.update, s.Update)
			}
			assert.Nil(t, seen[0].Result)
			assert.True(t, w.result(seen[1].Result), "the after function sees the result: %#v", seen[1].Result)
		})
	}
	assert.Empty(t, hookCalls(), "no model hook runs for a write by filter")
}

func isUpdate(modified int64) func(any) bool {
	return func(r any) bool {
		u, ok := r.(*mongo.UpdateResult)
		return ok && u.ModifiedCount <= modified && u.MatchedCount == 1
	}
}

func isDelete(n int64) func(any) bool {
	return func(r any) bool { d, ok := r.(*mongo.DeleteResult); return ok && d.DeletedCount == n }
}

// TestTimestampsAreKept: an insert sets created_at and updated_at; a
// replace and a Modify move updated_at on and keep created_at; an update
// by filter adds $set of updated_at, and with upsert $setOnInsert of
// created_at; a replace whose document has no CreatedAt leaves the stored
// one.
func TestTimestampsAreKept(t *testing.T) {
	repo, rec := hookedRepo(t)
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Millisecond)
	doc := &hooked{Name: "a"}
	_, err := repo.InsertOne(ctx, doc)
	require.NoError(t, err)
	require.False(t, doc.CreatedAt.Before(start))
	assert.Equal(t, doc.CreatedAt, doc.UpdatedAt)
	stored, err := repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.True(t, doc.CreatedAt.Equal(stored.CreatedAt), "stored as set: %v, %v", doc.CreatedAt, stored.CreatedAt)
	created := stored.CreatedAt

	later := func(what string, tm time.Time) {
		t.Helper()
		assert.True(t, tm.After(created) || tm.Equal(created), "%s: %v not before %v", what, tm, created)
	}
	time.Sleep(2 * time.Millisecond)
	_, err = repo.ReplaceByID(ctx, &hooked{ID: doc.ID, Rev: 1, Name: "b"})
	require.NoError(t, err)
	stored, err = repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.True(t, created.Equal(stored.CreatedAt), "a replace without CreatedAt keeps the stored one")
	assert.True(t, stored.UpdatedAt.After(created), "replace moved updated_at on")
	replacedAt := stored.UpdatedAt

	time.Sleep(2 * time.Millisecond)
	got, err := repo.ModifyByID(ctx, doc.ID, func(d *hooked) error { d.Name = "c"; return nil })
	require.NoError(t, err)
	assert.True(t, got.UpdatedAt.After(replacedAt))
	stored, err = repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.True(t, got.UpdatedAt.Equal(stored.UpdatedAt), "Modify returns the updated_at stored")
	rec.Reset()
	_, err = repo.ModifyByID(ctx, doc.ID, func(d *hooked) error { return nil })
	require.NoError(t, err)
	assert.Zero(t, rec.Count("update"), "a change that alters nothing writes nothing, updated_at included")

	rec.Reset()
	_, err = repo.UpdateByID(ctx, doc.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "d"}}}})
	require.NoError(t, err)
	u := rec.Commands("update")[0].Body.Lookup("updates").Array().Index(0).Document().Lookup("u").Document()
	assert.Equal(t, bson.TypeDateTime, u.Lookup("$set", "updated_at").Type, "an update by filter sets updated_at: %v", u)
	stored, err = repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	later("UpdateByID", stored.UpdatedAt)
	assert.True(t, created.Equal(stored.CreatedAt))

	_, err = repo.UpdateOne(ctx, bson.D{{Key: "name", Value: "new"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "rev", Value: 0}}}})
	require.ErrorContains(t, err, "revision field", "the update's own checks hold")
	res, err := repo.UpdateOne(ctx, bson.D{{Key: "name", Value: "new"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "new"}}}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err)
	up, err := repo.FindByID(ctx, res.UpsertedID)
	require.NoError(t, err)
	later("upsert created_at", up.CreatedAt)
	assert.True(t, up.CreatedAt.Equal(up.UpdatedAt), "an upsert's insert sets both: %v, %v", up.CreatedAt, up.UpdatedAt)

	own := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	_, err = repo.UpdateByID(ctx, doc.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "updated_at", Value: own}}}})
	require.NoError(t, err)
	stored, err = repo.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.True(t, own.Equal(stored.UpdatedAt), "an update that writes updated_at itself keeps its value")

	upsertDoc := &hooked{Name: "replaced in"}
	_, err = repo.ReplaceOne(ctx, bson.D{{Key: "name", Value: "replaced in"}}, upsertDoc, options.Replace().SetUpsert(true))
	require.NoError(t, err)
	later("replace upsert", upsertDoc.CreatedAt)
	stored, err = repo.FindByID(ctx, upsertDoc.ID)
	require.NoError(t, err)
	assert.True(t, upsertDoc.CreatedAt.Equal(stored.CreatedAt), "a replace's upsert stores created_at, and doc holds it")
}

type valueHook struct {
	ID bson.ObjectID `bson:"_id"`
}

func (valueHook) BeforeInsert(context.Context) error { return nil }

type embeddedStamps struct {
	ID             bson.ObjectID `bson:"_id"`
	odm.Timestamps `bson:"stamps"`
}

// TestHooksBoundOnce: a hook with a value receiver, and Timestamps not
// inline, are refused when the repository is made.
func TestHooksBoundOnce(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := odm.NewCollection[valueHook](db)
	assert.EqualError(t, err, "odm: Collection[odm_test.valueHook]: odm_test.valueHook's BeforeInsert has a value receiver, so it would see a copy and what it changes would not be written; declare it on *odm_test.valueHook")
	_, err = odm.NewCollection[embeddedStamps](db)
	assert.ErrorContains(t, err, "odm: Collection[odm_test.embeddedStamps]: odm_test.embeddedStamps embeds odm.Timestamps as odm.Timestamps `bson:\"stamps\"`; embed it with `bson:\",inline\"`")
}

// stampedDoc is a validated model with timestamps.
type stampedDoc struct {
	ID             bson.ObjectID `bson:"_id"`
	Name           string        `bson:"name"`
	odm.Timestamps `bson:",inline"`
}

func (stampedDoc) CollectionName() string { return "stamped" }

func (stampedDoc) Validator() schema.Validator { return schema.Validator{Action: schema.ActionError} }

// TestTimestampsPassTheGeneratedValidator: created_at and updated_at are
// ordinary fields of the model: the validator Init generates types them
// as dates, and every write of the repository, an update by filter and an
// upsert included, passes it; a document whose created_at is no date is
// refused.
func TestTimestampsPassTheGeneratedValidator(t *testing.T) {
	sch, err := schema.GenerateSchema(stampedDoc{})
	require.NoError(t, err)
	raw, err := bson.Marshal(sch)
	require.NoError(t, err)
	for _, f := range []string{"created_at", "updated_at"} {
		assert.Equal(t, "date", bson.Raw(raw).Lookup("properties", f, "bsonType").StringValue(), f)
	}

	ctx := context.Background()
	db := testrig.Database(t, nil)
	_, err = odm.Init(ctx, db, stampedDoc{}, odm.SkipUnsupported())
	require.NoError(t, err)
	repo, err := odm.NewCollection[stampedDoc](db)
	require.NoError(t, err)
	doc := &stampedDoc{Name: "a"}
	_, err = repo.InsertOne(ctx, doc)
	require.NoError(t, err)
	_, err = repo.UpdateByID(ctx, doc.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "b"}}}})
	require.NoError(t, err)
	_, err = repo.UpdateOne(ctx, bson.D{{Key: "name", Value: "c"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "c"}}}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err)
	_, err = repo.ModifyByID(ctx, doc.ID, func(d *stampedDoc) error { d.Name = "d"; return nil })
	require.NoError(t, err)
	_, err = repo.ReplaceByID(ctx, &stampedDoc{ID: doc.ID, Name: "e"})
	require.NoError(t, err)
	if !listsValidator(ctx, t, db, "stamped") {
		t.Skip("the server keeps no validator (SkipUnsupported left it out): the schema is checked above, the server's verdict cannot be")
	}
	_, err = db.Collection("stamped").InsertOne(ctx, bson.D{{Key: "name", Value: "x"}, {Key: "created_at", Value: "yesterday"}, {Key: "updated_at", Value: time.Now()}})
	require.Error(t, err, "the validator covers created_at")
}

// TestDeleteRunsItsHooks: Delete calls BeforeDelete (its error deletes
// nothing), then deletes the stored document under its revision, and
// calls AfterDelete only when a document was deleted; a document that has
// moved on is a *StaleRevisionError.
func TestDeleteRunsItsHooks(t *testing.T) {
	ctx := context.Background()
	repo, rec := hookedRepo(t)
	doc := &hooked{ID: bson.NewObjectID(), Name: "d"}
	_, err := repo.InsertOne(ctx, doc)
	require.NoError(t, err)

	stale := *doc
	doc.Name = "moved on"
	_, err = repo.ReplaceByID(ctx, doc)
	require.NoError(t, err)
	resetHooks("", "")
	rec.Reset()
	_, err = repo.Delete(ctx, &stale)
	var sre *odm.StaleRevisionError
	require.ErrorAs(t, err, &sre)
	assert.Equal(t, []string{"BeforeDelete"}, hookNames(hookCalls()), "no AfterDelete: nothing was deleted")
	n, err := repo.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)

	resetHooks("BeforeDelete", "")
	rec.Reset()
	_, err = repo.Delete(ctx, doc)
	require.ErrorIs(t, err, errHook)
	assert.Zero(t, rec.Count("delete"), "a before-hook's error sends nothing")

	resetHooks("", "")
	res, err := repo.Delete(ctx, doc)
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.DeletedCount)
	assert.Equal(t, []string{"BeforeDelete", "AfterDelete"}, hookNames(hookCalls()))
	got := hookCalls()[1]
	assert.True(t, got.ID)
	assert.Equal(t, "moved on", got.Name, "AfterDelete sees the document as the caller held it")

	resetHooks("", "")
	res, err = repo.Delete(ctx, doc)
	require.NoError(t, err, "a document already gone is no error")
	assert.Zero(t, res.DeletedCount)
	assert.Equal(t, []string{"BeforeDelete"}, hookNames(hookCalls()))

	_, err = repo.Delete(ctx, &hooked{Name: "never stored"})
	assert.ErrorContains(t, err, "the document's _id is zero")
	_, err = repo.Delete(ctx, nil)
	assert.ErrorContains(t, err, "the document is nil")
}
