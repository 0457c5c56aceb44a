package engine

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// planSteps runs the pure planner over a listing given as extended JSON
// and names the steps it plans.
func planSteps(t *testing.T, specs []schema.IndexSpec, listed []string, cfg Config) []string {
	t.Helper()
	p := planner{decl: &schema.Declared{Collection: "c", Specs: specs}, cfg: cfg}
	var l listing
	for _, s := range listed {
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
		l.indexes = append(l.indexes, raw)
	}
	plain, err := diff.Diff(specs, l.indexes)
	require.NoError(t, err)
	l.collection = &CollectionInfo{Exists: true}
	r, err := roundFor(p, l, plain, nil)
	require.NoError(t, err)
	refused := &refusals{skipped: map[string]*outcome.IndexResult{}}
	require.NoError(t, p.gate(r, refused))
	var got []string
	for _, s := range p.steps(r, refused) {
		got = append(got, fmt.Sprintf("%s %v", stepKind(s), s.names()))
	}
	return got
}

// TestPlannerRebuildOrderAndHiding: a rebuild whose keys differ goes
// behind a temporary index and resumes from whatever an interruption left;
// undeclared indexes are hidden, dropped or kept by the options.
func TestPlannerRebuildOrderAndHiding(t *testing.T) {
	a := schema.Index(schema.Asc("a"))
	sparseA := schema.Index(schema.Asc("a"))
	sparseA.Sparse = true
	text := schema.Index(schema.Text("s")).Named("a_1")
	const (
		oldA     = `{"key": {"a": -1}, "name": "a_1"}`
		plainA   = `{"key": {"a": 1}, "name": "a_1"}`
		tmpA     = `{"key": {"a": 1, "_id": 1}, "name": "a_1.odm-rebuild"}`
		z        = `{"key": {"z": 1}, "name": "z_1"}`
		hiddenZ  = `{"key": {"z": 1}, "name": "z_1", "hidden": true}`
		hiddenY  = `{"key": {"y": 1}, "name": "y_1", "hidden": true}`
		strayTmp = `{"key": {"q": 1, "_id": 1}, "name": "q_1.odm-rebuild"}`
	)
	for _, tt := range []struct {
		name   string
		specs  []schema.IndexSpec
		listed []string
		policy outcome.ConflictPolicy
		drop   bool
		hide   bool
		want   []string
	}{
		{name: "keys differ: ordered rebuild", specs: []schema.IndexSpec{a}, listed: []string{oldA}, policy: outcome.ConflictRebuild,
			want: []string{"ordered rebuild [a_1]"}},
		{name: "stopped after the temporary index: resume at the drop", specs: []schema.IndexSpec{a}, listed: []string{oldA, tmpA},
			policy: outcome.ConflictRebuild, want: []string{"ordered rebuild, temporary listed [a_1]"}},
		{name: "stopped after the drop: create, then drop the temporary index", specs: []schema.IndexSpec{a}, listed: []string{tmpA},
			policy: outcome.ConflictRebuild, want: []string{"createIndexes [a_1]", "drop [a_1.odm-rebuild]"}},
		{name: "stopped before the last drop: drop the temporary index", specs: []schema.IndexSpec{a}, listed: []string{plainA, tmpA},
			policy: outcome.ConflictRebuild, want: []string{"drop [a_1.odm-rebuild]"}},
		{name: "leftover under the default policy is still dropped", specs: []schema.IndexSpec{a}, listed: []string{plainA, tmpA},
			want: []string{"drop [a_1.odm-rebuild]"}},
		{name: "leftover while a conflict is kept is dropped", specs: []schema.IndexSpec{a}, listed: []string{oldA, tmpA},
			policy: outcome.ConflictKeep, want: []string{"drop [a_1.odm-rebuild]"}},
		{name: "same keys, other options: drop then create", specs: []schema.IndexSpec{sparseA}, listed: []string{plainA},
			policy: outcome.ConflictRebuild, want: []string{"rebuild [a_1]"}},
		{name: "special keys: drop then create", specs: []schema.IndexSpec{text}, listed: []string{plainA},
			policy: outcome.ConflictRebuild, want: []string{"rebuild [a_1]"}},
		{name: "the suffix without a declared base is not ours", specs: []schema.IndexSpec{a}, listed: []string{plainA, strayTmp}},
		{name: "HideUndeclared hides", specs: []schema.IndexSpec{a}, listed: []string{plainA, z}, hide: true,
			want: []string{"hide [z_1]"}},
		{name: "HideUndeclared leaves a hidden index", specs: []schema.IndexSpec{a}, listed: []string{plainA, hiddenZ}, hide: true},
		{name: "both: hide the visible, drop the hidden", specs: []schema.IndexSpec{a}, listed: []string{plainA, z, hiddenY},
			hide: true, drop: true, want: []string{"hide [z_1]", "drop [y_1]"}},
		{name: "DropUndeclared alone drops a hidden index", specs: []schema.IndexSpec{a}, listed: []string{plainA, hiddenZ},
			drop: true, want: []string{"drop [z_1]"}},
		{name: "DropUndeclared alone drops a visible index", specs: []schema.IndexSpec{a}, listed: []string{plainA, z},
			drop: true, want: []string{"drop [z_1]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			if tt.policy != "" {
				cfg.OnConflict = tt.policy
			}
			cfg.dropUndeclared, cfg.hideUndeclared = tt.drop, tt.hide
			assert.Equal(t, tt.want, planSteps(t, tt.specs, tt.listed, cfg))
		})
	}
}

