package odm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type member struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Email string        `bson:"email" odm:"uniqueIndex"`
	Team  string        `bson:"team" odm:"index"`
	Age   int           `bson:"age"`
}

func (member) CollectionName() string { return "members" }

// repoFixture returns a repository on a fresh database, its indexes made
// by Init, and the recorder of every command the repository sends.
func repoFixture(t *testing.T) (*odm.Collection[member], *testrig.Recorder, context.Context) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, member{})
	require.NoError(t, err)
	rec.Reset()
	members, err := odm.NewCollection[member](db)
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.Zero(t, rec.Count("createIndexes"), "a repository never creates indexes")
	})
	return members, rec, ctx
}

func seed(t *testing.T, ctx context.Context, members *odm.Collection[member]) {
	t.Helper()
	docs := []member{
		{Email: "ada@x", Team: "core", Age: 36},
		{Email: "grace@x", Team: "core", Age: 45},
		{Email: "alan@x", Team: "labs", Age: 41},
	}
	res, err := members.InsertMany(ctx, docs)
	require.NoError(t, err)
	require.Len(t, res.InsertedIDs, 3)
}

func TestRepositoryInsertAndFind(t *testing.T) {
	members, _, ctx := repoFixture(t)
	doc := &member{Email: "linus@x", Team: "kernel", Age: 30}
	res, err := members.InsertOne(ctx, doc)
	require.NoError(t, err)
	require.NotNil(t, res.InsertedID)
	seed(t, ctx, members)

	got, err := members.FindOne(ctx, bson.D{{Key: "email", Value: "linus@x"}})
	require.NoError(t, err)
	assert.Equal(t, "kernel", got.Team)
	assert.Equal(t, res.InsertedID, got.ID)

	none, err := members.FindOne(ctx, bson.D{{Key: "email", Value: "nobody@x"}})
	require.NoError(t, err, "nothing found is no error")
	assert.Nil(t, none)

	core, err := members.Find(ctx, bson.D{{Key: "team", Value: "core"}}, options.Find().SetSort(bson.D{{Key: "age", Value: 1}}))
	require.NoError(t, err)
	require.Len(t, core, 2)
	assert.Equal(t, []string{"ada@x", "grace@x"}, []string{core[0].Email, core[1].Email})

	n, err := members.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
}

func TestRepositoryStreams(t *testing.T) {
	members, _, ctx := repoFixture(t)
	seed(t, ctx, members)

	cur, err := members.Iter(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "age", Value: 1}}).SetBatchSize(1))
	require.NoError(t, err)
	var ages []int
	for cur.Next(ctx) {
		ages = append(ages, cur.Current().Age)
	}
	require.NoError(t, cur.Err())
	require.NoError(t, cur.Close(ctx))
	assert.Equal(t, []int{36, 41, 45}, ages)

	var emails []string
	for m, err := range members.All(ctx, bson.D{{Key: "team", Value: "core"}}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}})) {
		require.NoError(t, err)
		emails = append(emails, m.Email)
	}
	assert.Equal(t, []string{"ada@x", "grace@x"}, emails)

	count := 0
	for range members.All(ctx, bson.D{}) {
		count++
		break // stopping early closes the cursor
	}
	assert.Equal(t, 1, count)
}

func TestRepositoryUpdates(t *testing.T) {
	members, _, ctx := repoFixture(t)
	seed(t, ctx, members)

	res, err := members.UpdateOne(ctx, bson.D{{Key: "email", Value: "ada@x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "age", Value: 37}}}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.ModifiedCount)

	res, err = members.UpdateMany(ctx, bson.D{{Key: "team", Value: "core"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "team", Value: "platform"}}}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), res.ModifiedCount)

	after, err := members.FindOneAndUpdate(ctx, bson.D{{Key: "email", Value: "alan@x"}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "age", Value: 1}}}}, options.FindOneAndUpdate().SetReturnDocument(options.After))
	require.NoError(t, err)
	assert.Equal(t, 42, after.Age)

	ada, err := members.FindOne(ctx, bson.D{{Key: "email", Value: "ada@x"}})
	require.NoError(t, err)
	assert.Equal(t, 37, ada.Age)
	assert.Equal(t, "platform", ada.Team)

	ada.Age = 99
	res, err = members.ReplaceOne(ctx, bson.D{{Key: "_id", Value: ada.ID}}, ada)
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.ModifiedCount)
	again, err := members.FindOne(ctx, bson.D{{Key: "_id", Value: ada.ID}})
	require.NoError(t, err)
	assert.Equal(t, 99, again.Age)
}

func TestRepositoryDeletes(t *testing.T) {
	members, _, ctx := repoFixture(t)
	seed(t, ctx, members)
	res, err := members.DeleteOne(ctx, bson.D{{Key: "email", Value: "ada@x"}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.DeletedCount)
	res, err = members.DeleteMany(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), res.DeletedCount)
}

