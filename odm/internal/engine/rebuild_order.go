package engine

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/diff"
	"github.com/tagodm/tagodm/odm/internal/schema"
)

// TemporarySuffix ends the name of the temporary index a rebuild creates
// so that queries keep an index while the declared one builds: the
// declared name followed by this suffix. An index so named, next to a
// declared index of the base name, is Init's own: Init drops it whatever
// the options (after the round's creations, or last in a rebuild under
// ConflictRebuild that resumes), so that an interrupted rebuild leaves
// nothing behind. Do not name indexes so.
const TemporarySuffix = ".odm-rebuild"

// temporaryName is the name of the temporary index of a rebuild of name.
func temporaryName(name string) string { return name + TemporarySuffix }

// temporaryBase is the declared name a temporary index stands in for.
func temporaryBase(name string) (string, bool) {
	base, ok := strings.CutSuffix(name, TemporarySuffix)
	return base, ok && base != ""
}

// temporarySpec is the index that serves the declared index's queries
// while it builds: its keys followed by _id, so that the server accepts
// it beside the declared one, with its collation, partial filter, sparse
// and hidden flags. It enforces no uniqueness and expires nothing. Only
// plain ascending and descending keys without _id qualify: a special
// key's index cannot take a suffix the same way.
func temporarySpec(spec schema.IndexSpec) (schema.IndexSpec, bool) {
	for _, k := range spec.Keys {
		if k.Type.Special() || k.Field == "_id" || strings.Contains(k.Field, "$**") {
			return schema.IndexSpec{}, false
		}
	}
	tmp := spec
	tmp.Name = temporaryName(spec.IndexName())
	tmp.Keys = append(slices.Clone(spec.Keys), schema.Asc("_id"))
	tmp.Unique, tmp.ExpireAfter = false, nil
	return tmp, true
}

// keysDiffer: the listed index of a conflict has other keys under the
// declared name, the one case where a temporary index can be built beside
// it. With the same keys the server refuses a second index; under another
// name (ListedName) the listed index serves the queries until dropped.
func keysDiffer(c diff.IndexChange) bool {
	return c.ListedName == "" && slices.ContainsFunc(c.Differences, func(d diff.Difference) bool { return d.Field == "key" })
}

// listedNames are the names of the round's listed indexes.
func listedNames(r *round) []string {
	var out []string
	for _, c := range r.indexes {
		if c.Action != diff.Create {
			out = append(out, c.Name)
			if c.ListedName != "" {
				out = append(out, c.ListedName)
			}
		}
	}
	return out
}

// orderedTemporary is the temporary index of a conflict's rebuild when it
// goes in order: the keys differ and the declared keys allow it.
func orderedTemporary(c diff.IndexChange) (schema.IndexSpec, bool) {
	if c.DeclaredSpec == nil || !keysDiffer(c) {
		return schema.IndexSpec{}, false
	}
	return temporarySpec(*c.DeclaredSpec)
}

// rebuild is the step that replaces a conflicting index: in order, behind
// a temporary index, where orderedTemporary allows; else drop then create.
func (p planner) rebuild(c diff.IndexChange, r *round) step {
	if tmp, ok := orderedTemporary(c); ok {
		return orderedRebuildStep{change: c, diffOpts: r.diffOpts, tmp: tmp,
			tmpListed: slices.Contains(listedNames(r), tmp.Name)}
	}
	return rebuildStep{change: c, diffOpts: r.diffOpts}
}

// orderedRebuildStep replaces an index listed under the declared name with
// other keys, never leaving the collection without an index for the
// declared keys once the old one is gone:
//
//  1. create the temporary index (declared keys and _id) unless listed;
//  2. drop the listed index;
//  3. create the declared index;
//  4. drop the temporary index.
//
// Stopped between any two, the next run plans from the listing: a
// conflict with the temporary index listed resumes at 2, a missing
// declared index is created, and a leftover temporary index is dropped.
type orderedRebuildStep struct {
	change    diff.IndexChange
	diffOpts  []diff.DiffOption
	tmp       schema.IndexSpec
	tmpListed bool
}

func (s orderedRebuildStep) names() []string   { return []string{s.change.Name} }
func (s orderedRebuildStep) destructive() bool { return true }

func (s orderedRebuildStep) run(ctx context.Context, x *executor) (stepResult, error) {
	spec := *s.change.DeclaredSpec
	if ok, res, err := x.readyToRebuild(ctx, s.change, s.diffOpts); !ok {
		return res, err
	}
	x.log(ctx, slog.LevelWarn, "odm: rebuilding index behind a temporary index", slog.String("index", s.change.Name),
		slog.String("temporary", s.tmp.Name), slog.String("differences", s.change.Summary()))
	if !s.tmpListed {
		if _, err := x.createIndexes(ctx, []schema.IndexSpec{s.tmp}); err != nil {
			return stepResult{}, err
		}
	}
	if _, err := (dropStep{name: s.change.Name}).run(ctx, x); err != nil {
		return stepResult{changed: true}, err
	}
	res, err := createIndexesStep{specs: []schema.IndexSpec{spec}}.run(ctx, x)
	res.changed = true
	if err != nil {
		return res, err
	}
	_, err = (dropStep{name: s.tmp.Name}).run(ctx, x)
	return res, err
}

// isTemporaryOf reports whether the listed index name is the temporary
// index of one of the collection's declared indexes.
func (p planner) isTemporaryOf(name string) (string, bool) {
	base, ok := temporaryBase(name)
	if !ok {
		return "", false
	}
	return base, slices.ContainsFunc(p.decl.Specs, func(s schema.IndexSpec) bool { return s.IndexName() == base })
}

// temporaryStep is what to do about a leftover temporary index of a
// declared index: nothing while an ordered rebuild of that index is due
// (the rebuild drops it last), else drop it, after the round's creations.
func (p planner) temporaryStep(name, base string, r *round) step {
	for _, c := range r.indexes {
		if c.Name == base && c.Action == diff.Conflict && p.cfg.OnConflict == ConflictRebuild {
			if _, ordered := orderedTemporary(c); ordered {
				return nil
			}
		}
	}
	return dropStep{name: name}
}

// rebuildStepKind is the plan's step for a conflict under
// ConflictRebuild, as the planner chooses it.
func rebuildStepKind(c diff.IndexChange) diff.Step {
	if _, ok := orderedTemporary(c); ok {
		return diff.StepRebuildOrdered
	}
	return diff.StepRebuild
}
