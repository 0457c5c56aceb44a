package odm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
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
	"github.com/tagodm/tagodm/odm/schema"
)

type RevBase struct {
	Revision int64 `bson:"revision" odm:"revision"`
}

// embeddedRev keeps its revision behind an embedded pointer, nil in a
// document built without it.
type embeddedRev struct {
	ID       string `bson:"_id"`
	*RevBase `bson:",inline"`
	State    string `bson:"state"`
}

func (embeddedRev) CollectionName() string { return "embedded_revs" }

// TestRevisionBehindNilEmbeddedPointer: no write panics on a revision
// field behind a nil embedded pointer; each does what it does for a
// document that carries the field.
func TestRevisionBehindNilEmbeddedPointer(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	repo := odm.MustCollection[embeddedRev](db)
	filter := bson.D{{Key: "_id", Value: "e1"}}

	tests := []struct {
		name  string
		write func() error
		check func(t *testing.T, err error)
	}{
		{"insert", func() error {
			doc := &embeddedRev{ID: "e1", State: "new"}
			_, err := repo.InsertOne(ctx, doc)
			if err == nil && (doc.RevBase == nil || doc.Revision != 1) {
				t.Errorf("the inserted document holds revision %v, want 1", doc.RevBase)
			}
			return err
		}, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"replace, read before any revision", func() error {
			doc := &embeddedRev{ID: "e1", State: "replaced"}
			_, err := repo.ReplaceOne(ctx, filter, doc)
			if doc.RevBase != nil {
				t.Errorf("a refused replace leaves the embedded pointer nil, got %+v", doc.RevBase)
			}
			return err
		}, func(t *testing.T, err error) {
			var stale *odm.StaleRevisionError
			require.ErrorAs(t, err, &stale, "the stored document is at revision 1")
			assert.Equal(t, int64(0), stale.Revision)
		}},
		{"find one and replace", func() error {
			_, err := repo.FindOneAndReplace(ctx, filter, &embeddedRev{ID: "e1"})
			return err
		}, func(t *testing.T, err error) {
			var stale *odm.StaleRevisionError
			require.ErrorAs(t, err, &stale)
		}},
		{"update", func() error {
			_, err := repo.UpdateOne(ctx, bson.D{{Key: "_id", Value: "e1"}, {Key: "revision", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "updated"}}}})
			return err
		}, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"find one and update", func() error {
			got, err := repo.FindOneAndUpdate(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "again"}}}}, options.FindOneAndUpdate().SetReturnDocument(options.After))
			if err == nil && (got.RevBase == nil || got.Revision != 3) {
				t.Errorf("after two updates the revision is 3, got %+v", got.RevBase)
			}
			return err
		}, func(t *testing.T, err error) { require.NoError(t, err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.write() })
			tt.check(t, err)
		})
	}
}

func TestNilDocumentIsAnError(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	members := odm.MustCollection[member](db)
	sagas := odm.MustCollection[sagaDoc](db)
	filter := bson.D{{Key: "_id", Value: "x"}}
	tests := []struct {
		name  string
		write func() error
	}{
		{"ReplaceOne", func() error { _, err := members.ReplaceOne(ctx, filter, nil); return err }},
		{"ReplaceOne, revisioned", func() error { _, err := sagas.ReplaceOne(ctx, filter, nil); return err }},
		{"FindOneAndReplace", func() error { _, err := sagas.FindOneAndReplace(ctx, filter, nil); return err }},
		{"ReplaceByID", func() error { _, err := sagas.ReplaceByID(ctx, nil); return err }},
		{"InsertOne", func() error { _, err := sagas.InsertOne(ctx, nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.write() })
			assert.ErrorContains(t, err, "the document is nil")
		})
	}
}

type uuidDoc struct {
	ID         string      `bson:"_id"`
	RevisionID schema.UUID `bson:"revision_id" odm:"revision"`
	State      string      `bson:"state"`
}

func (uuidDoc) CollectionName() string { return "uuid_docs" }

