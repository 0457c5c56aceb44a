package query_test

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

var fuzzFields = []string{"a", "b", "c", "d"}

// choices hands out the fuzzer's bytes; 0 once spent.
type choices struct {
	data []byte
	pos  int
}

func (c *choices) pick(n int) int {
	if c.pos >= len(c.data) {
		return 0
	}
	c.pos++
	return int(c.data[c.pos-1]) % n
}

// fuzzIndexes builds 1 to 3 plain indexes of 1 to 3 distinct keys of a, b,
// c, d.
func fuzzIndexes(c *choices) []schema.IndexSpec {
	var out []schema.IndexSpec
	for i := range c.pick(3) + 1 {
		fields := slices.Clone(fuzzFields)
		var keys []schema.IndexKey
		for range c.pick(3) + 1 {
			j := c.pick(len(fields))
			k := schema.Asc(fields[j])
			if c.pick(2) == 1 {
				k = schema.Desc(fields[j])
			}
			keys = append(keys, k)
			fields = slices.Delete(fields, j, j+1)
		}
		out = append(out, schema.IndexSpec{Name: fmt.Sprint("ix", i), Keys: keys})
	}
	return out
}

// fuzzShape builds up to 3 conditions ($eq, $in, $gt, $lte on values 0 to
// 3), a sort of up to 2 distinct keys and, after them, an $or of 2 or 3
// branches of 1 or 2 conditions each, or none.
func fuzzShape(c *choices) query.Shape {
	var q query.Shape
	q.Conditions = fuzzConditions(c, c.pick(4))
	fields := slices.Clone(fuzzFields)
	for range c.pick(3) {
		j := c.pick(len(fields))
		q.Sort = append(q.Sort, query.SortKey{Path: fields[j], Desc: c.pick(2) == 1})
		fields = slices.Delete(fields, j, j+1)
	}
	if n := c.pick(3); n > 0 {
		for range n + 1 {
			q.Or = append(q.Or, fuzzConditions(c, c.pick(2)+1))
		}
	}
	return q
}

func fuzzConditions(c *choices, n int) []query.Condition {
	var out []query.Condition
	for range n {
		f := fuzzFields[c.pick(4)]
		switch c.pick(4) {
		case 0:
			out = append(out, query.Condition{Path: f, Op: "$eq", Value: c.pick(4)})
		case 1:
			out = append(out, query.Condition{Path: f, Op: "$in", Value: bson.A{c.pick(4), c.pick(4)}})
		case 2:
			out = append(out, query.Condition{Path: f, Op: "$gt", Value: c.pick(4)})
		default:
			out = append(out, query.Condition{Path: f, Op: "$lte", Value: c.pick(4)})
		}
	}
	return out
}

type fdoc map[string]int

// allDocs are every document with a, b, c, d in 0..3: for these shapes,
// a claim that holds on all of them holds on any data.
func allDocs() []fdoc {
	var out []fdoc
	for i := range 256 {
		out = append(out, fdoc{"a": i & 3, "b": i >> 2 & 3, "c": i >> 4 & 3, "d": i >> 6 & 3})
	}
	return out
}

func matches(d fdoc, q query.Shape) bool {
	if !meets(d, q.Conditions) {
		return false
	}
	return len(q.Or) == 0 || slices.ContainsFunc(q.Or, func(b []query.Condition) bool { return meets(d, b) })
}

func meets(d fdoc, conds []query.Condition) bool {
	for _, c := range conds {
		v := d[c.Path]
		switch c.Op {
		case "$eq":
			if v != c.Value.(int) {
				return false
			}
		case "$in":
			if !slices.Contains(c.Value.(bson.A), any(v)) {
				return false
			}
		case "$gt":
			if v <= c.Value.(int) {
				return false
			}
		case "$lte":
			if v > c.Value.(int) {
				return false
			}
		}
	}
	return true
}

