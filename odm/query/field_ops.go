package query

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The builders below complete the typed filters and updates of field.go:
// conditions on the elements of arrays, on a field's type and nullness,
// regular expressions and negation, and the remaining update operators.
// Each compiles to exactly the document MongoDB's manual writes for it.

// Item references the element itself in ElemMatch on an array of scalars
// (or of whole documents compared as values):
//
//	odm.ElemMatch(scores, odm.Gte(odm.Item[int](), 80), odm.Lt(odm.Item[int](), 85))
//
// is {scores: {$elemMatch: {$gte: 80, $lt: 85}}}: one element in [80, 85).
// A condition on Item has no path of its own, so it has a meaning only
// inside ElemMatch; anywhere else the path check refuses its empty key.
func Item[E any]() Field[E, E] { return Field[E, E]{} }

// ContainsAny matches documents whose array field holds at least one of
// es: {f: {$in: es}}. (OneOf on an array field compares the whole array
// with each of its values, which are then arrays themselves.)
func ContainsAny[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return condition(f, "$in", listValue(es))
}

// ContainsNone matches documents whose array field holds none of es,
// and those without the field: {f: {$nin: es}}.
func ContainsNone[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return condition(f, "$nin", listValue(es))
}

// ContainsAll matches documents whose array field holds every one of es,
// in any order: {f: {$all: es}}. With no es it matches nothing, as
// MongoDB's $all of an empty list does.
func ContainsAll[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return condition(f, "$all", listValue(es))
}

// Size matches documents whose array field holds exactly n elements:
// {f: {$size: n}}. A negative n is an error.
func Size[T, E any](f Field[T, []E], n int) Filter[T] {
	if n < 0 && f.err == nil {
		return Filter[T]{err: fmt.Errorf("odm: a $size of %s in %v cannot be negative (%d)", f.path, reflect.TypeFor[T](), n)}
	}
	return condition(f, "$size", n)
}

// IsNull matches documents whose field is null or missing: {f: null}.
func IsNull[T, V any](f Field[T, V]) Filter[T] { return condition(f, "$eq", nil) }

// NotNull matches documents whose field holds a value other than null:
// {f: {$ne: null}}.
func NotNull[T, V any](f Field[T, V]) Filter[T] { return condition(f, "$ne", nil) }

// OfType matches documents whose field holds a value of one of the BSON
// types (bson.TypeString, bson.TypeInt32, ...): {f: {$type: [...]}}. With
// a value in an array field, the array or any element may match.
func OfType[T, V any](f Field[T, V], types ...bson.Type) Filter[T] {
	if len(types) == 0 && f.err == nil {
		return Filter[T]{err: fmt.Errorf("odm: a $type condition on %s in %v needs at least one type", f.path, reflect.TypeFor[T]())}
	}
	list := make(bson.A, len(types))
	for i, t := range types {
		list[i] = int32(t)
	}
	return condition(f, "$type", list)
}

// Regex matches documents whose string field matches the regular
// expression pattern, with MongoDB's options ("i" for case-insensitive,
// "m", "s", "x"): {f: {$regex: /pattern/options}}. The pattern is PCRE as
// the server reads it, not Go's regexp.
func Regex[T any, V ~string](f Field[T, V], pattern, options string) Filter[T] {
	for _, o := range options {
		if !strings.ContainsRune("imsxu", o) {
			return Filter[T]{err: fmt.Errorf("odm: a $regex on %s in %v: option %q is none of i, m, s, x, u", f.path, reflect.TypeFor[T](), o)}
		}
	}
	return condition(f, "$regex", bson.Regex{Pattern: pattern, Options: options})
}

