package oracle

import (
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Values are the values a dotted path reaches in doc, MongoDB's way: a
// key below an array reaches the key in each of its documents (and a
// number key, the element at that position too). found is false when no
// value is reached at all (the field is missing).
func Values(doc bson.Raw, path string) (vals []bson.RawValue, found bool) {
	var walk func(v bson.RawValue, keys []string)
	walk = func(v bson.RawValue, keys []string) {
		if len(keys) == 0 {
			vals = append(vals, v)
			return
		}
		switch v.Type {
		case bson.TypeEmbeddedDocument:
			if x, err := bson.Raw(v.Value).LookupErr(keys[0]); err == nil {
				walk(x, keys[1:])
			}
		case bson.TypeArray:
			elems, _ := bson.Raw(v.Value).Elements()
			if i, err := strconv.Atoi(keys[0]); err == nil && i >= 0 && i < len(elems) {
				walk(elems[i].Value(), keys[1:])
			}
			for _, e := range elems {
				if e.Value().Type == bson.TypeEmbeddedDocument {
					walk(e.Value(), keys)
				}
			}
		}
	}
	walk(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, strings.Split(path, "."))
	return vals, len(vals) > 0
}

// SortValue is the value a document sorts by on path: the value there;
// for an array, its least element ascending or its greatest descending
// (an empty array sorts before null); null when the path reaches nothing.
func SortValue(doc bson.Raw, path string, desc bool) bson.RawValue {
	vals, found := Values(doc, path)
	if !found {
		return bson.RawValue{Type: bson.TypeNull}
	}
	var flat []bson.RawValue
	empty := false
	for _, v := range vals {
		if v.Type != bson.TypeArray {
			flat = append(flat, v)
			continue
		}
		elems, _ := bson.Raw(v.Value).Elements()
		if len(elems) == 0 {
			empty = true
		}
		for _, e := range elems {
			flat = append(flat, e.Value())
		}
	}
	if len(flat) == 0 {
		if empty {
			return bson.RawValue{Type: bson.TypeMinKey} // an empty array sorts before null
		}
		return bson.RawValue{Type: bson.TypeNull}
	}
	best := flat[0]
	for _, v := range flat[1:] {
		if c := Compare(v, best); desc && c > 0 || !desc && c < 0 {
			best = v
		}
	}
	return best
}

// Sort sorts docs by sort (keys with 1 or -1), stably: documents equal
// on every key keep their order.
func Sort(docs []bson.Raw, sort bson.D) {
	slices.SortStableFunc(docs, func(a, b bson.Raw) int {
		for _, k := range sort {
			desc := direction(k.Value) < 0
			c := Compare(SortValue(a, k.Key, desc), SortValue(b, k.Key, desc))
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

func direction(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int32:
		return int(n)
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 1
}
