package repo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/union"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// encodeReplacement encodes doc as a replacement.
func (c *Core[T]) encodeReplacement(doc *T) (write.Replacement, error) {
	raw, err := c.encodeDoc(doc)
	if err != nil {
		return write.Replacement{}, err
	}
	st, err := reflectx.Describe(c.model.Type)
	return write.NewReplacement(raw, c.Name(), c.owned, err == nil && st.Open)
}

// ReplaceOne is odm.Collection.ReplaceOne.
func (c *Core[T]) ReplaceOne(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	op := replaceOp[T]{c: c, filter: filter, doc: doc, replaceOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{replace: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// FindOneAndReplace is odm.Collection.FindOneAndReplace.
func (c *Core[T]) FindOneAndReplace(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.FindOneAndReplaceOptions]) (*T, error) {
	op := replaceOp[T]{c: c, find: true, filter: filter, doc: doc, findOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{replace: &op}); err != nil {
		return nil, err
	}
	return op.out, nil
}

// replaceOp is ReplaceOne (and ReplaceByID) or, with find,
// FindOneAndReplace in the write pipeline: doc written over what filter
// matches (see ReplaceOne). For a model with a shard key, filter gets
// doc's key values (shardKeyed); a write that matches nothing is
// explained when the document is stored with other key values
// (keyedElsewhere).
type replaceOp[T any] struct {
	c           *Core[T]
	find        bool
	filter      any // as sent: with the shard key's values
	given       any // as the caller gave it
	doc         *T
	replaceOpts []options.Lister[options.ReplaceOptions]
	findOpts    []options.Lister[options.FindOneAndReplaceOptions]
	ro          options.ReplaceOptions
	fo          options.FindOneAndReplaceOptions
	upsert      bool
	after       bool // FindOneAndReplace returns the document after

	rev replaceRevision // a revisioned model's guard
	r   write.Replacement
	// stamped is the time of the timestamps; created, when doc's
	// CreatedAt was zero: only an upsert's insert writes it.
	stamped time.Time
	created bool

	found, inserted, matched bool // what the writes did
	inserting                bool // the second write, an upsert's insert, was sent
	err                      error
	failed                   bool // reply returned an error
	res                      *mongo.UpdateResult
	out                      *T
}

// replaceRevision is the guard of a revisioned model's replace: the
// revision doc carried (expected) and the one it carries for the write.
type replaceRevision struct {
	guarded        bool
	expected, next any
	f              reflect.Value // doc's revision field
	undo           func()        // puts back what reaching f allocated
	undoID         func()        // puts back doc's _id, when the insert gave it one
}

// restore puts back doc's revision, and its _id.
func (o *replaceOp[T]) restore() {
	if o.rev.undoID != nil {
		o.rev.undoID()
	}
	o.c.rev.Write(o.rev.f, o.rev.expected)
	o.rev.undo()
}

func (o *replaceOp[T]) kind() Kind {
	if o.find {
		return KindFindOneAndReplace
	}
	return KindReplaceOne
}

// prepare checks the arguments and the filter, gives doc its defaults,
// adds the shard key's values to the filter and, for a revisioned model,
// sets the next revision in doc.
func (o *replaceOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.Unbound(); err != nil {
		return err
	}
	if o.doc == nil {
		return fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	if o.find {
		o.fo = applied(o.findOpts)
		o.upsert = o.fo.Upsert != nil && *o.fo.Upsert
		o.after = o.fo.ReturnDocument != nil && *o.fo.ReturnDocument == options.After
	} else {
		o.ro = applied(o.replaceOpts)
		o.upsert = o.ro.Upsert != nil && *o.ro.Upsert
	}
	if err := c.checkWrite(ctx, "replace", &o.filter, pathcheck.Parts{}); err != nil {
		return err
	}
	if err := setDefaults(o.doc); err != nil {
		return fmt.Errorf("odm: replace on %s: %w", c.Name(), odmerr.Inner(err))
	}
	union.StampOf(c.model, o.doc)
	if c.hooks.Has(hooks.Stamps) {
		o.stamped = hooks.Now()
		c.stamp(o.doc, o.stamped, false)
	}
	if err := c.hooks.Before(ctx, hooks.BeforeReplace, o.doc, c.model.Type); err != nil {
		return fmt.Errorf("odm: replace on %s: %w", c.Name(), err)
	}
	o.given = o.filter
	if c.model.ShardKey != nil {
		raw, err := o.c.encodeDoc(o.doc)
		if err != nil {
			return c.Wrap("replace", err, write.IDOf(o.doc))
		}
		if o.filter, err = c.shardKeyed(ctx, "replace", o.filter, nil, raw); err != nil {
			return err
		}
	}
	if c.rev == write.RevNone {
		return nil
	}
	c.warnIfNotAtomic(ctx)
	f, undo := c.revisionSlot(o.doc)
	if !f.IsValid() {
		return fmt.Errorf("odm: replace on %s: the revision field %s cannot be set in the document", c.Name(), c.model.Revision)
	}
	expected := c.rev.Read(f)
	o.rev = replaceRevision{guarded: true, expected: expected, next: c.rev.Next(expected), f: f, undo: undo}
	c.rev.Write(f, o.rev.next)
	return nil
}

func (o *replaceOp[T]) encode(context.Context) error {
	var err error
	if o.r, err = o.c.encodeReplacement(o.doc); err != nil {
		if o.rev.guarded {
			o.restore()
		}
		return o.c.Wrap("replace", err, write.IDOf(o.doc))
	}
	if o.c.hooks.Has(hooks.Stamps) && o.r.Whole == nil && o.createdAtZero() {
		// A zero CreatedAt leaves the stored one as it is.
		o.created = true
		o.r.Set = slices.DeleteFunc(o.r.Set, func(e bson.E) bool { return e.Key == "created_at" })
		o.r.Unset = slices.DeleteFunc(o.r.Unset, func(e bson.E) bool { return e.Key == "created_at" })
	}
	return nil
}

// createdOnInsert adds to update, when doc's CreatedAt was zero, the
// created_at an upsert's insert writes.
func (o *replaceOp[T]) createdOnInsert(update bson.D) bson.D {
	if !o.created {
		return update
	}
	return write.AddFields(update, "$setOnInsert", bson.E{Key: "created_at", Value: o.stamped})
}

// send writes the replacement over what the filter matches. For a
// revisioned model the write matches only the revision doc carried; with
// upsert, a second write inserts doc only when the filter matches nothing
// at all (its $setOnInsert leaves a matched document as it is).
func (o *replaceOp[T]) send(ctx context.Context) error {
	if !o.rev.guarded {
		update := o.r.Update()
		if o.upsert {
			update = o.createdOnInsert(update)
		}
		o.found, o.inserted, o.err = o.write(ctx, o.filter, update, o.upsert, false)
		o.matched = o.found || o.inserted
		return nil
	}
	o.found, o.inserted, o.err = o.write(ctx, o.c.guarded(o.filter, o.rev.expected), o.r.Update(), false, false)
	o.matched = o.found || o.inserted
	if o.err != nil || o.found || !o.upsert {
		return nil
	}
	// The insert carries an _id of its own, so doc holds it.
	if id, undoID := o.c.newID(o.doc); id != nil {
		o.r.ID, o.rev.undoID = id, undoID
	}
	o.inserting = true
	o.found, o.inserted, o.err = o.write(ctx, o.filter, o.createdOnInsert(o.r.Insert(o.filter)), true, true)
	o.matched = o.matched || o.found || o.inserted
	return nil
}

// write sends one write of the replacement: update over what f matches,
// inserting with upsert. It reports whether a document matched, and
// whether one was inserted. insertOnly marks the write of an upsert's
// insert ($setOnInsert only).
func (o *replaceOp[T]) write(ctx context.Context, f any, update bson.D, upsert, insertOnly bool) (found, inserted bool, err error) {
	if !o.find {
		if write.IsReplacement(update) {
			ro := o.ro
			ro.Upsert = &upsert
			o.res, err = o.c.coll.ReplaceOne(ctx, f, update, write.Setters[options.ReplaceOptions]{func(r *options.ReplaceOptions) error { *r = ro; return nil }})
		} else {
			o.res, err = o.c.coll.UpdateOne(ctx, f, update, write.UpdateOneFrom(o.ro, upsert))
		}
		if err != nil {
			return false, false, err
		}
		return o.res.MatchedCount > 0, o.res.UpsertedCount > 0, nil
	}
	fo := o.fo
	if insertOnly {
		// The document before tells a match (stale) from an insert.
		fo.ReturnDocument = nil
	}
	var got T
	if write.IsReplacement(update) {
		fo.Upsert = &upsert
		err = o.c.DecodeSingle(o.c.coll.FindOneAndReplace(ctx, f, update, write.Setters[options.FindOneAndReplaceOptions]{func(r *options.FindOneAndReplaceOptions) error { *r = fo; return nil }}), &got)
	} else {
		err = o.c.DecodeSingle(o.c.coll.FindOneAndUpdate(ctx, f, update, write.FindOneAndUpdateFrom(fo, upsert)), &got)
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Before the write there was none: with upsert, one was inserted.
		if insertOnly && o.after {
			inserted := *o.doc
			o.out = &inserted
		}
		return false, upsert, nil
	}
	if err != nil {
		return false, false, err
	}
	o.out = &got
	return true, false, nil
}

// reply names the write's error. For a revisioned model, a write that
// stored nothing leaves doc as it was, and is a *StaleRevisionError when
// the document has moved on. For a model with a shard key, a write that
// matched nothing is explained (keyedElsewhere).
func (o *replaceOp[T]) reply(ctx context.Context) error {
	var err error
	if !o.rev.guarded {
		if o.err != nil {
			err = o.c.Wrap("replace", o.err, write.IDOf(o.doc))
		}
	} else {
		err = o.replyGuarded(ctx)
	}
	if err == nil && o.c.model.ShardKey != nil && !o.matched {
		err = o.c.keyedElsewhere(ctx, "replace", o.given)
	}
	o.failed = err != nil
	return err
}

// replyGuarded reads the reply of a revisioned model's writes: stored,
// stale, or failed.
func (o *replaceOp[T]) replyGuarded(ctx context.Context) error {
	c, doc, err := o.c, o.doc, o.err
	if err == nil && (o.inserting && o.inserted || !o.inserting && o.found) {
		return nil
	}
	if err == nil && o.inserting && o.found {
		o.restore()
		return c.staleError(write.IDOf(doc), o.rev.expected)
	}
	o.restore()
	if err != nil && !IsDuplicate(err) {
		return c.Wrap("replace", err, write.IDOf(doc))
	}
	moved, cerr := c.movedOn(ctx, o.filter, o.rev.expected, o.rev.next)
	switch {
	case cerr != nil:
		return c.Wrap("replace", cerr, write.IDOf(doc))
	case moved:
		return c.staleError(write.IDOf(doc), o.rev.expected)
	case err != nil:
		return c.Wrap("replace", err, write.IDOf(doc))
	}
	return nil
}

// writeBack gives doc the _id an upsert generated (or, for
// FindOneAndReplace returning the document after, the one it holds).
func (o *replaceOp[T]) writeBack() {
	switch {
	case o.failed:
	case !o.find && o.res != nil && o.res.UpsertedID != nil:
		o.c.setGeneratedID(o.doc, o.res.UpsertedID)
	case o.find && o.after && o.out != nil:
		o.c.setGeneratedID(o.doc, write.IDOf(o.out))
	}
	if !o.failed && o.inserted && o.created {
		created, _ := o.c.pub.Timestamps(o.doc)
		*created = o.stamped
	}
}

// runAfter runs AfterReplace on doc when it was stored.
func (o *replaceOp[T]) runAfter(ctx context.Context, _ error) error {
	return o.c.after(ctx, "replace", !o.failed && o.matched, hooks.AfterReplace, o.doc)
}

// guarded is filter narrowed to documents holding the revision expected
// (write.Revisioned.Guarded).
func (c *Core[T]) guarded(filter, expected any) any {
	return c.revisioned().Guarded(filter, expected)
}

// createdAtZero tells a doc whose CreatedAt is zero.
func (o *replaceOp[T]) createdAtZero() bool {
	created, _ := o.c.pub.Timestamps(o.doc)
	return created.IsZero()
}
