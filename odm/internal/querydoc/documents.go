package querydoc

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MaxDepth bounds the nesting a reader of a query follows (the path
// check's shape, the coverage's conditions): deeper operator trees are
// refused, or left out, rather than walked without end.
const MaxDepth = 64

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

// IsNil reports a document that is nil or a nil map, slice or pointer: no
// condition at all.
func IsNil(v any) bool {
	switch d := v.(type) {
	case nil:
		return true
	case bson.D:
		return d == nil
	case bson.M:
		return d == nil
	case map[string]any:
		return d == nil
	case bson.Raw:
		return d == nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// JoinPath joins a document path and a key with a dot.
func JoinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// Number is v as a float64 when v is a Go or BSON number.
func Number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// IsOperatorDocument reports a document whose first key is an operator.
func IsOperatorDocument(v any) bool {
	switch d := v.(type) {
	case bson.D:
		return len(d) > 0 && strings.HasPrefix(d[0].Key, "$")
	case bson.M:
		for k := range d {
			return strings.HasPrefix(k, "$")
		}
	case map[string]any:
		for k := range d {
			return strings.HasPrefix(k, "$")
		}
	case bson.Raw:
		e, err := d.IndexErr(0)
		return err == nil && strings.HasPrefix(e.Key(), "$")
	case bson.RawValue:
		if raw, ok := d.DocumentOK(); ok {
			return IsOperatorDocument(raw)
		}
	}
	return false
}

// NoEmptySort is sort, or nil when it orders by nothing (nil, an empty
// document, query.SortBy()): a server may refuse an empty sort document
// (FerretDB v2 answers "$sort stage must have at least one sort key").
func NoEmptySort(sort any) any {
	switch s := sort.(type) {
	case nil:
		return nil
	case bson.D:
		if len(s) == 0 {
			return nil
		}
	case bson.M:
		if len(s) == 0 {
			return nil
		}
	case interface{ Document() (bson.D, error) }:
		if d, err := s.Document(); err == nil && len(d) == 0 {
			return nil
		}
	}
	if IsNil(sort) {
		return nil
	}
	return sort
}

// And is a filter matching what both filters match: a alone when b is
// nil (IsNil), b alone when a is, else {$and: [a, b]}.
func And(a, b any) any {
	switch {
	case IsNil(b):
		return a
	case IsNil(a):
		return b
	}
	return bson.D{{Key: "$and", Value: bson.A{a, b}}}
}
