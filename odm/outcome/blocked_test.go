package outcome

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
)

// blockedPlan is one collection holding one change of each kind, each
// with the step the planner decides under the policy.
func blockedPlan(policy ConflictPolicy) *IndexPlan {
	keyDiff := []diff.Difference{{Field: "key", Declared: "{a: 1}", Listed: "{a: -1}"}}
	optionStep := diff.StepFail
	if policy == ConflictKeep {
		optionStep = diff.StepKeep
	}
	return &IndexPlan{OnConflict: policy, Collections: []CollectionPlan{
		{
			Collection: "events",
			Changes: []diff.IndexChange{
				{Name: "a_1", Action: diff.Conflict, Differences: keyDiff, Step: conflictStep(policy)},
				{Name: "b_1", Action: diff.Create, Step: diff.StepCreate},
				{Name: "c_1", Action: diff.ModifyInPlace, Differences: []diff.Difference{{Field: "hidden", Declared: "true"}}, Step: diff.StepCollMod},
				{Name: "old_1", Action: diff.Drop, Step: diff.StepKeep},
			},
			Options: []diff.OptionChange{{Option: "capped", Action: diff.Conflict, Declared: "true", Step: optionStep}},
			Search:  []diff.SearchIndexChange{{Name: "search", Action: diff.Conflict, Step: conflictStep(policy)}},
		},
		{Collection: "users", Changes: []diff.IndexChange{{Name: "email_1", Action: diff.Create, Step: diff.StepCreate}}},
	}}
}

// conflictStep is the step the planner gives a conflict under the policy.
func conflictStep(policy ConflictPolicy) diff.Step {
	switch policy {
	case ConflictRebuild:
		return diff.StepRebuild
	case ConflictKeep:
		return diff.StepKeep
	}
	return diff.StepFail
}

func TestBlockedFollowsTheConflictPolicy(t *testing.T) {
	got := blockedPlan(ConflictFail).Blocked()
	require.Len(t, got, 3, "%v", got)
	assert.Equal(t, Blocker{"events", "(collection)", "collection option cannot change in place: capped: declared true, listed absent"}, got[0])
	assert.Equal(t, Blocker{"events", "a_1", "conflicts with its declaration: key: declared {a: 1}, listed {a: -1}"}, got[1])
	assert.Equal(t, "events", got[2].Collection)
	assert.Equal(t, "search", got[2].Index)
	assert.Contains(t, got[2].Reason, "search index conflicts")
	assert.Equal(t, "collection events, index a_1: conflicts with its declaration: key: declared {a: 1}, listed {a: -1}", got[1].String())

	// Under rebuild the index conflicts are rebuilt; a collection option
	// still cannot change.
	got = blockedPlan(ConflictRebuild).Blocked()
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, "(collection)", got[0].Index)

	assert.Empty(t, blockedPlan(ConflictKeep).Blocked(), "keep keeps every conflict")
	assert.Positive(t, blockedPlan(ConflictKeep).Pending(), "creates and collMods stay pending")
}

func TestBlockedNamesAnIndexListedUnderAnotherName(t *testing.T) {
	p := &IndexPlan{OnConflict: ConflictFail, Collections: []CollectionPlan{{Collection: "c", Changes: []diff.IndexChange{
		{Name: "by_a", ListedName: "a_1", Action: diff.Conflict, Differences: []diff.Difference{{Field: "name", Declared: "by_a", Listed: "a_1"}}, Step: diff.StepFail},
	}}}}
	got := p.Blocked()
	require.Len(t, got, 1)
	assert.Equal(t, "by_a", got[0].Index)
	assert.Contains(t, got[0].Reason, "listed as a_1")
}

