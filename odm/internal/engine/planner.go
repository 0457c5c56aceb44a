package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// The planner turns one collection's declarations and listing into a
// round (what differs) and the round into steps (what to send), under the
// policies. It does no I/O: the executor lists, asks the server's profile
// when the planner says it needs it, and runs the steps.
type planner struct {
	decl *schema.Declared
	cfg  Config
}

// round is what one listing calls for.
type round struct {
	indexes []diff.IndexChange
	options []diff.OptionChange // only for collections that declare options or a validator
	// diffOpts are the options the indexes were compared with; a rebuild
	// compares its fresh listing with the same ones.
	diffOpts []diff.Option
	// unkept are, by index, the options the server accepts and does not
	// keep (with SkipUnsupported); unkeptOptions the collection options.
	unkept        map[string][]string
	unkeptOptions []string
	// shapedByCollection: the comparison took options from the
	// collection's listing (a time series collection, a default
	// collation), which a later run must therefore list again.
	shapedByCollection bool
}

// refusals are what the server refused or does not keep, gathered over
// the rounds of one collection.
type refusals struct {
	skipped       map[string]*outcome.IndexResult // by index name, or optionKey(option)
	unkept        map[string][]string             // by index name
	unkeptOptions map[string]bool                 // collection options, top-level names
	// hid are the undeclared indexes this run hid: listed hidden in the
	// next round, they are left for a later run to drop.
	hid map[string]bool
}

// optionKey names a collection option in the skipped map, apart from
// index names.
func optionKey(option string) string { return "option " + option }

// optionSkipped reports an option the server refused or does not keep, or
// one inside such an option ("timeseries.timeField" inside "timeseries").
func (r *refusals) optionSkipped(option string) bool {
	top, _, _ := strings.Cut(option, ".")
	return r.skipped[optionKey(option)] != nil || r.skipped[optionKey(top)] != nil || r.unkeptOptions[top]
}

// needsCollection says whether, given the comparison without options of the
// indexes, the planner needs listCollections: when a model declares
// options or a validator, or when the listing holds indexes nobody
// declares and DropUndeclared or HideUndeclared may act on them (a time
// series collection's own index is left alone; kept, they need nothing
// more), or when a listed index carries a collation its declaration does
// not state (the collection's default collation may explain it).
func (p *planner) needsCollection(plain []diff.IndexChange) bool {
	removes := p.cfg.dropUndeclared || p.cfg.hideUndeclared
	return p.decl.Shape.Declares() || diff.ListsUnstatedCollation(plain) ||
		removes && slices.ContainsFunc(plain, func(c diff.IndexChange) bool { return c.Action == diff.Drop })
}

// needsCollectionForOptionsOnly says that the planner needs
// listCollections only to compare the declared collection options.
func (p *planner) needsCollectionForOptionsOnly(plain []diff.IndexChange) bool {
	removes := p.cfg.dropUndeclared || p.cfg.hideUndeclared
	return p.decl.Shape.Declares() && !diff.ListsUnstatedCollation(plain) &&
		!(removes && slices.ContainsFunc(plain, func(c diff.IndexChange) bool { return c.Action == diff.Drop }))
}

// needsProfile says whether the planner needs the server's profile: only
// when the listing lacks something the declarations set that some server
// accepts without keeping.
func (p *planner) needsProfile(plain []diff.IndexChange, options []diff.OptionChange) bool {
	return len(lackingIndexes(plain)) > 0 || len(lackingOptions(options)) > 0
}

// optionChanges compares the declared collection options with the
// listed collection; nil when the models declare none.
func (p *planner) optionChanges(l listing) []diff.OptionChange {
	if !p.decl.Shape.Declares() {
		return nil
	}
	return diff.DiffCollection(p.decl.Shape, l.collection.Options, l.collection.Exists)
}

