package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// What Beanie (BeanieODM/beanie, beanie/odm/documents.py, utils/encoder.py
// and utils/dump.py) does with a Document whose settings say
// use_revision = True, as these tests rely on it:
//   - The Document base class declares `id` (stored as "_id", an ObjectId
//     by default) and then `revision_id: Optional[UUID]`, before the
//     model's own fields; fields are encoded in declaration order, and
//     None is stored as null (keep_nulls is on by default).
//   - revision_id is stored only when use_revision is on; a uuid.UUID is
//     encoded with bson.Binary.from_uuid, the standard representation:
//     BSON binary subtype 4.
//   - insert() sets revision_id to a new uuid4 before writing; an _id left
//     None is not encoded, and the driver adds an ObjectId first.
//   - replace() filters on {_id, revision_id: <the one it holds>} and
//     writes the document with a new uuid4; no match raises
//     RevisionIdWasChanged.
//   - update() filters on {_id, revision_id} and adds a $set of a new
//     revision_id; an upsert colliding on a DuplicateKeyError is reported
//     as RevisionIdWasChanged too.
//   - A document written before use_revision was turned on has no
//     revision_id: a filter on revision_id None matches it (a null query
//     matches an absent field).

// beanieSaga is a saga as the Python service's Beanie model writes it at
// insert(), field by field.
func beanieSaga(id bson.ObjectID, rev bson.Binary, sagaID string, created time.Time) bson.D {
	d := bson.D{{Key: "_id", Value: id}}
	if rev.Data != nil {
		d = append(d, bson.E{Key: "revision_id", Value: rev})
	}
	return append(d,
		bson.E{Key: "saga_id", Value: sagaID},
		bson.E{Key: "saga_name", Value: "execution_saga"},
		bson.E{Key: "execution_id", Value: "exec-" + sagaID},
		bson.E{Key: "state", Value: "running"},
		bson.E{Key: "current_step", Value: "allocate_resources"},
		bson.E{Key: "completed_steps", Value: bson.A{"validate_execution"}},
		bson.E{Key: "compensated_steps", Value: bson.A{}},
		bson.E{Key: "context_data", Value: bson.D{{Key: "user_id", Value: "u1"}, {Key: "attempt", Value: int32(1)}}},
		bson.E{Key: "error_message", Value: nil},
		bson.E{Key: "created_at", Value: bson.NewDateTimeFromTime(created)},
		bson.E{Key: "updated_at", Value: bson.NewDateTimeFromTime(created)},
		bson.E{Key: "completed_at", Value: nil},
		bson.E{Key: "retry_count", Value: int32(0)},
	)
}

// uuid4 is a random UUID as Python's uuid.uuid4() gives it, stored as
// bson.Binary.from_uuid stores it.
func uuid4() bson.Binary {
	u := schema.NewUUID()
	return bson.Binary{Subtype: bson.TypeBinaryUUID, Data: u[:]}
}

func storedRevision(t *testing.T, ctx context.Context, coll *mongo.Collection, id bson.ObjectID) bson.Binary {
	t.Helper()
	var raw bson.Raw
	require.NoError(t, coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&raw))
	v := raw.Lookup("revision_id")
	require.Equal(t, bson.TypeBinary, v.Type, "revision_id is binary: %v", raw)
	sub, data := v.Binary()
	require.Equal(t, bson.TypeBinaryUUID, sub, "revision_id is binary subtype 4")
	return bson.Binary{Subtype: sub, Data: data}
}

