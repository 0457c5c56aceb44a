package odm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection is a typed repository over the collection of model type T: it
// reads into T and writes T, passing the driver's options through. It only
// reads and writes; indexes are Init's. When T has a revision field
// (odm:"revision"), writes check and bump it (optimistic concurrency).
type Collection[T any] struct {
	coll  *mongo.Collection
	model *Model
}

// NewCollection binds T's collection on db. T must be a valid model (a
// struct type whose declarations validate).
func NewCollection[T any](db *mongo.Database) (*Collection[T], error) {
	var zero T
	t := reflect.TypeOf(&zero).Elem()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("odm: Collection[%v]: a repository needs a struct model type", t)
	}
	m, err := Describe(t)
	if err != nil {
		return nil, fmt.Errorf("odm: Collection[%v]: %w", t, err)
	}
	if db == nil {
		return nil, fmt.Errorf("odm: Collection[%v]: a database is needed, got nil", t)
	}
	return &Collection[T]{coll: db.Collection(m.Collection), model: m}, nil
}

// MustCollection is NewCollection that panics on error, for wiring code
// where a bad model type is a programming error.
func MustCollection[T any](db *mongo.Database) *Collection[T] {
	c, err := NewCollection[T](db)
	if err != nil {
		panic(err)
	}
	return c
}

// Name is the collection's name.
func (c *Collection[T]) Name() string { return c.coll.Name() }

// Driver returns the underlying driver collection, for what the repository
// does not cover.
func (c *Collection[T]) Driver() *mongo.Collection { return c.coll }

// InsertOne inserts doc. A revisioned doc with revision 0 is stored with
// revision 1, and doc is updated to match.
func (c *Collection[T]) InsertOne(ctx context.Context, doc *T, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	restore := c.startRevision(doc)
	res, err := c.coll.InsertOne(ctx, doc, opts...)
	if err != nil {
		restore()
		return nil, c.wrap("insert", err, idOf(doc))
	}
	return res, nil
}

// InsertMany inserts docs, starting revisions as InsertOne does.
func (c *Collection[T]) InsertMany(ctx context.Context, docs []T, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	all := make([]any, len(docs))
	for i := range docs {
		c.startRevision(&docs[i])
		all[i] = &docs[i]
	}
	res, err := c.coll.InsertMany(ctx, all, opts...)
	if err != nil {
		return res, c.wrap("insert", err, nil)
	}
	return res, nil
}

// FindOne returns the first document filter matches; the error wraps
// mongo.ErrNoDocuments when none does.
func (c *Collection[T]) FindOne(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	var out T
	if err := c.coll.FindOne(ctx, filter, opts...).Decode(&out); err != nil {
		return nil, c.wrap("find", err, nil)
	}
	return &out, nil
}

// Find returns every document filter matches.
func (c *Collection[T]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.coll.Find(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("find", err, nil)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, c.wrap("find", err, nil)
	}
	return out, nil
}

// Cursor streams the documents of a query, one T at a time.
type Cursor[T any] struct {
	cur     *mongo.Cursor
	coll    string
	current T
	err     error
}

// Next decodes the next document; false at the end or on error (see Err).
func (c *Cursor[T]) Next(ctx context.Context) bool {
	if c.err != nil || !c.cur.Next(ctx) {
		return false
	}
	var v T
	if err := c.cur.Decode(&v); err != nil {
		c.err = fmt.Errorf("odm: decoding a document of %s: %w", c.coll, err)
		return false
	}
	c.current = v
	return true
}

// Current is the document Next decoded.
func (c *Cursor[T]) Current() T { return c.current }

// Err is the error that ended the iteration, if any.
func (c *Cursor[T]) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.cur.Err()
}

// Close releases the cursor.
func (c *Cursor[T]) Close(ctx context.Context) error { return c.cur.Close(ctx) }

// Iter opens a cursor over the documents filter matches, for results too
// large to hold at once. Close it when done.
func (c *Collection[T]) Iter(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) (*Cursor[T], error) {
	cur, err := c.coll.Find(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("find", err, nil)
	}
	return &Cursor[T]{cur: cur, coll: c.Name()}, nil
}

