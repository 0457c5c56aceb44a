package engine

import (
	"context"
	"log/slog"
	"slices"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

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

// rebuild is the step that replaces a conflicting index, as decided: in
// order, behind a temporary index; else drop then create.
func (p *planner) rebuild(c diff.IndexChange, r *round) step {
	if tmp, ok := orderedTemporary(c); ok && c.Step == diff.StepRebuildOrdered {
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
	diffOpts  []diff.Option
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
func (p *planner) isTemporaryOf(name string) (string, bool) {
	base, ok := temporaryBase(name)
	if !ok {
		return "", false
	}
	return base, slices.ContainsFunc(p.decl.Specs, func(s schema.IndexSpec) bool { return s.IndexName() == base })
}

// droppedByRebuild: the index is a leftover temporary index of a declared
// index whose ordered rebuild the round runs; that rebuild drops it last,
// so it gets no drop of its own.
func (p *planner) droppedByRebuild(name string, r *round) bool {
	base, ours := p.isTemporaryOf(name)
	return ours && slices.ContainsFunc(r.indexes, func(c diff.IndexChange) bool {
		return c.Name == base && c.Step == diff.StepRebuildOrdered
	})
}
