package query

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Condition is one condition of a query's filter on one path.
type Condition struct {
	Path string
	// Op is the query operator: "$eq" (also for a plain value), "$in",
	// "$gt", "$gte", "$lt", "$lte", "$exists", "$ne", "$nin", "$regex",
	// "$type", ...
	Op string
	// Value is the operand: the value compared with, the list of $in,
	// true or false for $exists.
	Value any
}

// SortKey is one key of a sort.
type SortKey struct {
	Path string
	Desc bool
}

// Shape is what a query asks of an index: the conditions of its
// filter that are joined by "and", the branches of its $or, its sort and
// its collation (nil: the simple binary comparison). Conditions under
// $nor, $expr and other expressions are applied after the index and not
// listed.
type Shape struct {
	Conditions []Condition
	// Or holds the branches of the filter's $or, each the conditions
	// joined by "and" in it; Conditions apply to every branch as well.
	// Nil when the filter has no $or. Only one $or is kept (the first at
	// the top level or under $and); another, and an $or inside a branch,
	// are applied after the index and not listed.
	Or        [][]Condition
	Sort      []SortKey
	Collation *options.Collation
}

// Coverage is how the declared indexes serve a query shape, read by
// MongoDB's planner rules.
type Coverage struct {
	// Index is the name of the index that serves the query best: the one
	// that bounds the most of the filter by equality, then the one that
	// also gives the sort, then the one with the fewest keys. Empty when
	// no index can be used ("_id_" is the index every collection has on
	// _id), and when the query is served by one index per $or branch
	// (see Or).
	Index string `json:"index,omitempty"`
	// Keys is the number of Index's leading keys the filter bounds
	// (equalities, then at most one range, ESR); 0 when Index only gives
	// the sort, or is empty.
	Keys int `json:"keys"`
	// Scan reports that every document is read: no index bounds the
	// filter (a collection scan, or a whole index read for its order).
	Scan bool `json:"scan"`
	// InMemorySort reports a sort that no usable index gives in order:
	// the server sorts the matched documents in memory (a blocking sort).
	InMemorySort bool `json:"inMemorySort"`
	// Candidates are every index that can be used, best first; empty
	// when the query is served per $or branch (each branch in Or has
	// its own).
	Candidates []string `json:"candidates,omitempty"`
	// Or is set when no index bounds the conditions joined by "and" but
	// every branch of the filter's $or is bounded by one (with those
	// conditions): the planner then scans one index per branch (an OR
	// plan) and the query is no scan. Or[i] is how branch i of
	// Shape.Or is served: its Index, Keys and Candidates, and its
	// InMemorySort when its index does not give the sort. The sort is in
	// memory unless every branch's index gives it (merged in order).
	Or []Coverage `json:"or,omitempty"`
}

// Served reports a query that reads only what its filter bounds, in
// order: neither a scan nor an in-memory sort.
func (c Coverage) Served() bool { return !c.Scan && !c.InMemorySort }

// String is a one-line account: "idx_user_created (2 keys)",
// "user_id_1 (1 key), sort in memory", "collection scan", or per $or
// branch "$or: a_1 (1 key) | c_1 (1 key)".
func (c Coverage) String() string {
	var s string
	if len(c.Or) > 0 {
		parts := make([]string, len(c.Or))
		for i, b := range c.Or {
			parts[i] = b.indexString()
		}
		s = "$or: " + strings.Join(parts, " | ")
	} else {
		s = c.indexString()
	}
	if c.InMemorySort {
		s += ", sort in memory"
	}
	return s
}

// indexString is String without the sort.
func (c Coverage) indexString() string {
	switch {
	case c.Index == "":
		return "collection scan"
	case c.Keys == 0:
		return c.Index + " (whole index read for its order)"
	case c.Keys == 1:
		return c.Index + " (1 key)"
	}
	return fmt.Sprintf("%s (%d keys)", c.Index, c.Keys)
}

// maxMergeSortIn is the number of $in values up to which the planner
// still gives a sort on the following index keys, by merging one ordered
// scan per value (MongoDB's internalQueryMaxScansToExplode is 200).
const maxMergeSortIn = 200