// All ranges over the documents filter matches, streaming them:
//
//	for doc, err := range users.All(ctx, filter) { ... }
//
// The cursor closes when the loop ends; an error ends the sequence.
func (c *Collection[T]) All(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cur, err := c.Iter(ctx, filter, opts...)
		if err != nil {
			yield(zero, err)
			return
		}
		defer cur.Close(context.WithoutCancel(ctx))
		for cur.Next(ctx) {
			if !yield(cur.Current(), nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(zero, err)
		}
	}
}

// FindOneAndUpdate updates the first document filter matches and returns
// it (before the update unless the options say after). A revisioned
// model's revision is bumped; see UpdateOne.
func (c *Collection[T]) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) (*T, error) {
	update, err := c.bumpRevision(update)
	if err != nil {
		return nil, err
	}
	var out T
	if err := c.coll.FindOneAndUpdate(ctx, filter, update, opts...).Decode(&out); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			if stale := c.staleCheck(ctx, filter); stale != nil {
				return nil, stale
			}
		}
		return nil, c.wrap("update", err, nil)
	}
	return &out, nil
}

// UpdateOne updates the first document filter matches. For a revisioned
// model the update (a bson.D or bson.M of operators) also increments the
// revision, and when filter (a bson.D or bson.M) names the revision the
// caller read, a document that has moved on is a *StaleRevisionError.
func (c *Collection[T]) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	update, err := c.bumpRevision(update)
	if err != nil {
		return nil, err
	}
	res, err := c.coll.UpdateOne(ctx, filter, update, opts...)
	if err != nil {
		return nil, c.wrap("update", err, nil)
	}
	if res.MatchedCount == 0 {
		if stale := c.staleCheck(ctx, filter); stale != nil {
			return res, stale
		}
	}
	return res, nil
}

// UpdateMany updates every document filter matches, bumping revisions.
func (c *Collection[T]) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	update, err := c.bumpRevision(update)
	if err != nil {
		return nil, err
	}
	res, err := c.coll.UpdateMany(ctx, filter, update, opts...)
	if err != nil {
		return nil, c.wrap("update", err, nil)
	}
	return res, nil
}

// ReplaceOne replaces the first document filter matches with doc. For a
// revisioned model it matches only the revision doc carries, stores the
// next one and updates doc to match; when the stored document has moved on
// it changes nothing and returns a *StaleRevisionError.
func (c *Collection[T]) ReplaceOne(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	if c.model.Revision == "" {
		res, err := c.coll.ReplaceOne(ctx, filter, doc, opts...)
		if err != nil {
			return nil, c.wrap("replace", err, idOf(doc))
		}
		return res, nil
	}
	rev := c.revisionField(doc)
	expected := rev.Int()
	guarded := bson.D{{Key: "$and", Value: bson.A{filter, bson.D{{Key: c.model.Revision, Value: expected}}}}}
	rev.SetInt(expected + 1)
	res, err := c.coll.ReplaceOne(ctx, guarded, doc, opts...)
	if err != nil {
		rev.SetInt(expected)
		return nil, c.wrap("replace", err, idOf(doc))
	}
	if res.MatchedCount == 0 && res.UpsertedCount == 0 {
		rev.SetInt(expected)
		n, err := c.coll.CountDocuments(ctx, filter, options.Count().SetLimit(1))
		if err != nil {
			return nil, c.wrap("replace", err, idOf(doc))
		}
		if n > 0 {
			return res, &StaleRevisionError{Collection: c.Name(), ID: idOf(doc), Revision: expected}
		}
	}
	return res, nil
}

// DeleteOne deletes the first document filter matches.
func (c *Collection[T]) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	res, err := c.coll.DeleteOne(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("delete", err, nil)
	}
	return res, nil
}

// DeleteMany deletes every document filter matches.
func (c *Collection[T]) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	res, err := c.coll.DeleteMany(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("delete", err, nil)
	}
	return res, nil
}

