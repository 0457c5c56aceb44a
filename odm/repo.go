package odm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/binding"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/union"
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
	// anyVariant: a union's repository of a variant, which reaches every
	// variant's documents; any other repository of a variant sees its own
	// (union.ScopeOf).
	anyVariant bool
	// hooks are the model's, found once; filterBefore and filterAfter
	// FilterHooks' functions.
	hooks                     hooks.Set
	filterBefore, filterAfter func(context.Context, FilterWrite) error
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
	return &Collection[T]{coll: coll, model: b.Model, rev: b.Rev, id: b.ID, owned: b.Owned, logger: cfg.logger, modifyAttempts: cfg.modifyAttempts,
		hooks: b.Hooks, filterBefore: cfg.filterBefore, filterAfter: cfg.filterAfter}, nil
}

// bindRepository checks a repository's model type t (binding.Bind).
func bindRepository(t reflect.Type, name *string, noDB bool) (*binding.Binding, error) {
	return binding.Bind(t, name, noDB, binding.Types{Defaulter: reflect.TypeFor[Defaulter](),
		Stamped: reflect.TypeFor[stamped](), Timestamps: reflect.TypeFor[Timestamps]()})
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
	op := insertOneOp[T]{c: c, doc: doc, opts: opts}
	if err := runWrite(ctx, writeOp[T]{insertOne: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// insertOneOp is InsertOne in the write pipeline.
type insertOneOp[T any] struct {
	c       *Collection[T]
	doc     *T
	opts    []options.Lister[options.InsertOneOptions]
	restore insertUndo
	res     *mongo.InsertOneResult
	err     error
}

func (o *insertOneOp[T]) kind() writeKind { return kindInsertOne }

func (o *insertOneOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.unbound(); err != nil {
		return err
	}
	if ctx == nil {
		return c.noContext("insert")
	}
	if o.doc == nil {
		return fmt.Errorf("odm: insert on %s: the document is nil", c.Name())
	}
	var err error
	if o.restore, err = c.prepareInsert(ctx, o.doc, c.hooks.Time()); err != nil {
		return fmt.Errorf("odm: insert on %s: %w", c.Name(), odmerr.Inner(err))
	}
	return nil
}

// encode is the driver's: it encodes the document as it sends it.
func (o *insertOneOp[T]) encode(context.Context) error { return nil }

func (o *insertOneOp[T]) send(ctx context.Context) error {
	o.res, o.err = o.c.coll.InsertOne(ctx, o.doc, o.opts...)
	return nil
}

func (o *insertOneOp[T]) reply(context.Context) error {
	if o.err != nil {
		o.restore.undo()
		return o.c.wrap("insert", o.err, write.IDOf(o.doc))
	}
	return nil
}

func (o *insertOneOp[T]) writeBack() {
	if o.err == nil {
		o.c.setGeneratedID(o.doc, o.res.InsertedID)
	}
}

func (o *insertOneOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.after(ctx, "insert", replied == nil, hooks.AfterInsert, o.doc)
}

// prepareInsert gives a new document its defaults, its timestamps (at t),
// its BeforeInsert and Validate, an _id and its first revision; the
// returned insertUndo puts back the id and the revision. A panic in
// SetDefaults or a hook is the error, before the id and the revision.
func (c *Collection[T]) prepareInsert(ctx context.Context, doc *T, t time.Time) (insertUndo, error) {
	if err := setDefaults(doc); err != nil {
		return insertUndo{}, err
	}
	union.StampOf(c.model, doc)
	if c.hooks != 0 { // one test for a model without hooks, per document
		if c.hooks.Has(hooks.Stamps) {
			c.stamp(doc, t, true)
		}
		if err := c.hooks.Before(ctx, hooks.BeforeInsert, doc, c.model.Type); err != nil {
			return insertUndo{}, err
		}
	}
	var u insertUndo
	if !c.id.OmitEmpty {
		// With omitempty the driver leaves a zero _id out and generates
		// one, faster than it reads an _id the document carries; the id
		// is set in doc after the insert.
		_, u.id = c.newID(doc)
	}
	u.rev = c.startRevision(doc)
	return u, nil
}

// insertUndo puts back what prepareInsert gave a document: its _id and its
// revision. Two functions kept side by side rather than one closure over
// both, which would cost an allocation per document.
type insertUndo struct{ id, rev func() }

func (u insertUndo) undo() {
	if u.rev != nil {
		u.rev()
	}
	if u.id != nil {
		u.id()
	}
}

// InsertMany inserts docs, giving each its defaults, an id and a first
// revision as InsertOne does. When some documents fail, the ones the server stored
// get their ids, and the others are left as they were. A panic in
// SetDefaults is an error, and none of the documents is sent (those
// prepared before it get their ids and revisions put back).
func (c *Collection[T]) InsertMany(ctx context.Context, docs []T, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	op := insertManyOp[T]{c: c, docs: docs, opts: opts}
	err := runWrite(ctx, writeOp[T]{insertMany: &op})
	if err != nil && !op.sent {
		return nil, err
	}
	return op.res, err
}

// insertManyOp is InsertMany in the write pipeline.
type insertManyOp[T any] struct {
	c       *Collection[T]
	docs    []T
	opts    []options.Lister[options.InsertManyOptions]
	all     []any
	restore []insertUndo
	sent    bool
	res     *mongo.InsertManyResult
	err     error
	stored  func(int) bool
}

func (o *insertManyOp[T]) kind() writeKind { return kindInsertMany }

func (o *insertManyOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.unbound(); err != nil {
		return err
	}
	if ctx == nil {
		return c.noContext("insert")
	}
	docs := o.docs
	o.all = make([]any, len(docs))
	o.restore = make([]insertUndo, len(docs))
	t := c.hooks.Time()
	for i := range docs {
		var err error
		if o.restore[i], err = c.prepareInsert(ctx, &docs[i], t); err != nil {
			for _, r := range o.restore[:i] {
				r.undo()
			}
			return fmt.Errorf("odm: insert on %s: document %d: %w", c.Name(), i, odmerr.Inner(err))
		}
		o.all[i] = &docs[i]
	}
	return nil
}

// encode is the driver's: it encodes the documents as it sends them.
func (o *insertManyOp[T]) encode(context.Context) error { return nil }

func (o *insertManyOp[T]) send(ctx context.Context) error {
	o.res, o.err = o.c.coll.InsertMany(ctx, o.all, o.opts...)
	o.sent = true
	return nil
}

// reply puts back the documents the server did not store.
func (o *insertManyOp[T]) reply(context.Context) error {
	o.stored = write.StoredDocs(len(o.docs), o.err, insertOrdered(o.opts))
	for i := range o.docs {
		if !o.stored(i) {
			o.restore[i].undo()
		}
	}
	if o.err != nil {
		return o.c.wrap("insert", o.err, nil)
	}
	return nil
}

// writeBack gives the stored documents their ids: the driver lists the
// ids of the stored documents only, in order.
func (o *insertManyOp[T]) writeBack() {
	k := 0
	for i := range o.docs {
		if o.stored(i) && o.res != nil && k < len(o.res.InsertedIDs) {
			o.c.setGeneratedID(&o.docs[i], o.res.InsertedIDs[k])
			k++
		}
	}
}

// runAfter runs AfterInsert on each stored document, joining the errors.
func (o *insertManyOp[T]) runAfter(ctx context.Context, _ error) error {
	var errs []error
	for i := 0; o.c.hooks.Has(hooks.AfterInsert) && i < len(o.docs); i++ {
		if err := o.c.after(ctx, "insert", o.stored(i), hooks.AfterInsert, &o.docs[i]); err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
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
	filter, err := c.checkRead(ctx, "find", filter, readParts(opts))
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
	op := deleteOp[T]{c: c, k: kindFindOneAndDelete, filter: filter, findOpts: opts}
	if err := runWrite(ctx, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.out, nil
}

// Find returns every document filter matches.
func (c *Collection[T]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	filter, err := c.checkRead(ctx, "find", filter, readParts(opts))
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
	filter, err := c.checkRead(ctx, "find", filter, readParts(opts))
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
	op := deleteOp[T]{c: c, k: kindDeleteOne, filter: filter, oneOpts: opts}
	if err := runWrite(ctx, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// DeleteMany deletes every document filter matches.
func (c *Collection[T]) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	op := deleteOp[T]{c: c, k: kindDeleteMany, filter: filter, manyOpts: opts}
	if err := runWrite(ctx, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// deleteOp is DeleteOne, DeleteMany or FindOneAndDelete (k) in the write
// pipeline, with the options of its kind.
type deleteOp[T any] struct {
	c        *Collection[T]
	k        writeKind
	filter   any
	oneOpts  []options.Lister[options.DeleteOneOptions]
	manyOpts []options.Lister[options.DeleteManyOptions]
	findOpts []options.Lister[options.FindOneAndDeleteOptions]
	res      *mongo.DeleteResult
	out      *T
	err      error
}

func (o *deleteOp[T]) kind() writeKind { return o.k }

func (o *deleteOp[T]) prepare(ctx context.Context) error {
	if err := o.c.unbound(); err != nil {
		return err
	}
	parts := pathcheck.Parts{}
	if o.k == kindFindOneAndDelete {
		parts = readParts(o.findOpts)
	}
	if err := o.c.checkWrite(ctx, "delete", &o.filter, parts); err != nil {
		return err
	}
	return o.c.filterHook(ctx, "delete", false, nil, o.k, o.filter, nil, nil)
}

// encode is the driver's: a delete sends its filter as given.
func (o *deleteOp[T]) encode(context.Context) error { return nil }

func (o *deleteOp[T]) send(ctx context.Context) error {
	switch o.k {
	case kindDeleteOne:
		o.res, o.err = o.c.coll.DeleteOne(ctx, o.filter, o.oneOpts...)
	case kindDeleteMany:
		o.res, o.err = o.c.coll.DeleteMany(ctx, o.filter, o.manyOpts...)
	default:
		var out T
		if o.err = o.c.coll.FindOneAndDelete(ctx, o.filter, o.findOpts...).Decode(&out); o.err == nil {
			o.out = &out
		}
	}
	return nil
}

// reply reads FindOneAndDelete's "nothing matched" as no document.
func (o *deleteOp[T]) reply(context.Context) error {
	if o.err == nil || o.k == kindFindOneAndDelete && errors.Is(o.err, mongo.ErrNoDocuments) {
		return nil
	}
	return o.c.wrap("delete", o.err, nil)
}

// writeBack has nothing to do: a delete leaves the caller's values alone.
func (o *deleteOp[T]) writeBack() {}

func (o *deleteOp[T]) runAfter(ctx context.Context, replied error) error {
	var res any = o.res
	if o.k == kindFindOneAndDelete {
		res = o.out
	}
	return o.c.filterHook(ctx, "delete", true, replied, o.k, o.filter, nil, res)
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