// TestStaleUpsertIsStale: a write that upserts on a stale revision
// collides with the stored document's _id; that is a StaleRevisionError,
// not a duplicate key, in both revision styles and on every write path.
func TestStaleUpsertIsStale(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	counters := odm.MustCollection[sagaDoc](db)
	uuids := odm.MustCollection[uuidDoc](db)
	id := bson.D{{Key: "_id", Value: "s1"}}

	c := &sagaDoc{ID: "s1", State: "started"}
	_, err := counters.InsertOne(ctx, c)
	require.NoError(t, err)
	u := &uuidDoc{ID: "s1", State: "started"}
	_, err = uuids.InsertOne(ctx, u)
	require.NoError(t, err)
	staleC, staleU := *c, *u
	c.State, u.State = "moved", "moved"
	_, err = counters.ReplaceOne(ctx, id, c)
	require.NoError(t, err)
	_, err = uuids.ReplaceOne(ctx, id, u)
	require.NoError(t, err)

	tests := []struct {
		name  string
		write func() error
		read  any // the revision the stale writer holds
	}{
		{"counter ReplaceOne upsert", func() error {
			_, err := counters.ReplaceOne(ctx, id, &staleC, options.Replace().SetUpsert(true))
			return err
		}, int64(1)},
		{"counter UpdateOne upsert", func() error {
			_, err := counters.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision", Value: staleC.Revision}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}}, options.UpdateOne().SetUpsert(true))
			return err
		}, int64(1)},
		{"counter FindOneAndUpdate upsert", func() error {
			_, err := counters.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision", Value: staleC.Revision}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}}, options.FindOneAndUpdate().SetUpsert(true))
			return err
		}, int64(1)},
		{"uuid ReplaceOne upsert", func() error {
			_, err := uuids.ReplaceOne(ctx, id, &staleU, options.Replace().SetUpsert(true))
			return err
		}, staleU.RevisionID},
		{"uuid FindOneAndReplace upsert", func() error {
			_, err := uuids.FindOneAndReplace(ctx, id, &staleU, options.FindOneAndReplace().SetUpsert(true))
			return err
		}, staleU.RevisionID},
		{"uuid UpdateOne upsert", func() error {
			_, err := uuids.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision_id", Value: staleU.RevisionID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}}, options.UpdateOne().SetUpsert(true))
			return err
		}, staleU.RevisionID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			var stale *odm.StaleRevisionError
			require.ErrorAs(t, err, &stale)
			assert.False(t, mongo.IsDuplicateKeyError(err), "not a duplicate key: %v", err)
			switch r := tt.read.(type) {
			case int64:
				assert.Equal(t, r, stale.Revision)
			case schema.UUID:
				assert.Equal(t, r, stale.RevisionID)
			}
		})
	}
	gotC, err := counters.FindByID(ctx, "s1")
	require.NoError(t, err)
	assert.Equal(t, "moved", gotC.State, "nothing was written")
	gotU, err := uuids.FindByID(ctx, "s1")
	require.NoError(t, err)
	assert.Equal(t, "moved", gotU.State, "nothing was written")
	assert.Equal(t, u.RevisionID, gotU.RevisionID)
}

// TestRevisionFilterInAnyIntegerType: a filter may give the revision as
// int32 (or int, or int64); a stale one is reported with its value.
func TestRevisionFilterInAnyIntegerType(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[sagaDoc](db)
	_, err := sagas.InsertOne(ctx, &sagaDoc{ID: "s1"})
	require.NoError(t, err)
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "x"}}}}
	for _, rev := range []any{int32(1), int(2), int64(3)} {
		_, err := sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision", Value: rev}}, set)
		require.NoError(t, err, "revision %T(%v) is current", rev, rev)
	}
	for _, rev := range []any{int32(1), int(2), int64(3)} {
		_, err := sagas.UpdateOne(ctx, bson.M{"_id": "s1", "revision": rev}, set)
		var stale *odm.StaleRevisionError
		require.ErrorAs(t, err, &stale, "revision %T(%v) is stale", rev, rev)
		assert.EqualValues(t, rev, stale.Revision)
	}
}