// Cover says which of model m's declared indexes (and the _id index every
// collection has) serves query shape q, by MongoDB's planner rules:
//
//   - an index is used only from its first key: the filter bounds its
//     leading keys by equality ($eq, $in), then at most one more by a
//     range ($gt, $lt, $exists, $ne, $regex, ...); a condition on a later
//     key with no condition on an earlier one bounds nothing;
//   - an index gives a sort when the sort's keys follow its equality
//     prefix in its order, all in its directions or all reversed; a sort
//     key the filter fixes by equality is no sort at all; after a $in of
//     up to 200 values the scans are merged in order;
//   - an index whose key holds an array (multikey; known from the Go
//     type) gives a sort on that key only when no sort key is bounded by
//     the filter;
//   - a partial index is used only when the filter implies its
//     partialFilterExpression; a sparse one only when the filter implies
//     that an indexed field exists; a hidden one never; hashed keys bound
//     equalities only and give no sort; text, geo and wildcard indexes are
//     not considered;
//   - an index with a collation other than the query's bounds no
//     condition on a string and gives no sort on a string field (the Go
//     type says which fields hold strings);
//   - when no index bounds the conditions joined by "and", an $or whose
//     every branch, with those conditions, is bounded by an index by the
//     rules above is served by one index scan per branch (an OR plan;
//     Coverage.Or says which index serves each branch), and the sort is
//     in memory unless every branch's index gives it (the scans are then
//     merged in order); a partial index serves a branch when the
//     conditions beside the $or, or the branch's own, imply its filter.
//     An $or with a branch no index bounds is a scan, as is $nor.
//
// Cover is a pure function of its arguments: no server is asked. It does
// not judge how selective an index is, nor which of two that serve the
// planner will pick.
func Cover(m *schema.Model, q Shape) Coverage {
	var st *reflectx.Struct
	if m != nil && m.Type != nil {
		st, _ = reflectx.Describe(m.Type)
	}
	var specs []schema.IndexSpec
	if m != nil {
		specs = m.Indexes
	}
	out := coverIndexes(specs, st, q, nil)
	if out.Scan && len(q.Or) > 0 {
		if or, ok := coverOr(specs, st, q); ok {
			return or
		}
	}
	return out
}

// coverOr is how one index per branch of q's $or serves q (an OR plan):
// each branch is judged with q's other conditions, as the planner pushes
// them into each branch's index scan. false when some branch has no index
// that bounds it: the planner then reads every document.
func coverOr(specs []schema.IndexSpec, st *reflectx.Struct, q Shape) (Coverage, bool) {
	out := Coverage{Or: make([]Coverage, len(q.Or))}
	for i, branch := range q.Or {
		conds := make([]Condition, 0, len(q.Conditions)+len(branch))
		conds = append(append(conds, q.Conditions...), branch...)
		bq := Shape{Conditions: conds, Sort: q.Sort, Collation: q.Collation}
		// A partial index serves a branch when the conditions beside the
		// $or, or the branch's own, imply its filter; MongoDB does not
		// combine the two.
		c := coverIndexes(specs, st, bq, [][]Condition{q.Conditions, branch})
		if c.Scan {
			return Coverage{}, false
		}
		out.Or[i] = c
		// A sort merges the branches' scans only when each is in order.
		out.InMemorySort = out.InMemorySort || c.InMemorySort
	}
	return out, true
}

type indexUse struct {
	name       string
	eqKeys     int
	keys       int
	sorts      bool
	totalKeys  int
	declaredAt int
}

