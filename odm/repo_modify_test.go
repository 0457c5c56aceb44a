package odm_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// TestModifyWritesOnlyWhatChanged: Modify sends the changed field and the
// revision's renewal, nothing else, and a field the struct does not know
// stays.
func TestModifyWritesOnlyWhatChanged(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	accounts := odm.MustCollection[account](db)
	doc := &account{Email: "m@x", Name: "before", Tags: []string{"a"}}
	_, err := accounts.InsertOne(ctx, doc)
	require.NoError(t, err)
	_, err = accounts.Driver().UpdateOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "py_only", Value: 1}}}})
	require.NoError(t, err)
	rec.Reset()

	got, err := accounts.ModifyByID(ctx, doc.ID, func(a *account) error { a.Name = "after"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "after", got.Name)
	assert.Equal(t, int64(2), got.Revision, "the document returned holds the revision stored")

	updates := rec.Commands("update")
	require.Len(t, updates, 1)
	u := updates[0].Body.Lookup("updates").Array().Index(0).Document().Lookup("u").Document()
	set, err := u.Lookup("$set").Document().Elements()
	require.NoError(t, err)
	require.Len(t, set, 1)
	assert.Equal(t, "name", set[0].Key())
	assert.Equal(t, int64(1), u.Lookup("$inc", "revision").AsInt64())

	stored, err := accounts.Driver().FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Raw()
	require.NoError(t, err)
	assert.Equal(t, int32(1), stored.Lookup("py_only").Int32())

	rec.Reset()
	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { return nil })
	require.NoError(t, err)
	assert.Zero(t, rec.Count("update"), "a change that alters nothing writes nothing")

	boom := errors.New("boom")
	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { a.Name = "x"; return boom })
	assert.ErrorIs(t, err, boom)
	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { a.ID = bson.NewObjectID(); return nil })
	assert.ErrorContains(t, err, "altered _id")
	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { a.Revision = 9; return nil })
	assert.ErrorContains(t, err, "altered revision")
	assert.Zero(t, rec.Count("update"), "a refused change writes nothing")
}

// TestModifyOnAStaleRevision: another writer changes the document
// between Modify's read and its write. By default a revisioned model's
// Modify returns the *StaleRevisionError and writes nothing, as Beanie's
// save_changes raises; Retry(n), per call, reads again and applies the
// change to what the other writer stored; ModifyRetries sets a
// repository's default, which Retry(0) overrides.
func TestModifyOnAStaleRevision(t *testing.T) {
	ctx := context.Background()
	plainDB := testrig.Database(t, nil)
	var interfere atomic.Int32
	hooked := testrig.HookedClient(t, func(name string, _ bson.Raw) {
		if name == "update" && interfere.Add(-1) >= 0 {
			_, err := plainDB.Collection("accounts").UpdateOne(ctx, bson.D{{Key: "email", Value: "r@x"}},
				bson.D{{Key: "$push", Value: bson.D{{Key: "tags", Value: "other"}}}, {Key: "$inc", Value: bson.D{{Key: "revision", Value: 1}}}})
			if err != nil {
				t.Errorf("the other writer: %v", err)
			}
		}
	})
	accounts := odm.MustCollection[account](hooked.Database(plainDB.Name()))
	doc := &account{Email: "r@x", Tags: []string{}}
	_, err := accounts.InsertOne(ctx, doc)
	require.NoError(t, err)

	interfere.Store(1)
	calls := 0
	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { calls++; a.Name = "cancelled"; return nil })
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale, "a stale revision is the caller's to weigh")
	assert.Equal(t, 1, calls, "no retry by default")
	stored, err := accounts.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.Name, "nothing written over the other writer's change")
	assert.Equal(t, []string{"other"}, stored.Tags)

	interfere.Store(1)
	calls = 0
	got, err := accounts.ModifyByID(ctx, doc.ID, func(a *account) error { calls++; a.Name = "mine"; return nil }, odm.Retry(1))
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "read and changed again after the other write")
	assert.Equal(t, []string{"other", "other"}, got.Tags, "the other writer's change is kept")
	assert.Equal(t, "mine", got.Name)
	assert.Equal(t, int64(4), got.Revision)

	retrying := odm.MustCollection[account](hooked.Database(plainDB.Name()), odm.ModifyRetries(2))
	interfere.Store(1)
	calls = 0
	_, err = retrying.ModifyByID(ctx, doc.ID, func(a *account) error { calls++; a.Name = "again"; return nil })
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "the repository's default retries")
	interfere.Store(1)
	_, err = retrying.ModifyByID(ctx, doc.ID, func(a *account) error { a.Name = "once"; return nil }, odm.Retry(0))
	require.ErrorAs(t, err, &stale, "Retry(0) on the call wins")
	assert.Equal(t, int64(6), stale.Revision)

	_, err = accounts.ModifyByID(ctx, doc.ID, func(a *account) error { return nil }, odm.Retry(-1))
	assert.ErrorContains(t, err, "Retry(-1): the number of retries cannot be negative")

	_, err = odm.NewCollection[account](plainDB, odm.ModifyRetries(-1))
	assert.ErrorContains(t, err, "ModifyRetries(-1): the number of retries cannot be negative", "refused as Retry(-1) is, not counted as no retry")
}

// TestModifyWithoutARevision: on a model without a revision field, the
// write applies while the changed fields hold what was read; a concurrent
// change of the same field makes Modify read again, one of another field
// is kept.
func TestModifyWithoutARevision(t *testing.T) {
	ctx := context.Background()
	plainDB := testrig.Database(t, nil)
	var change atomic.Value
	hooked := testrig.HookedClient(t, func(name string, _ bson.Raw) {
		if name != "update" {
			return
		}
		if f, ok := change.Swap(bson.D(nil)).(bson.D); ok && f != nil {
			if _, err := plainDB.Collection("members").UpdateOne(ctx, bson.D{{Key: "email", Value: "w@x"}}, f); err != nil {
				t.Errorf("the other writer: %v", err)
			}
		}
	})
	members := odm.MustCollection[member](hooked.Database(plainDB.Name()))
	doc := &member{Email: "w@x", Team: "a", Age: 1}
	_, err := members.InsertOne(ctx, doc)
	require.NoError(t, err)

	change.Store(bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 50}}}})
	calls := 0
	got, err := members.ModifyByID(ctx, doc.ID, func(m *member) error { calls++; m.Team = "b"; return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "a change of another field is no conflict")
	assert.Equal(t, "b", got.Team)
	stored, err := members.FindByID(ctx, doc.ID)
	require.NoError(t, err)
	assert.Equal(t, 50, stored.Age, "the other writer's field is kept")

	change.Store(bson.D{{Key: "$set", Value: bson.D{{Key: "team", Value: "c"}}}})
	calls = 0
	got, err = members.ModifyByID(ctx, doc.ID, func(m *member) error { calls++; m.Team += "+d"; return nil })
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "a change of the same field makes Modify read again")
	assert.Equal(t, "c+d", got.Team)
}
