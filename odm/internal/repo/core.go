package repo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/binding"
	"github.com/tagodm/tagodm/odm/internal/codec"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/union"
	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Core is a repository's state and its every read and write: the
// machinery behind odm.Collection[T], whose methods are its shells.
type Core[T any] struct {
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
	filterBefore, filterAfter FilterFunc
	pub                       *Public
	// reg is the registry the collection decodes with, nil when it cannot
	// be known (collectionRegistry); codec is T's compiled decoder for it.
	reg   *bson.Registry
	codec *codec.Codec
	// unboundAs, for a Core standing in for an odm.Collection that was
	// not made by NewCollection: "nil" or "the zero value".
	unboundAs string
}

// FilterFunc is a function of odm.FilterHooks, as the repository calls
// it: the write's method and collection, its filter and update as given,
// and for after its result.
type FilterFunc func(ctx context.Context, write, collection string, filter, update, result any) error

// Config is what odm.NewCollection gives a new Core.
type Config struct {
	Coll                      *mongo.Collection
	Binding                   *binding.Binding
	Logger                    *slog.Logger
	ModifyAttempts            int
	FilterBefore, FilterAfter FilterFunc
	Public                    *Public
}

// New is the Core of a bound repository.
func New[T any](cfg Config) *Core[T] {
	b := cfg.Binding
	c := &Core[T]{coll: cfg.Coll, model: b.Model, rev: b.Rev, id: b.ID, owned: b.Owned, logger: cfg.Logger, modifyAttempts: cfg.ModifyAttempts,
		hooks: b.Hooks, filterBefore: cfg.FilterBefore, filterAfter: cfg.FilterAfter, pub: cfg.Public, reg: collectionRegistry(cfg.Coll)}
	c.codec = codecOf[T](c)
	return c
}

// Unbound is the Core of an odm.Collection not made by NewCollection:
// every call returns the error saying so. isNil tells a nil *Collection
// from a zero value.
func Unbound[T any](isNil bool, pub *Public) *Core[T] {
	if isNil {
		return &Core[T]{unboundAs: "nil", pub: pub}
	}
	return &Core[T]{unboundAs: "the zero value", pub: pub}
}

// SetAnyVariant makes the repository of a union's variant reach every
// variant's documents.
func (c *Core[T]) SetAnyVariant() { c.anyVariant = true }

// Coll is the driver's collection; nil when unbound.
func (c *Core[T]) Coll() *mongo.Collection { return c.coll }

// Model is the repository's model.
func (c *Core[T]) Model() *schema.Model { return c.model }

// Name is the collection's name; "" when unbound.
func (c *Core[T]) Name() string {
	if c.coll == nil {
		return ""
	}
	return c.coll.Name()
}

// Unbound is the error of a Core standing in for a Collection not made by
// NewCollection (see Unbound), nil for a bound one. Every call returns it
// rather than panicking on the missing collection.
func (c *Core[T]) Unbound() error {
	if c.coll != nil {
		return nil
	}
	t := reflect.TypeFor[T]()
	return fmt.Errorf("odm: Collection[%v] is %s: make it with odm.NewCollection[%v](db) (or NewCollectionIn, MustCollection)", t, c.unboundAs, t)
}