// coverIndexes is Cover over specs and q's conditions joined by "and". A
// partial index is used only when one of partialScopes alone implies its
// filter; nil is q's conditions.
func coverIndexes(specs []schema.IndexSpec, st *reflectx.Struct, q Shape, partialScopes [][]Condition) Coverage {
	all := make([]schema.IndexSpec, 0, len(specs)+1)
	all = append(all, schema.IndexSpec{Name: "_id_", Keys: []schema.IndexKey{schema.Asc("_id")}, Unique: true})
	all = append(all, specs...)
	sortNeeded := neededSort(q)
	var uses []indexUse
	for i, ix := range all {
		if i > 0 && ix.Name == "_id_" {
			continue
		}
		u, ok := useOf(ix, st, q, sortNeeded, partialScopes)
		if !ok {
			continue
		}
		u.declaredAt = i
		uses = append(uses, u)
	}
	slices.SortStableFunc(uses, func(a, b indexUse) int {
		switch {
		case (a.keys > 0) != (b.keys > 0):
			return boolOrder(a.keys > 0)
		case a.eqKeys != b.eqKeys:
			return b.eqKeys - a.eqKeys
		case a.sorts != b.sorts:
			return boolOrder(a.sorts)
		case a.keys != b.keys:
			return b.keys - a.keys
		case a.totalKeys != b.totalKeys:
			return a.totalKeys - b.totalKeys
		}
		return a.declaredAt - b.declaredAt
	})
	out := Coverage{Scan: true, InMemorySort: len(sortNeeded) > 0}
	for _, u := range uses {
		out.Candidates = append(out.Candidates, u.name)
	}
	if len(uses) > 0 {
		best := uses[0]
		out.Index, out.Keys = best.name, best.keys
		out.Scan = best.keys == 0
		out.InMemorySort = len(sortNeeded) > 0 && !best.sorts
	}
	return out
}

func boolOrder(first bool) int {
	if first {
		return -1
	}
	return 1
}

// neededSort is q's sort without the keys its filter fixes by equality.
func neededSort(q Shape) []SortKey {
	var out []SortKey
	for _, k := range q.Sort {
		if !slices.ContainsFunc(q.Conditions, func(c Condition) bool { return c.Path == k.Path && c.Op == "$eq" }) {
			out = append(out, k)
		}
	}
	return out
}

// keyBound is how the filter bounds one index key.
type keyBound int

const (
	boundNone  keyBound = iota
	boundEq             // $eq: one value
	boundIn             // $in: a few values
	boundRange          // anything else the index can bound
)

// useOf reports whether ix can be used for q, and how.
func useOf(ix schema.IndexSpec, st *reflectx.Struct, q Shape, sortNeeded []SortKey, partialScopes [][]Condition) (indexUse, bool) {
	u := indexUse{name: ix.Name, totalKeys: len(ix.Keys)}
	if u.name == "" {
		u.name = schema.DefaultName(ix.Keys)
	}
	if ix.Hidden || len(ix.Keys) == 0 {
		return u, false
	}
	for _, k := range ix.Keys {
		if k.Type != schema.KeyAscending && k.Type != schema.KeyDescending && k.Type != schema.KeyHashed || strings.Contains(k.Field, "$**") {
			return u, false
		}
	}
	if len(ix.PartialFilter) > 0 && !impliedBy(q.Conditions, partialScopes, ix.PartialFilter) {
		return u, false
	}
	sameColl := sameCollation(ix.Collation, q.Collation)
	bounds := make([]keyBound, len(ix.Keys))
	for i, k := range ix.Keys {
		bounds[i] = boundOf(k, q.Conditions, sameColl)
	}
	if ix.Sparse && !slices.ContainsFunc(ix.Keys, func(k schema.IndexKey) bool { return impliesExists(q.Conditions, k.Field) }) {
		return u, false
	}
	for i := range ix.Keys {
		b := bounds[i]
		if b == boundNone {
			break
		}
		u.keys++
		if b == boundRange {
			break
		}
		u.eqKeys++
	}
	u.sorts = len(sortNeeded) > 0 && givesSort(ix, bounds, st, q, sortNeeded, sameColl)
	return u, u.keys > 0 || u.sorts
}