func compareBy(x, y fdoc, keys []query.SortKey) int {
	for _, k := range keys {
		c := cmp.Compare(x[k.Path], y[k.Path])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// ordered reports that scanning ix, forwards or backwards, returns the
// documents q matches in q's sort order whatever the order of documents
// with equal index keys, with one ordered scan per combination of q's $in
// values merged (the planner's merge sort).
func ordered(ix schema.IndexSpec, q query.Shape, docs []fdoc) bool {
	var ixKeys []query.SortKey
	for _, k := range ix.Keys {
		ixKeys = append(ixKeys, query.SortKey{Path: k.Field, Desc: k.Type == schema.KeyDescending})
	}
	groups := map[string][]fdoc{}
	for _, d := range docs {
		if !matches(d, q) {
			continue
		}
		g := ""
		for _, c := range q.Conditions {
			if c.Op == "$in" {
				g += fmt.Sprint(c.Path, d[c.Path], ";")
			}
		}
		groups[g] = append(groups[g], d)
	}
	for _, backwards := range []bool{false, true} {
		ok := true
		for _, g := range groups {
			slices.SortStableFunc(g, func(x, y fdoc) int { return compareBy(x, y, ixKeys) })
			if backwards {
				slices.Reverse(g)
			}
			for i := 1; i < len(g) && ok; i++ {
				c := compareBy(g[i-1], g[i], q.Sort)
				tied := compareBy(g[i-1], g[i], ixKeys) == 0
				// Out of order, or in an order only the tie between
				// equal index keys decides.
				if c > 0 || tied && c != 0 {
					ok = false
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// FuzzCoverage checks Cover against a brute-force reading of the rules
// over every document of a small domain: a sort Cover says an index gives
// is the order of that index's scan (forwards or backwards, $in values
// merged) on every document set; Cover says the collection is scanned
// exactly when no index has a condition on its first key, neither among
// the conditions joined by "and" nor, for an $or, in every branch (with
// those conditions); the index it names, or each branch's, is one of the
// model's and bounded so; a sort it says an OR plan gives is the order of
// every branch's index scan over the branch's documents (the scans then
// merged in order).
func FuzzCoverage(f *testing.F) {
	f.Add([]byte{0, 1, 0, 1, 2, 1, 1, 0, 0, 2, 1, 1, 0})
	f.Add([]byte{2, 2, 1, 1, 3, 0, 1, 2, 0, 1, 3, 1, 2, 2, 0, 1, 1})
	f.Add([]byte{1, 2, 0, 0, 1, 1, 0, 3, 2, 1, 2, 0, 2, 0, 1, 3, 1, 0, 0, 1})
	docs := allDocs()
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &choices{data: data}
		specs := fuzzIndexes(c)
		q := fuzzShape(c)
		m := &schema.Model{Type: reflect.TypeFor[covDoc](), Collection: "cov", Indexes: specs}
		got := query.Cover(m, q)

		firstKeyBound := boundsFirstKey(specs, q.Conditions)
		orBound := len(q.Or) > 0
		for _, b := range q.Or {
			orBound = orBound && boundsFirstKey(specs, append(slices.Clone(q.Conditions), b...))
		}
		if got.Scan == (firstKeyBound || orBound) {
			t.Fatalf("%+v over %+v: %s, but an index's first key bound: %v, in every $or branch: %v", q, specs, got, firstKeyBound, orBound)
		}
		if len(got.Or) > 0 {
			checkOrPlan(t, specs, q, got, docs)
			return
		}
		fixed := func(k query.SortKey) bool {
			return slices.ContainsFunc(q.Conditions, func(c query.Condition) bool { return c.Path == k.Path && c.Op == "$eq" })
		}
		needsOrder := slices.ContainsFunc(q.Sort, func(k query.SortKey) bool { return !fixed(k) })
		if got.Index == "" || got.Index == "_id_" {
			if needsOrder != got.InMemorySort {
				t.Fatalf("%+v: %s without an index, but a sort to do is %v", q, got, needsOrder)
			}
			return
		}
		i := slices.IndexFunc(specs, func(s schema.IndexSpec) bool { return s.Name == got.Index })
		if i < 0 {
			t.Fatalf("%s names no index of the model", got)
		}
		if len(q.Sort) > 0 && !got.InMemorySort && !ordered(specs[i], q, docs) {
			t.Fatalf("%+v over %+v: %s gives the sort, but its scan is not in order", q, specs[i], got)
		}
	})
}

// boundsFirstKey reports conditions on the first key of some index.
func boundsFirstKey(specs []schema.IndexSpec, conds []query.Condition) bool {
	return slices.ContainsFunc(specs, func(ix schema.IndexSpec) bool {
		return slices.ContainsFunc(conds, func(c query.Condition) bool { return c.Path == ix.Keys[0].Field })
	})
}

// checkOrPlan checks an OR plan Cover answers: only when no index bounds
// the conditions beside the $or, one bounded index of the model per
// branch, and a sort it gives in order over each branch's documents.
func checkOrPlan(t *testing.T, specs []schema.IndexSpec, q query.Shape, got query.Coverage, docs []fdoc) {
	t.Helper()
	if boundsFirstKey(specs, q.Conditions) || len(got.Or) != len(q.Or) || got.Index != "" {
		t.Fatalf("%+v over %+v: %s, an OR plan where an index bounds the filter or of other branches", q, specs, got)
	}
	for i, b := range got.Or {
		branch := query.Shape{Conditions: append(slices.Clone(q.Conditions), q.Or[i]...), Sort: q.Sort}
		j := slices.IndexFunc(specs, func(s schema.IndexSpec) bool { return s.Name == b.Index })
		if j < 0 || !boundsFirstKey(specs[j:j+1], branch.Conditions) {
			t.Fatalf("%+v: branch %d: %s names no index of the model its conditions bound", q, i, got)
		}
		if len(q.Sort) > 0 && !got.InMemorySort && !ordered(specs[j], branch, docs) {
			t.Fatalf("%+v over %+v: branch %d: %s gives the sort, but its scan is not in order", q, specs[j], i, got)
		}
	}
}
