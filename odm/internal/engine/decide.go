package engine

import (
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
)

// Every decision of what to do about a change is made here, once, and
// written into the change as its Step: the plan prints those steps, the
// report reads them, and the planner turns them into the commands the
// executor sends (steps.go). A new kind of change gets its rule here and
// its command type in steps.go; nothing else decides.
//
// The search indexes' steps are decided here too (searchStep), and
// written into their changes by the search index sync. The shard key's
// step is decided in package sharding (plan.go), beside the state it
// reads; the executor asks for it (Session.Plan) and has it applied
// (Session.Apply) as it does its own steps.

// decide writes each change's step into the round. Changes that call for
// no step keep an empty Step (read as diff.StepNone), so that a steady
// round, all unchanged, is never copied: its changes may be shared with
// the comparison's memo.
func (p *planner) decide(r *round) {
	r.indexes = decideAll(r.indexes, p.indexStep,
		func(c *diff.IndexChange) *diff.Step { return &c.Step })
	if len(r.options) > 0 {
		r.options = decideAll(r.options, p.optionStep,
			func(c *diff.OptionChange) *diff.Step { return &c.Step })
	}
}

// decideAll sets each change's step to rule's, copying the slice before
// its first write.
func decideAll[C any](changes []C, rule func(*C) diff.Step, step func(*C) *diff.Step) []C {
	copied := false
	for i := range changes {
		s := rule(&changes[i])
		if s == diff.StepNone {
			s = ""
		}
		if *step(&changes[i]) == s {
			continue
		}
		if !copied {
			changes, copied = append([]C(nil), changes...), true
		}
		*step(&changes[i]) = s
	}
	return changes
}

// indexStep is what applying the plan does about an index change.
func (p *planner) indexStep(c *diff.IndexChange) diff.Step {
	switch c.Action {
	case diff.Create:
		return diff.StepCreate
	case diff.ModifyInPlace:
		return diff.StepCollMod
	case diff.Conflict:
		rebuild := diff.StepRebuild
		if _, ordered := orderedTemporary(*c); ordered {
			rebuild = diff.StepRebuildOrdered
		}
		return conflictStep(p.cfg.OnConflict, rebuild)
	case diff.Drop:
		return p.undeclaredStep(*c)
	}
	return diff.StepNone
}

// undeclaredStep is what applying the plan does about an index listed and
// not declared: a temporary index of Init's own is dropped, whatever the
// options; otherwise, by the options, it is hidden, dropped or kept. An
// index already hidden is dropped only under DropUndeclared.
func (p *planner) undeclaredStep(c diff.IndexChange) diff.Step {
	if _, ours := p.isTemporaryOf(c.Name); ours {
		return diff.StepDrop
	}
	hidden := listedHidden(c)
	switch {
	case p.cfg.dropUndeclared && (!p.cfg.hideUndeclared || hidden):
		return diff.StepDrop
	case p.cfg.hideUndeclared && !hidden:
		return diff.StepHide
	}
	return diff.StepKeep
}

// optionStep is what applying the plan does about a collection option: a
// collection option that cannot change is a conflict under every policy
// but ConflictKeep, for a collection is never dropped to be rebuilt.
func (p *planner) optionStep(c *diff.OptionChange) diff.Step {
	switch c.Action {
	case diff.Create:
		return diff.StepCreate
	case diff.ModifyInPlace:
		return diff.StepCollMod
	case diff.Conflict:
		return conflictStep(p.cfg.OnConflict, diff.StepFail)
	}
	return diff.StepNone
}

// conflictStep is a conflict's step under the policy: rebuild is what
// ConflictRebuild does for this kind of change.
func conflictStep(policy outcome.ConflictPolicy, rebuild diff.Step) diff.Step {
	switch policy {
	case outcome.ConflictRebuild:
		return rebuild
	case outcome.ConflictKeep:
		return diff.StepKeep
	}
	return diff.StepFail
}

// stepOf reads a decided step, empty meaning none.
func stepOf(s diff.Step) diff.Step {
	if s == "" {
		return diff.StepNone
	}
	return s
}

// searchStep is what applying the plan does about a search index change.
// An undeclared search index is never hidden: search indexes cannot be.
func searchStep(cfg *Config, c diff.SearchIndexChange) diff.Step {
	switch c.Action {
	case diff.Create:
		return diff.StepCreate
	case diff.ModifyInPlace:
		return diff.StepUpdateSearch
	case diff.Conflict:
		return conflictStep(cfg.OnConflict, diff.StepRebuild)
	case diff.Drop:
		if cfg.dropUndeclared {
			return diff.StepDrop
		}
		return diff.StepKeep
	}
	return diff.StepNone
}
