package query

import (
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ShapeOf reads the query shape of a filter, a sort and a collation (as
// given to Find): the conditions joined by "and" at the top level or
// under $and, with $elemMatch's conditions on the fields of an array's
// elements as conditions on their paths ("items.sku"); conditions under
// $or, $nor, $not and expressions are left out, as they bound no index
// here. A nil filter or sort is none. A filter or sort that is not a
// document is an error.
func ShapeOf(filter, sort any, collation *options.Collation) (QueryShape, error) {
	q := QueryShape{Collation: collation}
	if !IsNilDocument(filter) {
		d, err := AsD(filter)
		if err != nil {
			return QueryShape{}, fmt.Errorf("odm: the filter: %w", err)
		}
		q.Conditions, _ = conditionsAt(d, "", 0)
	}
	if !IsNilDocument(sort) {
		d, err := AsD(sort)
		if err != nil {
			return QueryShape{}, fmt.Errorf("odm: the sort: %w", err)
		}
		for _, e := range d {
			if isOperatorDocument(e.Value) {
				continue // {$meta: "textScore"}
			}
			n, _ := NumberValue(e.Value)
			q.Sort = append(q.Sort, SortKey{Path: e.Key, Desc: n < 0})
		}
	}
	return q, nil
}

// conditionsOf reads a partial filter expression's terms; false when it
// holds something other than conditions joined by "and".
func conditionsOf(filter bson.D) ([]Condition, bool) {
	return conditionsAt(filter, "", 0)
}

// conditionsAt reads the top-level conditions of d, below prefix; false
// when some part of d was left out.
func conditionsAt(d bson.D, prefix string, depth int) ([]Condition, bool) {
	if depth > maxShapeDepth {
		return nil, false
	}
	var out []Condition
	complete := true
	for _, e := range d {
		switch {
		case e.Key == "$and":
			for _, item := range listOf(e.Value) {
				sub, err := AsD(item)
				if err != nil {
					complete = false
					continue
				}
				c, ok := conditionsAt(sub, prefix, depth+1)
				out, complete = append(out, c...), complete && ok
			}
		case strings.HasPrefix(e.Key, "$"):
			complete = false
		default:
			path := JoinPath(prefix, e.Key)
			c, ok := fieldConditions(path, e.Value, depth+1)
			out, complete = append(out, c...), complete && ok
		}
	}
	return out, complete
}

// fieldConditions reads the condition(s) on path given by value v.
func fieldConditions(path string, v any, depth int) ([]Condition, bool) {
	if r, ok := v.(bson.Regex); ok {
		return []Condition{{Path: path, Op: "$regex", Value: r}}, true
	}
	if !isOperatorDocument(v) {
		return []Condition{{Path: path, Op: "$eq", Value: v}}, true
	}
	ops, err := AsD(v)
	if err != nil {
		return nil, false
	}
	var out []Condition
	complete := true
	for _, op := range ops {
		switch op.Key {
		case "$elemMatch":
			sub, err := AsD(op.Value)
			if err != nil {
				complete = false
				continue
			}
			if isOperatorDocument(sub) {
				c, ok := fieldConditions(path, sub, depth+1)
				out, complete = append(out, c...), complete && ok
				continue
			}
			c, ok := conditionsAt(sub, path, depth+1)
			out, complete = append(out, c...), complete && ok
		case "$not", "$options", "$comment":
			complete = complete && op.Key == "$options"
		default:
			out = append(out, Condition{Path: path, Op: op.Key, Value: op.Value})
		}
	}
	return out, complete
}

// AsD is a document as a bson.D: a bson.M's keys in sorted order, anything
// else through its BSON form.
func AsD(v any) (bson.D, error) {
	switch d := v.(type) {
	case bson.D:
		return d, nil
	case bson.M:
		return sortedD(d), nil
	case map[string]any:
		return sortedD(d), nil
	}
	raw, err := bson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%T is not a document: %w", v, err)
	}
	var out bson.D
	if err := bson.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func sortedD[M ~map[string]any](m M) bson.D {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(bson.D, len(keys))
	for i, k := range keys {
		out[i] = bson.E{Key: k, Value: m[k]}
	}
	return out
}
