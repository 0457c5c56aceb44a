// Package keyset pages a query by its sort keys (Query.After): the total
// order a page continues, the sort keys it can continue by, the projection
// that keeps them, and the condition of what comes after a page's last
// document. The repositories call it; it is an implementation detail.
//
// It imports the model descriptions (reflectx) and the BSON package.
package keyset

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// After is the condition of the documents that come after last
// (the last document of a page, as the repository encodes it) in the
// order keys gives (Sort's): for each key, the documents equal on
// the keys before it and beyond last on it.
func After(keys bson.D, last bson.Raw) (bson.D, error) {
	var branches bson.A
	equal := bson.D{}
	for _, k := range keys {
		v, err := last.LookupErr(strings.Split(k.Key, ".")...)
		null := err != nil || v.Type == bson.TypeNull || v.Type == bson.TypeUndefined
		switch {
		case null && k.Key == "_id":
			return nil, fmt.Errorf("the last document holds no _id, which makes the order total")
		case !null && (v.Type == bson.TypeArray || v.Type == bson.TypeEmbeddedDocument):
			return nil, fmt.Errorf("the last document holds a %v at the sort key %s; keyset pages need a scalar there", v.Type, k.Key)
		}
		var value any = v
		if null {
			value = nil
		}
		if next := beyond(k.Key, k.Value.(int) < 0, value, k.Key != "_id"); next != nil {
			branches = append(branches, append(append(bson.D(nil), equal...), next...))
		}
		equal = append(equal, bson.E{Key: k.Key, Value: value})
	}
	return bson.D{{Key: "$or", Value: branches}}, nil
}

// beyond is the condition on key of a document that comes after the
// value v (nil: null or missing) in the key's direction, or nil when none
// can. Null sorts before every other value, and comparisons do not cross
// types, so null takes branches of its own; nullable is false for _id,
// which every document holds.
func beyond(key string, desc bool, v any, nullable bool) bson.D {
	switch {
	case v == nil && !desc:
		return bson.D{{Key: key, Value: bson.D{{Key: "$ne", Value: nil}}}}
	case v == nil:
		return nil
	case !desc:
		return bson.D{{Key: key, Value: bson.D{{Key: "$gt", Value: v}}}}
	case !nullable:
		return bson.D{{Key: key, Value: bson.D{{Key: "$lt", Value: v}}}}
	}
	// Descending, nulls come last: after v come the smaller values and
	// the nulls. A non-pointer field is null only in documents another
	// writer stored without it, which are kept in order too.
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: key, Value: bson.D{{Key: "$lt", Value: v}}}},
		bson.D{{Key: key, Value: nil}},
	}}}
}

// Sort is a query's sort as keyset pagination uses it: an ordered
// list of distinct keys, each 1 or -1, ending with _id.
func Sort(sort any) (bson.D, error) {
	var keys bson.D
	if !querydoc.IsNil(sort) {
		if rv := reflect.ValueOf(sort); rv.Kind() == reflect.Map && rv.Len() > 1 {
			return nil, fmt.Errorf("the sort is a %T of %d keys, whose order Go does not keep; use a bson.D or query.SortBy", sort, rv.Len())
		}
		d, err := querydoc.AsD(sort)
		if err != nil {
			return nil, fmt.Errorf("the sort: %v", err)
		}
		keys = make(bson.D, 0, len(d)+1)
		seen := map[string]bool{}
		for _, k := range d {
			if strings.HasPrefix(k.Key, "$") {
				return nil, fmt.Errorf("the sort key %s orders by no field; keyset pages need field values to continue from", k.Key)
			}
			dir, ok := querydoc.Number(k.Value)
			if !ok || dir != 1 && dir != -1 {
				return nil, fmt.Errorf("the sort key %s is %v, not 1 or -1", k.Key, k.Value)
			}
			if seen[k.Key] {
				return nil, fmt.Errorf("the sort names %s twice", k.Key)
			}
			seen[k.Key] = true
			keys = append(keys, bson.E{Key: k.Key, Value: int(dir)})
		}
	}
	if !containsKey(keys, "_id") {
		keys = append(keys, bson.E{Key: "_id", Value: 1})
	}
	return keys, nil
}

// scalarOK are the struct and array types a keyset key may have,
// each stored as one BSON scalar type.
var scalarOK = map[reflect.Type]bool{
	reflect.TypeFor[time.Time](): true, reflect.TypeFor[bson.Timestamp](): true, reflect.TypeFor[bson.Decimal128](): true, reflect.TypeFor[bson.ObjectID](): true,
}

// KeyType says why the values stored at path cannot be paged by
// their last value; nil when they can.
func KeyType(st *reflectx.Struct, path string) error {
	leaf, ok := st.LeafOf(path)
	switch {
	case path == "_id" && (!ok || leaf.Type == nil):
		return nil // an _id the model does not declare: the last value tells
	case !ok:
		return fmt.Errorf("is no field of %v", st.Type)
	case leaf.Array:
		return fmt.Errorf("holds an array in %v, which MongoDB sorts by its least or greatest element; no filter on a last value continues that order", st.Type)
	case leaf.Type == nil:
		return fmt.Errorf("is not declared by a field of %v, so its values may be of any BSON type; keyset pages need a field of one scalar type", st.Type)
	}
	t := leaf.Type
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return nil
	}
	if scalarOK[t] {
		return nil
	}
	return fmt.Errorf("has the Go type %v in %v; keyset pages need a string, number, bool, time, ObjectID or Decimal128 there (or a pointer to one)", t, st.Type)
}

// Projection refuses a projection that leaves out a sort key: the
// last document of a page would hold a zero value there, and the next
// page would start from it.
func Projection(projection any, keys bson.D) error {
	if querydoc.IsNil(projection) {
		return nil
	}
	d, err := querydoc.AsD(projection)
	if err != nil {
		return fmt.Errorf("the projection: %v", err)
	}
	exclusion := true
	for _, e := range d {
		if e.Key != "_id" && projects(e.Value) {
			exclusion = false
		}
	}
	for _, k := range keys {
		kept := exclusion || k.Key == "_id"
		for _, e := range d {
			if e.Key == k.Key || strings.HasPrefix(k.Key, e.Key+".") {
				kept = projects(e.Value)
			}
		}
		if !kept {
			return fmt.Errorf("the projection leaves out the sort key %s, which the next page continues from; project it too", k.Key)
		}
	}
	return nil
}

// projects reports a projection value that keeps its field: anything but
// 0 and false.
func projects(v any) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	if n, ok := querydoc.Number(v); ok {
		return n != 0
	}
	return true // $slice, $elemMatch, $meta, an expression
}

func containsKey(d bson.D, key string) bool {
	for _, e := range d {
		if e.Key == key {
			return true
		}
	}
	return false
}

// TotalSort is sort made total by _id (Sort), each key checked against
// model type t (KeyType): the sort of every keyset page of t.
func TotalSort(sort any, t reflect.Type) (bson.D, error) {
	keys, err := Sort(sort)
	if err != nil {
		return nil, err
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := KeyType(st, k.Key); err != nil {
			return nil, fmt.Errorf("the sort key %s %v", k.Key, err)
		}
	}
	return keys, nil
}
