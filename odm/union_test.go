package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// The test union: three kinds of event in one collection, told apart by
// event_type.

type EvBase struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	EventType string        `bson:"event_type" odm:"discriminator"`
	Aggregate string        `bson:"aggregate_id" odm:"index"`
	At        time.Time     `bson:"timestamp"`
}

func (EvBase) CollectionName() string { return "u_events" }

type testEvent interface{ Variant() string }

type evStarted struct {
	EvBase  `bson:",inline"`
	PodName string  `bson:"pod_name" odm:"index"`
	Node    *string `bson:"node_name"`
}

func (evStarted) Variant() string { return "started" }

type evCompleted struct {
	EvBase   `bson:",inline"`
	ExitCode int    `bson:"exit_code" odm:"index"`
	Stdout   string `bson:"stdout"`
	Node     string `bson:"node_name"` // nullable in evStarted: the same BSON type
}

func (evCompleted) Variant() string { return "completed" }

type evFailed struct {
	EvBase   `bson:",inline"`
	ExitCode int      `bson:"exit_code" odm:"index"`
	Errors   []string `bson:"errors"`
}

func (evFailed) Variant() string { return "failed" }

func testUnion() *odm.Union[testEvent] {
	return odm.NewUnion[testEvent](odm.Variant[evStarted](), odm.Variant[evCompleted](), odm.Variant[evFailed]())
}

// unionFixture is the union's repository on a fresh database, its
// indexes made by Init.
func unionFixture(t *testing.T) (*odm.UnionCollection[testEvent], *mongo.Database, context.Context) {
	t.Helper()
	db := testrig.Database(t, nil)
	ctx := context.Background()
	u := testUnion()
	require.NoError(t, u.Err())
	_, err := odm.Init(ctx, db, u)
	require.NoError(t, err)
	events, err := odm.NewUnionCollection(db, u)
	require.NoError(t, err)
	return events, db, ctx
}

func at(i int) time.Time { return time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC) }

func TestUnionRoundTrip(t *testing.T) {
	events, _, ctx := unionFixture(t)
	node := "n1"
	in := []testEvent{
		&evStarted{EvBase: EvBase{Aggregate: "a1", At: at(1)}, PodName: "p1", Node: &node},
		&evCompleted{EvBase: EvBase{Aggregate: "a1", At: at(2)}, ExitCode: 0, Stdout: "ok", Node: "n1"},
		&evFailed{EvBase: EvBase{Aggregate: "a2", At: at(3)}, ExitCode: 2, Errors: []string{"boom"}},
		evStarted{EvBase: EvBase{Aggregate: "a3", At: at(4)}, PodName: "p3"}, // a value: no id back
	}
	for _, e := range in {
		_, err := events.InsertOne(ctx, e)
		require.NoError(t, err)
	}
	got, err := events.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "timestamp", Value: 1}}))
	require.NoError(t, err)
	require.Len(t, got, 4)
	for i, g := range got[:3] {
		want := in[i]
		switch w := want.(type) {
		case *evStarted:
			w.EventType = "started"
		case *evCompleted:
			w.EventType = "completed"
		case *evFailed:
			w.EventType = "failed"
		}
		assert.Equal(t, deref(want), g, "document %d", i)
	}
	last, ok := got[3].(evStarted)
	require.True(t, ok, "%T", got[3])
	assert.Equal(t, "p3", last.PodName)
	assert.Equal(t, "started", last.EventType)
	assert.False(t, last.ID.IsZero())

	// A typed reference to one variant's field filters the union.
	failed, err := events.FindOne(ctx, query.Eq(query.F(func(e *evFailed) *int { return &e.ExitCode }), 2))
	require.NoError(t, err)
	require.IsType(t, evFailed{}, failed)
	assert.Equal(t, []string{"boom"}, failed.(evFailed).Errors)
	n, err := events.CountDocuments(ctx, bson.D{{Key: "aggregate_id", Value: "a1"}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	none, err := events.FindOne(ctx, bson.D{{Key: "pod_name", Value: "nope"}})
	require.NoError(t, err)
	assert.Nil(t, none)

	// The union is strict: a key no variant has is refused before any command.
	_, err = events.Find(ctx, bson.D{{Key: "pod_nam", Value: "p1"}})
	var pe *query.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "Union[odm_test.testEvent]", pe.GoType)
	assert.Equal(t, "pod_name", pe.Nearest)

	// ReplaceByID may change a document's variant; DeleteByID takes any.
	st := in[0].(*evStarted)
	done := &evCompleted{EvBase: st.EvBase, ExitCode: 1}
	_, err = events.ReplaceByID(ctx, done)
	require.NoError(t, err)
	again, err := events.FindOne(ctx, bson.D{{Key: "_id", Value: st.ID}})
	require.NoError(t, err)
	require.IsType(t, evCompleted{}, again)
	assert.Equal(t, "completed", again.(evCompleted).EventType)
	res, err := events.DeleteByID(ctx, st.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.DeletedCount)
}