// round compares the declarations with the listing and decides each
// change's step (decide.go). plain is Diff's answer without options,
// reused when none applies; options the comparison of the collection's
// options (optionChanges, nil when the models declare none); prof is the
// server's profile, nil when needsProfile said no.
func (p *planner) round(l listing, plain []diff.IndexChange, options []diff.OptionChange, prof *serverprofile.Profile) (*round, error) {
	r := &round{indexes: plain, options: options}
	if p.decl.Shape.Declares() {
		unkept, err := p.unkeptOptions(r.options, prof)
		if err != nil {
			return nil, err
		}
		r.unkeptOptions = unkept
	}
	unkept, ignore, err := p.unkeptIndexOptions(plain, prof)
	if err != nil {
		return nil, err
	}
	r.unkept = unkept
	var optsKey strings.Builder // names the options, for compareWith
	if ts := l.collection.TimeSeries(); ts != nil {
		r.diffOpts = append(r.diffOpts, ts)
		r.shapedByCollection = true
		optsKey.WriteString("timeseries:" + string(l.collection.Options.Lookup("timeseries").Value) + ";")
	}
	if len(ignore) > 0 {
		r.diffOpts = append(r.diffOpts, diff.IgnoreOptions(ignore...))
		optsKey.WriteString("ignore:" + strings.Join(ignore, ",") + ";")
	}
	if l.collection != nil && l.collection.Exists && diff.ListsUnstatedCollation(plain) {
		if c, ok := l.collection.Options.Lookup("collation").DocumentOK(); ok {
			r.diffOpts = append(r.diffOpts, diff.CollectionCollation(c))
			r.shapedByCollection = true
			optsKey.WriteString("collation:" + string(c) + ";")
		}
	}
	if len(r.diffOpts) > 0 {
		if r.indexes, err = compareWith(p.decl, l.indexes, r.diffOpts, optsKey.String()); err != nil {
			return nil, fmt.Errorf("odm: collection %s: %w", p.decl.Collection, odmerr.Inner(err))
		}
	}
	p.decide(r)
	return r, nil
}

// lackingIndexes are the listed indexes lacking a flag their declaration
// sets, which a server may accept without keeping.
func lackingIndexes(changes []diff.IndexChange) []diff.IndexChange {
	var out []diff.IndexChange
	for _, c := range changes {
		if (c.Action == diff.Conflict || c.Action == diff.ModifyInPlace) && c.ListedName == "" &&
			slices.ContainsFunc(c.Differences, mayBeUnkept) {
			out = append(out, c)
		}
	}
	return out
}

// mayBeUnkept: a flag the declaration sets and the listing lacks.
func mayBeUnkept(d diff.Difference) bool {
	return d.Field == "sparse" && d.Declared == "true" && d.Listed == ""
}

