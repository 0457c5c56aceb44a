package odm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"reflect"
	"sync/atomic"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection is a typed repository over the collection of model type T: it
// reads into T and writes T, passing the driver's options through. It only
// reads and writes; indexes are Init's. When T has a revision field
// (odm:"revision"), writes check and renew it (optimistic concurrency).
//
// When T declares a shard key, the writes of a document it holds
// (replaces, Modify) add the key's values to their filter, so that a
// sharded cluster sends them to one shard; writes by filter (UpdateOne,
// DeleteOne, FindOneAnd*) send the filter as given, and by id send {_id}
// alone, which the cluster sends to every shard (see FindByID).
type Collection[T any] struct {
	coll  *mongo.Collection
	model *schema.Model
	rev   write.RevisionKind
	id    write.IDField
	// owned are the top-level fields T declares (but _id): a replace
	// writes these and leaves the others as stored.
	owned  []string
	logger *slog.Logger
	// modifyAttempts bounds Modify's reads and writes on stale writes; 0
	// when ModifyRetries was not given (the model decides).
	modifyAttempts int
	// warned is set once the server's atomicity has been looked at.
	warned atomic.Bool
}

// CollectionOption configures a repository (NewCollection,
// NewCollectionIn).
type CollectionOption func(*collectionConfig)

type collectionConfig struct {
	logger         *slog.Logger
	modifyAttempts int
	err            error // an option given an impossible value
}

// CollectionLogger gives the repository a logger. With one, a revisioned
// repository looks once (per client) at the server it writes to and warns
// once when the server is known not to apply a filtered write atomically
// (FerretDB), which the revision guard relies on. Without one it is silent
// and sends no such command.
func CollectionLogger(l *slog.Logger) CollectionOption {
	return func(c *collectionConfig) { c.logger = l }
}

// NewCollection binds T's collection on db. T must be a valid model (a
// struct type whose declarations validate); a nil db is an error.
//
// Every method of the repository that takes a context refuses a nil one
// with an error naming the call, before any command.
func NewCollection[T any](db *mongo.Database, opts ...CollectionOption) (*Collection[T], error) {
	return newCollection[T](db, nil, opts)
}

// NewCollectionIn binds T to the named collection on db, as odm.In does for
// Init: the same model in another collection (a tenant's, an archive). The
// name is checked as odm.In's is.
func NewCollectionIn[T any](db *mongo.Database, collection string, opts ...CollectionOption) (*Collection[T], error) {
	return newCollection[T](db, &collection, opts)
}