func deref(e testEvent) any {
	switch e := e.(type) {
	case *evStarted:
		return *e
	case *evCompleted:
		return *e
	case *evFailed:
		return *e
	}
	return e
}

func TestUnionUnknownDocumentsKept(t *testing.T) {
	events, db, ctx := unionFixture(t)
	coll := db.Collection("u_events")
	docs := []bson.D{
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "event_type", Value: "mystery"}, {Key: "zeta", Value: int64(1)}, {Key: "nested", Value: bson.D{{Key: "b", Value: 2.5}, {Key: "a", Value: bson.A{"x", int32(3)}}}}},
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "no_type", Value: true}},
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "event_type", Value: int32(7)}},
	}
	var stored []bson.Raw
	for _, d := range docs {
		_, err := coll.InsertOne(ctx, d)
		require.NoError(t, err)
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: d[0].Value}}).Raw()
		require.NoError(t, err)
		stored = append(stored, raw)
	}
	for i, d := range docs {
		got, err := events.FindOne(ctx, bson.D{{Key: "_id", Value: d[0].Value}})
		require.NoError(t, err)
		u, ok := got.(odm.Unknown)
		require.True(t, ok, "document %d read as %T", i, got)
		assert.Equal(t, []byte(stored[i]), []byte(u.Raw), "document %d", i)
		if i == 0 {
			assert.Equal(t, "mystery", u.Variant())
		}
		_, err = events.ReplaceByID(ctx, u)
		require.NoError(t, err)
		after, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: d[0].Value}}).Raw()
		require.NoError(t, err)
		assert.Equal(t, []byte(stored[i]), []byte(after), "document %d after its replace", i)
	}
	// Written back through InsertOne, an Unknown is its bytes again.
	got, err := events.FindOne(ctx, bson.D{{Key: "_id", Value: docs[0][0].Value}})
	require.NoError(t, err)
	_, err = coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: docs[0][0].Value}})
	require.NoError(t, err)
	_, err = events.InsertOne(ctx, got)
	require.NoError(t, err)
	after, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: docs[0][0].Value}}).Raw()
	require.NoError(t, err)
	assert.Equal(t, []byte(stored[0]), []byte(after))
}

// richEvent is an interface odm.Unknown does not implement: the union
// needs a fallback.
type richEvent interface {
	Variant() string
	Base() EvBase
}

func (b EvBase) Base() EvBase { return b }

type unknownEvent struct{ odm.Unknown }

func (unknownEvent) Base() EvBase { return EvBase{} }

func TestUnionFallback(t *testing.T) {
	u := odm.NewUnion[richEvent](odm.Variant[evStarted](), odm.Variant[evFailed]())
	require.Error(t, u.Err())
	assert.Contains(t, u.Err().Error(), "odm.Unknown does not implement odm_test.richEvent")

	u = odm.NewUnion[richEvent](odm.Variant[evStarted](), odm.Variant[evFailed](), odm.Fallback[unknownEvent]())
	require.NoError(t, u.Err())
	db := testrig.Database(t, nil)
	ctx := context.Background()
	events, err := odm.NewUnionCollection(db, u)
	require.NoError(t, err)
	_, err = db.Collection("u_events").InsertOne(ctx, bson.D{{Key: "event_type", Value: "completed"}, {Key: "exit_code", Value: int32(0)}})
	require.NoError(t, err)
	got, err := events.Find(ctx, nil)
	require.NoError(t, err)
	require.Len(t, got, 1)
	fb, ok := got[0].(unknownEvent)
	require.True(t, ok, "%T", got[0])
	assert.Equal(t, "completed", fb.Variant())
	_, err = events.ReplaceByID(ctx, fb)
	require.NoError(t, err)

	bad := odm.NewUnion[richEvent](odm.Variant[evStarted](), odm.Fallback[evFailed]())
	require.Error(t, bad.Err())
	assert.Contains(t, bad.Err().Error(), "must embed odm.Unknown")
}

