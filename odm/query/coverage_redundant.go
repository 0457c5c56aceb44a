package query

import (
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
)

// RedundantIndex is a declared index whose queries another index of the
// same collection serves as well: a plain index whose keys are a prefix
// of another's (in the same directions or all reversed), or the same keys
// in reverse. Dropping it saves its writes and memory. It is a warning,
// never an error: the index may be kept on purpose (a smaller index for a
// hot query, say).
type RedundantIndex struct {
	Collection string `json:"collection"`
	// Index is the redundant index's name.
	Index string `json:"index"`
	// CoveredBy are the indexes that serve its queries, in declaration
	// order.
	CoveredBy []string `json:"coveredBy"`
	// Reverse reports the same keys in reverse, rather than a prefix.
	Reverse bool `json:"reverse,omitempty"`
}

// String renders the warning on one line.
func (r RedundantIndex) String() string {
	what := "its keys are a prefix of"
	if r.Reverse {
		what = "the same keys in reverse as"
	}
	serve := "which serves"
	if len(r.CoveredBy) > 1 {
		serve = "which serve"
	}
	return fmt.Sprintf("%s: index %s is redundant: %s %s, %s its queries", r.Collection, r.Index, what, strings.Join(r.CoveredBy, ", "), serve)
}

// Redundant is RedundantIndexes over one collection's declared specs, in
// declaration order: a pure function, for specs from Declared or written
// by hand.
func Redundant(collection string, specs []schema.IndexSpec) []RedundantIndex {
	var out []RedundantIndex
	for i, a := range specs {
		if !plainIndex(a) {
			continue
		}
		var prefixOf, reverseOf []string
		for j, b := range specs {
			if i == j || !servesAll(b) {
				continue
			}
			switch {
			case len(a.Keys) < len(b.Keys) && keysMatch(a.Keys, b.Keys[:len(a.Keys)]):
				prefixOf = append(prefixOf, nameOf(b))
			case len(a.Keys) == len(b.Keys) && reversed(a.Keys, b.Keys) && (!plainIndex(b) || j < i):
				// Of two plain indexes in reverse, the later one is
				// called redundant; a plain one beside one with options
				// (unique, TTL), always.
				reverseOf = append(reverseOf, nameOf(b))
			}
		}
		switch {
		case len(prefixOf) > 0:
			out = append(out, RedundantIndex{Collection: collection, Index: nameOf(a), CoveredBy: prefixOf})
		case len(reverseOf) > 0:
			out = append(out, RedundantIndex{Collection: collection, Index: nameOf(a), CoveredBy: reverseOf, Reverse: true})
		}
	}
	return out
}

func nameOf(s schema.IndexSpec) string {
	if s.Name != "" {
		return s.Name
	}
	return schema.DefaultName(s.Keys)
}

// plainIndex is an index of ascending and descending keys and no option,
// that does not support the shard key.
func plainIndex(s schema.IndexSpec) bool {
	return !s.Unique && !s.Sparse && !s.Hidden && s.ExpireAfter == nil && len(s.PartialFilter) == 0 &&
		s.Collation == nil && regularKeys(s.Keys) && !s.SupportsShardKey()
}

// servesAll is an index the planner can use for every query a plain index
// on its leading keys serves: no partial filter, not sparse, not hidden,
// the simple collation, ascending and descending keys.
func servesAll(s schema.IndexSpec) bool {
	return !s.Sparse && !s.Hidden && len(s.PartialFilter) == 0 && s.Collation == nil && regularKeys(s.Keys)
}

func regularKeys(keys []schema.IndexKey) bool {
	for _, k := range keys {
		if k.Type != schema.KeyAscending && k.Type != schema.KeyDescending || strings.Contains(k.Field, "$**") {
			return false
		}
	}
	return len(keys) > 0
}

// keysMatch reports the same fields in the same directions, or all
// reversed.
func keysMatch(a, b []schema.IndexKey) bool {
	same, rev := true, true
	for i := range a {
		if a[i].Field != b[i].Field {
			return false
		}
		same = same && a[i].Type == b[i].Type
		rev = rev && a[i].Type != b[i].Type
	}
	return same || rev
}

// reversed reports the same fields with every direction reversed.
func reversed(a, b []schema.IndexKey) bool {
	for i := range a {
		if a[i].Field != b[i].Field || a[i].Type == b[i].Type {
			return false
		}
	}
	return true
}
