package query

import (
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ShapeOf reads the query shape of a filter, a sort and a collation (as
// given to Find): the conditions joined by "and" at the top level or
// under $and, with $elemMatch's conditions on the fields of an array's
// elements as conditions on their paths ("items.sku"), and the branches
// of the first $or found there (Or). An $or of one branch is read as
// that branch's conditions, and a branch that is itself only an $or as
// its branches (the planner rewrites both so). Conditions under $nor,
// $not, expressions, a second $or and an $or inside a branch are left
// out: they are applied after the index. A nil filter or sort is none. A
// filter or sort that is not a document is an error.
func ShapeOf(filter, sort any, collation *options.Collation) (Shape, error) {
	q := Shape{Collation: collation}
	if !querydoc.IsNil(filter) {
		d, err := querydoc.AsD(filter)
		if err != nil {
			return Shape{}, fmt.Errorf("odm: the filter: %w", odmerr.Inner(err))
		}
		r := shapeReader{or: true}
		q.Conditions, _ = r.conditionsAt(d, "", 0)
		q.Or = r.branches
	}
	if !querydoc.IsNil(sort) {
		d, err := querydoc.AsD(sort)
		if err != nil {
			return Shape{}, fmt.Errorf("odm: the sort: %w", odmerr.Inner(err))
		}
		for _, e := range d {
			if querydoc.IsOperatorDocument(e.Value) {
				continue // {$meta: "textScore"}
			}
			n, _ := querydoc.Number(e.Value)
			q.Sort = append(q.Sort, SortKey{Path: e.Key, Desc: n < 0})
		}
	}
	return q, nil
}

// conditionsOf reads a partial filter expression's terms; false when it
// holds something other than conditions joined by "and".
func conditionsOf(filter bson.D) ([]Condition, bool) {
	return (&shapeReader{}).conditionsAt(filter, "", 0)
}

// shapeReader reads the conditions of a filter; with or, it keeps the
// branches of the first $or it meets at the top level or under $and.
type shapeReader struct {
	or       bool
	branches [][]Condition
}

// conditionsAt reads the top-level conditions of d, below prefix; false
// when some part of d was left out (an $or, even one whose branches r
// keeps: they are not conditions joined by "and").
func (r *shapeReader) conditionsAt(d bson.D, prefix string, depth int) ([]Condition, bool) {
	if depth > querydoc.MaxDepth {
		return nil, false
	}
	var out []Condition
	complete := true
	for _, e := range d {
		switch {
		case e.Key == "$and" || e.Key == "$or" && len(listOf(e.Value)) == 1:
			// An $or of one branch is that branch, as the planner
			// rewrites it.
			for _, item := range listOf(e.Value) {
				sub, err := querydoc.AsD(item)
				if err != nil {
					complete = false
					continue
				}
				c, ok := r.conditionsAt(sub, prefix, depth+1)
				out, complete = append(out, c...), complete && ok
			}
			complete = complete && e.Key == "$and"
		case e.Key == "$or" && r.or && prefix == "" && r.branches == nil:
			r.branches = readBranches(e.Value, depth+1)
			complete = false
		case strings.HasPrefix(e.Key, "$"):
			complete = false
		default:
			path := querydoc.JoinPath(prefix, e.Key)
			c, ok := fieldConditions(path, e.Value, depth+1)
			out, complete = append(out, c...), complete && ok
		}
	}
	return out, complete
}

// readBranches reads the branches of an $or: each one's conditions joined
// by "and" (an $or inside it left out), a branch that is only an $or
// giving its own branches. Nil when a branch is not a document or the
// $or is too deep: the $or is then left out as a whole.
func readBranches(v any, depth int) [][]Condition {
	items := listOf(v)
	if depth > querydoc.MaxDepth || len(items) == 0 {
		return nil
	}
	var out [][]Condition
	for _, item := range items {
		sub, err := querydoc.AsD(item)
		if err != nil {
			return nil
		}
		if len(sub) == 1 && sub[0].Key == "$or" && len(listOf(sub[0].Value)) > 1 {
			nested := readBranches(sub[0].Value, depth+1)
			if nested == nil {
				return nil
			}
			out = append(out, nested...)
			continue
		}
		c, _ := (&shapeReader{}).conditionsAt(sub, "", depth+1)
		out = append(out, c)
	}
	return out
}

// fieldConditions reads the condition(s) on path given by value v.
func fieldConditions(path string, v any, depth int) ([]Condition, bool) {
	if r, ok := v.(bson.Regex); ok {
		return []Condition{{Path: path, Op: "$regex", Value: r}}, true
	}
	if !querydoc.IsOperatorDocument(v) {
		return []Condition{{Path: path, Op: "$eq", Value: v}}, true
	}
	ops, err := querydoc.AsD(v)
	if err != nil {
		return nil, false
	}
	var out []Condition
	complete := true
	for _, op := range ops {
		switch op.Key {
		case "$elemMatch":
			sub, err := querydoc.AsD(op.Value)
			if err != nil {
				complete = false
				continue
			}
			// {$gte: 80} is on the elements themselves; {$or: [...]}
			// on their fields, as a query is.
			if querydoc.IsOperatorDocument(sub) && !isQueryOperator(sub[0].Key) {
				c, ok := fieldConditions(path, sub, depth+1)
				out, complete = append(out, c...), complete && ok
				continue
			}
			c, ok := (&shapeReader{}).conditionsAt(sub, path, depth+1)
			out, complete = append(out, c...), complete && ok
		case "$not", "$options", "$comment":
			complete = complete && op.Key == "$options"
		default:
			out = append(out, Condition{Path: path, Op: op.Key, Value: op.Value})
		}
	}
	return out, complete
}

// isQueryOperator reports an operator that stands where a query's field
// does, not in a field's condition.
func isQueryOperator(key string) bool {
	switch key {
	case "$and", "$or", "$nor", "$expr", "$where", "$text", "$comment", "$jsonSchema":
		return true
	}
	return false
}
