package odm_test

import (
	"context"
	"errors"
	"sort"
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

type steadyA struct {
	Key  string `bson:"key" odm:"uniqueIndex"`
	Kind string `bson:"kind" odm:"index:idx_kind_at,priority:1"`
	At   int64  `bson:"at" odm:"index:idx_kind_at,priority:2,sort:desc"`
}

func (steadyA) CollectionName() string { return "steady_a" }

type steadyB struct {
	Owner string `bson:"owner" odm:"index"`
	Ref   string `bson:"ref" odm:"index,sort:desc"`
}

func (steadyB) CollectionName() string { return "steady_b" }

type steadyC struct {
	Code string `bson:"code" odm:"uniqueIndex:code_u"`
}

func (steadyC) CollectionName() string { return "steady_c" }

// TestSteadyStateSendsOnlyListIndexes: when no listed index has a
// collation, a second Init sends one listIndexes per collection and
// nothing else: the collection's default collation is never asked for.
func TestSteadyStateSendsOnlyListIndexes(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	models := []any{steadyA{}, steadyB{}, steadyC{}}
	_, err := odm.Init(ctx, db, models...)
	require.NoError(t, err)

	rec.Reset()
	report, err := odm.Init(ctx, db, models...)
	require.NoError(t, err)
	assert.Equal(t, 5, report.Count(outcome.Existed))
	var names, colls []string
	for _, cmd := range rec.Commands() {
		names = append(names, cmd.Name)
		if cmd.Name == "listIndexes" {
			colls = append(colls, cmd.Body.Lookup("listIndexes").StringValue())
		}
	}
	assert.Equal(t, []string{"listIndexes", "listIndexes", "listIndexes"}, names, "every command sent")
	sort.Strings(colls)
	assert.Equal(t, []string{"steady_a", "steady_b", "steady_c"}, colls, "one listIndexes per collection")
}

// TestSteadyStateWithUndeclaredIndex: an index no model declares, kept
// under the default policy, calls for nothing beyond listIndexes either.
func TestSteadyStateWithUndeclaredIndex(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := odm.Init(ctx, db, steadyB{})
	require.NoError(t, err)
	createIndex(t, db, "steady_b", bson.D{{Key: "extra", Value: 1}}, nil)

	rec.Reset()
	report, err := odm.Init(ctx, db, steadyB{})
	require.NoError(t, err)
	cr, _ := report.Collection("steady_b")
	assert.Equal(t, []string{"extra_1"}, cr.Names(outcome.Kept))
	var names []string
	for _, cmd := range rec.Commands() {
		names = append(names, cmd.Name)
	}
	assert.Equal(t, []string{"listIndexes"}, names, "every command sent")
}

type collatedPlain struct {
	Name string `bson:"name" odm:"index"`
}

func (collatedPlain) CollectionName() string { return "collated" }

// TestInheritedCollationIsUnchanged: on a collection with a default
// collation, an index declared without one is created with the
// collection's and listed so. Init then asks for the collection's
// collation (one listCollections) and changes nothing.
func TestInheritedCollationIsUnchanged(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	err := testrig.Client().Database(db.Name()).CreateCollection(ctx, "collated",
		options.CreateCollection().SetCollation(&options.Collation{Locale: "fr", Strength: 2}))
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 238 { // NotImplemented
		t.Skipf("%s cannot create a collection with a default collation (%v); the Diff tests cover the comparison", testrig.Server(), err)
	}
	require.NoError(t, err)
	createIndex(t, db, "collated", bson.D{{Key: "name", Value: 1}}, nil)
	listed := testrig.ListIndexes(t, db.Name(), "collated")["name_1"]
	if _, ok := listed.Options["collation"]; !ok {
		t.Skipf("%s does not give an index the collection's default collation (listed %s); "+
			"the Diff tests cover the comparison", testrig.Server(), listed)
	}
	rec.Reset()
	report, err := odm.Init(ctx, db, collatedPlain{})
	require.NoError(t, err)
	cr, _ := report.Collection("collated")
	assert.Equal(t, []string{"name_1"}, cr.Names(outcome.Existed))
	var names []string
	for _, cmd := range rec.Commands() {
		names = append(names, cmd.Name)
	}
	assert.Equal(t, []string{"listIndexes", "listCollections"}, names)
}
