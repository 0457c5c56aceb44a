package odm

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// encodeReplacement encodes doc as a replacement.
func (c *Collection[T]) encodeReplacement(doc *T) (write.Replacement, error) {
	raw, err := write.Encode(doc)
	if err != nil {
		return write.Replacement{}, err
	}
	st, err := reflectx.Describe(c.model.Type)
	return write.NewReplacement(raw, c.Name(), c.owned, err == nil && st.Open)
}

// ReplaceOne replaces the first document filter matches with doc.
//
// Only the fields doc's struct owns are written: each is set to doc's
// value, or removed when doc leaves it out (omitempty); fields the struct
// does not declare stay as stored. A struct with an ",inline" map at its
// top level owns every field: doc replaces the stored document whole, a
// key deleted from the map removed. A zero ObjectID _id is never written;
// any other _id must be the matched document's: a doc whose _id differs
// is refused by the server (ImmutableField, code 66), as MongoDB refuses
// such a replace, and nothing changes. A model with defaults (Defaulter)
// gets them first. With upsert, a document is inserted only when none
// matches filter.
//
// For a revisioned model it matches only the revision doc carries, stores
// the next one and updates doc to match; when the stored document has
// moved on it changes nothing and returns a *StaleRevisionError, with or
// without upsert.
//
// For a model with a shard key, filter gets doc's key values for each key
// field it does not name. Changing them (filter naming other values) is
// refused with ErrShardKeyChange outside a transaction; a document stored
// with other values is not matched, and that too is ErrShardKeyChange.
func (c *Collection[T]) ReplaceOne(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	o := applied(opts)
	upsert := o.Upsert != nil && *o.Upsert
	var res *mongo.UpdateResult
	send := func(f any, update bson.D, upsert, _ bool) (found bool, inserted bool, err error) {
		if write.IsReplacement(update) {
			ro := o
			ro.Upsert = &upsert
			res, err = c.coll.ReplaceOne(ctx, f, update, write.Setters[options.ReplaceOptions]{func(r *options.ReplaceOptions) error { *r = ro; return nil }})
		} else {
			res, err = c.coll.UpdateOne(ctx, f, update, write.UpdateOneFrom(o, upsert))
		}
		if err != nil {
			return false, false, err
		}
		return res.MatchedCount > 0, res.UpsertedCount > 0, nil
	}
	if err := c.replace(ctx, "replace", filter, doc, upsert, send); err != nil {
		return nil, err
	}
	if res != nil && res.UpsertedID != nil {
		c.setGeneratedID(doc, res.UpsertedID)
	}
	return res, nil
}

// FindOneAndReplace replaces the first document filter matches with doc,
// as ReplaceOne does, and returns the document before the replacement
// (after it, when the options say so). It returns nil and no error when
// there was none: nothing matched, or an upsert inserted doc and the
// options ask for the document before.
func (c *Collection[T]) FindOneAndReplace(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.FindOneAndReplaceOptions]) (*T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	o := applied(opts)
	upsert := o.Upsert != nil && *o.Upsert
	after := o.ReturnDocument != nil && *o.ReturnDocument == options.After
	var out *T
	send := func(f any, update bson.D, upsert, insertOnly bool) (found bool, inserted bool, err error) {
		fo := o
		if insertOnly {
			// The document before tells a match (stale) from an insert.
			fo.ReturnDocument = nil
		}
		var got T
		if write.IsReplacement(update) {
			fo.Upsert = &upsert
			err = c.coll.FindOneAndReplace(ctx, f, update, write.Setters[options.FindOneAndReplaceOptions]{func(r *options.FindOneAndReplaceOptions) error { *r = fo; return nil }}).Decode(&got)
		} else {
			err = c.coll.FindOneAndUpdate(ctx, f, update, write.FindOneAndUpdateFrom(fo, upsert)).Decode(&got)
		}
		if errors.Is(err, mongo.ErrNoDocuments) {
			// Before the write there was none: with upsert, one was
			// inserted.
			if insertOnly && after {
				inserted := *doc
				out = &inserted
			}
			return false, upsert, nil
		}
		if err != nil {
			return false, false, err
		}
		out = &got
		return true, false, nil
	}
	if err := c.replace(ctx, "replace", filter, doc, upsert, send); err != nil {
		return nil, err
	}
	if after && out != nil {
		c.setGeneratedID(doc, idOf(out))
	}
	return out, nil
}

// replaceWrite sends one write of a replacement: update over what f
// matches, inserting with upsert. It reports whether a document matched,
// and whether one was inserted.
// insertOnly marks the write of an upsert's insert ($setOnInsert only).
type replaceWrite func(f any, update bson.D, upsert, insertOnly bool) (found, inserted bool, err error)

