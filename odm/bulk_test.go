package odm_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// bulkDoc is a revisioned model with defaults and a unique name.
type bulkDoc struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Rev  int64         `bson:"rev" odm:"revision"`
	Name string        `bson:"name" odm:"uniqueIndex"`
	Kind string        `bson:"kind"`
	Tags []string      `bson:"tags"`
}

func (bulkDoc) CollectionName() string { return "bulk_docs" }

func (d *bulkDoc) SetDefaults() {
	if d.Kind == "" {
		d.Kind = "plain"
	}
}

// bulkRepo is a repository of bulkDoc on a fresh database after Init, with
// the recorder of its commands.
func bulkRepo(t *testing.T) (*odm.Collection[bulkDoc], *testrig.Recorder) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	_, err := odm.Init(context.Background(), db, bulkDoc{})
	require.NoError(t, err)
	rec.Reset()
	return odm.MustCollection[bulkDoc](db), rec
}

// stored is every document of c, by name, as the bare driver reads it.
func storedByName(t *testing.T, c *mongo.Collection) map[string]bson.M {
	t.Helper()
	cur, err := c.Find(context.Background(), bson.D{})
	require.NoError(t, err)
	var all []bson.M
	require.NoError(t, cur.All(context.Background(), &all))
	out := map[string]bson.M{}
	for _, d := range all {
		out[d["name"].(string)] = d
	}
	return out
}

// TestBulkWritesThroughTheRepository: inserts get their defaults, ids and
// first revisions; a replace and an update by id renew the revision; a
// nil slice is stored as []; the writes go as one command per run of one
// kind, with no read back when the totals say every write matched.
func TestBulkWritesThroughTheRepository(t *testing.T) {
	ctx := context.Background()
	repo, rec := bulkRepo(t)
	a, b, gone := &bulkDoc{Name: "a"}, &bulkDoc{Name: "b"}, &bulkDoc{Name: "gone"}
	res, err := repo.Bulk().InsertOne(a).InsertOne(b).InsertOne(gone).Run(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 3, res.InsertedCount)
	for i, d := range []*bulkDoc{a, b, gone} {
		assert.False(t, d.ID.IsZero())
		assert.EqualValues(t, 1, d.Rev)
		assert.Equal(t, "plain", d.Kind)
		assert.Equal(t, d.ID, res.Ops[i].ID)
		assert.Equal(t, "InsertOne", res.Ops[i].Op)
	}
	assert.Equal(t, 1, rec.Count("insert"), "one insert command for three documents")

	rec.Reset()
	a.Kind = "changed"
	c := &bulkDoc{Name: "c"}
	bw := repo.Bulk().
		ReplaceByID(a).
		UpdateByID(b.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "kind", Value: "updated"}}}}).
		DeleteByID(gone.ID).
		InsertOne(c)
	assert.Equal(t, 4, bw.Len())
	res, err = bw.Run(ctx)
	require.NoError(t, err)
	assert.Zero(t, bw.Len(), "Run empties the writer")
	assert.EqualValues(t, 2, res.MatchedCount)
	assert.EqualValues(t, 1, res.DeletedCount)
	assert.EqualValues(t, 1, res.InsertedCount)
	assert.EqualValues(t, 2, a.Rev, "the replace's new revision is written back")
	assert.Equal(t, []string{"ReplaceOne", "UpdateOne", "DeleteOne", "InsertOne"}, []string{res.Ops[0].Op, res.Ops[1].Op, res.Ops[2].Op, res.Ops[3].Op})
	for _, op := range res.Ops {
		assert.NoError(t, op.Err)
	}
	assert.Equal(t, 1, rec.Count("update"), "the replace and the update go in one command")
	assert.Equal(t, 0, rec.Count("find"), "no read back: the totals say both matched")

	got := storedByName(t, repo.Driver())
	require.Len(t, got, 3)
	assert.Equal(t, "changed", got["a"]["kind"])
	assert.EqualValues(t, 2, got["a"]["rev"])
	assert.Equal(t, "updated", got["b"]["kind"])
	assert.EqualValues(t, 2, got["b"]["rev"], "the update renews the revision")
	assert.Equal(t, bson.A{}, got["c"]["tags"], "a nil slice is stored as []")
	assert.NotContains(t, got, "gone")
}

