package odm

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/binding"
	"github.com/tagodm/tagodm/odm/internal/repo"
	"github.com/tagodm/tagodm/odm/internal/write"
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
	c *repo.Core[T]
}

// CollectionOption configures a repository (NewCollection,
// NewCollectionIn).
type CollectionOption func(*collectionConfig)

type collectionConfig struct {
	logger         *slog.Logger
	modifyAttempts int
	err            error // an option given an impossible value

	filterBefore, filterAfter func(context.Context, FilterWrite) error
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
	collOpts := options.Collection().SetBSONOptions(write.RepositoryBSON())
	if b.Model.Codecs != nil { // the model's own codecs, which its validator was generated from
		collOpts.SetRegistry(b.Model.Codecs)
	}
	coll := db.Collection(b.Model.Collection, collOpts)
	return &Collection[T]{c: repo.New[T](repo.Config{Coll: coll, Binding: b, Logger: cfg.logger, ModifyAttempts: cfg.modifyAttempts,
		FilterBefore: filterFunc(cfg.filterBefore), FilterAfter: filterFunc(cfg.filterAfter), Public: public})}, nil
}

// bindRepository checks a repository's model type t (binding.Bind).
func bindRepository(t reflect.Type, name *string, noDB bool) (*binding.Binding, error) {
	return binding.Bind(t, name, noDB, binding.Types{Defaulter: reflect.TypeFor[Defaulter](),
		Stamped: reflect.TypeFor[stamped](), Timestamps: reflect.TypeFor[Timestamps]()})
}

// Name is the collection's name; "" for a repository not made by
// NewCollection (see core).
func (c *Collection[T]) Name() string { return c.core().Name() }

// CodecFallbacks lists what the repository's compiled codec leaves to the
// driver's own codecs: one line per value (the struct field's path and Go
// type, and why: a type with a codec or marshaler of its own, an
// interface, an array, a map with non-string keys), or the whole type.
// Empty when the repository reads and writes every field of T itself; for
// a repository not made by NewCollection, the one line saying so.
// It is for tuning: what falls back is read and written exactly as the
// driver reads and writes it, only at the driver's speed.
func (c *Collection[T]) CodecFallbacks() []string { return c.core().CodecFallbacks() }

// Driver returns the underlying driver collection, for what the repository
// does not cover; nil for a repository not made by NewCollection.
func (c *Collection[T]) Driver() *mongo.Collection { return c.core().Coll() }

// core is the repository's machinery. A repository not made by
// NewCollection (a nil *Collection, or a Collection declared as a zero
// value) has none: its stand-in returns an error naming it from every
// method, rather than panicking on the missing collection.
func (c *Collection[T]) core() *repo.Core[T] {
	if c == nil || c.c == nil {
		return repo.Unbound[T](c == nil, public)
	}
	return c.c
}

// InsertOne inserts doc. A model with defaults (Defaulter) gets them
// first. When doc's _id field holds an ObjectID and is zero, with or
// without omitempty, doc gets a new one. A revisioned doc without a
// revision gets its first one (1, or a new UUID). doc is updated to match
// what was stored; when the insert fails, the id and the revision are put
// back (the defaults stay). A panic in SetDefaults is an error (see
// Defaulter), and nothing is sent.
func (c *Collection[T]) InsertOne(ctx context.Context, doc *T, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	return c.core().InsertOne(ctx, doc, opts...)
}

// InsertMany inserts docs, giving each its defaults, an id and a first
// revision as InsertOne does. When some documents fail, the ones the server stored
// get their ids, and the others are left as they were. A panic in
// SetDefaults is an error, and none of the documents is sent (those
// prepared before it get their ids and revisions put back).
func (c *Collection[T]) InsertMany(ctx context.Context, docs []T, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	return c.core().InsertMany(ctx, docs, opts...)
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
	return c.core().FindOne(ctx, filter, opts...)
}

// FindOneAndDelete deletes the first document filter matches and returns
// it, or nil and no error when none matches.
func (c *Collection[T]) FindOneAndDelete(ctx context.Context, filter any, opts ...options.Lister[options.FindOneAndDeleteOptions]) (*T, error) {
	return c.core().FindOneAndDelete(ctx, filter, opts...)
}

// Find returns every document filter matches.
func (c *Collection[T]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	return c.core().Find(ctx, filter, opts...)
}

// Cursor streams the documents of a query, one T at a time.
type Cursor[T any] struct {
	cur     *mongo.Cursor
	core    *repo.Core[T]
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
	if err := repo.DecodeCurrent(c.core, c.cur, &v); err != nil {
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
	r := c.core()
	cur, err := r.Iter(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	return &Cursor[T]{cur: cur, core: r, coll: r.Name()}, nil
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
	return c.core().DeleteOne(ctx, filter, opts...)
}

// DeleteMany deletes every document filter matches.
func (c *Collection[T]) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	return c.core().DeleteMany(ctx, filter, opts...)
}

// CountDocuments counts the documents filter matches.
func (c *Collection[T]) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	return c.core().CountDocuments(ctx, filter, opts...)
}

// Distinct returns the distinct values of field among the documents filter
// matches, decoded as V.
func Distinct[V, T any](ctx context.Context, c *Collection[T], field string, filter any, opts ...options.Lister[options.DistinctOptions]) ([]V, error) {
	return repo.Distinct[V](ctx, c.core(), field, filter, opts...)
}

// Aggregate runs pipeline on the collection and decodes the results as
// R. The pipeline's head is checked and recorded as Collection.Aggregate
// says.
func Aggregate[R, T any](ctx context.Context, c *Collection[T], pipeline any, opts ...options.Lister[options.AggregateOptions]) ([]R, error) {
	return repo.Aggregate[R](ctx, c.core(), pipeline, opts...)
}