// TestUUIDRevision: the Beanie style on the repository's own documents:
// the first write gives a UUID stored as binary subtype 4, each write
// renews it, and a writer holding an old one is refused.
func TestUUIDRevision(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	docs := odm.MustCollection[uuidDoc](db)
	doc := &uuidDoc{ID: "u1", State: "started"}
	_, err := docs.InsertOne(ctx, doc)
	require.NoError(t, err)
	require.False(t, doc.RevisionID.IsZero())

	var raw bson.Raw
	require.NoError(t, docs.Driver().FindOne(ctx, bson.D{{Key: "_id", Value: "u1"}}).Decode(&raw))
	sub, data := raw.Lookup("revision_id").Binary()
	assert.Equal(t, byte(4), sub)
	assert.Equal(t, doc.RevisionID[:], data)

	a, err := docs.FindByID(ctx, "u1")
	require.NoError(t, err)
	b, err := docs.FindByID(ctx, "u1")
	require.NoError(t, err)
	a.State = "by-a"
	_, err = docs.ReplaceByID(ctx, a)
	require.NoError(t, err)
	assert.NotEqual(t, doc.RevisionID, a.RevisionID, "a write renews the revision")

	b.State = "by-b"
	_, err = docs.ReplaceByID(ctx, b)
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, doc.RevisionID, stale.RevisionID)
	assert.Equal(t, doc.RevisionID, b.RevisionID, "the loser keeps the revision it read")
	assert.Contains(t, err.Error(), doc.RevisionID.String())

	_, err = docs.UpdateOne(ctx, bson.D{{Key: "_id", Value: "u1"}, {Key: "revision_id", Value: b.RevisionID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}})
	require.ErrorAs(t, err, &stale)
	res, err := docs.UpdateOne(ctx, bson.D{{Key: "_id", Value: "u1"}, {Key: "revision_id", Value: a.RevisionID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "updated"}}}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.ModifiedCount)
	stored, err := docs.FindByID(ctx, "u1")
	require.NoError(t, err)
	assert.Equal(t, "updated", stored.State)
	assert.NotEqual(t, a.RevisionID, stored.RevisionID, "an update renews the revision")
	assert.False(t, stored.RevisionID.IsZero())
}

// TestUUIDRevisionAbsent: a document stored without a revision (null or
// no field) is read with the zero UUID, its first guarded write matches
// that absence, and a second writer that read it then is refused.
func TestUUIDRevisionAbsent(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	docs := odm.MustCollection[uuidDoc](db)
	_, err := docs.Driver().InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "absent"}, {Key: "state", Value: "old"}},
		bson.D{{Key: "_id", Value: "null"}, {Key: "revision_id", Value: nil}, {Key: "state", Value: "old"}},
	})
	require.NoError(t, err)
	for _, id := range []string{"absent", "null"} {
		t.Run(id, func(t *testing.T) {
			a, err := docs.FindByID(ctx, id)
			require.NoError(t, err)
			assert.True(t, a.RevisionID.IsZero())
			b := *a
			a.State = "by-a"
			_, err = docs.ReplaceByID(ctx, a)
			require.NoError(t, err)
			assert.False(t, a.RevisionID.IsZero())
			b.State = "by-b"
			_, err = docs.ReplaceByID(ctx, &b)
			var stale *odm.StaleRevisionError
			require.ErrorAs(t, err, &stale)
			assert.True(t, stale.RevisionID.IsZero())
			assert.Contains(t, err.Error(), "revision none was read")
		})
	}
}

type uniqueRevDoc struct {
	ID       string `bson:"_id"`
	Email    string `bson:"email" odm:"uniqueIndex"`
	Revision int64  `bson:"revision" odm:"revision"`
}

func (uniqueRevDoc) CollectionName() string { return "unique_revs" }

// TestGuardedWriteDuplicateIsDuplicate: a guarded replace on the current
// revision that a unique index refuses is a duplicate key, not stale.
func TestGuardedWriteDuplicateIsDuplicate(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, uniqueRevDoc{})
	require.NoError(t, err)
	docs := odm.MustCollection[uniqueRevDoc](db)
	_, err = docs.InsertMany(ctx, []uniqueRevDoc{{ID: "a", Email: "a@x"}, {ID: "b", Email: "b@x"}})
	require.NoError(t, err)
	b, err := docs.FindByID(ctx, "b")
	require.NoError(t, err)
	b.Email = "a@x"
	_, err = docs.ReplaceByID(ctx, b, options.Replace().SetUpsert(true))
	var dup *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dup)
	var stale *odm.StaleRevisionError
	assert.False(t, errors.As(err, &stale))
	assert.Equal(t, int64(1), b.Revision, "the refused document keeps its revision")
}