// boundOf is how conditions bound index key k.
func boundOf(k schema.IndexKey, conds []Condition, sameColl bool) keyBound {
	best := boundNone
	for _, c := range conds {
		if c.Path != k.Field {
			continue
		}
		if !sameColl && holdsString(c.Value) {
			continue // compared by the query's collation, not the index's
		}
		b := boundRange
		switch c.Op {
		case "$eq":
			b = boundEq
		case "$in":
			b = boundIn
		case "$exists":
			if v, ok := c.Value.(bool); ok && !v {
				continue // missing fields: the index cannot tell null from missing cheaply
			}
		}
		if k.Type == schema.KeyHashed && b == boundRange {
			continue // a hashed key bounds equalities only
		}
		if best == boundNone || b < best {
			best = b
		}
	}
	return best
}

// givesSort reports whether ix returns documents in the order of
// sortNeeded, given the bounds the filter puts on its keys.
func givesSort(ix schema.IndexSpec, bounds []keyBound, st *reflectx.Struct, q Shape, sortNeeded []SortKey, sameColl bool) bool {
	j := 0
	var reversed *bool
	var used []int
	for i, k := range ix.Keys {
		if j == len(sortNeeded) {
			break
		}
		if k.Field == sortNeeded[j].Path {
			if k.Type == schema.KeyHashed {
				return false
			}
			rev := (k.Type == schema.KeyDescending) != sortNeeded[j].Desc
			if reversed != nil && *reversed != rev {
				return false
			}
			reversed = &rev
			used = append(used, i)
			j++
			continue
		}
		if bounds[i] == boundEq || bounds[i] == boundIn && inCount(q.Conditions, k.Field) <= maxMergeSortIn {
			continue // fixed by equality: the order of the next keys holds
		}
		return false
	}
	if j < len(sortNeeded) {
		return false
	}
	for _, i := range used {
		leaf, ok := leafOf(st, ix.Keys[i].Field)
		if !sameColl && (!ok || leaf.Type == nil || leaf.Type.Kind() == reflect.String || leaf.Type.Kind() == reflect.Interface) {
			return false // a string field, ordered by another collation
		}
		if ok && leaf.Array {
			// MongoDB 4.4+: a multikey sort field gives its order only
			// when no sort field is bounded by the filter.
			for _, s := range sortNeeded {
				if slices.ContainsFunc(q.Conditions, func(c Condition) bool { return c.Path == s.Path }) {
					return false
				}
			}
		}
	}
	return true
}

func leafOf(st *reflectx.Struct, path string) (reflectx.Leaf, bool) {
	if st == nil {
		return reflectx.Leaf{}, false
	}
	return st.LeafOf(path)
}

// inCount is the number of values of the $in on path.
func inCount(conds []Condition, path string) int {
	n := 0
	for _, c := range conds {
		if c.Path == path && c.Op == "$in" {
			n = max(n, len(listOf(c.Value)))
		}
	}
	return n
}

// holdsString reports a value that is, or holds, a string (compared by
// collation).
func holdsString(v any) bool {
	switch v.(type) {
	case string:
		return true
	case bson.Regex:
		return true
	case bson.D, bson.M, map[string]any:
		return true
	}
	for _, item := range listOf(v) {
		if holdsString(item) {
			return true
		}
	}
	return false
}