// replace writes doc over what filter matches (see ReplaceOne). For a
// model with a shard key, filter gets doc's key values (shardKeyed); a
// write that matches nothing is explained when the document is stored
// with other key values (keyedElsewhere).
func (c *Collection[T]) replace(ctx context.Context, op string, filter any, doc *T, upsert bool, send replaceWrite) error {
	if err := c.checkWrite(ctx, op, filter, pathcheck.Parts{}); err != nil {
		return err
	}
	if err := setDefaults(doc); err != nil {
		return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
	}
	given, matched := filter, false
	if c.model.ShardKey != nil {
		raw, err := write.Encode(doc)
		if err != nil {
			return c.wrap(op, err, idOf(doc))
		}
		if filter, err = c.shardKeyed(ctx, op, filter, nil, raw); err != nil {
			return err
		}
		inner := send
		send = func(f any, update bson.D, upsert, insertOnly bool) (found, inserted bool, err error) {
			found, inserted, err = inner(f, update, upsert, insertOnly)
			matched = matched || found || inserted
			return found, inserted, err
		}
	}
	var err error
	if c.rev == write.RevNone {
		err = c.replacePlain(op, filter, doc, upsert, send)
	} else {
		err = c.replaceGuarded(ctx, op, filter, doc, upsert, send)
	}
	if err == nil && c.model.ShardKey != nil && !matched {
		return c.keyedElsewhere(ctx, op, given)
	}
	return err
}

// replacePlain writes doc over what filter matches, for a model without a
// revision.
func (c *Collection[T]) replacePlain(op string, filter any, doc *T, upsert bool, send replaceWrite) error {
	r, err := c.encodeReplacement(doc)
	if err != nil {
		return c.wrap(op, err, idOf(doc))
	}
	if _, _, err := send(filter, r.Update(), upsert, false); err != nil {
		return c.wrap(op, err, idOf(doc))
	}
	return nil
}

// replaceGuarded writes doc over the document filter matches only while it
// holds the revision doc carries, doc carrying the next one. With upsert,
// a second write inserts doc only when filter matches nothing at all: a
// document it matches with another revision is a *StaleRevisionError.
// When nothing is written, doc is left as it was.
func (c *Collection[T]) replaceGuarded(ctx context.Context, op string, filter any, doc *T, upsert bool, send replaceWrite) error {
	c.warnIfNotAtomic(ctx)
	f, undo := c.revisionSlot(doc)
	if !f.IsValid() {
		return fmt.Errorf("odm: %s on %s: the revision field %s cannot be set in the document", op, c.Name(), c.model.Revision)
	}
	expected := c.rev.Read(f)
	next := c.rev.Next(expected)
	c.rev.Write(f, next)
	restore := func() { c.rev.Write(f, expected); undo() }
	r, err := c.encodeReplacement(doc)
	if err != nil {
		restore()
		return c.wrap(op, err, idOf(doc))
	}
	found, _, err := send(c.guarded(filter, expected), r.Update(), false, false)
	if err == nil && found {
		return nil
	}
	if err == nil && upsert {
		// The insert carries an _id of its own, so doc holds it.
		if id, undoID := c.newID(doc); id != nil {
			r.ID = id
			prev := restore
			restore = func() { undoID(); prev() }
		}
		var inserted bool
		found, inserted, err = send(filter, r.Insert(filter), true, true)
		switch {
		case err == nil && inserted:
			return nil
		case err == nil && found:
			restore()
			return c.staleError(idOf(doc), expected)
		}
	}
	restore()
	if err != nil && !isDuplicate(err) {
		return c.wrap(op, err, idOf(doc))
	}
	moved, cerr := c.movedOn(ctx, filter, expected, next)
	switch {
	case cerr != nil:
		return c.wrap(op, cerr, idOf(doc))
	case moved:
		return c.staleError(idOf(doc), expected)
	case err != nil:
		return c.wrap(op, err, idOf(doc))
	}
	return nil
}

// guarded is filter narrowed to documents holding the revision expected.
// No revision (a zero counter, a zero UUID) also matches a document whose
// revision field is missing or null: one written before revisions were
// turned on, or by another process.
//
// A bson.D or bson.M filter that does not name the revision gets it as one
// more field, as a hand-written guard would ({_id, revision}), which every
// server's planner reads as plainly as the filter alone; any other filter
// is combined with $and.
func (c *Collection[T]) guarded(filter, expected any) any {
	var cond any = write.Stored(expected)
	if c.rev == write.RevCounter && expected.(int64) == 0 {
		cond = bson.D{{Key: "$in", Value: bson.A{int64(0), nil}}}
	}
	guard := bson.E{Key: c.model.Revision, Value: cond}
	switch f := filter.(type) {
	case bson.D:
		if !slices.ContainsFunc(f, func(e bson.E) bool { return e.Key == guard.Key }) {
			return append(slices.Clip(f), guard)
		}
	case bson.M:
		if _, ok := f[guard.Key]; !ok {
			out := make(bson.M, len(f)+1)
			for k, v := range f {
				out[k] = v
			}
			out[guard.Key] = guard.Value
			return out
		}
	}
	return bson.D{{Key: "$and", Value: bson.A{filter, bson.D{guard}}}}
}
