// Package partialfilter checks an index's partialFilterExpression
// before any command, against what every supported MongoDB accepts.
package partialfilter

import (
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// operators are the operators a partial filter may use on every
// supported version; $in and $or are accepted from MongoDB 6.0 and left
// to the server.
var operators = []string{"$eq", "$gt", "$gte", "$lt", "$lte", "$type", "$exists", "$and", "$or", "$in"}

// Check refuses what no supported MongoDB accepts in a
// partial filter ($ne, $nin, $not, $exists: false, $regex, ...), and
// paths that name no field of the struct (known false; nil for fields
// stored outside the struct): such an index covers no document.
func Check(d bson.D, known func(path string) bool, add func(format string, args ...any)) {
	check(d, "", known, add)
}

// check checks d, the filter on path under ("" at the top).
func check(d bson.D, under string, known func(string) bool, add func(string, ...any)) {
	for _, e := range d {
		switch {
		case e.Key == "$and" || e.Key == "$or":
			arr, ok := asArray(e.Value)
			if !ok {
				add("partial filter: %s needs an array of filters", e.Key)
				continue
			}
			for _, sub := range arr {
				if sd, ok := asDocument(sub); ok {
					check(sd, under, known, add)
				} else {
					add("partial filter: %s needs an array of filter documents", e.Key)
				}
			}
		case strings.HasPrefix(e.Key, "$") && under == "":
			add("partial filter: MongoDB refuses %s in a partial filter (want %s)", e.Key, strings.Join(operators, ", "))
		case strings.HasPrefix(e.Key, "$"):
			if !slices.Contains(operators, e.Key) || e.Key == "$and" || e.Key == "$or" {
				add("partial filter on %s: MongoDB refuses %s in a partial filter (want $eq, $gt, $gte, $lt, $lte, $type, $in or $exists: true)", under, e.Key)
			} else if e.Key == "$exists" && !existsTrue(e.Value) {
				add("partial filter on %s: MongoDB refuses {$exists: false} in a partial filter (an index holds the documents that have the field)", under)
			}
		default:
			if known != nil && !known(e.Key) {
				add("partial filter path %s names no field of the struct: the index would cover no document (set OutsideStruct for fields stored beside the struct's own)", e.Key)
			}
			switch v := e.Value.(type) {
			case bson.Regex, *bson.Regex:
				add("partial filter on %s: MongoDB refuses a regular expression in a partial filter", e.Key)
			default:
				if sub, ok := asDocument(v); ok && len(sub) > 0 && strings.HasPrefix(sub[0].Key, "$") {
					check(sub, e.Key, known, add)
				}
			}
		}
	}
}

// asDocument reads a filter document written as bson.D, bson.M or a
// map; the keys of a map in sorted order.
func asDocument(v any) (bson.D, bool) {
	switch d := v.(type) {
	case bson.D:
		return d, true
	case bson.M:
		return mapDocument(d), true
	case map[string]any:
		return mapDocument(d), true
	}
	return nil, false
}

func mapDocument(m map[string]any) bson.D {
	d := make(bson.D, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		d = append(d, bson.E{Key: k, Value: m[k]})
	}
	return d
}

// asArray reads an array of filters written as bson.A or a Go slice.
func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case bson.A:
		return a, true
	case []any:
		return a, true
	case []bson.D:
		out := make([]any, len(a))
		for i, d := range a {
			out[i] = d
		}
		return out, true
	case []bson.M:
		out := make([]any, len(a))
		for i, d := range a {
			out[i] = d
		}
		return out, true
	}
	return nil, false
}

// existsTrue reads a value the way MongoDB reads $exists: false, 0 and null
// are false.
func existsTrue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case int32:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}
