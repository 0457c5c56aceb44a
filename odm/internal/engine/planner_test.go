package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestPlannerSteps: the planner is pure: declarations and a listing in,
// steps out, under the policies.
func TestPlannerSteps(t *testing.T) {
	a := schema.Index(schema.Asc("a"))
	b := schema.Index(schema.Asc("b"))
	ttl := schema.Index(schema.Asc("t"))
	ttl.ExpireAfter = schema.TTL(time.Hour)
	capped := &schema.CollectionShape{Options: &schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20}}}
	for _, tt := range []struct {
		name     string
		specs    []schema.IndexSpec
		shape    *schema.CollectionShape
		listed   []string
		coll     *CollectionInfo
		policy   outcome.ConflictPolicy
		drop     bool
		want     []string
		conflict bool
	}{
		{name: "nothing listed: one createIndexes", specs: []schema.IndexSpec{a, b}, want: []string{"createIndexes [a_1 b_1]"}},
		{name: "all listed: nothing", specs: []schema.IndexSpec{a}, listed: []string{`{"v": 2, "key": {"a": 1}, "name": "a_1"}`}},
		{name: "other keys under the name, default policy", specs: []schema.IndexSpec{a},
			listed: []string{`{"key": {"a": -1}, "name": "a_1"}`}, conflict: true},
		{name: "other keys under the name, ConflictRebuild", specs: []schema.IndexSpec{a}, policy: outcome.ConflictRebuild,
			listed: []string{`{"key": {"a": -1}, "name": "a_1"}`}, want: []string{"ordered rebuild [a_1]"}},
		{name: "other keys under the name, ConflictKeep", specs: []schema.IndexSpec{a}, policy: outcome.ConflictKeep,
			listed: []string{`{"key": {"a": -1}, "name": "a_1"}`}},
		{name: "TTL changed: collMod", specs: []schema.IndexSpec{ttl},
			listed: []string{`{"key": {"t": 1}, "name": "t_1", "expireAfterSeconds": 60}`}, want: []string{"collMod [t_1]"}},
		{name: "undeclared, kept", specs: []schema.IndexSpec{a}, coll: &CollectionInfo{Exists: true},
			listed: []string{`{"key": {"a": 1}, "name": "a_1"}`, `{"key": {"z": 1}, "name": "z_1"}`}},
		{name: "undeclared, DropUndeclared: drops last", specs: []schema.IndexSpec{a, b}, drop: true, coll: &CollectionInfo{Exists: true},
			listed: []string{`{"key": {"z": 1}, "name": "z_1"}`}, want: []string{"createIndexes [a_1 b_1]", "drop [z_1]"}},
		{name: "collection missing: created alone first", specs: []schema.IndexSpec{a}, shape: capped, coll: &CollectionInfo{},
			want: []string{"create [the collection]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			if tt.policy != "" {
				cfg.OnConflict = tt.policy
			}
			cfg.dropUndeclared = tt.drop
			p := planner{decl: &schema.Declared{Collection: "c", Specs: tt.specs, Shape: tt.shape}, cfg: cfg}
			var l listing
			for _, s := range tt.listed {
				var raw bson.Raw
				require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
				l.indexes = append(l.indexes, raw)
			}
			plain, err := diff.Diff(tt.specs, l.indexes)
			require.NoError(t, err)
			if p.needsCollection(plain) {
				require.NotNil(t, tt.coll, "the planner needs the collection listed")
				l.collection = tt.coll
			}
			r, err := roundFor(p, l, plain, nil)
			require.NoError(t, err)
			refused := &refusals{skipped: map[string]*outcome.IndexResult{}}
			if err := p.gate(r, refused); tt.conflict {
				var ce *outcome.ConflictError
				require.ErrorAs(t, err, &ce)
				return
			} else {
				require.NoError(t, err)
			}
			var got []string
			for _, s := range p.steps(r, refused) {
				got = append(got, fmt.Sprintf("%s %v", stepKind(s), s.names()))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func stepKind(st step) string {
	switch s := st.(type) {
	case createCollectionStep:
		return "create"
	case modifyCollectionStep:
		return "collMod collection"
	case createIndexesStep:
		return "createIndexes"
	case collModStep:
		return "collMod"
	case rebuildStep:
		return "rebuild"
	case orderedRebuildStep:
		if s.tmpListed {
			return "ordered rebuild, temporary listed"
		}
		return "ordered rebuild"
	case hideStep:
		return "hide"
	case dropStep:
		return "drop"
	}
	return fmt.Sprintf("%T", st)
}

// TestNeedsCollection: listCollections is asked for only when its answer
// can change a step or a comparison; an undeclared index that is kept
// needs none.
func TestNeedsCollection(t *testing.T) {
	a := schema.Index(schema.Asc("a"))
	capped := &schema.CollectionShape{Options: &schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 1 << 20}}}
	declaredOnly := `{"key": {"a": 1}, "name": "a_1"}`
	undeclared := `{"key": {"z": 1}, "name": "z_1"}`
	collated := `{"key": {"a": 1}, "name": "a_1", "collation": {"locale": "fr", "strength": 2}}`
	for _, tt := range []struct {
		name   string
		shape  *schema.CollectionShape
		listed []string
		drop   bool
		hide   bool
		want   bool
	}{
		{name: "declared indexes only", listed: []string{declaredOnly}},
		{name: "undeclared index, kept", listed: []string{declaredOnly, undeclared}},
		{name: "undeclared index, DropUndeclared", listed: []string{declaredOnly, undeclared}, drop: true, want: true},
		{name: "undeclared index, HideUndeclared", listed: []string{declaredOnly, undeclared}, hide: true, want: true},
		{name: "DropUndeclared, nothing undeclared", listed: []string{declaredOnly}, drop: true},
		{name: "collection options declared", shape: capped, listed: []string{declaredOnly}, want: true},
		{name: "collation not declared", listed: []string{collated}, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.dropUndeclared, cfg.hideUndeclared = tt.drop, tt.hide
			p := planner{decl: &schema.Declared{Collection: "c", Specs: []schema.IndexSpec{a}, Shape: tt.shape}, cfg: cfg}
			var listed []bson.Raw
			for _, s := range tt.listed {
				var raw bson.Raw
				require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
				listed = append(listed, raw)
			}
			plain, err := diff.Diff(p.decl.Specs, listed)
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.needsCollection(plain))
		})
	}
}

