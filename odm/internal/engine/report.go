package engine

import (
	"slices"
	"sort"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
)

// report says what became of the collection: for each change of the
// plan, its outcome; when the work failed, the error and the indexes and
// options the server refused.
func (x *executor) report(err error) outcome.CollectionReport {
	rep := outcome.CollectionReport{Collection: x.coll.Name()}
	if err != nil {
		rep.Failed, rep.Error = true, err.Error()
	}
	if x.planned == nil {
		return rep
	}
	if err != nil {
		for _, c := range x.planned.indexes {
			if r := x.refused.skipped[c.Name]; r != nil {
				res := *r
				res.Action = c.Action
				rep.Indexes = append(rep.Indexes, res)
			}
		}
		return rep
	}
	rep.Indexes = x.indexResults()
	x.addBuildTimes(rep.Indexes)
	rep.Options = optionResults(x.planned.options, &x.refused, x.cfg.dryRun, x.modified)
	return rep
}

// indexResults says, for each index of the plan, what became of it.
func (x *executor) indexResults() []outcome.IndexResult {
	plan, refused, cfg := x.planned.indexes, &x.refused, &x.cfg
	out := make([]outcome.IndexResult, 0, len(plan))
	for i := range plan {
		c := &plan[i]
		r := outcome.IndexResult{Name: c.Name, Action: c.Action}
		switch {
		case cfg.dryRun && c.Action == diff.Unchanged:
			r.Outcome = outcome.Existed
		case cfg.dryRun:
			r.Outcome = outcome.Planned
		case refused.skipped[c.Name] != nil:
			r = *refused.skipped[c.Name]
			r.Action = c.Action
		default:
			r.Outcome, r.Reason = x.planner.doneOutcome(c)
		}
		if r.Reason == "" && (c.Action == diff.ModifyInPlace || c.Action == diff.Conflict) {
			r.Reason = c.Summary()
		}
		if opts := refused.unkept[c.Name]; len(opts) > 0 {
			r.Options = opts
			r.Reason = "the server does not keep " + strings.Join(opts, ", ")
		}
		out = append(out, r)
	}
	return out
}

// doneOutcome is the outcome of a change whose decided step was carried
// out, and what the step alone does not say: an undeclared index kept
// because it is hidden already, a leftover temporary index dropped.
func (p *planner) doneOutcome(c *diff.IndexChange) (outcome.Outcome, string) {
	switch stepOf(c.Step) {
	case diff.StepCreate:
		return outcome.Created, ""
	case diff.StepCollMod:
		return outcome.Modified, ""
	case diff.StepRebuild, diff.StepRebuildOrdered:
		return outcome.Rebuilt, ""
	case diff.StepHide:
		return outcome.Hidden, ""
	case diff.StepDrop:
		if _, ours := p.isTemporaryOf(c.Name); ours {
			return outcome.Dropped, "temporary index of an interrupted rebuild"
		}
		return outcome.Dropped, ""
	case diff.StepKeep:
		if c.Action == diff.Drop && listedHidden(*c) {
			return outcome.Hidden, "already hidden"
		}
		return outcome.Kept, ""
	}
	return outcome.Existed, ""
}

// optionResults says, for each collection option of the plan, what
// became of it, by its decided step. modified are the options a collMod set in this run: after
// a create, those the server's create did not keep.
func optionResults(plan []diff.OptionChange, refused *refusals, dryRun bool, modified []string) []outcome.IndexResult {
	var out []outcome.IndexResult
	for _, c := range plan {
		r := outcome.IndexResult{Name: "option " + c.Option, Action: c.Action, Reason: c.Summary()}
		switch {
		case dryRun:
			r.Outcome = outcome.Planned
		case refused.skipped[optionKey(c.Option)] != nil:
			sk := *refused.skipped[optionKey(c.Option)]
			r.Outcome, r.Options, r.Reason = outcome.Skipped, sk.Options, sk.Reason
		case c.Step != diff.StepCreate && refused.optionSkipped(c.Option):
			r.Outcome, r.Options, r.Reason = outcome.Skipped, []string{c.Option}, "the server does not keep it"
		case c.Step == diff.StepCreate:
			r.Name, r.Outcome = "collection", outcome.Created
			if refusedOpts := refused.collectionOptions(); len(refusedOpts) > 0 {
				r.Options, r.Reason = refusedOpts, "created without "+strings.Join(refusedOpts, ", ")
				if why := refused.optionReasons(); len(why) > 0 {
					r.Reason += " (" + strings.Join(why, "; ") + ")"
				}
			}
			if len(modified) > 0 {
				r.Reason += "; the server's create did not keep " + strings.Join(modified, ", ") + ": set by collMod"
			}
		case c.Step == diff.StepCollMod:
			r.Outcome = outcome.Modified
		case c.Step == diff.StepKeep:
			r.Outcome = outcome.Kept
		}
		out = append(out, r)
	}
	return out
}

// optionReasons are the distinct reasons collection options were
// refused, sorted.
func (r *refusals) optionReasons() []string {
	var out []string
	for k, v := range r.skipped {
		if strings.HasPrefix(k, "option ") && v.Reason != "" && !slices.Contains(out, v.Reason) {
			out = append(out, v.Reason)
		}
	}
	sort.Strings(out)
	return out
}

// collectionOptions are the collection options refused or not kept,
// sorted.
func (r *refusals) collectionOptions() []string {
	var out []string
	for k, v := range r.skipped {
		if strings.HasPrefix(k, "option ") {
			out = append(out, v.Options...)
		}
	}
	for o := range r.unkeptOptions {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}