// MustCollection is NewCollection that panics on error, for wiring code
// where a bad model type (or a nil db) is a programming error. The panic
// value is the error NewCollection returns.
func MustCollection[T any](db *mongo.Database, opts ...CollectionOption) *Collection[T] {
	c, err := NewCollection[T](db, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

// MustCollectionIn is NewCollectionIn that panics on error, the error
// NewCollectionIn returns.
func MustCollectionIn[T any](db *mongo.Database, collection string, opts ...CollectionOption) *Collection[T] {
	c, err := NewCollectionIn[T](db, collection, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func newCollection[T any](db *mongo.Database, name *string, opts []CollectionOption) (*Collection[T], error) {
	b, err := bindRepository(reflect.TypeFor[T](), name, db == nil)
	if err != nil {
		return nil, err
	}
	cfg := collectionConfig{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	coll := db.Collection(b.model.Collection, options.Collection().SetBSONOptions(write.RepositoryBSON()))
	return &Collection[T]{coll: coll, model: b.model, rev: b.rev, id: b.id, owned: b.owned, logger: cfg.logger, modifyAttempts: cfg.modifyAttempts}, nil
}

var defaulterType = reflect.TypeFor[Defaulter]()

// repository is what a repository knows of its model type.
type repository struct {
	model *schema.Model
	rev   write.RevisionKind
	id    write.IDField
	owned []string
}

// bindRepository checks a repository's model type t (bound to the named
// collection when name is given) without a server: everything
// NewCollection checks, for any type, generic or built at run time.
func bindRepository(t reflect.Type, name *string, noDB bool) (*repository, error) {
	what := fmt.Sprintf("Collection[%v]", t)
	if name != nil {
		what = fmt.Sprintf("Collection[%v] in %q", t, *name)
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("odm: %s: a repository needs a struct model type", what)
	}
	var model any = t
	if name != nil {
		model = schema.In(*name, t)
	}
	m, err := schema.Describe(model)
	if err != nil {
		return nil, fmt.Errorf("odm: %s: %w", what, odmerr.Inner(err))
	}
	if noDB {
		return nil, fmt.Errorf("odm: %s: a database is needed, got nil", what)
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return nil, fmt.Errorf("odm: %s: %w", what, odmerr.Inner(err))
	}
	if t.Implements(defaulterType) {
		return nil, fmt.Errorf("odm: %s: %v's SetDefaults has a value receiver, so it would change a copy and the stored document would lack its defaults; declare it on *%v", what, t, t)
	}
	if m.Revision != "" && len(m.RevisionIndex) == 0 {
		return nil, fmt.Errorf("odm: %s: the revision field %s cannot be reached in the struct", what, m.Revision)
	}
	var owned []string
	for _, f := range st.Fields {
		if f.Path != "_id" {
			owned = append(owned, f.Path)
		}
	}
	return &repository{model: m, rev: write.RevisionKindOf(t, m.Revision, m.RevisionIndex), id: write.FindIDField(st), owned: owned}, nil
}

// Name is the collection's name; "" for a repository not made by
// NewCollection (see unbound).
func (c *Collection[T]) Name() string {
	if c.unbound() != nil {
		return ""
	}
	return c.coll.Name()
}

// Driver returns the underlying driver collection, for what the repository
// does not cover; nil for a repository not made by NewCollection.
func (c *Collection[T]) Driver() *mongo.Collection {
	if c == nil {
		return nil
	}
	return c.coll
}

// unbound is the error of a repository not made by NewCollection (a nil
// *Collection, or a Collection declared as a zero value): it has no
// collection to send anything to. Every method returns it rather than
// panicking on the missing collection.
func (c *Collection[T]) unbound() error {
	if c != nil && c.coll != nil {
		return nil
	}
	what := "the zero value"
	if c == nil {
		what = "nil"
	}
	t := reflect.TypeFor[T]()
	return fmt.Errorf("odm: Collection[%v] is %s: make it with odm.NewCollection[%v](db) (or NewCollectionIn, MustCollection)", t, what, t)
}

// InsertOne inserts doc. A model with defaults (Defaulter) gets them
// first. When doc's _id field holds an ObjectID and is zero, with or
// without omitempty, doc gets a new one. A revisioned doc without a
// revision gets its first one (1, or a new UUID). doc is updated to match
// what was stored; when the insert fails, the id and the revision are put
// back (the defaults stay). A panic in SetDefaults is an error (see
// Defaulter), and nothing is sent.
func (c *Collection[T]) InsertOne(ctx context.Context, doc *T, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, c.noContext("insert")
	}
	if doc == nil {
		return nil, fmt.Errorf("odm: insert on %s: the document is nil", c.Name())
	}
	restore, err := c.prepareInsert(doc)
	if err != nil {
		return nil, fmt.Errorf("odm: insert on %s: %w", c.Name(), odmerr.Inner(err))
	}
	res, err := c.coll.InsertOne(ctx, doc, opts...)
	if err != nil {
		restore()
		return nil, c.wrap("insert", err, idOf(doc))
	}
	c.setGeneratedID(doc, res.InsertedID)
	return res, nil
}

// prepareInsert gives a new document its defaults, an _id and its first
// revision; the returned function puts back the id and the revision. A
// panic in SetDefaults is the error, before the id and the revision.
func (c *Collection[T]) prepareInsert(doc *T) (func(), error) {
	if err := setDefaults(doc); err != nil {
		return nil, err
	}
	undoID := func() {}
	if !c.id.OmitEmpty {
		// With omitempty the driver leaves a zero _id out and generates
		// one, faster than it reads an _id the document carries; the id
		// is set in doc after the insert.
		_, undoID = c.newID(doc)
	}
	undoRev := c.startRevision(doc)
	return func() { undoRev(); undoID() }, nil
}

// InsertMany inserts docs, giving each its defaults, an id and a first
// revision as InsertOne does. When some documents fail, the ones the server stored
// get their ids, and the others are left as they were. A panic in
// SetDefaults is an error, and none of the documents is sent (those
// prepared before it get their ids and revisions put back).
func (c *Collection[T]) InsertMany(ctx context.Context, docs []T, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, c.noContext("insert")
	}
	all := make([]any, len(docs))
	restore := make([]func(), len(docs))
	for i := range docs {
		var err error
		if restore[i], err = c.prepareInsert(&docs[i]); err != nil {
			for _, undo := range restore[:i] {
				undo()
			}
			return nil, fmt.Errorf("odm: insert on %s: document %d: %w", c.Name(), i, odmerr.Inner(err))
		}
		all[i] = &docs[i]
	}
	res, err := c.coll.InsertMany(ctx, all, opts...)
	stored := write.StoredDocs(len(docs), err, insertOrdered(opts))
	// The driver lists the ids of the stored documents only, in order.
	k := 0
	for i := range docs {
		if !stored(i) {
			restore[i]()
			continue
		}
		if res != nil && k < len(res.InsertedIDs) {
			c.setGeneratedID(&docs[i], res.InsertedIDs[k])
			k++
		}
	}
	if err != nil {
		return res, c.wrap("insert", err, nil)
	}
	return res, nil
}

// FindOne returns the first document filter matches, or nil and no error
// when none does. Every single-document read of a repository (FindOne,
// FindByID, FindOneAndUpdate, FindOneAndReplace, FindOneAndDelete) says
// "nothing matched" this way, so a call site checks for nil rather than
// for mongo.ErrNoDocuments:
//
//	user, err := users.FindOne(ctx, bson.D{{Key: "email", Value: email}})
//	if err != nil {
//		return err
//	}
//	if user == nil {
//		return ErrUnknownUser
//	}
func (c *Collection[T]) FindOne(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	filter, err := c.checkRead(ctx, "find", filter, findOneParts(opts))
	if err != nil {
		return nil, err
	}
	var out T
	if err := c.coll.FindOne(ctx, filter, opts...).Decode(&out); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, c.wrap("find", err, nil)
	}
	return &out, nil
}

// FindOneAndDelete deletes the first document filter matches and returns
// it, or nil and no error when none matches.
func (c *Collection[T]) FindOneAndDelete(ctx context.Context, filter any, opts ...options.Lister[options.FindOneAndDeleteOptions]) (*T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if err := c.checkWrite(ctx, "delete", filter, findOneAndDeleteParts(opts)); err != nil {
		return nil, err
	}
	var out T
	if err := c.coll.FindOneAndDelete(ctx, filter, opts...).Decode(&out); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, c.wrap("delete", err, nil)
	}
	return &out, nil
}

// Find returns every document filter matches.
func (c *Collection[T]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	filter, err := c.checkRead(ctx, "find", filter, findParts(opts))
	if err != nil {
		return nil, err
	}
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

// Next decodes the next document; false at the end or on error (see Err),
// a nil ctx being one.
func (c *Cursor[T]) Next(ctx context.Context) bool {
	if c.unopened() != nil {
		return false // Err says why
	}
	if ctx == nil && c.err == nil {
		c.err = fmt.Errorf("odm: find on %s: a context is needed, got nil", c.coll)
	}
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
func (c *Cursor[T]) Current() T {
	if c == nil {
		var zero T
		return zero
	}
	return c.current
}

// Err is the error that ended the iteration, if any.
func (c *Cursor[T]) Err() error {
	if err := c.unopened(); err != nil {
		return err
	}
	if c.err != nil {
		return c.err
	}
	return c.cur.Err()
}

// Close releases the cursor. Given a nil ctx, it releases it all the same
// and returns an error saying so.
func (c *Cursor[T]) Close(ctx context.Context) error {
	if err := c.unopened(); err != nil {
		return err
	}
	if ctx == nil {
		// Closed anyway: an open cursor holds the server's resources
		// until it times out.
		_ = c.cur.Close(context.Background())
		return fmt.Errorf("odm: closing a cursor of %s: a context is needed, got nil", c.coll)
	}
	return c.cur.Close(ctx)
}

// unopened is the error of a Cursor not opened by Collection.Iter (a nil
// *Cursor, or one declared as a zero value), which has no cursor to read.
func (c *Cursor[T]) unopened() error {
	if c != nil && c.cur != nil {
		return nil
	}
	what := "the zero value"
	if c == nil {
		what = "nil"
	}
	return fmt.Errorf("odm: Cursor[%v] is %s: open it with Collection.Iter", reflect.TypeFor[T](), what)
}

// Iter opens a cursor over the documents filter matches, for results too
// large to hold at once. Close it when done.
func (c *Collection[T]) Iter(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) (*Cursor[T], error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	filter, err := c.checkRead(ctx, "find", filter, findParts(opts))
	if err != nil {
		return nil, err
	}
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

// DeleteOne deletes the first document filter matches.
func (c *Collection[T]) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if err := c.checkWrite(ctx, "delete", filter, pathcheck.Parts{}); err != nil {
		return nil, err
	}
	res, err := c.coll.DeleteOne(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("delete", err, nil)
	}
	return res, nil
}

// DeleteMany deletes every document filter matches.
func (c *Collection[T]) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if err := c.checkWrite(ctx, "delete", filter, pathcheck.Parts{}); err != nil {
		return nil, err
	}
	res, err := c.coll.DeleteMany(ctx, filter, opts...)
	if err != nil {
		return nil, c.wrap("delete", err, nil)
	}
	return res, nil
}

// CountDocuments counts the documents filter matches.
func (c *Collection[T]) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	if err := c.unbound(); err != nil {
		return 0, err
	}
	filter, err := c.checkRead(ctx, "count", filter, pathcheck.Parts{})
	if err != nil {
		return 0, err
	}
	n, err := c.coll.CountDocuments(ctx, filter, opts...)
	if err != nil {
		return 0, c.wrap("count", err, nil)
	}
	return n, nil
}

// Distinct returns the distinct values of field among the documents filter
// matches, decoded as V.
func Distinct[V, T any](ctx context.Context, c *Collection[T], field string, filter any, opts ...options.Lister[options.DistinctOptions]) ([]V, error) {
	filter, err := c.checkRead(ctx, "distinct", filter, pathcheck.Parts{Field: field})
	if err != nil {
		return nil, err
	}
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

// Aggregate runs pipeline on the collection and decodes the results as
// R. The pipeline's head is checked and recorded as Collection.Aggregate
// says.
func Aggregate[R, T any](ctx context.Context, c *Collection[T], pipeline any, opts ...options.Lister[options.AggregateOptions]) ([]R, error) {
	cur, err := c.Aggregate(ctx, pipeline, opts...)
	if err != nil {
		return nil, err
	}
	var out []R
	if err := cur.All(ctx, &out); err != nil {
		return nil, c.wrap("aggregate", err, nil)
	}
	return out, nil
}

// noContext is the error of a repository call given a nil context: the
// driver would take it for context.Background(), and the library's own
// uses of it (a session's lookup, a cursor's close) would panic.
func (c *Collection[T]) noContext(op string) error {
	return fmt.Errorf("odm: %s on %s: a context is needed, got nil", op, c.Name())
}