func TestVariantRepositoryIsolation(t *testing.T) {
	events, db, ctx := unionFixture(t)
	for i := range 6 {
		var e testEvent
		switch i % 3 {
		case 0:
			e = &evStarted{EvBase: EvBase{Aggregate: "a", At: at(i)}, PodName: fmt.Sprint("p", i)}
		case 1:
			e = &evCompleted{EvBase: EvBase{Aggregate: "a", At: at(i)}, ExitCode: i}
		default:
			e = &evFailed{EvBase: EvBase{Aggregate: "a", At: at(i)}, ExitCode: i}
		}
		_, err := events.InsertOne(ctx, e)
		require.NoError(t, err)
	}
	started, err := odm.NewCollection[evStarted](db)
	require.NoError(t, err)
	failed, err := odm.NewCollection[evFailed](db)
	require.NoError(t, err)

	all, err := started.Find(ctx, bson.D{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	for _, s := range all {
		assert.Equal(t, "started", s.EventType)
	}
	n, err := failed.CountDocuments(ctx, bson.D{{Key: "aggregate_id", Value: "a"}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	// evCompleted's documents share exit_code; failed's repository never sees them.
	f, err := failed.FindOne(ctx, bson.D{{Key: "exit_code", Value: 1}})
	require.NoError(t, err)
	assert.Nil(t, f)

	up, err := started.UpdateMany(ctx, bson.D{}, bson.D{{Key: "$set", Value: bson.D{{Key: "aggregate_id", Value: "b"}}}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, up.MatchedCount)
	n, err = events.CountDocuments(ctx, bson.D{{Key: "aggregate_id", Value: "b"}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n, "the update reached another variant's documents")

	// An insert stamps the discriminator, whatever the struct held.
	s := &evStarted{EvBase: EvBase{EventType: "failed", Aggregate: "c"}, PodName: "px"}
	_, err = started.InsertOne(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, "started", s.EventType)
	raw, err := db.Collection("u_events").FindOne(ctx, bson.D{{Key: "_id", Value: s.ID}}).Raw()
	require.NoError(t, err)
	assert.Equal(t, "started", raw.Lookup("event_type").StringValue())
	// A document of another variant is out of reach by id too.
	fs, err := failed.FindByID(ctx, s.ID)
	require.NoError(t, err)
	assert.Nil(t, fs)
	rep, err := failed.ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ID}}, &evFailed{EvBase: EvBase{ID: s.ID}, ExitCode: 9})
	require.NoError(t, err)
	assert.Zero(t, rep.MatchedCount, "a replace of another variant's document matches nothing")
	still, err := started.FindByID(ctx, s.ID)
	require.NoError(t, err)
	require.NotNil(t, still)
	assert.Equal(t, "px", still.PodName)

	// An upsert inserts its variant's value.
	_, err = started.UpdateOne(ctx, bson.D{{Key: "pod_name", Value: "new"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "aggregate_id", Value: "u"}}}}, options.UpdateOne().SetUpsert(true))
	require.NoError(t, err)
	got, err := events.FindOne(ctx, bson.D{{Key: "pod_name", Value: "new"}})
	require.NoError(t, err)
	require.IsType(t, evStarted{}, got)

	del, err := failed.DeleteMany(ctx, bson.D{})
	require.NoError(t, err)
	assert.EqualValues(t, 2, del.DeletedCount)
	n, err = events.CountDocuments(ctx, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6-2+2, n)

	cur, err := started.Aggregate(ctx, bson.A{bson.D{{Key: "$count", Value: "n"}}})
	require.NoError(t, err)
	var counted []struct {
		N int `bson:"n"`
	}
	require.NoError(t, cur.All(ctx, &counted))
	require.Len(t, counted, 1)
	assert.Equal(t, 4, counted[0].N)
}

func TestUnionInitMergesIndexes(t *testing.T) {
	_, db, _ := unionFixture(t)
	idx := testrig.ListIndexes(t, db.Name(), "u_events")
	for _, name := range []string{"_id_", "aggregate_id_1", "pod_name_1", "exit_code_1"} {
		assert.Contains(t, idx, name)
	}
	assert.Len(t, idx, 4)
	declared, err := odm.Declared(testUnion())
	require.NoError(t, err)
	assert.Len(t, declared["u_events"], 3)
}

// TestUnionQueriesAreRecorded: a union repository's queries reach the
// query recorder as a Collection's do, their coverage read against the
// indexes every variant declares.
func TestUnionQueriesAreRecorded(t *testing.T) {
	events, _, ctx := unionFixture(t)
	rec := query.RecordQueries()
	_, err := events.Find(ctx, bson.D{{Key: "pod_name", Value: "p"}})
	require.NoError(t, err)
	_, err = events.CountDocuments(ctx, bson.D{{Key: "exit_code", Value: 1}})
	require.NoError(t, err)
	_, err = events.FindOne(ctx, bson.D{{Key: "node_name", Value: "n"}})
	require.NoError(t, err)
	rec.Stop()
	var lines []string
	for _, q := range rec.Queries() {
		lines = append(lines, q.String())
	}
	name := events.Name()
	assert.Equal(t, []string{
		name + " find {pod_name: $eq}: pod_name_1 (1 key)",
		name + " count {exit_code: $eq}: exit_code_1 (1 key)",
		name + " find {node_name: $eq}: collection scan",
	}, lines)
}
