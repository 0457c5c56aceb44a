package odm

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report says what Init did, per collection (sorted by name).
type Report struct {
	Collections []CollectionReport
	// Duration is the time Init took, validation included.
	Duration time.Duration
}

// CollectionReport says what Init did on one collection.
type CollectionReport struct {
	Collection string
	// Indexes are the declared indexes in declaration order, each with
	// what Init did about it.
	Indexes []IndexResult
	// Duration is the time spent on the collection.
	Duration time.Duration
}

// Outcome is what Init did about one declared index.
type Outcome string

// The outcomes of an index.
const (
	// Created: the index was missing and now exists.
	Created Outcome = "created"
	// Existed: the index already existed; nothing was sent.
	Existed Outcome = "exists"
	// Skipped: the server lacks an index type or option the index needs,
	// and SkipUnsupported was given.
	Skipped Outcome = "skipped"
)

// IndexResult is what Init did about one declared index.
type IndexResult struct {
	Name    string
	Outcome Outcome
	// Options are, for a skipped index, the index types and options it
	// needs, the one the server named first.
	Options []string `json:",omitempty"`
	// Reason is, for a skipped index, the server's answer.
	Reason string `json:",omitempty"`
}

// Names returns the names of the collection's indexes with outcome o.
func (c CollectionReport) Names(o Outcome) []string {
	var out []string
	for _, r := range c.Indexes {
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
	fmt.Fprintln(tw, "COLLECTION\tINDEX\tRESULT\tDETAIL")
	for _, c := range r.Collections {
		if len(c.Indexes) == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\tno indexes declared\n", c.Collection)
		}
		for _, x := range c.Indexes {
			detail := ""
			if x.Outcome == Skipped {
				detail = "server lacks " + strings.Join(x.Options, ", ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Collection, x.Name, x.Outcome, detail)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d collections: %d created, %d existed, %d skipped in %v\n",
		len(r.Collections), r.Count(Created), r.Count(Existed), r.Count(Skipped), r.Duration.Round(time.Millisecond))
	return err
}

// String returns the table WriteTable writes.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}
