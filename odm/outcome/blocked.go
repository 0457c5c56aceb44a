package outcome

import (
	"errors"
	"strings"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
)

// Blocker is one change applying a plan would fail on, or hold back,
// under the plan's policies: what a CI gate stops on before a deployment.
type Blocker struct {
	Collection string `json:"collection,omitempty"`
	// Index is the index or search index, "(collection)" for a collection
	// option, "(shard key)" for the shard key; empty when the reason is
	// about the declarations as a whole.
	Index string `json:"index,omitempty"`
	// Reason says why, on one line.
	Reason string `json:"reason"`
}

// String renders the blocker on one line.
func (b Blocker) String() string {
	s := ""
	if b.Collection != "" {
		s = "collection " + b.Collection
	}
	if b.Index != "" {
		if s != "" {
			s += ", "
		}
		s += "index " + b.Index
	}
	if s == "" {
		return b.Reason
	}
	return s + ": " + b.Reason
}

// Blocked lists, from the plan's steps, what applying it would fail on or
// hold back under its policies: a conflicting index under ConflictFail, a
// collection option collMod cannot change (unless ConflictKeep), a search
// index conflict under ConflictFail, a shard key other than the declared
// one, a shard key change the shard policy holds back (StepHeld), and a
// shard key the server cannot apply without SkipUnsupported. Nil when
// nothing is blocked. What a plan cannot show (a refusal the server
// gives only to the command itself) fails at apply only; errors Plan
// returns beside the plan are read with Blocking.
func (p *IndexPlan) Blocked() []Blocker {
	if p == nil {
		return nil
	}
	var out []Blocker
	for _, c := range p.Collections {
		out = append(out, p.shardBlocker(c)...)
		for _, o := range c.Options {
			if p.OptionStep(o) == diff.StepFail {
				out = append(out, Blocker{c.Collection, "(collection)", oneLine("collection option cannot change in place: " + o.Summary())})
			}
		}
		for _, ch := range c.Changes {
			if p.Step(ch) != diff.StepFail {
				continue
			}
			reason := "conflicts with its declaration: " + ch.Summary()
			if ch.ListedName != "" {
				reason = "its keys are listed as " + cell(ch.ListedName) + ": " + ch.Summary()
			}
			out = append(out, Blocker{c.Collection, ch.Name, oneLine(reason)})
		}
		for _, ch := range c.Search {
			if ch.Step == diff.StepFail {
				out = append(out, Blocker{c.Collection, ch.Name, oneLine("search index conflicts with its declaration: " + ch.Summary())})
			}
		}
	}
	return out
}

// shardBlocker is the blocker of a collection's shard key, if any.
func (p *IndexPlan) shardBlocker(c CollectionPlan) []Blocker {
	s := c.Shard
	if s == nil {
		return nil
	}
	var reason string
	switch {
	case s.Step == shard.StepFail:
		reason = "shard key mismatch: declared " + s.Key + ", listed " + s.Listed
	case s.Step == shard.StepHeld:
		reason = "shard key change held back"
	case s.Action == shard.Unsupported && s.Step != shard.StepNone && s.Step != shard.StepReport && !p.SkipUnsupported:
		reason = "the server cannot shard"
	default:
		return nil
	}
	if s.Detail != "" {
		reason += "; " + s.Detail
	}
	return []Blocker{{c.Collection, "(shard key)", oneLine(reason)}}
}

// Blocking reads an error Init or Plan returned: when every error it
// joins is about the declarations or the collections' state, which
// applying would fail on again whatever the server's health (invalid
// declarations, a conflict, an unsupported index or option without
// SkipUnsupported, a shard key mismatch), it lists them and returns true.
// Any other error (the server unreachable, a listing refused, a
// cancelled context) makes it return nil, false: the state is unknown.
// A nil err is nil, false.
func Blocking(err error) ([]Blocker, bool) {
	if err == nil {
		return nil, false
	}
	var out []Blocker
	if !blocking(err, &out) {
		return nil, false
	}
	return out, true
}

// blocking adds err's blockers to out, and reports whether all of err is
// blocking.
func blocking(err error, out *[]Blocker) bool {
	switch e := err.(type) {
	case *schema.ValidationError:
		for _, p := range e.Problems {
			*out = append(*out, Blocker{p.Collection, p.Index, oneLine("invalid declaration: " + p.String())})
		}
		return len(e.Problems) > 0
	case *UnsupportedError:
		*out = append(*out, Blocker{e.Collection, e.Index, oneLine(e.Error())})
		return true
	case *ConflictError:
		*out = append(*out, Blocker{e.Collection, "", oneLine(e.Error())})
		return true
	case *SearchConflictError:
		*out = append(*out, Blocker{e.Collection, "", oneLine(e.Error())})
		return true
	case *shard.MismatchError:
		*out = append(*out, Blocker{collectionOf(e.Namespace), "(shard key)", oneLine(e.Error())})
		return true
	case *shard.UnsupportedError:
		*out = append(*out, Blocker{collectionOf(e.Collection), "(shard key)", oneLine(e.Error())})
		return true
	case interface{ Unwrap() []error }:
		errs := e.Unwrap()
		for _, inner := range errs {
			if inner != nil && !blocking(inner, out) {
				return false
			}
		}
		return len(errs) > 0
	}
	if inner := errors.Unwrap(err); inner != nil {
		return blocking(inner, out)
	}
	return false
}

// collectionOf is the collection of a namespace ("db.coll"): a database
// name holds no dot, a collection name may.
func collectionOf(ns string) string {
	if _, coll, ok := strings.Cut(ns, "."); ok {
		return coll
	}
	return ns
}