// listOf is the items of an array value; nil for anything else.
func listOf(v any) []any {
	switch x := v.(type) {
	case bson.A:
		return x
	case []any:
		return x
	case nil, string, []byte:
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// sameCollation reports two collations that compare strings alike; nil
// and the "simple" locale are the binary comparison.
func sameCollation(a, b *options.Collation) bool {
	simple := func(c *options.Collation) bool { return c == nil || c.Locale == "" || c.Locale == "simple" }
	if simple(a) || simple(b) {
		return simple(a) && simple(b)
	}
	return reflect.DeepEqual(*a, *b)
}

// impliesExists reports conditions that only documents holding path can
// meet.
func impliesExists(conds []Condition, path string) bool {
	for _, c := range conds {
		if c.Path != path {
			continue
		}
		switch c.Op {
		case "$eq":
			if c.Value != nil {
				return true
			}
		case "$in":
			items := listOf(c.Value)
			if len(items) > 0 && !slices.ContainsFunc(items, func(x any) bool { return x == nil }) {
				return true
			}
		case "$gt", "$gte", "$lt", "$lte", "$regex", "$type", "$all", "$elemMatch", "$size", "$mod":
			return true
		case "$exists":
			if v, ok := c.Value.(bool); ok && v {
				return true
			}
		}
	}
	return false
}

// implies reports whether every document meeting conds meets the
// partial filter: each of its terms is implied by a condition on the same
// path (an equality implies $exists and a range it lies in; a range
// implies a wider one; $in implies what each of its values implies).
// A term it cannot read is not implied.
func implies(conds []Condition, partial bson.D) bool {
	terms, ok := conditionsOf(partial)
	if !ok {
		return false
	}
	for _, t := range terms {
		if !slices.ContainsFunc(conds, func(c Condition) bool { return c.Path == t.Path && conditionImplies(c, t) }) {
			return false
		}
	}
	return true
}

// impliedBy is implies over conds, or when scopes is not nil over any
// one of them.
func impliedBy(conds []Condition, scopes [][]Condition, partial bson.D) bool {
	if scopes == nil {
		return implies(conds, partial)
	}
	return slices.ContainsFunc(scopes, func(s []Condition) bool { return implies(s, partial) })
}

func conditionImplies(c, t Condition) bool {
	if c.Op == t.Op && valuesEqual(c.Value, t.Value) {
		return true
	}
	switch c.Op {
	case "$eq":
		return valueMeets(c.Value, t)
	case "$in":
		items := listOf(c.Value)
		return len(items) > 0 && !slices.ContainsFunc(items, func(x any) bool { return !valueMeets(x, t) })
	case "$gt", "$gte", "$lt", "$lte":
		switch t.Op {
		case "$exists":
			v, ok := t.Value.(bool)
			return ok && v
		case "$gt", "$gte":
			if c.Op != "$gt" && c.Op != "$gte" {
				return false
			}
			cmp, ok := compareValues(c.Value, t.Value)
			return ok && (cmp > 0 || cmp == 0 && (t.Op == "$gte" || c.Op == "$gt"))
		case "$lt", "$lte":
			if c.Op != "$lt" && c.Op != "$lte" {
				return false
			}
			cmp, ok := compareValues(c.Value, t.Value)
			return ok && (cmp < 0 || cmp == 0 && (t.Op == "$lte" || c.Op == "$lt"))
		}
	case "$exists", "$type", "$regex":
		v, ok := t.Value.(bool)
		return t.Op == "$exists" && ok && v && impliesExists([]Condition{c}, c.Path)
	}
	return false
}

// valueMeets reports a value that meets condition t.
func valueMeets(v any, t Condition) bool {
	switch t.Op {
	case "$eq":
		return valuesEqual(v, t.Value)
	case "$exists":
		b, ok := t.Value.(bool)
		return ok && b == (v != nil)
	case "$gt", "$gte", "$lt", "$lte":
		cmp, ok := compareValues(v, t.Value)
		if !ok {
			return false
		}
		switch t.Op {
		case "$gt":
			return cmp > 0
		case "$gte":
			return cmp >= 0
		case "$lt":
			return cmp < 0
		}
		return cmp <= 0
	case "$in":
		return slices.ContainsFunc(listOf(t.Value), func(x any) bool { return valuesEqual(v, x) })
	case "$type":
		return false
	}
	return false
}

func valuesEqual(a, b any) bool {
	if cmp, ok := compareValues(a, b); ok {
		return cmp == 0
	}
	return reflect.DeepEqual(a, b)
}

// compareValues orders two numbers, two strings, two booleans or two
// times; ok is false for anything else.
func compareValues(a, b any) (int, bool) {
	if x, ok := querydoc.Number(a); ok {
		if y, ok := querydoc.Number(b); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if x, ok := instant(a); ok {
		if y, ok := instant(b); ok {
			return x.Compare(y), true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		}
	}
	return 0, false
}

func instant(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case bson.DateTime:
		return x.Time(), true
	case *time.Time:
		if x != nil {
			return *x, true
		}
	}
	return time.Time{}, false
}
