package odm_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// agreeDoc declares whatever indexes the running case generated.
type agreeDoc struct {
	A, B, C, D, E, F int
}

var agreeSpecs []schema.IndexSpec

func (agreeDoc) CollectionName() string      { return "agree" }
func (agreeDoc) Indexes() []schema.IndexSpec { return agreeSpecs }

// TestPlanAgreesWithInit: on generated states (declared indexes, listed
// indexes that match, differ in keys, uniqueness or name, undeclared and
// leftover temporary indexes) under generated policies, the commands Init
// sends are exactly those the steps of Plan's output call for: every
// planned step sends a command naming its index, and no command names an
// index whose step calls for none. A plan blocked by a conflict sends
// nothing and fails with a *ConflictError.
//
// SkipUnsupported is always given, so that a step the server refuses (a
// collMod on a server without it) does not end the round before the
// steps after it are sent: the test is about what is sent.
func TestPlanAgreesWithInit(t *testing.T) {
	seeds := 50
	if testing.Short() {
		seeds = 10
	}
	client, rec := testrig.MonitoredClient(t)
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ctx := context.Background()
			db := testrig.Database(t, client)
			r := rand.New(rand.NewPCG(uint64(seed), 2026))
			agreeSpecs = generateDeclared(r)
			odm.ForgetDescriptions()
			createListed(t, ctx, db, r, agreeSpecs)
			opts := generatePolicy(r)

			plan, err := odm.Plan(ctx, db, agreeDoc{}, opts)
			require.NoError(t, err)
			require.Len(t, plan.Collections, 1)
			rec.Reset()
			_, initErr := odm.Init(ctx, db, agreeDoc{}, opts)
			want := plannedCommands(plan.Collections[0].Changes, plan)
			if slices.ContainsFunc(plan.Collections[0].Changes, func(c diff.IndexChange) bool { return plan.Step(c) == diff.StepFail }) {
				var ce *outcome.ConflictError
				require.ErrorAs(t, initErr, &ce, "plan:\n%s", plan)
				want = nil
			} else {
				require.NoError(t, initErr, "plan:\n%s", plan)
			}
			assert.Equal(t, want, sentCommands(t, rec, db.Name(), "agree"), "plan:\n%s", plan)
		})
	}
}

var agreeFields = []string{"a", "b", "c", "d"}

// generateDeclared declares one to three indexes, each led by its own
// field so that no two share their keys.
func generateDeclared(r *rand.Rand) []schema.IndexSpec {
	var specs []schema.IndexSpec
	for i := range 1 + r.IntN(3) {
		keys := []schema.IndexKey{agreeKey(r, agreeFields[i])}
		if r.IntN(2) == 0 {
			keys = append(keys, agreeKey(r, agreeFields[3-i]))
		}
		s := schema.Index(keys...)
		s.Unique = r.IntN(3) == 0
		if r.IntN(3) == 0 {
			s.Name = fmt.Sprintf("idx_%d", i)
		}
		specs = append(specs, s)
	}
	return specs
}

func agreeKey(r *rand.Rand, field string) schema.IndexKey {
	if r.IntN(2) == 0 {
		return schema.Desc(field)
	}
	return schema.Asc(field)
}