// InsertOne is odm.Collection.InsertOne.
func (c *Core[T]) InsertOne(ctx context.Context, doc *T, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	op := insertOneOp[T]{c: c, doc: doc, opts: opts}
	if err := runWrite(ctx, c, writeOp[T]{insertOne: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// insertOneOp is InsertOne in the write pipeline.
type insertOneOp[T any] struct {
	c       *Core[T]
	doc     *T
	opts    []options.Lister[options.InsertOneOptions]
	restore insertUndo
	res     *mongo.InsertOneResult
	err     error
	// insertedID is, in a bulk write, the id the driver generated (res
	// stays nil there: one allocation less per document).
	insertedID any
}

func (o *insertOneOp[T]) kind() Kind { return KindInsertOne }

func (o *insertOneOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.Unbound(); err != nil {
		return err
	}
	if ctx == nil {
		return c.NoContext("insert")
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

// encode is the driver's: it encodes the document as it sends it. (The
// compiled codec would not be faster here: the driver copies a document
// handed to it encoded element by element, at about the cost of encoding
// the struct itself.)
func (o *insertOneOp[T]) encode(context.Context) error { return nil }

func (o *insertOneOp[T]) send(ctx context.Context) error {
	o.res, o.err = o.c.coll.InsertOne(ctx, o.doc, o.opts...)
	return nil
}

func (o *insertOneOp[T]) reply(context.Context) error {
	if o.err != nil {
		o.restore.undo()
		return o.c.Wrap("insert", o.err, write.IDOf(o.doc))
	}
	return nil
}

func (o *insertOneOp[T]) writeBack() {
	switch {
	case o.err != nil:
	case o.res != nil:
		o.c.setGeneratedID(o.doc, o.res.InsertedID)
	default:
		o.c.setGeneratedID(o.doc, o.insertedID)
	}
}

func (o *insertOneOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.after(ctx, "insert", replied == nil, hooks.AfterInsert, o.doc)
}

// prepareInsert gives a new document its defaults, its timestamps (at t),
// its BeforeInsert and Validate, an _id and its first revision; the
// returned insertUndo puts back the id and the revision. A panic in
// SetDefaults or a hook is the error, before the id and the revision.
func (c *Core[T]) prepareInsert(ctx context.Context, doc *T, t time.Time) (insertUndo, error) {
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

// InsertMany is odm.Collection.InsertMany.
func (c *Core[T]) InsertMany(ctx context.Context, docs []T, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	op := insertManyOp[T]{c: c, docs: docs, opts: opts}
	err := runWrite(ctx, c, writeOp[T]{insertMany: &op})
	if err != nil && !op.sent {
		return nil, err
	}
	return op.res, err
}

// insertManyOp is InsertMany in the write pipeline.
type insertManyOp[T any] struct {
	c       *Core[T]
	docs    []T
	opts    []options.Lister[options.InsertManyOptions]
	all     []any
	restore []insertUndo
	sent    bool
	res     *mongo.InsertManyResult
	err     error
	stored  func(int) bool
}

func (o *insertManyOp[T]) kind() Kind { return KindInsertMany }

func (o *insertManyOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.Unbound(); err != nil {
		return err
	}
	if ctx == nil {
		return c.NoContext("insert")
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

// encode is the driver's: it encodes the documents as it sends them (see
// insertOneOp.encode).
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
		return o.c.Wrap("insert", o.err, nil)
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

// FindOne is odm.Collection.FindOne.
func (c *Core[T]) FindOne(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.CheckRead(ctx, "find", filter, readParts(opts))
	if err != nil {
		return nil, err
	}
	var out T
	if err := c.DecodeSingle(c.coll.FindOne(ctx, filter, opts...), &out); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, c.Wrap("find", err, nil)
	}
	return &out, nil
}

// FindOneAndDelete is odm.Collection.FindOneAndDelete.
func (c *Core[T]) FindOneAndDelete(ctx context.Context, filter any, opts ...options.Lister[options.FindOneAndDeleteOptions]) (*T, error) {
	op := deleteOp[T]{c: c, k: KindFindOneAndDelete, filter: filter, findOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.out, nil
}

// Find is odm.Collection.Find.
func (c *Core[T]) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Iter(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	out, err := All[T](ctx, c, cur)
	if err != nil {
		return nil, c.Wrap("find", err, nil)
	}
	return out, nil
}

// Iter opens the driver's cursor over the documents filter matches, the
// filter and options checked as Find's.
func (c *Core[T]) Iter(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) (*mongo.Cursor, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.CheckRead(ctx, "find", filter, readParts(opts))
	if err != nil {
		return nil, err
	}
	cur, err := c.coll.Find(ctx, filter, opts...)
	if err != nil {
		return nil, c.Wrap("find", err, nil)
	}
	return cur, nil
}

// DeleteOne is odm.Collection.DeleteOne.
func (c *Core[T]) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	op := deleteOp[T]{c: c, k: KindDeleteOne, filter: filter, oneOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// DeleteMany is odm.Collection.DeleteMany.
func (c *Core[T]) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	op := deleteOp[T]{c: c, k: KindDeleteMany, filter: filter, manyOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{delete: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// deleteOp is DeleteOne, DeleteMany or FindOneAndDelete (k) in the write
// pipeline, with the options of its kind.
type deleteOp[T any] struct {
	c        *Core[T]
	k        Kind
	filter   any
	oneOpts  []options.Lister[options.DeleteOneOptions]
	manyOpts []options.Lister[options.DeleteManyOptions]
	findOpts []options.Lister[options.FindOneAndDeleteOptions]
	res      *mongo.DeleteResult
	out      *T
	err      error
}

func (o *deleteOp[T]) kind() Kind { return o.k }

func (o *deleteOp[T]) prepare(ctx context.Context) error {
	if err := o.c.Unbound(); err != nil {
		return err
	}
	parts := pathcheck.Parts{}
	if o.k == KindFindOneAndDelete {
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
	case KindDeleteOne:
		o.res, o.err = o.c.coll.DeleteOne(ctx, o.filter, o.oneOpts...)
	case KindDeleteMany:
		o.res, o.err = o.c.coll.DeleteMany(ctx, o.filter, o.manyOpts...)
	default:
		var out T
		if o.err = o.c.DecodeSingle(o.c.coll.FindOneAndDelete(ctx, o.filter, o.findOpts...), &out); o.err == nil {
			o.out = &out
		}
	}
	return nil
}

// reply reads FindOneAndDelete's "nothing matched" as no document.
func (o *deleteOp[T]) reply(context.Context) error {
	if o.err == nil || o.k == KindFindOneAndDelete && errors.Is(o.err, mongo.ErrNoDocuments) {
		return nil
	}
	return o.c.Wrap("delete", o.err, nil)
}

// writeBack has nothing to do: a delete leaves the caller's values alone.
func (o *deleteOp[T]) writeBack() {}

func (o *deleteOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.filterHook(ctx, "delete", true, replied, o.k, o.filter, nil, filterResult(o.res, o.k == KindFindOneAndDelete, o.out))
}

// CountDocuments is odm.Collection.CountDocuments.
func (c *Core[T]) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	if err := c.Unbound(); err != nil {
		return 0, err
	}
	filter, err := c.CheckRead(ctx, "count", filter, pathcheck.Parts{})
	if err != nil {
		return 0, err
	}
	n, err := c.coll.CountDocuments(ctx, filter, opts...)
	if err != nil {
		return 0, c.Wrap("count", err, nil)
	}
	return n, nil
}

// Distinct returns the distinct values of field among the documents filter
// matches, decoded as V.
func Distinct[V, T any](ctx context.Context, c *Core[T], field string, filter any, opts ...options.Lister[options.DistinctOptions]) ([]V, error) {
	filter, err := c.CheckRead(ctx, "distinct", filter, pathcheck.Parts{Field: field})
	if err != nil {
		return nil, err
	}
	res := c.coll.Distinct(ctx, field, filter, opts...)
	if err := res.Err(); err != nil {
		return nil, c.Wrap("distinct", err, nil)
	}
	var out []V
	if err := res.Decode(&out); err != nil {
		return nil, c.Wrap("distinct", err, nil)
	}
	return out, nil
}

// Aggregate runs pipeline on the collection and decodes the results as
// R. The pipeline's head is checked and recorded as Collection.Aggregate
// says.
func Aggregate[R, T any](ctx context.Context, c *Core[T], pipeline any, opts ...options.Lister[options.AggregateOptions]) ([]R, error) {
	cur, err := c.Aggregate(ctx, pipeline, opts...)
	if err != nil {
		return nil, err
	}
	out, err := All[R](ctx, c, cur)
	if err != nil {
		return nil, c.Wrap("aggregate", err, nil)
	}
	return out, nil
}

// noContext is the error of a repository call given a nil context: the
// driver would take it for context.Background(), and the library's own
// uses of it (a session's lookup, a cursor's close) would panic.
func (c *Core[T]) NoContext(op string) error {
	return fmt.Errorf("odm: %s on %s: a context is needed, got nil", op, c.Name())
}
