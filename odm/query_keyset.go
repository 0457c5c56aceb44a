package odm

import (
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/keyset"
	"github.com/tagodm/tagodm/odm/internal/write"
)

// After is q restricted to the documents that come after last in q's
// sort order: keyset pagination, where each page starts after the last
// document of the page before instead of skipping over the documents
// before it. The sort is made total by _id, added as its last key when it
// lacks one, so that documents with equal sort values are neither
// repeated nor lost between pages. After(nil) is the first page: the same
// total order, from the start.
//
//	page, err := q.After(nil).Limit(20).All(ctx)
//	next, err := q.After(&page[len(page)-1]).Limit(20).All(ctx)
//
// MongoDB orders values of different BSON types by type (null and a
// missing field before numbers, numbers before strings, ...), but a
// comparison such as {$gt: 5} only matches values of the operand's
// type. So After accepts sort keys whose Go type stores one kind of
// scalar, or null: strings, numbers, booleans, times, ObjectIDs,
// Decimal128, and pointers to them. A null (nil pointer) or missing
// value is placed where MongoDB sorts it, before every other value. A
// sort key that holds an array (MongoDB sorts an array by its least or
// greatest element), a document, an interface or a field the Go type does
// not declare, a $natural or $meta sort, a sort with a key twice, and a
// map sort of several keys (its order is Go's map order) are refused,
// before any command. The last document's values are read as the
// repository writes them: a nil pointer, or a zero value with
// ",omitempty", is null. A stored document that lacks a non-pointer sort
// field reads as its zero value, which After cannot tell from the zero
// value itself; declare such a field as a pointer.
//
// A projection must keep every sort key (and _id), or the last document
// of a page would hold zero values there: one that leaves a key out is
// refused. An index on the sort keys (then _id) serves every page alike.
func (q Query[T]) After(last *T) Query[T] {
	if q.err != nil || q.c == nil { // a zero Query stays one, for check to name
		return q
	}
	fail := func(format string, args ...any) Query[T] {
		q.err = fmt.Errorf("odm: a query of %v after a document: "+format, append([]any{reflect.TypeFor[T]()}, args...)...)
		return q
	}
	keys, err := keyset.TotalSort(q.sort, reflect.TypeFor[T]())
	if err != nil {
		return fail("%v", err)
	}
	q.sort, q.keyset, q.after = keys, true, nil
	if last == nil {
		return q
	}
	raw, err := write.Encode(q.c.Model().Codecs, last)
	if err != nil {
		return fail("%v", err)
	}
	cond, err := keyset.After(keys, raw)
	if err != nil {
		return fail("%v", err)
	}
	q.after = cond
	return q
}
