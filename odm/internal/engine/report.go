package engine

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tagodm/tagodm/odm/internal/diff"
	"github.com/tagodm/tagodm/odm/internal/shard"
)

// Report says what Init did, per collection (sorted by name).
type Report struct {
	Collections []CollectionReport `json:"collections"`
	// Plan is what Init found to do before it changed anything.
	Plan *IndexPlan `json:"plan"`
	// Duration is the time Init took, validation included.
	Duration time.Duration `json:"duration"`
}

// CollectionReport says what Init did on one collection.
type CollectionReport struct {
	Collection string `json:"collection"`
	// Indexes are the declared indexes in declaration order, then the
	// listed indexes nobody declares, each with what Init did about it.
	Indexes []IndexResult `json:"indexes"`
	// Options are the collection-level results: the collection's creation
	// with its options, and each option changed, kept or skipped.
	Options []IndexResult `json:"options,omitempty"`
	// Search are the collection's search indexes, each with what Init did
	// and its status; only for collections whose models declare search
	// indexes.
	Search []SearchIndexResult `json:"search,omitempty"`
	// Shard is what Init did about the collection's shard key.
	Shard *shard.Result `json:"shard,omitempty"`
	// Duration is the time spent on the collection.
	Duration time.Duration `json:"duration"`
	// Failed says the collection's work failed, with Error; Indexes then
	// hold only the indexes the server refused, or all of them when only
	// the search indexes failed.
	Failed bool   `json:"failed,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Outcome is what Init did about one declared index.
type Outcome string

// The outcomes of an index.
const (
	// Created: the index was missing and now exists.
	Created Outcome = "created"
	// Existed: the index already existed; nothing was sent.
	Existed Outcome = "existed"
	// Modified: changed in place with collMod.
	Modified Outcome = "modified"
	// Rebuilt: dropped and created again to match its declaration.
	Rebuilt Outcome = "rebuilt"
	// Dropped: not declared, and DropUndeclared was given.
	Dropped Outcome = "dropped"
	// Kept: left as listed although it differs from its declaration
	// (ConflictKeep) or is not declared.
	Kept Outcome = "kept"
	// Skipped: the server lacks an index type, option or command the
	// change needs, and SkipUnsupported was given.
	Skipped Outcome = "skipped"
	// Planned: a dry run; nothing was done.
	Planned Outcome = "planned"
	// Failed: the server refused the index (its collection's Error says
	// why Init failed).
	Failed Outcome = "failed"
)

// IndexResult is what Init did about one index.
type IndexResult struct {
	Name string `json:"name"`
	// Action is what the plan called for.
	Action  diff.Action `json:"action"`
	Outcome Outcome     `json:"outcome"`
	// Options are, for a skipped index, the index types, options or
	// commands it needs, the one the server named first.
	Options []string `json:"options,omitempty"`
	// Reason is, for a skipped index, the server's answer; for a kept or
	// modified one, the differences.
	Reason string `json:"reason,omitempty"`
	// BuildTime is how long the createIndexes commands that built the
	// index took (with a rebuild's temporary index); 0 when none ran.
	BuildTime time.Duration `json:"buildTime,omitempty"`
	// OtherBuildStarted is, when another process was already building the
	// index as Init asked for it, when that build started (seen in the
	// server's $currentOp); nil otherwise.
	OtherBuildStarted *time.Time `json:"otherBuildStarted,omitempty"`
}

// Names returns the names of the collection's indexes (search indexes
// included) with outcome o.
func (c CollectionReport) Names(o Outcome) []string {
	var out []string
	for _, r := range c.Indexes {
		if r.Outcome == o {
			out = append(out, r.Name)
		}
	}
	for _, r := range c.Search {
		if r.Outcome == o {
			out = append(out, r.Name)
		}
	}
	return out
}

// Count is the number of indexes with outcome o over all collections.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, c := range r.Collections {
		n += len(c.Names(o))
	}
	return n
}

// Collection returns the report of the named collection.
func (r *Report) Collection(name string) (CollectionReport, bool) {
	for _, c := range r.Collections {
		if c.Collection == name {
			return c, true
		}
	}
	return CollectionReport{}, false
}

// WriteTable writes the report as an aligned table, one index a row in
// declaration order, and a summary line.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLLECTION\tINDEX\tACTION\tRESULT\tDETAIL")
	for _, c := range r.Collections {
		c.Shard.WriteRows(tw, c.Collection)
		for _, x := range c.Options {
			fmt.Fprintf(tw, "%s\t(%s)\t%s\t%s\t%s\n", c.Collection, x.Name, x.Action, x.Outcome, x.Reason)
		}
		switch {
		case c.Failed:
			fmt.Fprintf(tw, "%s\t-\t-\t%s\t%s\n", c.Collection, Failed, oneLine(c.Error))
		case len(c.Indexes) == 0 && len(c.Search) == 0:
			fmt.Fprintf(tw, "%s\t-\t-\t-\tno indexes declared\n", c.Collection)
		}
		for _, x := range c.Indexes {
			detail := x.Reason
			if x.Outcome == Skipped {
				detail = "server lacks " + strings.Join(x.Options, ", ")
			}
			detail = buildDetail(detail, x)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Collection, x.Name, x.Action, x.Outcome, detail)
		}
		writeSearchReportRows(tw, c)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var counts []string
	for _, o := range []Outcome{Created, Existed, Modified, Rebuilt, Dropped, Hidden, Kept, Skipped, Planned, Failed} {
		if n := r.Count(o); n > 0 || o == Created || o == Existed {
			counts = append(counts, fmt.Sprintf("%d %s", n, o))
		}
	}
	failed := 0
	for _, c := range r.Collections {
		if c.Failed {
			failed++
		}
	}
	if failed > 0 {
		counts = append(counts, fmt.Sprintf("%d collection(s) failed", failed))
	}
	_, err := fmt.Fprintf(w, "%d collections: %s in %v\n",
		len(r.Collections), strings.Join(counts, ", "), r.Duration.Round(time.Millisecond))
	return err
}

// String returns the table WriteTable writes.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}

// oneLine joins the lines of a multi-line error for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// report says what became of the collection: for each change of the
// plan, its outcome; when the work failed, the error and the indexes and
// options the server refused.
func (x *executor) report(err error) CollectionReport {
	rep := CollectionReport{Collection: x.coll.Name()}
	if err != nil {
		rep.Failed, rep.Error = true, err.Error()
	}
	if x.first == nil {
		return rep
	}
	if err != nil {
		for _, c := range x.first.indexes {
			if r := x.refused.skipped[c.Name]; r != nil {
				res := *r
				res.Action = c.Action
				rep.Indexes = append(rep.Indexes, res)
			}
		}
		return rep
	}
	rep.Indexes = indexResults(x.first.indexes, &x.refused, x.cfg)
	x.addBuildTimes(rep.Indexes)
	x.undeclaredOutcomes(rep.Indexes)
	rep.Options = optionResults(x.first.options, &x.refused, x.cfg.dryRun, x.modified)
	return rep
}

// indexResults says, for each index of the plan, what became of it.
func indexResults(plan []diff.IndexChange, refused *refusals, cfg Config) []IndexResult {
	out := make([]IndexResult, 0, len(plan))
	for _, c := range plan {
		r := IndexResult{Name: c.Name, Action: c.Action}
		switch {
		case cfg.dryRun && c.Action == diff.Unchanged:
			r.Outcome = Existed
		case cfg.dryRun:
			r.Outcome = Planned
		case refused.skipped[c.Name] != nil:
			r = *refused.skipped[c.Name]
			r.Action = c.Action
		default:
			r.Outcome = doneOutcome(c.Action, cfg)
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

// doneOutcome is the outcome of a change carried out under the policies.
func doneOutcome(a diff.Action, cfg Config) Outcome {
	switch a {
	case diff.Create:
		return Created
	case diff.ModifyInPlace:
		return Modified
	case diff.Conflict:
		if cfg.OnConflict == ConflictKeep {
			return Kept
		}
		return Rebuilt
	case diff.Drop:
		if cfg.dropUndeclared {
			return Dropped
		}
		return Kept
	}
	return Existed
}

// optionResults says, for each collection option of the plan, what
// became of it. modified are the options a collMod set in this run: after
// a create, those the server's create did not keep.
func optionResults(plan []diff.OptionChange, refused *refusals, dryRun bool, modified []string) []IndexResult {
	var out []IndexResult
	for _, c := range plan {
		r := IndexResult{Name: "option " + c.Option, Action: c.Action, Reason: c.Summary()}
		switch {
		case dryRun:
			r.Outcome = Planned
		case refused.skipped[optionKey(c.Option)] != nil:
			sk := *refused.skipped[optionKey(c.Option)]
			r.Outcome, r.Options, r.Reason = Skipped, sk.Options, sk.Reason
		case c.Action != diff.Create && refused.optionSkipped(c.Option):
			r.Outcome, r.Options, r.Reason = Skipped, []string{c.Option}, "the server does not keep it"
		case c.Action == diff.Create:
			r.Name, r.Outcome = "collection", Created
			if refusedOpts := refused.collectionOptions(); len(refusedOpts) > 0 {
				r.Options, r.Reason = refusedOpts, "created without "+strings.Join(refusedOpts, ", ")
				if why := refused.optionReasons(); len(why) > 0 {
					r.Reason += " (" + strings.Join(why, "; ") + ")"
				}
			}
			if len(modified) > 0 {
				r.Reason += "; the server's create did not keep " + strings.Join(modified, ", ") + ": set by collMod"
			}
		case c.Action == diff.ModifyInPlace:
			r.Outcome = Modified
		case c.Action == diff.Conflict:
			r.Outcome = Kept
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