// CountDocuments counts the documents filter matches.
func (c *Collection[T]) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	n, err := c.coll.CountDocuments(ctx, filter, opts...)
	if err != nil {
		return 0, c.wrap("count", err, nil)
	}
	return n, nil
}

// Distinct returns the distinct values of field among the documents filter
// matches, decoded as V.
func Distinct[V, T any](ctx context.Context, c *Collection[T], field string, filter any, opts ...options.Lister[options.DistinctOptions]) ([]V, error) {
	res := c.coll.Distinct(ctx, field, filter, opts...)
	if err := res.Err(); err != nil {
		return nil, c.wrap("distinct", err, nil)
	}
	var out []V
	if err := res.Decode(&out); err != nil {
		return nil, c.wrap("distinct", err, nil)
	}
	return out, nil
}

// Aggregate runs pipeline on the collection and decodes the results as R.
func Aggregate[R, T any](ctx context.Context, c *Collection[T], pipeline any, opts ...options.Lister[options.AggregateOptions]) ([]R, error) {
	cur, err := c.coll.Aggregate(ctx, pipeline, opts...)
	if err != nil {
		return nil, c.wrap("aggregate", err, nil)
	}
	var out []R
	if err := cur.All(ctx, &out); err != nil {
		return nil, c.wrap("aggregate", err, nil)
	}
	return out, nil
}

// revisionField is the revision field of doc, settable.
func (c *Collection[T]) revisionField(doc *T) reflect.Value {
	f, err := reflect.ValueOf(doc).Elem().FieldByIndexErr(c.model.revisionIndex)
	if err != nil {
		return reflect.Value{}
	}
	return f
}

// startRevision gives a new revisioned document revision 1; the returned
// function undoes it.
func (c *Collection[T]) startRevision(doc *T) func() {
	if c.model.Revision == "" || doc == nil {
		return func() {}
	}
	f := c.revisionField(doc)
	if !f.IsValid() || f.Int() != 0 {
		return func() {}
	}
	f.SetInt(1)
	return func() { f.SetInt(0) }
}

// bumpRevision adds {$inc: {revision: 1}} to an update of a revisioned
// model.
func (c *Collection[T]) bumpRevision(update any) (any, error) {
	if c.model.Revision == "" {
		return update, nil
	}
	inc := bson.E{Key: c.model.Revision, Value: int64(1)}
	switch u := update.(type) {
	case bson.D:
		out := make(bson.D, 0, len(u)+1)
		merged := false
		for _, e := range u {
			if e.Key == "$inc" {
				switch v := e.Value.(type) {
				case bson.D:
					e.Value = append(append(bson.D{}, v...), inc)
					merged = true
				case bson.M:
					m := bson.M{inc.Key: inc.Value}
					for k, x := range v {
						m[k] = x
					}
					e.Value, merged = m, true
				}
			}
			out = append(out, e)
		}
		if !merged {
			out = append(out, bson.E{Key: "$inc", Value: bson.D{inc}})
		}
		return out, nil
	case bson.M:
		out := bson.M{}
		for k, v := range u {
			out[k] = v
		}
		switch v := out["$inc"].(type) {
		case nil:
			out["$inc"] = bson.D{inc}
		case bson.D:
			out["$inc"] = append(append(bson.D{}, v...), inc)
		case bson.M:
			m := bson.M{inc.Key: inc.Value}
			for k, x := range v {
				m[k] = x
			}
			out["$inc"] = m
		default:
			return nil, fmt.Errorf("odm: %s: $inc of an update must be a bson.D or bson.M", c.Name())
		}
		return out, nil
	}
	return nil, fmt.Errorf("odm: %s: %v is revisioned: its updates must be bson.D or bson.M documents of operators, not %T", c.Name(), c.model.Type, update)
}