// unkeptIndexOptions tells, for each index lacking an option its
// declaration sets, whether the server is one that does not keep it.
// Without SkipUnsupported that is an *UnsupportedError for each such
// index; with it, the options are left out of the comparison (ignore) and
// reported on the index (unkept).
func (p *planner) unkeptIndexOptions(changes []diff.IndexChange, prof *serverprofile.Profile) (unkept map[string][]string, ignore []string, err error) {
	lacking := lackingIndexes(changes)
	if len(lacking) == 0 || prof == nil || len(prof.UnkeptIndex) == 0 {
		return nil, nil, nil
	}
	var errs []error
	for _, c := range lacking {
		var opts []string
		for _, d := range c.Differences {
			if mayBeUnkept(d) && slices.Contains(prof.UnkeptIndex, d.Field) {
				opts = append(opts, d.Field)
			}
		}
		if len(opts) == 0 {
			continue
		}
		if !p.cfg.skipUnsupported {
			errs = append(errs, &outcome.UnsupportedError{Collection: p.decl.Collection, Index: c.Name, Options: opts,
				Err: fmt.Errorf("the server (%s) accepts %s but does not keep it", prof.Name, strings.Join(opts, ", "))})
			continue
		}
		if unkept == nil {
			unkept = map[string][]string{}
		}
		unkept[c.Name] = opts
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return unkept, prof.UnkeptIndex, nil
}

// lackingOptions are the top-level names of declared collection options
// the listing lacks.
func lackingOptions(changes []diff.OptionChange) []string {
	var out []string
	for _, c := range changes {
		top, _, _ := strings.Cut(c.Option, ".")
		if c.Action != diff.Create && c.Declared != "" && c.Listed == "" && !slices.Contains(out, top) {
			out = append(out, top)
		}
	}
	return out
}

// unkeptOptions is unkeptIndexOptions for the collection options the
// server accepts at creation and does not keep: one *UnsupportedError
// naming all of them without SkipUnsupported, else their names.
func (p *planner) unkeptOptions(changes []diff.OptionChange, prof *serverprofile.Profile) ([]string, error) {
	if prof == nil {
		return nil, nil
	}
	var unkept []string
	for _, o := range lackingOptions(changes) {
		if slices.Contains(prof.UnkeptCollection, o) {
			unkept = append(unkept, o)
		}
	}
	if len(unkept) > 0 && !p.cfg.skipUnsupported {
		return nil, &outcome.UnsupportedError{Collection: p.decl.Collection, Index: "(collection)", Options: unkept,
			Err: fmt.Errorf("the server (%s) accepts %s but does not keep it", prof.Name, strings.Join(unkept, ", "))}
	}
	return unkept, nil
}

// gate fails on the changes decided StepFail, before anything in the
// collection changes: conflicts under ConflictFail, and collection options
// that cannot change unless the server refused them.
func (p *planner) gate(r *round, refused *refusals) error {
	var conflicts []diff.IndexChange
	var options []diff.OptionChange
	for _, c := range r.options {
		if c.Step == diff.StepFail && !refused.optionSkipped(c.Option) {
			options = append(options, c)
		}
	}
	for _, c := range r.indexes {
		if c.Step == diff.StepFail {
			conflicts = append(conflicts, c)
		}
	}
	if len(conflicts) == 0 && len(options) == 0 {
		return nil
	}
	return &outcome.ConflictError{Collection: p.decl.Collection, Changes: conflicts, Options: options}
}

// steps turns a round's decided steps into the commands that converge the
// collection, in order: the collection's creation alone (its indexes come
// next round, for the options may have been partly refused); else
// collection options, creations (all missing indexes in one command),
// in-place changes, rebuilds and, last, drops and hides. What the server
// refused earlier in this run is left out.
func (p *planner) steps(r *round, refused *refusals) []step {
	var options, creates, modifies, rebuilds, removals []step
	var mods []diff.OptionChange
	for _, c := range r.options {
		switch {
		case c.Step == diff.StepCreate:
			return []step{createCollectionStep{}}
		case c.Step == diff.StepCollMod && !refused.optionSkipped(c.Option):
			mods = append(mods, c)
		}
	}
	if len(mods) > 0 {
		options = append(options, modifyCollectionStep{mods: mods})
	}
	var create createIndexesStep
	for _, c := range r.indexes {
		if refused.skipped[c.Name] != nil {
			continue
		}
		switch c.Step {
		case diff.StepCreate:
			create.specs = append(create.specs, *c.DeclaredSpec)
		case diff.StepCollMod:
			modifies = append(modifies, collModStep{change: c})
		case diff.StepRebuild, diff.StepRebuildOrdered:
			rebuilds = append(rebuilds, p.rebuild(c, r))
		case diff.StepDrop:
			if !refused.hid[c.Name] && !p.droppedByRebuild(c.Name, r) {
				removals = append(removals, dropStep{name: c.Name})
			}
		case diff.StepHide:
			if !refused.hid[c.Name] {
				removals = append(removals, hideStep{name: c.Name})
			}
		}
	}
	if len(create.specs) > 0 {
		creates = []step{create}
	}
	return slices.Concat(options, creates, modifies, rebuilds, removals)
}
