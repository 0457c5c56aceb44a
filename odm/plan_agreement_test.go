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

// agreeOptsDoc declares the validator the running case generated.
type agreeOptsDoc struct {
	Name string `bson:"name"`
	Age  int    `bson:"age"`
}

var agreeValidator schema.Validator

func (agreeOptsDoc) CollectionName() string      { return "agree_opts" }
func (agreeOptsDoc) Validator() schema.Validator { return agreeValidator }

// agreeViewDoc declares a view of agree, which the running case leaves
// missing or makes a plain collection (a conflict).
type agreeViewDoc struct {
	A int
}

func (agreeViewDoc) CollectionName() string { return "agree_view" }
func (agreeViewDoc) View() schema.View {
	return schema.View{Source: "agree", Pipeline: []bson.D{{{Key: "$match", Value: bson.D{{Key: "a", Value: 1}}}}}}
}

// TestPlanAgreesWithInit: on generated states (declared indexes, listed
// indexes that match, differ in keys, uniqueness or name, undeclared and
// leftover temporary indexes; a validated collection missing, plain, or
// validated otherwise; a view missing or a plain collection in its
// place) under generated policies, the commands Init sends
// are exactly those the steps of Plan's output call for: every planned
// step sends a command naming its index or collection, and no command
// names one whose step calls for none. A collection whose plan is blocked
// by a conflict gets no command, and Init fails with a *ConflictError.
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
	dropsValidator := dropsValidatorAtCreate(t, client)
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ctx := context.Background()
			db := testrig.Database(t, client)
			r := rand.New(rand.NewPCG(uint64(seed), 2026))
			agreeSpecs = generateDeclared(r)
			odm.ForgetDescriptions()
			createListed(t, ctx, db, r, agreeSpecs)
			prepareValidated(t, ctx, db, r)
			opts := generatePolicy(r)
			if r.IntN(2) == 0 {
				require.NoError(t, db.CreateCollection(ctx, "agree_view"))
			}

			plan, err := odm.Plan(ctx, db, agreeDoc{}, agreeOptsDoc{}, agreeViewDoc{}, opts)
			require.NoError(t, err)
			require.Len(t, plan.Collections, 3)
			rec.Reset()
			_, initErr := odm.Init(ctx, db, agreeDoc{}, agreeOptsDoc{}, agreeViewDoc{}, opts)
			if len(plan.Blocked()) > 0 {
				var ce *outcome.ConflictError
				require.ErrorAs(t, initErr, &ce, "plan:\n%s", plan)
			} else {
				require.NoError(t, initErr, "plan:\n%s", plan)
			}
			for _, c := range plan.Collections {
				want := plannedCommands(c, plan, dropsValidator)
				if slices.ContainsFunc(plan.Blocked(), func(b outcome.Blocker) bool { return b.Collection == c.Collection }) {
					want = nil
				}
				assert.Equal(t, want, sentCommands(t, rec, db.Name(), c.Collection), "%s, plan:\n%s", c.Collection, plan)
			}
		})
	}
}

// dropsValidatorAtCreate measures whether the server accepts a create
// with a validator and lists the collection without it (FerretDB v2.5
// does). Init then sets the validator with collMod in its next round, a
// command the plan, made before the collection exists, cannot show.
func dropsValidatorAtCreate(t *testing.T, client *mongo.Client) bool {
	t.Helper()
	ctx := context.Background()
	db := testrig.Database(t, client)
	validator := bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}}
	if err := db.RunCommand(ctx, bson.D{{Key: "create", Value: "probe"}, {Key: "validator", Value: validator}}).Err(); err != nil {
		return false // refused: Init creates it without, and skips the validator
	}
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: "probe"}})
	require.NoError(t, err)
	require.Len(t, specs, 1)
	return specs[0].Options.Lookup("validator").Type == 0
}

// prepareValidated leaves the validated collection missing, plain, or
// validated at another level, and declares a validator.
func prepareValidated(t *testing.T, ctx context.Context, db *mongo.Database, r *rand.Rand) {
	t.Helper()
	levels := []string{schema.LevelModerate, schema.LevelStrict}
	actions := []string{schema.ActionWarn, schema.ActionError}
	switch r.IntN(3) {
	case 1:
		require.NoError(t, db.CreateCollection(ctx, "agree_opts"))
	case 2:
		agreeValidator = schema.Validator{Level: levels[r.IntN(2)], Action: actions[r.IntN(2)]}
		odm.ForgetDescriptions()
		_, err := odm.Init(ctx, db, agreeOptsDoc{}, odm.SkipUnsupported())
		require.NoError(t, err)
	}
	agreeValidator = schema.Validator{Level: levels[r.IntN(2)], Action: actions[r.IntN(2)]}
	odm.ForgetDescriptions()
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

// plannedCommands are the commands, as "command index" (or "command
// (collection)") and sorted, that a collection's planned steps call for;
// on a server that drops a validator given at creation, a collMod follows
// the creation of a validated collection.
func plannedCommands(c outcome.CollectionPlan, plan *outcome.IndexPlan, dropsValidator bool) []string {
	listed := func(name string) bool {
		return slices.ContainsFunc(c.Changes, func(c diff.IndexChange) bool { return c.Name == name && c.Action == diff.Drop })
	}
	var out []string
	for _, o := range c.Options {
		switch plan.OptionStep(o) {
		case diff.StepCreate:
			out = append(out, "create (collection)")
			if dropsValidator && c.Collection == "agree_opts" {
				out = append(out, "collMod (collection)")
			}
		case diff.StepCollMod:
			out = append(out, "collMod (collection)")
		}
	}
	for _, c := range c.Changes {
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

// sentCommands are the index and collection commands the recorder saw
// sent to the collection, as "command index" (or "command (collection)")
// and sorted.
func sentCommands(t *testing.T, rec *testrig.Recorder, dbName, coll string) []string {
	t.Helper()
	var out []string
	for _, c := range rec.Commands("create", "createIndexes", "dropIndexes", "collMod") {
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
			if index, ok := c.Body.Lookup("index", "name").StringValueOK(); ok {
				out = append(out, "collMod "+index)
			} else {
				out = append(out, "collMod (collection)")
			}
		case "create":
			out = append(out, "create (collection)")
		}
	}
	return sortedSet(out)
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