// Not matches documents that f does not match. A condition on one field
// becomes that field's $not ({a: {$not: {$gt: 5}}}; an equality becomes
// {a: {$not: {$eq: v}}}); anything else becomes {$nor: [f]}. Both match
// the documents that lack the field, as MongoDB's $not does.
func Not[T any](f Filter[T]) Filter[T] {
	if f.err != nil {
		return f
	}
	if len(f.doc) == 1 && !strings.HasPrefix(f.doc[0].Key, "$") {
		e := f.doc[0]
		inner := e.Value
		if !querydoc.IsOperatorDocument(inner) {
			if _, isRegex := inner.(bson.Regex); !isRegex {
				inner = bson.D{{Key: "$eq", Value: inner}}
			}
		}
		return Filter[T]{doc: bson.D{{Key: e.Key, Value: bson.D{{Key: "$not", Value: inner}}}}}
	}
	if len(f.doc) == 0 {
		return Filter[T]{err: fmt.Errorf("odm: Not of an empty filter of %v, which would match nothing", reflect.TypeFor[T]())}
	}
	return Filter[T]{doc: bson.D{{Key: "$nor", Value: bson.A{f.doc}}}}
}

// Raw is a filter written as a document (a bson.D, bson.M or any value
// that marshals to one), to combine with typed ones in And, Or, Nor and
// Not where no typed builder says it. Its paths are checked against the
// model like any filter's, when the query runs.
func Raw[T any](cond any) Filter[T] {
	if querydoc.IsNil(cond) {
		return Filter[T]{doc: bson.D{}}
	}
	d, err := querydoc.AsD(cond)
	if err != nil {
		return Filter[T]{err: fmt.Errorf("odm: a raw filter of %v: %w", reflect.TypeFor[T](), odmerr.Inner(err))}
	}
	return Filter[T]{doc: d}
}

// Min sets the field to v when v is less than its value (or it is
// missing): {$min: {f: v}}.
func Min[T, V any](f Field[T, V], v V) Update[T] { return operation(f, "$min", v) }

// Max sets the field to v when v is greater than its value (or it is
// missing): {$max: {f: v}}.
func Max[T, V any](f Field[T, V], v V) Update[T] { return operation(f, "$max", v) }

// Mul multiplies the numeric field by by (a missing field becomes 0 of
// by's type): {$mul: {f: by}}.
func Mul[T any, V Number](f Field[T, V], by V) Update[T] { return operation(f, "$mul", by) }

// Rename moves the value of from to to, two fields of the same Go type:
// {$rename: {from: "to"}}.
func Rename[T, V any](from, to Field[T, V]) Update[T] {
	if to.err != nil {
		return Update[T]{err: to.err}
	}
	return operation(from, "$rename", to.path)
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	dateTimeType  = reflect.TypeFor[bson.DateTime]()
	timestampType = reflect.TypeFor[bson.Timestamp]()
)

// CurrentDate sets the field to the server's current time:
// {$currentDate: {f: true}} for a time.Time or bson.DateTime field (or a
// pointer to one), {$currentDate: {f: {$type: "timestamp"}}} for a
// bson.Timestamp. A field of another type is an error.
func CurrentDate[T, V any](f Field[T, V]) Update[T] {
	t := reflect.TypeFor[V]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType, dateTimeType:
		return operation(f, "$currentDate", true)
	case timestampType:
		return operation(f, "$currentDate", bson.D{{Key: "$type", Value: "timestamp"}})
	}
	if f.err != nil {
		return Update[T]{err: f.err}
	}
	return Update[T]{err: fmt.Errorf("odm: $currentDate of %s in %v: the field is a %v; it needs a time.Time, bson.DateTime or bson.Timestamp", f.path, reflect.TypeFor[T](), reflect.TypeFor[V]())}
}

// PopFirst removes the array field's first element: {$pop: {f: -1}}.
func PopFirst[T, E any](f Field[T, []E]) Update[T] { return operation(f, "$pop", -1) }

// PopLast removes the array field's last element: {$pop: {f: 1}}.
func PopLast[T, E any](f Field[T, []E]) Update[T] { return operation(f, "$pop", 1) }

// PullAll removes every element equal to one of es from the array field:
// {$pullAll: {f: es}}.
func PullAll[T, E any](f Field[T, []E], es ...E) Update[T] {
	return operation(f, "$pullAll", listValue(es))
}