// TestBulkStaleRevision: a replace whose document has moved on is a
// *StaleRevisionError of its own operation, told from the others by
// reading the revisions back; its document is put back, the others are
// written.
func TestBulkStaleRevision(t *testing.T) {
	ctx := context.Background()
	repo, rec := bulkRepo(t)
	a, b := &bulkDoc{Name: "a"}, &bulkDoc{Name: "b"}
	_, err := repo.Bulk().InsertOne(a).InsertOne(b).Run(ctx)
	require.NoError(t, err)
	stale := *a
	a.Kind = "first"
	_, err = repo.ReplaceByID(ctx, a)
	require.NoError(t, err)

	rec.Reset()
	stale.Kind = "second"
	b.Kind = "fresh"
	res, err := repo.Bulk().ReplaceByID(&stale).ReplaceByID(b).Run(ctx)
	var be *odm.BulkError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, []int{0}, be.Failed)
	var sre *odm.StaleRevisionError
	require.ErrorAs(t, err, &sre)
	assert.Equal(t, a.ID, sre.ID.(bson.RawValue).ObjectID())
	assert.EqualValues(t, 1, sre.Revision)
	require.NotNil(t, res)
	assert.ErrorAs(t, res.Ops[0].Err, &sre)
	assert.NoError(t, res.Ops[1].Err)
	assert.EqualValues(t, 1, stale.Rev, "the stale document's revision is put back")
	assert.EqualValues(t, 2, b.Rev)
	assert.Positive(t, rec.Count("find"), "the revisions were read back")

	got := storedByName(t, repo.Driver())
	assert.Equal(t, "first", got["a"]["kind"], "the stale replace wrote nothing")
	assert.Equal(t, "fresh", got["b"]["kind"])
}

// TestBulkDuplicateKey: an ordered bulk stops at a duplicate (the rest not
// run, their documents put back); an unordered one writes the others.
func TestBulkDuplicateKey(t *testing.T) {
	ctx := context.Background()
	repo, _ := bulkRepo(t)
	first, dup, after := &bulkDoc{Name: "x"}, &bulkDoc{Name: "x"}, &bulkDoc{Name: "y"}
	res, err := repo.Bulk().InsertOne(first).InsertOne(dup).InsertOne(after).Run(ctx)
	var dke *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dke)
	assert.True(t, mongo.IsDuplicateKeyError(err))
	require.NotNil(t, res)
	assert.NoError(t, res.Ops[0].Err)
	assert.ErrorAs(t, res.Ops[1].Err, &dke)
	assert.ErrorIs(t, res.Ops[2].Err, odm.ErrNotRun)
	assert.False(t, first.ID.IsZero())
	assert.True(t, dup.ID.IsZero(), "the refused document's id is put back")
	assert.Zero(t, dup.Rev)
	assert.True(t, after.ID.IsZero(), "the document not sent is put back")
	assert.Len(t, storedByName(t, repo.Driver()), 1)

	dup2, other := &bulkDoc{Name: "x"}, &bulkDoc{Name: "z"}
	res, err = repo.Bulk().InsertOne(dup2).InsertOne(other).Run(ctx, options.BulkWrite().SetOrdered(false))
	require.ErrorAs(t, err, &dke)
	assert.Error(t, res.Ops[0].Err)
	assert.NoError(t, res.Ops[1].Err)
	assert.False(t, other.ID.IsZero())
	assert.Len(t, storedByName(t, repo.Driver()), 2)
}

// TestBulkPreparesAllOrSendsNothing: an operation that cannot be prepared
// fails the bulk before any command, and the documents prepared before
// it are put back.
func TestBulkPreparesAllOrSendsNothing(t *testing.T) {
	ctx := context.Background()
	repo, rec := bulkRepo(t)
	a := &bulkDoc{Name: "a"}
	_, err := repo.Bulk().InsertOne(a).UpdateOne(bson.D{}, bson.D{{Key: "kind", Value: "no operator"}}).Run(ctx)
	require.ErrorContains(t, err, "operation 1 (UpdateOne)")
	require.ErrorContains(t, err, "nothing was sent")
	assert.True(t, a.ID.IsZero(), "the prepared insert's id is put back")
	assert.Zero(t, a.Rev)
	assert.Zero(t, rec.Count("insert")+rec.Count("update"))

	_, err = repo.Bulk().InsertOne(a).DeleteOne(bson.D{{Key: "nmae", Value: "a"}}).Run(ctx)
	var pe *query.PathError
	require.ErrorAs(t, err, &pe, "a filter's paths are checked")
	assert.Zero(t, rec.Count("insert")+rec.Count("delete"))
}

