package odm

import (
	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The typed builders of the query layer's field_ops.go: element
// conditions, nullness, types, regular expressions, negation, raw
// conditions and the remaining update operators.

// Item references the element itself in ElemMatch on an array of scalars
// (or of whole documents compared as values):
//
//	odm.ElemMatch(scores, odm.Gte(odm.Item[int](), 80), odm.Lt(odm.Item[int](), 85))
//
// is {scores: {$elemMatch: {$gte: 80, $lt: 85}}}: one element in [80, 85).
// A condition on Item has no path of its own, so it has a meaning only
// inside ElemMatch; anywhere else the path check refuses its empty key.
func Item[E any]() Field[E, E] {
	return query.Item[E]()
}

// ContainsAny matches documents whose array field holds at least one of
// es: {f: {$in: es}}. (OneOf on an array field compares the whole array
// with each of its values, which are then arrays themselves.)
func ContainsAny[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return query.ContainsAny[T, E](f, es...)
}

// ContainsNone matches documents whose array field holds none of es,
// and those without the field: {f: {$nin: es}}.
func ContainsNone[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return query.ContainsNone[T, E](f, es...)
}

// ContainsAll matches documents whose array field holds every one of es,
// in any order: {f: {$all: es}}. With no es it matches nothing, as
// MongoDB's $all of an empty list does.
func ContainsAll[T, E any](f Field[T, []E], es ...E) Filter[T] {
	return query.ContainsAll[T, E](f, es...)
}

// Size matches documents whose array field holds exactly n elements:
// {f: {$size: n}}. A negative n is an error.
func Size[T, E any](f Field[T, []E], n int) Filter[T] {
	return query.Size[T, E](f, n)
}

// IsNull matches documents whose field is null or missing: {f: null}.
func IsNull[T, V any](f Field[T, V]) Filter[T] {
	return query.IsNull[T, V](f)
}

// NotNull matches documents whose field holds a value other than null:
// {f: {$ne: null}}.
func NotNull[T, V any](f Field[T, V]) Filter[T] {
	return query.NotNull[T, V](f)
}

// OfType matches documents whose field holds a value of one of the BSON
// types (bson.TypeString, bson.TypeInt32, ...): {f: {$type: [...]}}. With
// a value in an array field, the array or any element may match.
func OfType[T, V any](f Field[T, V], types ...bson.Type) Filter[T] {
	return query.OfType[T, V](f, types...)
}

// Regex matches documents whose string field matches the regular
// expression pattern, with MongoDB's options ("i" for case-insensitive,
// "m", "s", "x"): {f: {$regex: /pattern/options}}. The pattern is PCRE as
// the server reads it, not Go's regexp.
func Regex[T any, V ~string](f Field[T, V], pattern, options string) Filter[T] {
	return query.Regex[T, V](f, pattern, options)
}

// Not matches documents that f does not match. A condition on one field
// becomes that field's $not ({a: {$not: {$gt: 5}}}; an equality becomes
// {a: {$not: {$eq: v}}}); anything else becomes {$nor: [f]}. Both match
// the documents that lack the field, as MongoDB's $not does.
func Not[T any](f Filter[T]) Filter[T] {
	return query.Not[T](f)
}

// Raw is a filter written as a document (a bson.D, bson.M or any value
// that marshals to one), to combine with typed ones in And, Or, Nor and
// Not where no typed builder says it. Its paths are checked against the
// model like any filter's, when the query runs.
func Raw[T any](cond any) Filter[T] {
	return query.Raw[T](cond)
}

// Min sets the field to v when v is less than its value (or it is
// missing): {$min: {f: v}}.
func Min[T, V any](f Field[T, V], v V) Update[T] {
	return query.Min[T, V](f, v)
}

// Max sets the field to v when v is greater than its value (or it is
// missing): {$max: {f: v}}.
func Max[T, V any](f Field[T, V], v V) Update[T] {
	return query.Max[T, V](f, v)
}

// Mul multiplies the numeric field by by (a missing field becomes 0 of
// by's type): {$mul: {f: by}}.
func Mul[T any, V Number](f Field[T, V], by V) Update[T] {
	return query.Mul[T, V](f, by)
}

// Rename moves the value of from to to, two fields of the same Go type:
// {$rename: {from: "to"}}.
func Rename[T, V any](from, to Field[T, V]) Update[T] {
	return query.Rename[T, V](from, to)
}

// CurrentDate sets the field to the server's current time:
// {$currentDate: {f: true}} for a time.Time or bson.DateTime field (or a
// pointer to one), {$currentDate: {f: {$type: "timestamp"}}} for a
// bson.Timestamp. A field of another type is an error.
func CurrentDate[T, V any](f Field[T, V]) Update[T] {
	return query.CurrentDate[T, V](f)
}

// PopFirst removes the array field's first element: {$pop: {f: -1}}.
func PopFirst[T, E any](f Field[T, []E]) Update[T] {
	return query.PopFirst[T, E](f)
}

// PopLast removes the array field's last element: {$pop: {f: 1}}.
func PopLast[T, E any](f Field[T, []E]) Update[T] {
	return query.PopLast[T, E](f)
}

// PullAll removes every element equal to one of es from the array field:
// {$pullAll: {f: es}}.
func PullAll[T, E any](f Field[T, []E], es ...E) Update[T] {
	return query.PullAll[T, E](f, es...)
}