// TestSagaWrittenByBeanie: a saga written by the Python service is read,
// updated and replaced by the Go repository; each Go write leaves a
// revision the Python service can match, and the Python service's writes
// leave one Go can match.
func TestSagaWrittenByBeanie(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, models.Saga{})
	require.NoError(t, err)
	sagas := odm.MustCollection[models.Saga](db)
	raw := sagas.Driver()

	created := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	id, rev := bson.NewObjectID(), uuid4()
	_, err = raw.InsertOne(ctx, beanieSaga(id, rev, "s1", created))
	require.NoError(t, err)

	// Read.
	s, err := sagas.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, id, s.ID)
	assert.Equal(t, rev.Data, s.RevisionID[:])
	assert.Equal(t, "s1", s.SagaID)
	assert.Equal(t, "running", s.State)
	require.NotNil(t, s.CurrentStep)
	assert.Equal(t, "allocate_resources", *s.CurrentStep)
	assert.Equal(t, []string{"validate_execution"}, s.CompletedSteps)
	assert.Nil(t, s.ErrorMessage)
	assert.Nil(t, s.CompletedAt)
	assert.True(t, created.Equal(s.CreatedAt))
	assert.Equal(t, "u1", s.ContextData.UserID)

	// Update, guarded by the revision read.
	_, err = sagas.UpdateByID(ctx, id, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "compensating"}}}})
	require.NoError(t, err)
	afterUpdate := storedRevision(t, ctx, raw, id)
	assert.NotEqual(t, rev.Data, afterUpdate.Data, "a Go update renews revision_id")
	_, err = sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision_id", Value: s.RevisionID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}})
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale, "the revision read before the update is stale")
	assert.Equal(t, s.RevisionID, stale.RevisionID)

	// Replace, from a fresh read.
	s, err = sagas.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, afterUpdate.Data, s.RevisionID[:])
	s.State = "completed"
	s.CompletedSteps = append(s.CompletedSteps, "allocate_resources")
	_, err = sagas.ReplaceByID(ctx, s)
	require.NoError(t, err)
	afterReplace := storedRevision(t, ctx, raw, id)
	assert.Equal(t, s.RevisionID[:], afterReplace.Data, "the saga holds the revision stored")
	assert.NotEqual(t, afterUpdate.Data, afterReplace.Data)

	// The Python service, holding the revision Go stored, can write: its
	// replace() filter matches.
	var stored bson.D
	require.NoError(t, raw.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&stored))
	pyNext := uuid4()
	res, err := raw.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision_id", Value: afterReplace}}, withRevision(stored, pyNext))
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.MatchedCount, "Beanie's guard matches a revision Go wrote")
	assert.Equal(t, sagaKeys(beanieSaga(id, rev, "s1", created)), sagaKeys(stored), "Go writes the fields Beanie writes")

	// Go, still holding its own revision, is now stale.
	s.State = "failed"
	_, err = sagas.ReplaceByID(ctx, s)
	require.ErrorAs(t, err, &stale, "a Go write after a Python write is refused")
	assert.Equal(t, afterReplace.Data, stale.RevisionID[:])
	// And Python, holding the revision Go replaced, is refused by its guard.
	res, err = raw.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revision_id", Value: afterUpdate}}, withRevision(stored, uuid4()))
	require.NoError(t, err)
	assert.Zero(t, res.MatchedCount, "Beanie's guard refuses a stale revision")

	final, err := sagas.FindByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "completed", final.State, "the Python write kept the state it read")
	assert.Equal(t, pyNext.Data, final.RevisionID[:])
}

// TestSagaWithoutRevision: a saga written before revisions were turned on
// has no revision_id; Go reads it with a zero revision, its first write
// matches that absence and stores one, and a second writer that read the
// saga without one is refused.
func TestSagaWithoutRevision(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[models.Saga](db)
	id := bson.NewObjectID()
	_, err := sagas.Driver().InsertOne(ctx, beanieSaga(id, bson.Binary{}, "s2", time.Now().UTC().Truncate(time.Millisecond)))
	require.NoError(t, err)

	a, err := sagas.FindByID(ctx, id.Hex())
	require.NoError(t, err)
	assert.True(t, a.RevisionID.IsZero())
	b := *a
	a.RetryCount = 1
	_, err = sagas.ReplaceByID(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, a.RevisionID[:], storedRevision(t, ctx, sagas.Driver(), id).Data)

	b.RetryCount = 2
	_, err = sagas.ReplaceByID(ctx, &b)
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale)
	assert.True(t, stale.RevisionID.IsZero())
}

// TestSagaInsertedByGo: Go's insert gives a new saga a revision_id as
// Beanie's insert() does, and an ObjectId _id written back into the saga.
func TestSagaInsertedByGo(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[models.Saga](db)
	s := &models.Saga{SagaID: "s3", SagaName: "execution_saga", ExecutionID: "exec-s3", State: "created", CreatedAt: time.Now().UTC()}
	_, err := sagas.InsertOne(ctx, s)
	require.NoError(t, err)
	require.False(t, s.ID.IsZero())
	require.False(t, s.RevisionID.IsZero())
	assert.Equal(t, s.RevisionID[:], storedRevision(t, ctx, sagas.Driver(), s.ID).Data)
}

func withRevision(doc bson.D, rev bson.Binary) bson.D {
	out := slices.Clone(doc)
	for i := range out {
		if out[i].Key == "revision_id" {
			out[i].Value = rev
		}
	}
	return out
}

func sagaKeys(doc bson.D) []string {
	keys := make([]string, len(doc))
	for i, e := range doc {
		keys[i] = e.Key
	}
	return keys
}