type teamCount struct {
	Team  string `bson:"_id"`
	Count int    `bson:"count"`
}

func TestRepositoryDistinctAndAggregate(t *testing.T) {
	members, _, ctx := repoFixture(t)
	seed(t, ctx, members)

	teams, err := odm.Distinct[string](ctx, members, "team", bson.D{})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"core", "labs"}, teams)

	counts, err := odm.Aggregate[teamCount](ctx, members, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$team"}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	})
	require.NoError(t, err)
	assert.Equal(t, []teamCount{{"core", 2}, {"labs", 1}}, counts)
}

func TestRepositoryDuplicateKey(t *testing.T) {
	members, _, ctx := repoFixture(t)
	_, err := members.InsertOne(ctx, &member{Email: "ada@x"})
	require.NoError(t, err)
	_, err = members.InsertOne(ctx, &member{Email: "ada@x"})
	var dup *odm.DuplicateKeyError
	require.ErrorAs(t, err, &dup)
	assert.Equal(t, "members", dup.Collection)
	assert.True(t, mongo.IsDuplicateKeyError(err), "the driver's error stays reachable")
	if dup.Index == "" {
		t.Skipf("%s does not name the index in its duplicate key error (%v); the typed error was checked", testrig.Server(), dup.Err)
	}
	assert.Equal(t, "email_1", dup.Index)
}

type sagaDoc struct {
	ID       string `bson:"_id"`
	State    string `bson:"state"`
	Steps    int    `bson:"steps,omitempty"`
	Revision int64  `bson:"revision" odm:"revision"`
}

func (sagaDoc) CollectionName() string { return "saga_docs" }

// TestRevisionTwoWriters: two writers read the same revision; the first
// to write wins, the second gets a StaleRevisionError, and the winner's
// write is kept.
func TestRevisionTwoWriters(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[sagaDoc](db)
	doc := &sagaDoc{ID: "s1", State: "started"}
	_, err := sagas.InsertOne(ctx, doc)
	require.NoError(t, err)
	assert.Equal(t, int64(1), doc.Revision, "a new document starts at revision 1")

	a, err := sagas.FindOne(ctx, bson.D{{Key: "_id", Value: "s1"}})
	require.NoError(t, err)
	b, err := sagas.FindOne(ctx, bson.D{{Key: "_id", Value: "s1"}})
	require.NoError(t, err)

	a.State = "by-a"
	_, err = sagas.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "s1"}}, a)
	require.NoError(t, err)
	assert.Equal(t, int64(2), a.Revision)

	b.State = "by-b"
	_, err = sagas.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "s1"}}, b)
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale)
	assert.Equal(t, int64(1), stale.Revision)
	assert.Equal(t, int64(1), b.Revision, "the loser's document is left as it was read")

	stored, err := sagas.FindOne(ctx, bson.D{{Key: "_id", Value: "s1"}})
	require.NoError(t, err)
	assert.Equal(t, "by-a", stored.State, "the winner's write is kept")
	assert.Equal(t, int64(2), stored.Revision)

	// The loser re-reads and writes on the new revision.
	stored.State = "merged"
	_, err = sagas.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "s1"}}, stored)
	require.NoError(t, err)
	assert.Equal(t, int64(3), stored.Revision)
}

// TestRevisionConcurrentWriters: two writers each run read-modify-replace
// cycles on one document, retrying on a StaleRevisionError. With the guard
// holding, no increment is lost. The guard relies on the server applying a
// filtered write's filter and write atomically.
func TestRevisionConcurrentWriters(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	atomic, err := odm.AtomicFilteredWrites(ctx, db.Client())
	require.NoError(t, err)
	if !atomic {
		t.Skipf("%s does not apply a filtered write's filter and write atomically (two racing replaces on {_id, revision} can both be acknowledged), so the revision guard cannot be proven here; TestRevisionTwoWriters proves the sequential race", testrig.Server())
	}
	const cycles = 300
	race, final := raceCounter(t, ctx, db, 2, cycles)
	stale := race.stale
	assert.Equal(t, 2*cycles, final.N, "no increment lost (%d stale writes retried)", stale[0]+stale[1])
	assert.Equal(t, int64(2*cycles+1), final.Revision)
}

