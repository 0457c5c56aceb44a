package odm

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/keyset"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/internal/repo"
	"github.com/tagodm/tagodm/odm/query"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Query is a reusable query on a repository: a filter, a sort, a skip, a
// limit, a projection and a collation in one value, run as All, First,
// Count, Exists or Page. Each setter returns a new Query, so that a base
// query can be shared and refined without changing it:
//
//	mine := executions.Query(bson.D{{Key: "user_id", Value: uid}}).Sort(bson.D{{Key: "created_at", Value: -1}})
//	page, err := mine.Skip(40).Limit(20).Page(ctx)   // items and the total
//	n, err := mine.Count(ctx)
//
// Its paths are checked against the model as every repository call's
// are, before any command; a nil filter is every document.
type Query[T any] struct {
	c          *repo.Core[T]
	filter     any
	sort       any
	projection any
	skip       int64
	limit      int64
	collation  *options.Collation
	// keyset is set by After: the sort is total and ends with _id, and
	// after (nil on the first page) holds the documents after the last.
	keyset bool
	after  bson.D
	err    error // from After
}

// Query starts a query of the documents filter matches (nil: all).
func (c *Collection[T]) Query(filter any) Query[T] {
	r := c.core()
	q := Query[T]{c: r, filter: filter, err: r.Unbound()}
	if q.err != nil {
		q.c = nil
	}
	return q
}

// Filter is q with another filter.
func (q Query[T]) Filter(filter any) Query[T] { q.filter = filter; return q }

// Sort is q sorted by sort (a bson.D such as {created_at: -1}, or an
// odm.SortBy); nil, an empty document and an empty SortBy are no sort. A
// sort set after After is an error (After continues the order it was
// given): set the sort first.
func (q Query[T]) Sort(sort any) Query[T] {
	if q.keyset && q.err == nil {
		q.err = fmt.Errorf("odm: a query of %v: Sort after After; set the sort before After, which continues from it", reflect.TypeFor[T]())
	}
	q.sort = querydoc.NoEmptySort(sort)
	return q
}

// Skip is q skipping the first n documents; 0 skips none.
func (q Query[T]) Skip(n int64) Query[T] { q.skip = n; return q }

// Limit is q returning at most n documents; 0 is no limit.
func (q Query[T]) Limit(n int64) Query[T] { q.limit = n; return q }

// Project is q returning only the fields projection names, decoded into
// T (fields left out keep their zero values). To read into a type of
// its own, use Project (the function).
func (q Query[T]) Project(projection any) Query[T] { q.projection = projection; return q }

// Collation is q comparing strings by collation c.
func (q Query[T]) Collation(c *options.Collation) Query[T] { q.collation = c; return q }

// check checks q's paths and returns its filter to send.
func (q Query[T]) check(ctx context.Context, op string) (any, error) {
	if q.err != nil {
		return nil, q.err
	}
	if q.c == nil {
		return nil, fmt.Errorf("odm: %s: Query[%v] is the zero value, with no repository: start it with Collection.Query", op, reflect.TypeFor[T]())
	}
	if q.skip < 0 || q.limit < 0 {
		return nil, fmt.Errorf("odm: %s on %s: skip (%d) and limit (%d) cannot be negative", op, q.c.Name(), q.skip, q.limit)
	}
	if q.keyset {
		if err := keyset.Projection(q.projection, q.sort.(bson.D)); err != nil {
			return nil, fmt.Errorf("odm: a query of %v after a document: %w", reflect.TypeFor[T](), err)
		}
	}
	return q.c.CheckRead(ctx, op, querydoc.And(q.filter, q.after), pathcheck.Parts{Sort: q.sort, Projection: q.projection, Collation: q.collation})
}

// unordered is q without its sort and projection, for a count or an
// existence check; a keyset boundary stays.
func (q Query[T]) unordered() Query[T] {
	q.sort, q.projection, q.keyset = nil, nil, false
	return q
}

// findOptions are q's options for a find.
func (q Query[T]) findOptions() *options.FindOptionsBuilder {
	o := options.Find()
	if q.sort != nil {
		o.SetSort(q.sort)
	}
	if q.projection != nil {
		o.SetProjection(q.projection)
	}
	if q.skip > 0 {
		o.SetSkip(q.skip)
	}
	if q.limit > 0 {
		o.SetLimit(q.limit)
	}
	if q.collation != nil {
		o.SetCollation(q.collation)
	}
	return o
}

// All returns every document q matches, in its order.
func (q Query[T]) All(ctx context.Context) ([]T, error) { return findAll[T](ctx, q) }

// First returns the first document q matches, or nil and no error when
// none does (the repositories' convention).
func (q Query[T]) First(ctx context.Context) (*T, error) { return findFirst[T](ctx, q) }

// Count counts the documents q's filter matches, after its skip and
// within its limit when they are set; after After's boundary too, when
// q has one (the documents left to page through).
func (q Query[T]) Count(ctx context.Context) (int64, error) {
	filter, err := q.unordered().check(ctx, "count")
	if err != nil {
		return 0, err
	}
	o := options.Count()
	if q.skip > 0 {
		o.SetSkip(q.skip)
	}
	if q.limit > 0 {
		o.SetLimit(q.limit)
	}
	if q.collation != nil {
		o.SetCollation(q.collation)
	}
	n, err := q.c.Coll().CountDocuments(ctx, filter, o)
	if err != nil {
		return 0, q.c.Wrap("count", err, nil)
	}
	return n, nil
}

