package odm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// collatedModel declares an index with a collation, which both FerretDB
// servers refuse (v1 lacks collations, v2 refuses them on indexes).
type collatedModel struct {
	Name string `bson:"name"`
}

func (collatedModel) CollectionName() string { return "remembered" }

func (collatedModel) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: &options.Collation{Locale: "fr", Strength: 2}}}
}

// commandLog is the command names a client sent, buildInfo included.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

func (l *commandLog) hook(name string, _ bson.Raw) {
	switch name {
	case "hello", "isMaster", "ismaster", "endSessions", "ping", "saslStart", "saslContinue":
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.names
	l.names = nil
	return out
}

// With SkipUnsupported, what the server refused is not sent again by the
// same process through the same client: the second Init sends one
// listIndexes and reports the index skipped with the reason the server
// first gave. Another client (as another process would) asks again.
func TestRefusalsRememberedWithinAProcess(t *testing.T) {
	ctx := context.Background()
	log := &commandLog{}
	client := testrig.HookedClient(t, log.hook)
	db := testrig.Database(t, client)

	first, err := odm.Init(ctx, db, collatedModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	cr, _ := first.Collection("remembered")
	if len(cr.Names(outcome.Skipped)) == 0 {
		t.Skipf("%s keeps index collations: it refuses nothing, so there is nothing to remember", testrig.Server())
	}
	require.Len(t, cr.Indexes, 1)
	reason := cr.Indexes[0].Reason
	require.NotEmpty(t, reason)
	assert.Contains(t, log.take(), "createIndexes")

	second, err := odm.Init(ctx, db, collatedModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Equal(t, []string{"listIndexes"}, log.take(), "the refused index is not sent again, nor buildInfo asked")
	cr, _ = second.Collection("remembered")
	require.Len(t, cr.Indexes, 1)
	assert.Equal(t, outcome.Skipped, cr.Indexes[0].Outcome)
	assert.Equal(t, reason, cr.Indexes[0].Reason)

	// Without SkipUnsupported the refusal is Init's error every time.
	_, err = odm.Init(ctx, db, collatedModel{})
	var ue *outcome.UnsupportedError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, log.take(), "createIndexes")

	// Another client is another server as far as the memory goes.
	other := &commandLog{}
	db2 := testrig.HookedClient(t, other.hook).Database(db.Name())
	_, err = odm.Init(ctx, db2, collatedModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Contains(t, other.take(), "createIndexes")
}

// A listing that changes between two Inits is compared afresh: an index
// dropped by hand after a steady-state Init is created again.
func TestChangedListingIsComparedAgain(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, testrig.Client())
	models := []any{steadyA{}, odm.SkipUnsupported()}
	_, err := odm.Init(ctx, db, models...)
	require.NoError(t, err)
	report, err := odm.Init(ctx, db, models...)
	require.NoError(t, err)
	assert.Equal(t, 2, report.Count(outcome.Existed)) // key_1 and idx_kind_at

	require.NoError(t, db.Collection("steady_a").Indexes().DropOne(ctx, "idx_kind_at"))
	report, err = odm.Init(ctx, db, models...)
	require.NoError(t, err)
	cr, _ := report.Collection("steady_a")
	assert.Equal(t, []string{"idx_kind_at"}, cr.Names(outcome.Created))
}

// The reference models reach the steady state on every server: the second
// Init through the same client sends one listIndexes per collection and
// nothing else, whatever the server refused the first time.
func TestReferenceModelsSteadyState(t *testing.T) {
	ctx := context.Background()
	log := &commandLog{}
	db := testrig.Database(t, testrig.HookedClient(t, log.hook))
	_, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	log.take()
	report, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	names := log.take()
	assert.Len(t, names, len(report.Collections))
	for _, n := range names {
		assert.Equal(t, "listIndexes", n)
	}
}

// mixedModel declares three indexes any server builds and two with a
// collation, which both FerretDB servers refuse.
type mixedModel struct {
	A string `bson:"a" odm:"index"`
	B string `bson:"b" odm:"index"`
	C string `bson:"c" odm:"index"`
	D string `bson:"d"`
	E string `bson:"e"`
}

func (mixedModel) CollectionName() string { return "mixed" }

func (mixedModel) Indexes() []schema.IndexSpec {
	fr := &options.Collation{Locale: "fr", Strength: 2}
	return []schema.IndexSpec{
		{Keys: []schema.IndexKey{schema.Asc("d")}, Collation: fr},
		{Keys: []schema.IndexKey{schema.Asc("e")}, Collation: fr},
	}
}

// A createIndexes refused for lack of a feature is followed by one
// createIndexes of the indexes that use no optional feature, then one per
// index that does: 4 commands for 5 indexes here, where one per index
// would be 6.
func TestRefusedBatchSendsPlainIndexesTogether(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var sizes []int // indexes per createIndexes, in order
	client := testrig.HookedClient(t, func(name string, cmd bson.Raw) {
		if name != "createIndexes" {
			return
		}
		values, err := cmd.Lookup("indexes").Array().Values()
		require.NoError(t, err)
		mu.Lock()
		sizes = append(sizes, len(values))
		mu.Unlock()
	})
	report, err := odm.Init(ctx, testrig.Database(t, client), mixedModel{}, odm.SkipUnsupported())
	require.NoError(t, err)
	cr, _ := report.Collection("mixed")
	if len(cr.Names(outcome.Skipped)) == 0 {
		assert.Equal(t, []int{5}, sizes)
		t.Skipf("%s keeps index collations: the batch is accepted whole, no refusal to follow", testrig.Server())
	}
	assert.Equal(t, []int{5, 3, 1, 1}, sizes)
	assert.ElementsMatch(t, []string{"a_1", "b_1", "c_1"}, cr.Names(outcome.Created))
	assert.ElementsMatch(t, []string{"d_1", "e_1"}, cr.Names(outcome.Skipped))
}