// staleCheck tells, after a revision-guarded write matched nothing, whether
// the document exists with another revision.
func (c *Collection[T]) staleCheck(ctx context.Context, filter any) error {
	if c.model.Revision == "" {
		return nil
	}
	rest, rev, ok := withoutField(filter, c.model.Revision)
	if !ok {
		return nil
	}
	n, err := c.coll.CountDocuments(ctx, rest, options.Count().SetLimit(1))
	if err != nil || n == 0 {
		return nil
	}
	expected, _ := rev.(int64)
	if i, ok := rev.(int); ok {
		expected = int64(i)
	}
	return &StaleRevisionError{Collection: c.Name(), Revision: expected}
}

// withoutField removes a top-level field from a bson.D or bson.M filter.
func withoutField(filter any, field string) (any, any, bool) {
	switch f := filter.(type) {
	case bson.D:
		out := bson.D{}
		var val any
		found := false
		for _, e := range f {
			if e.Key == field {
				val, found = e.Value, true
				continue
			}
			out = append(out, e)
		}
		return out, val, found
	case bson.M:
		val, found := f[field]
		out := bson.M{}
		for k, v := range f {
			if k != field {
				out[k] = v
			}
		}
		return out, val, found
	}
	return nil, nil, false
}

func idOf(doc any) any {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil
	}
	v, err := bson.Raw(raw).LookupErr("_id")
	if err != nil {
		return nil
	}
	return v
}

// wrap turns the driver's write errors into the library's typed errors,
// keeping the driver's error reachable.
func (c *Collection[T]) wrap(op string, err error, id any) error {
	if mongo.IsDuplicateKeyError(err) {
		return &DuplicateKeyError{Collection: c.Name(), Index: duplicateIndex(err), Err: err}
	}
	if code, ok := writeCode(err); ok && code == codeDocumentValidationFailure {
		return &DocumentRejectedError{Collection: c.Name(), ID: id, Err: err}
	}
	return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), err)
}

const codeDocumentValidationFailure = 121

func writeCode(err error) (int, bool) {
	var we mongo.WriteException
	if errors.As(err, &we) && len(we.WriteErrors) > 0 {
		return we.WriteErrors[0].Code, true
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		return bwe.WriteErrors[0].Code, true
	}
	if code, ok := errorCode(err); ok {
		return int(code), true
	}
	return 0, false
}

var dupIndex = regexp.MustCompile(`index: (\S+) dup key`)

// duplicateIndex reads the index name from a duplicate key message
// ("E11000 duplicate key error collection: db.c index: email_1 dup key").
func duplicateIndex(err error) string {
	if m := dupIndex.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// DuplicateKeyError is a write a unique index refused. Index is the
// index's name when the server says it. mongo.IsDuplicateKeyError still
// holds for it.
type DuplicateKeyError struct {
	Collection string
	Index      string
	Err        error
}

// Error implements the error interface.
func (e *DuplicateKeyError) Error() string {
	index := e.Index
	if index == "" {
		index = "a unique index"
	}
	return fmt.Sprintf("odm: collection %s: duplicate key refused by %s: %v", e.Collection, index, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *DuplicateKeyError) Unwrap() error { return e.Err }

// DocumentRejectedError is a write the collection's validator refused
// (validationAction error).
type DocumentRejectedError struct {
	Collection string
	// ID is the document's _id, when known.
	ID  any
	Err error
}

// Error implements the error interface.
func (e *DocumentRejectedError) Error() string {
	return fmt.Sprintf("odm: collection %s: document %v rejected by the validator: %v", e.Collection, e.ID, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *DocumentRejectedError) Unwrap() error { return e.Err }

// StaleRevisionError is a write of a revisioned document whose stored
// revision has moved on since it was read. Nothing was written.
type StaleRevisionError struct {
	Collection string
	ID         any
	// Revision is the revision the write expected.
	Revision int64
}

// Error implements the error interface.
func (e *StaleRevisionError) Error() string {
	id := ""
	if e.ID != nil {
		id = fmt.Sprintf(" %v", e.ID)
	}
	return fmt.Sprintf("odm: collection %s: document%s changed since revision %d was read; nothing was written", e.Collection, id, e.Revision)
}