// TestBulkRefusals: what one bulk write cannot hold is refused before any
// command, with the operation named.
func TestBulkRefusals(t *testing.T) {
	ctx := context.Background()
	repo, rec := bulkRepo(t)
	a := &bulkDoc{Name: "a"}
	_, err := repo.InsertOne(ctx, a)
	require.NoError(t, err)
	rec.Reset()

	_, err = repo.Bulk().ReplaceByID(a, options.Replace().SetUpsert(true)).Run(ctx)
	assert.ErrorContains(t, err, "a revisioned write with upsert takes two writes")
	assert.EqualValues(t, 1, a.Rev, "the refused replace's revision is put back")
	_, err = repo.Bulk().UpdateOne(bson.D{{Key: "_id", Value: a.ID}, {Key: "rev", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "kind", Value: "k"}}}},
		options.UpdateOne().SetUpsert(true)).Run(ctx)
	assert.ErrorContains(t, err, "a revisioned write with upsert takes two writes")
	_, err = repo.Bulk().DeleteMany(bson.D{}, options.DeleteMany().SetComment("c")).Run(ctx)
	assert.ErrorContains(t, err, "options.BulkWrite().SetComment")
	_, err = repo.Bulk().ReplaceByID(&bulkDoc{Name: "no id"}).Run(ctx)
	assert.ErrorContains(t, err, "operation 0 (ReplaceOne)")
	assert.ErrorContains(t, err, "the document's _id is zero")
	_, err = repo.Bulk().DeleteByID("not hex").Run(ctx)
	assert.ErrorContains(t, err, "is not an ObjectID in hex")
	_, err = repo.Bulk().InsertOne(nil).Run(ctx)
	assert.ErrorContains(t, err, "the document is nil")
	//lint:ignore SA1012 a nil context is what is tested
	_, err = repo.Bulk().InsertOne(&bulkDoc{Name: "n"}).Run(nil) //nolint:staticcheck
	assert.ErrorContains(t, err, "a context is needed")
	res, err := repo.Bulk().Run(ctx)
	require.NoError(t, err)
	assert.Empty(t, res.Ops)
	assert.Zero(t, len(rec.Commands("insert", "update", "delete")), "nothing was sent")

	var zero odm.Bulk[bulkDoc]
	_, err = zero.InsertOne(a).Run(ctx)
	assert.ErrorContains(t, err, "was not made by Collection.Bulk")
	var unbound *odm.Collection[bulkDoc]
	_, err = unbound.Bulk().InsertOne(a).Run(ctx)
	assert.ErrorContains(t, err, "Collection[odm_test.bulkDoc] is nil")
}

// TestBulkRunsHooks: a bulk write calls each document's before-hooks and
// Validate as it is prepared, and its after-hooks once stored; a
// before-hook's error sends nothing.
func TestBulkRunsHooks(t *testing.T) {
	ctx := context.Background()
	repo, rec := hookedRepo(t)
	seed := &hooked{ID: bson.NewObjectID(), Name: "seed"}
	_, err := repo.InsertOne(ctx, seed)
	require.NoError(t, err)
	resetHooks("", "")
	doc := &hooked{ID: bson.NewObjectID(), Name: "new"}
	seed.Name = "replaced"
	_, err = repo.Bulk().InsertOne(doc).ReplaceByID(seed).Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"BeforeInsert", "Validate", "BeforeReplace", "Validate", "AfterInsert", "AfterReplace"}, hookNames(hookCalls()))
	assert.False(t, doc.CreatedAt.IsZero(), "timestamps are set")

	resetHooks("BeforeReplace", "")
	rec.Reset()
	other := &hooked{ID: bson.NewObjectID(), Name: "other"}
	_, err = repo.Bulk().InsertOne(other).ReplaceByID(seed).Run(ctx)
	require.ErrorIs(t, err, errHook)
	assert.Zero(t, len(rec.Commands("insert", "update")), "nothing was sent")
}

// TestBulkErrorsNameTheOperation: a BulkError's message names the first
// failed operation, and errors.Is reaches the driver's error.
func TestBulkErrorsNameTheOperation(t *testing.T) {
	ctx := context.Background()
	repo, _ := bulkRepo(t)
	_, err := repo.Bulk().InsertOne(&bulkDoc{Name: "d"}).InsertOne(&bulkDoc{Name: "d"}).Run(ctx)
	require.Error(t, err)
	assert.Regexp(t, `^odm: bulk write on bulk_docs: 1 of 2 operations wrote nothing; operation 1 \(InsertOne\): `, err.Error())
	var bwe mongo.BulkWriteException
	assert.True(t, errors.As(err, &bwe), "the driver's error is reachable")
}

// bulkPlain is a model without a revision or defaults: through a bulk
// write it is stored as the bare driver stores it.
type bulkPlain struct {
	ID int    `bson:"_id"`
	N  int    `bson:"n"`
	S  string `bson:"s"`
}