// TestPlanStepsOfUndeclaredAndRebuilt: the planner decides each change's
// step, which the plan prints: hide, drop a leftover temporary index,
// rebuild in order.
func TestPlanStepsOfUndeclaredAndRebuilt(t *testing.T) {
	a := schema.Index(schema.Asc("a"))
	sparseA := schema.Index(schema.Asc("a"))
	sparseA.Sparse = true
	for _, tt := range []struct {
		name   string
		specs  []schema.IndexSpec
		listed []string
		opts   []Option
		want   map[string]diff.Step
	}{
		{name: "hide the visible, keep the hidden", specs: []schema.IndexSpec{a}, opts: []Option{HideUndeclared()},
			listed: []string{`{"key": {"z": 1}, "name": "z_1"}`, `{"key": {"y": 1}, "name": "y_1", "hidden": true}`},
			want:   map[string]diff.Step{"a_1": diff.StepCreate, "z_1": diff.StepHide, "y_1": diff.StepKeep}},
		{name: "both: hide the visible, drop the hidden", specs: []schema.IndexSpec{a}, opts: []Option{HideUndeclared(), DropUndeclared()},
			listed: []string{`{"key": {"z": 1}, "name": "z_1"}`, `{"key": {"y": 1}, "name": "y_1", "hidden": true}`},
			want:   map[string]diff.Step{"a_1": diff.StepCreate, "z_1": diff.StepHide, "y_1": diff.StepDrop}},
		{name: "a leftover temporary index is dropped", specs: []schema.IndexSpec{a},
			listed: []string{`{"key": {"a": 1}, "name": "a_1"}`, `{"key": {"a": 1, "_id": 1}, "name": "a_1.odm-rebuild"}`},
			want:   map[string]diff.Step{"a_1": diff.StepNone, "a_1.odm-rebuild": diff.StepDrop}},
		{name: "the suffix without its declared index is kept", specs: []schema.IndexSpec{a},
			listed: []string{`{"key": {"a": 1}, "name": "a_1"}`, `{"key": {"q": 1, "_id": 1}, "name": "q_1.odm-rebuild"}`},
			want:   map[string]diff.Step{"a_1": diff.StepNone, "q_1.odm-rebuild": diff.StepKeep}},
		{name: "other keys: in order", specs: []schema.IndexSpec{a}, opts: []Option{OnConflict(outcome.ConflictRebuild)},
			listed: []string{`{"key": {"a": -1}, "name": "a_1"}`}, want: map[string]diff.Step{"a_1": diff.StepRebuildOrdered}},
		{name: "same keys: drop and create", specs: []schema.IndexSpec{sparseA}, opts: []Option{OnConflict(outcome.ConflictRebuild)},
			listed: []string{`{"key": {"a": 1}, "name": "a_1"}`}, want: map[string]diff.Step{"a_1": diff.StepRebuild}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var listed []bson.Raw
			for _, s := range tt.listed {
				var raw bson.Raw
				require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
				listed = append(listed, raw)
			}
			plain, err := diff.Diff(tt.specs, listed)
			require.NoError(t, err)
			cfg := Defaults()
			for _, o := range tt.opts {
				o(&cfg)
			}
			p := planner{decl: &schema.Declared{Collection: "c", Specs: tt.specs}, cfg: cfg}
			r, err := roundFor(p, listing{indexes: listed, collection: &CollectionInfo{Exists: true}}, plain, nil)
			require.NoError(t, err)
			plan := outcome.IndexPlan{Collections: []outcome.CollectionPlan{{Collection: "c", Changes: r.indexes}}}
			got := map[string]diff.Step{}
			for _, c := range r.indexes {
				got[c.Name] = plan.Step(c)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