func TestBlockedByTheShardKey(t *testing.T) {
	for _, tt := range []struct {
		name   string
		plan   shard.Plan
		skip   bool
		reason string // "" when not blocked
	}{
		{"mismatch", shard.Plan{Key: "{a: 1}", Listed: "{b: 1}", Action: shard.Mismatch, Step: shard.StepFail, Detail: "Init never reshards"},
			false, "shard key mismatch: declared {a: 1}, listed {b: 1}; Init never reshards"},
		{"held", shard.Plan{Key: "{a: 1}", Action: shard.ShardIt, Step: shard.StepHeld, Detail: "the collection holds documents"},
			false, "shard key change held back; the collection holds documents"},
		{"unsupported", shard.Plan{Key: "{a: 1}", Action: shard.Unsupported, Step: shard.StepShard, Detail: "FerretDB does not route shardCollection"},
			false, "the server cannot shard; FerretDB does not route shardCollection"},
		{"unsupported, skipped", shard.Plan{Key: "{a: 1}", Action: shard.Unsupported, Step: shard.StepShard}, true, ""},
		{"reported only", shard.Plan{Key: "{a: 1}", Action: shard.Unsupported, Step: shard.StepReport}, false, ""},
		{"to shard", shard.Plan{Key: "{a: 1}", Action: shard.ShardIt, Step: shard.StepShard}, false, ""},
		{"unchanged", shard.Plan{Key: "{a: 1}", Action: shard.Unchanged, Step: shard.StepNone}, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sp := tt.plan
			p := &IndexPlan{OnConflict: ConflictFail, SkipUnsupported: tt.skip, Collections: []CollectionPlan{{Collection: "c", Shard: &sp}}}
			got := p.Blocked()
			if tt.reason == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, []Blocker{{"c", "(shard key)", tt.reason}}, got)
		})
	}
}

func TestBlockedOfNilAndCleanPlans(t *testing.T) {
	var p *IndexPlan
	assert.Nil(t, p.Blocked())
	assert.Nil(t, (&IndexPlan{Collections: []CollectionPlan{{Collection: "c"}}}).Blocked())
}

func TestBlockingReadsTheErrorsApplyingFailsOnAgain(t *testing.T) {
	invalid := &schema.ValidationError{Problems: []schema.Problem{
		{GoType: "models.A", Field: "X", Tag: "index,uniq", Collection: "a", Message: `unknown option "uniq"`},
		{GoType: "models.B", Field: "Y", Message: "no bson name"},
	}}
	got, ok := Blocking(invalid)
	require.True(t, ok)
	require.Len(t, got, 2)
	assert.Equal(t, "a", got[0].Collection)
	assert.Contains(t, got[0].Reason, `invalid declaration: models.A.X`)
	assert.Contains(t, got[0].Reason, `unknown option "uniq"`)

	unsupported := &UnsupportedError{Collection: "articles", Index: "vector_index", Options: []string{"search indexes"}, Err: errors.New("no search")}
	conflict := &ConflictError{Collection: "users", Changes: []diff.IndexChange{{Name: "email_1", Action: diff.Conflict}}}
	mismatch := &shard.MismatchError{Namespace: "app.orders.2024", Declared: nil}
	got, ok = Blocking(errors.Join(unsupported, fmt.Errorf("odm: wrapped: %w", conflict), mismatch))
	require.True(t, ok)
	require.Len(t, got, 3)
	assert.Equal(t, Blocker{"articles", "vector_index", unsupported.Error()}, got[0])
	assert.Equal(t, "users", got[1].Collection)
	assert.Equal(t, Blocker{"orders.2024", "(shard key)", oneLine(mismatch.Error())}, got[2], "the namespace's database is cut off")

	// Any error that is not about the declarations or the state leaves
	// the state unknown: nothing is blocked, the caller reports an error.
	for _, err := range []error{
		nil,
		errors.New("connection refused"),
		errors.Join(unsupported, &IndexError{Collection: "x", Op: "listIndexes", Err: errors.New("unauthorized")}),
		fmt.Errorf("odm: collection x: %w (after: %v)", errors.New("context deadline exceeded"), conflict),
		&schema.ValidationError{},
	} {
		got, ok := Blocking(err)
		assert.False(t, ok, "%v", err)
		assert.Nil(t, got, "%v", err)
	}
}
