package odm

import (
	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The names in this file are the query layer (internal/query): typed fields, path checks, coverage,
// re-exported so that services import odm alone.

// AddToSet appends v to the array field unless it holds it already.
func AddToSet[T any, E any](f Field[T, []E], v E) Update[T] {
	return query.AddToSet[T, E](f, v)
}

// And matches documents that meet every condition; no condition is every
// document.
func And[T any](fs ...Filter[T]) Filter[T] {
	return query.And[T](fs...)
}

// By sorts by the field, smallest first.
func By[T any, V any](f Field[T, V]) Order[T] {
	return query.By[T, V](f)
}

// ByDesc sorts by the field, largest first.
func ByDesc[T any, V any](f Field[T, V]) Order[T] {
	return query.ByDesc[T, V](f)
}

// Condition is one condition of a query's filter on one path.
type Condition = query.Condition

// Contains matches documents whose array field holds v.
func Contains[T any, E any](f Field[T, []E], v E) Filter[T] {
	return query.Contains[T, E](f, v)
}

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
func Cover(m *Model, q QueryShape) Coverage {
	return query.Cover(m, q)
}

// Coverage is how the declared indexes serve a query shape, read by
// MongoDB's planner rules.
type Coverage = query.Coverage

// ElemMatch matches documents whose array field holds an element that
// meets every condition, each built on the element type E's own fields,
// or on the element itself with Item (an array of scalars):
// ElemMatch(scores, Gte(Item[int](), 80), Lt(Item[int](), 85)) is
// {scores: {$elemMatch: {$gte: 80, $lt: 85}}}.
func ElemMatch[T any, E any](f Field[T, []E], conds ...Filter[E]) Filter[T] {
	return query.ElemMatch[T, E](f, conds...)
}

// Eq matches documents whose field equals v.
func Eq[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Eq[T, V](f, v)
}

// Exists matches documents that hold the field (yes) or lack it.
func Exists[T any, V any](f Field[T, V], yes bool) Filter[T] {
	return query.Exists[T, V](f, yes)
}

// ExtraPathsDeclarer is implemented by models whose documents hold fields
// the struct does not declare (written by another service, or kept in an
// ",inline" map) that the service's queries and updates name. Each path
// given, and every path below it, passes the repositories' path check, as
// do the keys of an index declared OutsideStruct. ExtraPaths is called
// once, on the zero value of the model.
//
// Declaring ExtraPaths makes a model with an ",inline" map strict: a key
// its inline maps would hold passes only when it is one of those paths
// (or below one), so that a typo of an extra field is refused as a typo
// of a declared one is. A model with an ",inline" map that does not
// declare ExtraPaths accepts every key at the map's level, typos
// included; declare them (an empty list when the documents hold no
// other field the service names).
type ExtraPathsDeclarer = query.ExtraPathsDeclarer

// F references the field of T that sel returns the address of. sel is
// called once, on a scratch T whose pointers to structs are allocated, so
// it may reach through them (&e.Address.City with Address a *Address).
func F[T any, V any](sel func(*T) *V) Field[T, V] {
	return query.F[T, V](sel)
}

// Field is a typed reference to a stored field of model T whose Go type is
// V. It is made from the Go field itself, so a field T does not have does
// not compile, and the builders (Eq, OneOf, Set, Inc, ...) take values of
// type V only, so a value of the wrong type does not compile either:
//
//	var (
//		ExecUserID  = odm.F(func(e *models.Execution) *string { return &e.UserID })
//		ExecCreated = odm.F(func(e *models.Execution) *time.Time { return &e.CreatedAt })
//	)
//	q := executions.Query(odm.Eq(ExecUserID, uid)).Sort(odm.SortBy(odm.ByDesc(ExecCreated)))
//
// A field the codec does not store (unexported, bson:"-") or one reached
// through a slice or a map (which have no single address) cannot be
// referenced: the Field carries the error, and every filter, update or
// sort built from it returns it, before any command.
type Field[T any, V any] = query.Field[T, V]

// Filter is a filter on documents of T built from typed field references;
// a repository takes it where it takes a bson.D.
type Filter[T any] = query.Filter[T]

// Gt matches documents whose field is greater than v.
func Gt[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Gt[T, V](f, v)
}

// Gte matches documents whose field is greater than or equal to v.
func Gte[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Gte[T, V](f, v)
}

// Inc adds by to the numeric field.
func Inc[T any, V Number](f Field[T, V], by V) Update[T] {
	return query.Inc[T, V](f, by)
}

// Lt matches documents whose field is less than v.
func Lt[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Lt[T, V](f, v)
}

// Lte matches documents whose field is less than or equal to v.
func Lte[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Lte[T, V](f, v)
}

// Ne matches documents whose field does not equal v.
func Ne[T any, V any](f Field[T, V], v V) Filter[T] {
	return query.Ne[T, V](f, v)
}

// NoneOf matches documents whose field equals none of vs ($nin). On an
// array field each of vs is a whole array; to exclude elements, use
// ContainsNone.
func NoneOf[T any, V any](f Field[T, V], vs ...V) Filter[T] {
	return query.NoneOf[T, V](f, vs...)
}

// Nor matches documents that meet none of the conditions.
func Nor[T any](fs ...Filter[T]) Filter[T] {
	return query.Nor[T](fs...)
}

// Number is a Go numeric type, for Inc.
type Number = query.Number

// OneOf matches documents whose field equals one of vs ($in). On an
// array field each of vs is a whole array; to match an element, use
// ContainsAny.
func OneOf[T any, V any](f Field[T, V], vs ...V) Filter[T] {
	return query.OneOf[T, V](f, vs...)
}

// Or matches documents that meet at least one condition.
func Or[T any](fs ...Filter[T]) Filter[T] {
	return query.Or[T](fs...)
}

// Order is one key of a sort of documents of T.
type Order[T any] = query.Order[T]

// PathError is a key of a filter, a sort, a projection or an update that
// names no field of the repository's model: a typo, which MongoDB would
// answer with nothing found or a field written beside the model's. A
// repository returns it before any command.
type PathError = query.PathError

// Pull removes every element equal to v from the array field.
func Pull[T any, E any](f Field[T, []E], v E) Update[T] {
	return query.Pull[T, E](f, v)
}

// Push appends v to the array field.
func Push[T any, E any](f Field[T, []E], v E) Update[T] {
	return query.Push[T, E](f, v)
}

// QueryRecorder records the query shape of every filter the repositories
// run while it is active (reads, and the filters of updates, replaces,
// deletes and Modify), with how the model's declared indexes serve it
// (Cover). A test suite starts one, runs, and asks for the queries no
// index serves and the sorts done in memory:
//
//	func TestMain(m *testing.M) {
//		rec := odm.RecordQueries()
//		code := m.Run()
//		rec.Stop()
//		rec.WriteReport(os.Stdout)
//		os.Exit(code)
//	}
//
// or, within one test, rec.Check(t, true) fails the test on an unserved
// query. Recording costs a map lookup and the coverage of each new shape
// per call; it is meant for tests.
type QueryRecorder = query.QueryRecorder

// QueryShape is what a query asks of an index: the conditions of its
// filter that are joined by "and", the branches of its $or, its sort and
// its collation (nil: the simple binary comparison). Conditions under
// $nor, $expr and other expressions are applied after the index and not
// listed.
type QueryShape = query.QueryShape

// RecordQueries starts recording the queries of every repository, until
// Stop. Recorders nest, in any order: every running recorder records
// every query (one started around another sees its queries too), and a
// stopped one records nothing more, whichever of them stops first. Safe
// for concurrent use.
func RecordQueries() *QueryRecorder {
	return query.RecordQueries()
}

// RecordedQuery is one query shape a repository ran, with how the
// declared indexes serve it.
type RecordedQuery = query.RecordedQuery

// Redundant is RedundantIndexes over one collection's declared specs, in
// declaration order: a pure function, for specs from Declared or written
// by hand.
func Redundant(collection string, specs []IndexSpec) []RedundantIndex {
	return query.Redundant(collection, specs)
}

// RedundantIndex is a declared index whose queries another index of the
// same collection serves as well: a plain index whose keys are a prefix
// of another's (in the same directions or all reversed), or the same keys
// in reverse. Dropping it saves its writes and memory. It is a warning,
// never an error: the index may be kept on purpose (a smaller index for a
// hot query, say).
type RedundantIndex = query.RedundantIndex

// Set sets the field to v.
func Set[T any, V any](f Field[T, V], v V) Update[T] {
	return query.Set[T, V](f, v)
}

// SetOnInsert sets the field to v when an upsert inserts.
func SetOnInsert[T any, V any](f Field[T, V], v V) Update[T] {
	return query.SetOnInsert[T, V](f, v)
}

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
func ShapeOf(filter any, sort any, collation *options.Collation) (QueryShape, error) {
	return query.ShapeOf(filter, sort, collation)
}

// Sort is a sort of documents of T built from typed field references; a
// repository and a Query take it where they take a bson.D.
type Sort[T any] = query.Sort[T]

// SortBy is a sort of documents of T by orders, in order of precedence.
func SortBy[T any](orders ...Order[T]) Sort[T] {
	return query.SortBy[T](orders...)
}

// SortKey is one key of a sort.
type SortKey = query.SortKey

// TestingT is what Check needs of a *testing.T.
type TestingT = query.TestingT

// Unset removes the field.
func Unset[T any, V any](f Field[T, V]) Update[T] {
	return query.Unset[T, V](f)
}

// Update is an update of documents of T built from typed field
// references; a repository takes it where it takes a bson.D of
// operators. Combine several with Updates.
type Update[T any] = query.Update[T]

// Updates combines updates into one, the fields of one operator under it
// together: Updates(Set(a, x), Set(b, y), Inc(n, 1)) is {$set: {a: x, b:
// y}, $inc: {n: 1}}.
func Updates[T any](us ...Update[T]) Update[T] {
	return query.Updates[T](us...)
}