func TestRevisionOnUpdates(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	sagas := odm.MustCollection[sagaDoc](db)
	_, err := sagas.InsertOne(ctx, &sagaDoc{ID: "s1", State: "started"})
	require.NoError(t, err)

	_, err = sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision", Value: int64(1)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "running"}}}})
	require.NoError(t, err)
	got, err := sagas.FindOne(ctx, bson.D{{Key: "_id", Value: "s1"}})
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Revision, "the update bumped the revision")

	_, err = sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}, {Key: "revision", Value: int64(1)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "stale"}}}})
	var stale *odm.StaleRevisionError
	require.ErrorAs(t, err, &stale)

	_, err = sagas.FindOneAndUpdate(ctx, bson.M{"_id": "s1", "revision": int64(1)}, bson.M{"$set": bson.M{"state": "stale"}})
	require.ErrorAs(t, err, &stale)

	after, err := sagas.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "s1"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: "done"}}}, {Key: "$inc", Value: bson.D{{Key: "steps", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	require.NoError(t, err)
	assert.Equal(t, "done", after.State)
	assert.Equal(t, int64(3), after.Revision, "merged into the caller's $inc")

	_, err = sagas.UpdateOne(ctx, bson.D{{Key: "_id", Value: "s1"}}, struct{ X int }{1})
	assert.ErrorContains(t, err, `an update must be a document of update operators ($set, $inc, ...), and "x" is not one`)
}

type notAModel int

type badRevision struct {
	Rev string `bson:"rev" odm:"revision"`
}

func TestNewCollectionRefusesBadTypes(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := odm.NewCollection[notAModel](db)
	assert.ErrorContains(t, err, "needs a struct model type")
	_, err = odm.NewCollection[badRevision](db)
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Contains(t, err.Error(), "the revision field must be an int64 or int (a counter) or an odm.UUID (Beanie's revision_id), not string")
	assert.Panics(t, func() { odm.MustCollection[notAModel](db) })
	_, err = odm.NewCollection[valueDefaults](db)
	assert.ErrorContains(t, err, "odm_test.valueDefaults's SetDefaults has a value receiver")
}

type valueDefaults struct {
	Name string `bson:"name"`
}

func (valueDefaults) CollectionName() string { return "value_defaults" }
func (valueDefaults) SetDefaults()           {}

type strictTicket struct {
	ID     string `bson:"_id"`
	Status string `bson:"status" odm:"required;enum:open|closed"`
}

func (strictTicket) CollectionName() string { return "strict_tickets" }
func (strictTicket) Validator() schema.Validator {
	return schema.Validator{Level: schema.LevelStrict, Action: schema.ActionError}
}

// boundedStock's validator uses only a numeric keyword (minimum).
type boundedStock struct {
	ID  string `bson:"_id"`
	Qty int32  `bson:"qty" odm:"min:0"`
}

func (boundedStock) CollectionName() string { return "bounded_stock" }
func (boundedStock) Validator() schema.Validator {
	return schema.Validator{Level: schema.LevelStrict, Action: schema.ActionError}
}

// TestRejectedWriteIsTyped: a write the collection's validator refuses is
// a *odm.DocumentRejectedError naming the collection and the _id, with
// the server's error reachable; for a validator with required and enum,
// and for one with a minimum only.
func TestRejectedWriteIsTyped(t *testing.T) {
	for _, tt := range []struct {
		name   string
		model  any
		coll   string
		insert func(ctx context.Context, db *mongo.Database) error
	}{
		{"required and enum", strictTicket{}, "strict_tickets", func(ctx context.Context, db *mongo.Database) error {
			_, err := odm.MustCollection[strictTicket](db).InsertOne(ctx, &strictTicket{ID: "t1", Status: "lost"})
			return err
		}},
		{"minimum", boundedStock{}, "bounded_stock", func(ctx context.Context, db *mongo.Database) error {
			_, err := odm.MustCollection[boundedStock](db).InsertOne(ctx, &boundedStock{ID: "t1", Qty: -1})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := testrig.Database(t, nil)
			ctx := context.Background()
			report, err := odm.Init(ctx, db, tt.model, odm.SkipUnsupported())
			require.NoError(t, err)
			err = tt.insert(ctx, db)
			cr, _ := report.Collection(tt.coll)
			if err == nil && len(cr.Options) > 0 && len(cr.Options[0].Options) > 0 {
				t.Skipf("%s refuses validators (%s), so nothing rejects the write", testrig.Server(), cr.Options[0].Reason)
			}
			var ce mongo.CommandError
			if errors.As(err, &ce) && ce.Code == codeFailedToParse && strings.Contains(ce.Message, "$jsonSchema keyword") {
				// The validator is stored (the plan has nothing pending),
				// and the server cannot evaluate one of its keywords: it
				// refuses every write, this one included, rather than
				// reject it by the schema.
				plan, perr := odm.Plan(ctx, db, tt.model)
				require.NoError(t, perr)
				require.Zero(t, plan.Pending(), "the server holds the validator:\n%s", plan)
				t.Skipf("%s stores the validator but cannot evaluate it (%s), so it refuses every write rather than this one", testrig.Server(), ce.Message)
			}
			var rejected *odm.DocumentRejectedError
			require.ErrorAs(t, err, &rejected)
			assert.Equal(t, tt.coll, rejected.Collection)
			assert.Contains(t, err.Error(), `"t1"`)
			var we mongo.WriteException
			assert.True(t, errors.As(err, &we), "the server's error stays reachable")
		})
	}
}

// codeFailedToParse: a server that cannot read a command's argument.
const codeFailedToParse = 9