func (bulkPlain) CollectionName() string { return "bulk_plain" }

// TestBulkAgainstTheDriver runs generated bulk writes (inserts, replaces,
// updates and deletes over a few ids, upserts, duplicates, ordered and
// unordered) through the repository and through the driver's BulkWrite
// on a twin collection: the stored documents, the totals, the upserted
// ids and which operations failed are the same.
func TestBulkAgainstTheDriver(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	repo := odm.MustCollection[bulkPlain](db)
	twin := db.Collection("bulk_plain_driver")
	rng := rand.New(rand.NewPCG(7, uint64(len(t.Name()))))
	for round := range 40 {
		var models []mongo.WriteModel
		b := repo.Bulk()
		for range 1 + rng.IntN(12) {
			id, n := 1+rng.IntN(6), rng.IntN(5)
			upsert := rng.IntN(2) == 0
			byID := bson.D{{Key: "_id", Value: id}}
			switch rng.IntN(7) {
			case 0, 1:
				doc := bulkPlain{ID: id, N: n, S: "i"}
				b.InsertOne(&doc)
				models = append(models, mongo.NewInsertOneModel().SetDocument(bulkPlain{ID: id, N: n, S: "i"}))
			case 2:
				doc := bulkPlain{ID: id, N: n, S: "r"}
				b.ReplaceOne(byID, &doc, options.Replace().SetUpsert(upsert))
				models = append(models, mongo.NewReplaceOneModel().SetFilter(byID).SetReplacement(doc).SetUpsert(upsert))
			case 3:
				inc := bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}
				b.UpdateOne(byID, inc, options.UpdateOne().SetUpsert(upsert))
				models = append(models, mongo.NewUpdateOneModel().SetFilter(byID).SetUpdate(inc).SetUpsert(upsert))
			case 4:
				f := bson.D{{Key: "n", Value: bson.D{{Key: "$gte", Value: n}}}}
				set := bson.D{{Key: "$set", Value: bson.D{{Key: "s", Value: fmt.Sprint("m", round)}}}}
				b.UpdateMany(f, set)
				models = append(models, mongo.NewUpdateManyModel().SetFilter(f).SetUpdate(set))
			case 5:
				b.DeleteOne(byID)
				models = append(models, mongo.NewDeleteOneModel().SetFilter(byID))
			default:
				f := bson.D{{Key: "n", Value: bson.D{{Key: "$lt", Value: n}}}}
				b.DeleteMany(f)
				models = append(models, mongo.NewDeleteManyModel().SetFilter(f))
			}
		}
		ordered := rng.IntN(2) == 0
		res, err := b.Run(ctx, options.BulkWrite().SetOrdered(ordered))
		want, werr := twin.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(ordered))
		what := fmt.Sprintf("round %d, ordered %v", round, ordered)
		require.NotNil(t, res, what)
		require.NotNil(t, want, what)
		assert.Equal(t, []int64{want.InsertedCount, want.MatchedCount, want.ModifiedCount, want.DeletedCount, want.UpsertedCount},
			[]int64{res.InsertedCount, res.MatchedCount, res.ModifiedCount, res.DeletedCount, res.UpsertedCount}, what)
		failed := map[int]bool{}
		var bwe mongo.BulkWriteException
		if errors.As(werr, &bwe) {
			for _, we := range bwe.WriteErrors {
				failed[we.Index] = true
			}
		} else {
			require.NoError(t, werr, what)
		}
		for i, op := range res.Ops {
			switch {
			case failed[i]:
				assert.Error(t, op.Err, "%s: operation %d", what, i)
				assert.NotErrorIs(t, op.Err, odm.ErrNotRun)
			case ordered && len(failed) > 0 && i > slices.Min(slices.Collect(maps.Keys(failed))):
				assert.ErrorIs(t, op.Err, odm.ErrNotRun, "%s: operation %d", what, i)
			default:
				assert.NoError(t, op.Err, "%s: operation %d", what, i)
				if id, ok := want.UpsertedIDs[int64(i)]; ok {
					assert.EqualValues(t, id, op.ID, "%s: operation %d's upserted id", what, i)
				}
			}
		}
		assert.Equal(t, len(failed) > 0, err != nil, what)
		assert.Equal(t, allByID(t, twin), allByID(t, repo.Driver()), what)
	}
}

// allByID is every document of c in _id order.
func allByID(t *testing.T, c *mongo.Collection) []bson.D {
	t.Helper()
	cur, err := c.Find(context.Background(), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	require.NoError(t, err)
	var out []bson.D
	require.NoError(t, cur.All(context.Background(), &out))
	return out
}
