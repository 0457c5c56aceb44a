package outcome

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/shard"
)

// IndexPlan says what Init would do, per collection (sorted by name), under
// the policies it was made with. Plan makes one; Init makes one before it
// changes anything and returns it in its Report.
type IndexPlan struct {
	OnConflict     ConflictPolicy `json:"onConflict"`
	DropUndeclared bool           `json:"dropUndeclared"`
	HideUndeclared bool           `json:"hideUndeclared,omitempty"`
	// SkipUnsupported: what the server cannot do is skipped and reported
	// rather than failed on (see Blocked).
	SkipUnsupported bool             `json:"skipUnsupported,omitempty"`
	Collections     []CollectionPlan `json:"collections"`
}

// CollectionPlan is one collection's changes: its declared indexes in
// declaration order, then the listed indexes nobody declares.
type CollectionPlan struct {
	Collection string             `json:"collection"`
	Changes    []diff.IndexChange `json:"changes"`
	// Options are the collection options that differ from the
	// declarations, or a Create when the collection does not exist; only
	// for collections whose models declare options or a validator.
	Options []diff.OptionChange `json:"options,omitempty"`
	// Error is why the collection could not be planned (its listing
	// failed, say); empty when it was.
	Error string `json:"error,omitempty"`
	// Search are the declared search indexes, then the listed ones nobody
	// declares; only for collections whose models declare search indexes.
	Search []diff.SearchIndexChange `json:"search,omitempty"`
	// Redundant are warnings, never changes: declared indexes another
	// declared index of the collection makes redundant (see
	// RedundantIndex). Init creates them all the same.
	Redundant []query.RedundantIndex `json:"redundant,omitempty"`
	// Shard is the plan for the collection's shard key (shard package).
	Shard *shard.Plan `json:"shard,omitempty"`
}

// Step says what applying the plan does about c: the step the planner
// decided, diff.StepNone when it calls for none.
func (p *IndexPlan) Step(c diff.IndexChange) diff.Step { return stepOrNone(c.Step) }

// OptionStep says what applying the plan does about a collection option:
// the step the planner decided, diff.StepNone when it calls for none.
func (p *IndexPlan) OptionStep(c diff.OptionChange) diff.Step { return stepOrNone(c.Step) }

func stepOrNone(s diff.Step) diff.Step {
	if s == "" {
		return diff.StepNone
	}
	return s
}

// Pending counts the changes applying the plan would act on (a conflict
// under ConflictFail counts: applying fails on it), shard key steps too.
func (p *IndexPlan) Pending() int {
	n := 0
	for _, c := range p.Collections {
		for _, ch := range c.Changes {
			if s := p.Step(ch); s != diff.StepNone && s != diff.StepKeep {
				n++
			}
		}
		for _, o := range c.Options {
			if s := p.OptionStep(o); s != diff.StepNone && s != diff.StepKeep {
				n++
			}
		}
		n += searchPending(c.Search) + c.Shard.Pending()
	}
	return n
}

// Count is the number of changes with action a.
func (p *IndexPlan) Count(a diff.Action) int {
	n := 0
	for _, c := range p.Collections {
		for _, ch := range c.Changes {
			if ch.Action == a {
				n++
			}
		}
		for _, ch := range c.Search {
			if ch.Action == a {
				n++
			}
		}
	}
	return n
}

// WriteTable writes the plan as an aligned table, one index a row, and a
// summary line.
func (p *IndexPlan) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLLECTION\tINDEX\tACTION\tSTEP\tDETAIL")
	for _, c := range p.Collections {
		c.Shard.WriteRow(tw, c.Collection)
		for _, o := range c.Options {
			fmt.Fprintf(tw, "%s\t(collection)\t%s\t%s\t%s\n", c.Collection, o.Action, p.OptionStep(o), o.Summary())
		}
		switch {
		case c.Error != "":
			fmt.Fprintf(tw, "%s\t-\t-\tfailed\t%s\n", cell(c.Collection), oneLine(c.Error))
		case len(c.Changes) == 0 && len(c.Search) == 0:
			fmt.Fprintf(tw, "%s\t-\t-\t-\tno indexes declared\n", cell(c.Collection))
		}
		for _, ch := range c.Changes {
			detail := ch.Summary()
			if ch.ListedName != "" {
				detail = "listed as " + cell(ch.ListedName) + "; " + detail
			}
			if ch.Action == diff.Drop {
				detail = "not declared"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(c.Collection), cell(ch.Name), ch.Action, p.Step(ch), oneLine(detail))
		}
		writeSearchPlanRows(tw, c)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range p.Collections {
		for _, r := range c.Redundant {
			fmt.Fprintf(w, "warning: %s\n", r)
		}
	}
	_, err := fmt.Fprintf(w, "%d collections: %d unchanged, %d to create, %d to modify, %d conflicts, %d undeclared; %d pending\n",
		len(p.Collections), p.Count(diff.Unchanged), p.Count(diff.Create), p.Count(diff.ModifyInPlace), p.Count(diff.Conflict), p.Count(diff.Drop), p.Pending())
	return err
}

// String returns the table WriteTable writes.
func (p *IndexPlan) String() string {
	var b strings.Builder
	_ = p.WriteTable(&b)
	return b.String()
}

// MarshalJSON adds to the plan each change's step and the pending count.
func (p *IndexPlan) MarshalJSON() ([]byte, error) {
	type change struct {
		diff.IndexChange
		Step diff.Step `json:"step"`
	}
	type option struct {
		diff.OptionChange
		Step diff.Step `json:"step"`
	}
	type collection struct {
		Collection string                   `json:"collection"`
		Changes    []change                 `json:"changes"`
		Options    []option                 `json:"options,omitempty"`
		Search     []diff.SearchIndexChange `json:"search,omitempty"`
		Redundant  []query.RedundantIndex   `json:"redundant,omitempty"`
		Error      string                   `json:"error,omitempty"`
		Shard      *shard.Plan              `json:"shard,omitempty"`
	}
	out := struct {
		OnConflict      ConflictPolicy `json:"onConflict"`
		DropUndeclared  bool           `json:"dropUndeclared"`
		HideUndeclared  bool           `json:"hideUndeclared,omitempty"`
		SkipUnsupported bool           `json:"skipUnsupported,omitempty"`
		Pending         int            `json:"pending"`
		Collections     []collection   `json:"collections"`
	}{p.OnConflict, p.DropUndeclared, p.HideUndeclared, p.SkipUnsupported, p.Pending(), make([]collection, len(p.Collections))}
	for i, c := range p.Collections {
		out.Collections[i] = collection{Collection: c.Collection, Changes: make([]change, len(c.Changes)), Search: c.Search, Redundant: c.Redundant, Error: c.Error, Shard: c.Shard}
		for j, ch := range c.Changes {
			out.Collections[i].Changes[j] = change{ch, p.Step(ch)}
		}
		for _, o := range c.Options {
			out.Collections[i].Options = append(out.Collections[i].Options, option{o, p.OptionStep(o)})
		}
	}
	return json.Marshal(out)
}
