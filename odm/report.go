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

// CollectionReport says what Init did on one collection. Index names are in
// declaration order.
type CollectionReport struct {
	Collection string
	// Created lists the declared indexes that were missing and now exist.
	Created []string
	// Existing lists the declared indexes that already existed.
	Existing []string
	// Skipped lists the indexes the server refused for lack of a feature,
	// when SkipUnsupported was given.
	Skipped []SkippedIndex
	// Duration is the time spent on the collection.
	Duration time.Duration
}

// SkippedIndex is an index the server does not support.
type SkippedIndex struct {
	Index string
	// Options are the index types and options the index needs, the one the
	// server named first.
	Options []string
	// Reason is the server's answer.
	Reason string
}

// Created, Existing and Skipped count indexes over all collections.
func (r *Report) Created() int  { return r.count(func(c CollectionReport) []string { return c.Created }) }
func (r *Report) Existing() int { return r.count(func(c CollectionReport) []string { return c.Existing }) }
func (r *Report) Skipped() int {
	n := 0
	for _, c := range r.Collections {
		n += len(c.Skipped)
	}
	return n
}

func (r *Report) count(f func(CollectionReport) []string) int {
	n := 0
	for _, c := range r.Collections {
		n += len(f(c))
	}
	return n
}

// WriteTable writes the report as an aligned table, one index a row, and a
// summary line.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLLECTION\tINDEX\tRESULT\tDETAIL")
	for _, c := range r.Collections {
		if len(c.Created)+len(c.Existing)+len(c.Skipped) == 0 {
			fmt.Fprintf(tw, "%s\t-\tno indexes declared\t\n", c.Collection)
		}
		for _, n := range c.Created {
			fmt.Fprintf(tw, "%s\t%s\tcreated\t\n", c.Collection, n)
		}
		for _, n := range c.Existing {
			fmt.Fprintf(tw, "%s\t%s\texists\t\n", c.Collection, n)
		}
		for _, s := range c.Skipped {
			fmt.Fprintf(tw, "%s\t%s\tskipped\tserver lacks %s\n", c.Collection, s.Index, strings.Join(s.Options, ", "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d collections: %d created, %d existing, %d skipped in %v\n",
		len(r.Collections), r.Created(), r.Existing(), r.Skipped(), r.Duration.Round(time.Millisecond))
	return err
}

// String returns the table WriteTable writes.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteTable(&b)
	return b.String()
}
