package odm

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// After is q restricted to the documents that come after last in q's
// sort order: keyset pagination, where each page starts after the last
// document of the page before instead of skipping over the documents
// before it. The sort is made total by _id, added as its last key when it
// lacks one, so that documents with equal sort values are neither
// repeated nor lost between pages. last must hold a value at every sort
// key; an index on the sort keys (then _id) serves every page alike.
// After(nil) is the first page: the same total order, from the start.
//
//	page, err := q.After(nil).Limit(20).All(ctx)
//	next, err := q.After(&page[len(page)-1]).Limit(20).All(ctx)
func (q Query[T]) After(last *T) Query[T] {
	if q.err != nil {
		return q
	}
	fail := func(format string, args ...any) Query[T] {
		q.err = fmt.Errorf("odm: a query of %v after a document: "+format, append([]any{reflect.TypeFor[T]()}, args...)...)
		return q
	}
	var keys bson.D
	if q.sort != nil {
		d, err := query.AsD(q.sort)
		if err != nil {
			return fail("the sort: %v", err)
		}
		keys = d
	}
	if !containsKey(keys, "_id") {
		keys = append(append(bson.D(nil), keys...), bson.E{Key: "_id", Value: 1})
	}
	if last == nil {
		q.sort = keys
		return q
	}
	raw, err := encodeDocument(last)
	if err != nil {
		return fail("%v", err)
	}
	var branches bson.A
	equal := bson.D{}
	for _, k := range keys {
		dir, ok := query.NumberValue(k.Value)
		if !ok || dir != 1 && dir != -1 {
			return fail("the sort key %s is %v, not 1 or -1", k.Key, k.Value)
		}
		v, err := raw.LookupErr(strings.Split(k.Key, ".")...)
		if err != nil {
			return fail("the last document holds no value at the sort key %s", k.Key)
		}
		op := "$gt"
		if dir < 0 {
			op = "$lt"
		}
		branch := append(append(bson.D(nil), equal...), bson.E{Key: k.Key, Value: bson.D{{Key: op, Value: v}}})
		branches = append(branches, branch)
		equal = append(equal, bson.E{Key: k.Key, Value: v})
	}
	after := bson.D{{Key: "$or", Value: branches}}
	if query.IsNilDocument(q.filter) {
		q.filter = after
	} else {
		q.filter = bson.D{{Key: "$and", Value: bson.A{q.filter, after}}}
	}
	q.sort = keys
	return q
}

func containsKey(d bson.D, key string) bool {
	for _, e := range d {
		if e.Key == key {
			return true
		}
	}
	return false
}
