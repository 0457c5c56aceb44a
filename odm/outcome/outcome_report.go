package outcome

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/shard"
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
			fmt.Fprintf(tw, "%s\t(%s)\t%s\t%s\t%s\n", cell(c.Collection), cell(x.Name), x.Action, x.Outcome, oneLine(x.Reason))
		}
		switch {
		case c.Failed:
			first, rest := detailLines(c.Error)
			fmt.Fprintf(tw, "%s\t-\t-\t%s\t%s\n", cell(c.Collection), Failed, first)
			for _, l := range rest {
				fmt.Fprintf(tw, "\t\t\t\t%s\n", l)
			}
		case len(c.Indexes) == 0 && len(c.Search) == 0:
			fmt.Fprintf(tw, "%s\t-\t-\t-\tno indexes declared\n", cell(c.Collection))
		}
		for _, x := range c.Indexes {
			detail := x.Reason
			if x.Outcome == Skipped {
				detail = "server lacks " + strings.Join(x.Options, ", ")
			}
			detail = buildDetail(detail, x)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(c.Collection), cell(x.Name), x.Action, x.Outcome, oneLine(detail))
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

// detailLines splits a multi-line error for the DETAIL column: its first
// line goes on the row, the others on rows of their own below it, in the
// same column and with their own indentation, so that a list of
// differences reads as a list. Runs of other white space (a tab would
// forge a column) become one space.
func detailLines(s string) (first string, rest []string) {
	for i, l := range strings.Split(s, "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		switch l = oneLine(l); {
		case i == 0:
			first = l
		case l != "":
			rest = append(rest, indent+l)
		}
	}
	return first, rest
}

// cell is a name as a table cell: quoted, Go-style, when it holds a
// control character (a newline or a tab would forge a row or a column of
// the table; the server may list such a name even though a declaration
// cannot hold one).
func cell(name string) string {
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return strconv.Quote(name)
	}
	return name
}

// Hidden: an undeclared index hidden from the query planner
// (HideUndeclared), or found hidden already.
const Hidden Outcome = "hidden"

// Progress is one report on an index build that runs longer than the
// progress threshold, read from the server's $currentOp. A server that
// lists the build without its indexes, phase or counts (FerretDB v2 on
// DocumentDB) gives reports with the elapsed time only: Phase empty,
// Total 0, Percent -1.
type Progress struct {
	Collection string `json:"collection"`
	// Indexes are the names the build creates.
	Indexes []string `json:"indexes"`
	// Phase is the server's description of the build's phase, such as
	// "Index Build: scanning collection"; empty when it gives none.
	Phase string `json:"phase,omitempty"`
	// Done and Total count the documents (or keys) of the phase; Total is
	// 0 when the server gives no count.
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
	// Percent is Done over Total, 0 to 100; -1 when Total is 0.
	Percent float64 `json:"percent"`
	// Elapsed is how long Init has been waiting for the build.
	Elapsed time.Duration `json:"elapsed"`
	// OtherStarted is, when another process was already building these
	// indexes before Init asked for them, when that build started; Init's
	// command waits for it. Zero otherwise.
	OtherStarted time.Time `json:"otherStarted,omitzero"`
}

// String renders the progress on one line.
func (p Progress) String() string {
	s := fmt.Sprintf("%s %s", p.Collection, strings.Join(p.Indexes, ","))
	switch {
	case p.Phase != "":
		s += ": " + p.Phase
	case p.Total == 0:
		s += ": running" // the server gives neither phase nor count
	}
	if p.Total > 0 {
		s += fmt.Sprintf(" %d/%d (%.1f%%)", p.Done, p.Total, p.Percent)
	}
	s += fmt.Sprintf(" after %v", p.Elapsed.Round(time.Second))
	if !p.OtherStarted.IsZero() {
		s += " (another process's build, started " + p.OtherStarted.UTC().Format(time.RFC3339) + ")"
	}
	return s
}

// ConflictPolicy says what Init does about an index listed under a declared
// name with other keys or options collMod cannot change, or with the
// declared keys under another name.
type ConflictPolicy string

// The conflict policies.
const (
	// ConflictFail fails the collection with a *ConflictError naming each
	// difference, before changing anything in it (the default).
	ConflictFail ConflictPolicy = "fail"
	// ConflictRebuild replaces the listed index by the declared one. When
	// the keys differ it first builds a temporary index (named
	// "<declared name>.odm-rebuild": do not name indexes so) that serves
	// the declared keys' queries, then drops the listed index, creates the
	// declared one and drops the temporary one; otherwise it drops the
	// listed index and creates the declared one right after. For
	// a unique index it first looks for duplicate keys in the data and, if
	// there are any, keeps the listed index and fails with a
	// *DuplicateDataError holding a sample.
	ConflictRebuild ConflictPolicy = "rebuild"
	// ConflictKeep keeps the listed index and logs a warning.
	ConflictKeep ConflictPolicy = "keep"
)

// buildDetail adds an index's build time to its table detail.
func buildDetail(detail string, r IndexResult) string {
	if r.BuildTime <= 0 {
		return detail
	}
	s := "built in " + r.BuildTime.Round(time.Millisecond).String()
	if r.OtherBuildStarted != nil {
		s += ", after another process's build started " + r.OtherBuildStarted.UTC().Format(time.RFC3339)
	}
	if detail == "" {
		return s
	}
	return detail + "; " + s
}