// createListed creates, with the bare driver, what the collection lists
// before Init: for each declared index nothing, the same index, one with
// the first key's direction flipped or the uniqueness flipped under the
// declared name, or the same keys under another name; then undeclared
// indexes and a leftover temporary index of a rebuild.
func createListed(t *testing.T, ctx context.Context, db *mongo.Database, r *rand.Rand, specs []schema.IndexSpec) {
	t.Helper()
	require.NoError(t, db.CreateCollection(ctx, "agree"))
	var listed []bson.D
	for i, s := range specs {
		doc := s.Document()
		switch r.IntN(5) {
		case 0:
			continue
		case 2:
			flipped := s
			flipped.Keys = slices.Clone(s.Keys)
			flipped.Keys[0].Type = map[schema.KeyType]schema.KeyType{schema.KeyAscending: schema.KeyDescending, schema.KeyDescending: schema.KeyAscending}[s.Keys[0].Type]
			flipped.Name = s.IndexName()
			doc = flipped.Document()
		case 3:
			other := s
			other.Unique = !s.Unique
			other.Name = s.IndexName()
			doc = other.Document()
		case 4:
			renamed := s
			renamed.Name = fmt.Sprintf("other_%d", i)
			doc = renamed.Document()
		}
		listed = append(listed, doc)
	}
	for _, f := range []string{"e", "f"}[:r.IntN(3)] {
		listed = append(listed, schema.Index(schema.Asc(f)).Document())
	}
	if r.IntN(4) == 0 {
		base := specs[r.IntN(len(specs))]
		tmp := base
		tmp.Name = base.IndexName() + ".odm-rebuild"
		tmp.Keys = append(slices.Clone(base.Keys), schema.Asc("_id"))
		tmp.Unique = false
		listed = append(listed, tmp.Document())
	}
	for _, doc := range listed {
		err := db.RunCommand(ctx, bson.D{{Key: "createIndexes", Value: "agree"}, {Key: "indexes", Value: bson.A{doc}}}).Err()
		require.NoError(t, err, "creating %v", doc)
	}
}

// generatePolicy picks the conflict policy (rebuild, which has the most
// steps to agree on, twice as often) and what happens to undeclared
// indexes.
func generatePolicy(r *rand.Rand) []odm.Option {
	opts := []odm.Option{odm.SkipUnsupported(),
		odm.OnConflict([]outcome.ConflictPolicy{outcome.ConflictFail, outcome.ConflictKeep, outcome.ConflictRebuild, outcome.ConflictRebuild}[r.IntN(4)])}
	if r.IntN(2) == 0 {
		opts = append(opts, odm.DropUndeclared())
	}
	if r.IntN(3) == 0 {
		opts = append(opts, odm.HideUndeclared())
	}
	return opts
}

// plannedCommands are the commands, as "command index" and sorted, that
// the plan's steps call for.
func plannedCommands(changes []diff.IndexChange, plan *outcome.IndexPlan) []string {
	listed := func(name string) bool {
		return slices.ContainsFunc(changes, func(c diff.IndexChange) bool { return c.Name == name && c.Action == diff.Drop })
	}
	var out []string
	for _, c := range changes {
		switch plan.Step(c) {
		case diff.StepCreate:
			out = append(out, "createIndexes "+c.Name)
		case diff.StepCollMod, diff.StepHide:
			out = append(out, "collMod "+c.Name)
		case diff.StepDrop:
			out = append(out, "dropIndexes "+c.Name)
		case diff.StepRebuild:
			out = append(out, "dropIndexes "+cmp.Or(c.ListedName, c.Name), "createIndexes "+c.Name)
		case diff.StepRebuildOrdered:
			tmp := c.Name + ".odm-rebuild"
			if !listed(tmp) {
				out = append(out, "createIndexes "+tmp)
			}
			out = append(out, "dropIndexes "+c.Name, "createIndexes "+c.Name, "dropIndexes "+tmp)
		}
	}
	return sortedSet(out)
}

// sentCommands are the index commands the recorder saw sent to the
// collection, as "command index" and sorted.
func sentCommands(t *testing.T, rec *testrig.Recorder, dbName, coll string) []string {
	t.Helper()
	var out []string
	for _, c := range rec.Commands("createIndexes", "dropIndexes", "collMod") {
		if c.Database != dbName || c.Body.Lookup(c.Name).StringValue() != coll {
			continue
		}
		switch c.Name {
		case "createIndexes":
			values, err := c.Body.Lookup("indexes").Array().Values()
			require.NoError(t, err)
			for _, v := range values {
				out = append(out, "createIndexes "+v.Document().Lookup("name").StringValue())
			}
		case "dropIndexes":
			out = append(out, "dropIndexes "+c.Body.Lookup("index").StringValue())
		case "collMod":
			out = append(out, "collMod "+c.Body.Lookup("index", "name").StringValue())
		}
	}
	return sortedSet(out)
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