// Exists reports whether q matches a document (after its skip), reading
// at most one _id.
func (q Query[T]) Exists(ctx context.Context) (bool, error) {
	filter, err := q.unordered().check(ctx, "find") // any document will do
	if err != nil {
		return false, err
	}
	o := options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})
	if q.skip > 0 {
		o.SetSkip(q.skip)
	}
	if q.collation != nil {
		o.SetCollation(q.collation)
	}
	err = q.c.Coll().FindOne(ctx, filter, o).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, q.c.Wrap("find", err, nil)
	}
	return true, nil
}

// Page is one page of a query's results and the total its filter
// matches.
type Page[T any] struct {
	// Items are the page's documents, in the query's order.
	Items []T
	// Total is the number of documents the query's filter matches,
	// whatever the skip, the limit and After's boundary.
	Total int64
	// Skip and Limit are the query's.
	Skip, Limit int64

	keyset, more bool // a page after After, and whether a document follows it
}

// HasMore reports documents after this page. For a page of a query with
// After, it is whether a document follows the page's last in the
// query's order (the page's find asks for one document more than its
// limit); otherwise it is Skip plus the page's length against Total.
func (p Page[T]) HasMore() bool {
	if p.keyset {
		return p.more
	}
	return p.Skip+int64(len(p.Items)) < p.Total
}

// Page returns the documents of q (its skip and limit, or its limit after
// After, make the page) and the total its filter matches: two commands, a
// find and a count.
func (q Query[T]) Page(ctx context.Context) (Page[T], error) { return findPage[T](ctx, q) }

func findAll[R, T any](ctx context.Context, q Query[T]) ([]R, error) {
	filter, err := q.check(ctx, "find")
	if err != nil {
		return nil, err
	}
	cur, err := q.c.Coll().Find(ctx, filter, q.findOptions())
	if err != nil {
		return nil, q.c.Wrap("find", err, nil)
	}
	out, err := repo.All[R](ctx, q.c, cur)
	if err != nil {
		return nil, q.c.Wrap("find", err, nil)
	}
	return out, nil
}

func findFirst[R, T any](ctx context.Context, q Query[T]) (*R, error) {
	filter, err := q.check(ctx, "find")
	if err != nil {
		return nil, err
	}
	o := options.FindOne()
	if q.sort != nil {
		o.SetSort(q.sort)
	}
	if q.projection != nil {
		o.SetProjection(q.projection)
	}
	if q.skip > 0 {
		o.SetSkip(q.skip)
	}
	if q.collation != nil {
		o.SetCollation(q.collation)
	}
	var out R
	if err := repo.DecodeSingle(q.c, q.c.Coll().FindOne(ctx, filter, o), &out); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, q.c.Wrap("find", err, nil)
	}
	return &out, nil
}

func findPage[R, T any](ctx context.Context, q Query[T]) (Page[R], error) {
	fetch := q
	if q.keyset && q.limit > 0 {
		fetch.limit++ // one more tells whether a page follows
	}
	items, err := findAll[R](ctx, fetch)
	if err != nil {
		return Page[R]{}, err
	}
	page := Page[R]{Items: items, Skip: q.skip, Limit: q.limit, keyset: q.keyset}
	if q.keyset && q.limit > 0 && int64(len(items)) > q.limit {
		page.Items, page.more = items[:q.limit], true
	}
	whole := q
	whole.after = nil
	page.Total, err = whole.Skip(0).Limit(0).Count(ctx)
	if err != nil {
		return Page[R]{}, err
	}
	return page, nil
}

// Projected is a query whose documents are read into R, a type of its own
// holding some of T's fields: only those are asked of the server.
type Projected[R, T any] struct {
	q   Query[T]
	err error
}

// Project reads q's documents into R. Every field of R (at every depth)
// must be a path of T, as the path check reads paths; R's top-level
// fields make the projection. A field of R that T lacks is a *PathError
// (Part "projection type") at every call, before any command.
func Project[R, T any](q Query[T]) Projected[R, T] {
	proj, err := pathcheck.ProjectionOf(reflect.TypeFor[R](), reflect.TypeFor[T]())
	if err != nil {
		if q.c != nil {
			if pe, ok := err.(*query.PathError); ok {
				out := *pe
				out.Op, out.Collection = "find", q.c.Name()
				err = &out
			}
		}
		return Projected[R, T]{q: q, err: err}
	}
	return Projected[R, T]{q: q.Project(proj)}
}

// All returns every document the query matches, read into R.
func (p Projected[R, T]) All(ctx context.Context) ([]R, error) {
	if p.err != nil {
		return nil, p.err
	}
	return findAll[R](ctx, p.q)
}

// First returns the first document the query matches, read into R, or
// nil and no error when none does.
func (p Projected[R, T]) First(ctx context.Context) (*R, error) {
	if p.err != nil {
		return nil, p.err
	}
	return findFirst[R](ctx, p.q)
}

// Page returns a page of the query read into R, and the total.
func (p Projected[R, T]) Page(ctx context.Context) (Page[R], error) {
	if p.err != nil {
		return Page[R]{}, p.err
	}
	return findPage[R](ctx, p.q)
}