// TestHideThenDropTakesTwoRuns: with HideUndeclared and DropUndeclared,
// the index a run hides is listed hidden in its next round and must not
// be dropped then: only a later run, finding it hidden, drops it.
func TestHideThenDropTakesTwoRuns(t *testing.T) {
	a := schema.Index(schema.Asc("a"))
	cfg := Defaults()
	cfg.dropUndeclared, cfg.hideUndeclared = true, true
	p := planner{decl: &schema.Declared{Collection: "c", Specs: []schema.IndexSpec{a}}, cfg: cfg}
	declaredA := `{"key": {"a": 1}, "name": "a_1"}`
	for _, tt := range []struct {
		name       string
		legacy     string
		hidThisRun bool
		want       []string
	}{
		{name: "visible: hidden", legacy: `{"key": {"z": 1}, "name": "z_1"}`, want: []string{"hide [z_1]"}},
		{name: "hidden by this run: left for a later run", legacy: `{"key": {"z": 1}, "name": "z_1", "hidden": true}`, hidThisRun: true},
		{name: "hidden before this run: dropped", legacy: `{"key": {"z": 1}, "name": "z_1", "hidden": true}`, want: []string{"drop [z_1]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var l listing
			for _, s := range []string{declaredA, tt.legacy} {
				var raw bson.Raw
				require.NoError(t, bson.UnmarshalExtJSON([]byte(s), false, &raw))
				l.indexes = append(l.indexes, raw)
			}
			l.collection = &CollectionInfo{Exists: true}
			plain, err := diff.Diff(p.decl.Specs, l.indexes)
			require.NoError(t, err)
			r, err := roundFor(p, l, plain, nil)
			require.NoError(t, err)
			refused := &refusals{skipped: map[string]*outcome.IndexResult{}, hid: map[string]bool{"z_1": tt.hidThisRun}}
			var got []string
			for _, s := range p.steps(r, refused) {
				got = append(got, fmt.Sprintf("%s %v", stepKind(s), s.names()))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// roundFor is the round the executor gets from a listing: the options
// compared, then the indexes compared and every step decided.
func roundFor(p planner, l listing, plain []diff.IndexChange, prof *serverprofile.Profile) (*round, error) {
	return p.round(l, plain, p.optionChanges(l), prof)
}