// TestCollectionLoggerWarnsOnce: a revisioned repository with a logger
// asks the server what it is once per client, and on a server known to
// lack atomic filtered writes warns once per repository; without a logger
// it asks nothing.
func TestCollectionLoggerWarnsOnce(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	buildInfos := 0
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "buildInfo" {
			mu.Lock()
			buildInfos++
			mu.Unlock()
		}
	}}
	client, err := mongo.Connect(options.Client().ApplyURI(testrig.URI()).SetMonitor(mon))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := testrig.Database(t, client)
	count := func() int { mu.Lock(); defer mu.Unlock(); return buildInfos }

	silent := odm.MustCollection[sagaDoc](db)
	_, err = silent.InsertOne(ctx, &sagaDoc{ID: "s0"})
	require.NoError(t, err)
	_, err = silent.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s0"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "x"}}}})
	require.NoError(t, err)
	assert.Zero(t, count(), "a repository without a logger asks nothing")

	var logs [2]bytes.Buffer
	for i := range logs {
		repo := odm.MustCollection[sagaDoc](db, odm.CollectionLogger(slog.New(slog.NewTextHandler(&logs[i], nil))))
		for round := range 3 {
			id := bson.D{{Key: "_id", Value: "s0"}}
			doc, err := repo.FindOne(ctx, id)
			require.NoError(t, err)
			_, err = repo.ReplaceOne(ctx, id, doc)
			require.NoError(t, err, "round %d", round)
		}
	}
	assert.Equal(t, 1, count(), "buildInfo is asked once per client")
	atomic, err := odm.AtomicFilteredWrites(ctx, client)
	require.NoError(t, err)
	assert.Equal(t, 1, count(), "and remembered")
	for i := range logs {
		warnings := strings.Count(logs[i].String(), "level=WARN")
		if atomic {
			assert.Zero(t, warnings, "%s applies filtered writes atomically: no warning", testrig.Server())
			continue
		}
		assert.Equal(t, 1, warnings, "one warning per repository:\n%s", logs[i].String())
		assert.Contains(t, logs[i].String(), "does not apply a filtered write atomically")
		assert.Contains(t, logs[i].String(), "collection=saga_docs")
	}
}

// TestUpsertOfANewDocument: a guarded upsert of a document that does not
// exist inserts it with its first revision, on every write path; a
// find-and-modify that returns the document from before answers
// nil and no error, and is not taken for stale.
func TestUpsertOfANewDocument(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[sagaDoc](db)
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "new"}}}}
	tests := []struct {
		id    string
		write func(id string) (*sagaDoc, error)
	}{
		{"replace", func(id string) (*sagaDoc, error) {
			d := &sagaDoc{ID: id, State: "new"}
			_, err := sagas.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, d, options.Replace().SetUpsert(true))
			return d, err
		}},
		{"find-replace", func(id string) (*sagaDoc, error) {
			d := &sagaDoc{ID: id, State: "new"}
			before, err := sagas.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: id}}, d, options.FindOneAndReplace().SetUpsert(true))
			assert.Nil(t, before, "nothing existed before")
			return d, err
		}},
		{"update", func(id string) (*sagaDoc, error) {
			_, err := sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision", Value: 0}}, set, options.UpdateOne().SetUpsert(true))
			return nil, err
		}},
		{"find-update", func(id string) (*sagaDoc, error) {
			before, err := sagas.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision", Value: 0}}, set, options.FindOneAndUpdate().SetUpsert(true))
			assert.Nil(t, before, "nothing existed before")
			return nil, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			d, err := tt.write(tt.id)
			require.NoError(t, err)
			var stale *odm.StaleRevisionError
			assert.False(t, errors.As(err, &stale), "an insert is not stale: %v", err)
			stored, err := sagas.FindByID(ctx, tt.id)
			require.NoError(t, err)
			assert.Equal(t, "new", stored.State)
			assert.Equal(t, int64(1), stored.Revision)
			if d != nil {
				assert.Equal(t, int64(1), d.Revision, "the document holds the revision stored")
			}
		})
	}
}

// TestInsertManyStartsRevisionsOfStoredDocuments: documents an InsertMany
// stored hold their first revision; a refused one is left as it was.
func TestInsertManyStartsRevisionsOfStoredDocuments(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, uniqueRevDoc{})
	require.NoError(t, err)
	docs := odm.MustCollection[uniqueRevDoc](db)
	batch := []uniqueRevDoc{{ID: "a", Email: "a@x"}, {ID: "b", Email: "a@x"}, {ID: "c", Email: "c@x"}}
	_, err = docs.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
	var dup *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dup)
	assert.Equal(t, []int64{1, 0, 1}, []int64{batch[0].Revision, batch[1].Revision, batch[2].Revision})
}
