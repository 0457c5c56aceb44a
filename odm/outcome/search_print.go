package outcome

import (
	"fmt"
	"io"

	"github.com/tagodm/tagodm/odm/diff"
)

// searchPending counts the search changes applying a plan acts on.
func searchPending(changes []diff.SearchIndexChange) int {
	n := 0
	for _, c := range changes {
		switch c.Step {
		case diff.StepNone, diff.StepKeep, diff.StepSkip, "":
		default:
			n++
		}
	}
	return n
}

// writeSearchPlanRows writes a collection's search index rows of a plan
// table: the same columns as regular indexes, the detail naming the type.
func writeSearchPlanRows(w io.Writer, c CollectionPlan) {
	for _, ch := range c.Search {
		detail := string(ch.Type)
		switch {
		case ch.Step == diff.StepSkip:
			detail += "; the server lacks search indexes"
		case ch.Action == diff.Drop:
			detail += "; not declared"
		case len(ch.Differences) > 0:
			detail += "; " + ch.Summary()
		}
		if ch.Status != "" {
			detail += "; " + ch.Status
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.Collection, ch.Name, ch.Action, ch.Step, detail)
	}
}

// writeSearchReportRows writes a collection's search index rows of a
// report table: type, status, and the server's message or reason.
func writeSearchReportRows(w io.Writer, c CollectionReport) {
	for _, r := range c.Search {
		detail := string(r.Type)
		if r.Status != "" {
			detail += " " + r.Status
		}
		switch {
		case r.Outcome == Skipped:
			detail += "; server lacks search indexes"
		case r.Message != "":
			detail += ": " + r.Message
		case r.Reason != "":
			detail += "; " + r.Reason
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.Collection, r.Name, r.Action, r.Outcome, detail)
	}
}
