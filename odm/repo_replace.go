package odm

import (
	"context"
	"errors"
	"fmt"
	"github.com/tagodm/tagodm/internal/reflectx"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A replacement is a whole document written as an update of the fields its
// struct owns, so that fields the struct does not know (written by another
// process, or by an older version of the struct) survive a replace:
// $set of every field the document holds but _id, and $unset of the fields
// the struct declares but the document leaves out (omitempty).
type replacement struct {
	set   bson.D
	unset bson.D
	// id is the document's _id as encoded; nil when it has none, or when
	// it is a zero ObjectID, which is never stored: the server gives an
	// inserted document one.
	id *bson.RawValue
	// whole is, for a model with an ",inline" map at its top level, the
	// whole document (_id included when set): such a model reads every
	// field of a stored document, so a replace writes every field it
	// holds and removes the others, a key deleted from the map included.
	whole bson.D
}

// encodeReplacement encodes doc as a replacement.
func (c *Collection[T]) encodeReplacement(doc *T) (replacement, error) {
	raw, err := encodeDocument(doc)
	if err != nil {
		return replacement{}, err
	}
	elems, err := rawElements(raw)
	if err != nil {
		return replacement{}, err
	}
	var r replacement
	r.set = make(bson.D, 0, len(elems))
	present := make(map[string]bool, len(elems))
	for _, e := range elems {
		present[e.Key] = true
		if e.Key == "_id" {
			if v := e.Value.(bson.RawValue); !isZeroObjectID(v) {
				r.id = &v
			}
			continue
		}
		r.set = append(r.set, e)
	}
	if err := checkTopLevelKeys(c.Name(), r.set); err != nil {
		return replacement{}, err
	}
	for _, name := range c.owned {
		if !present[name] {
			r.unset = append(r.unset, bson.E{Key: name, Value: ""})
		}
	}
	if st, err := reflectx.Describe(c.model.Type); err == nil && st.Open {
		r.whole = make(bson.D, 0, len(elems))
		if r.id != nil {
			r.whole = append(r.whole, bson.E{Key: "_id", Value: *r.id})
		}
		r.whole = append(r.whole, r.set...)
	}
	return r, nil
}

// update writes the replacement over a matched document. A replacement
// with an _id sets it too: the server keeps a matched document's equal
// _id and refuses another (ImmutableField, 66), as it refuses a replace
// whose document's _id differs from the matched one's, so nothing is
// written; an upsert's insert gets it, and with a filter naming another
// _id the server refuses the insert, as it does a replace's.
//
// For a model with an ",inline" map it is the whole document, which the
// write sends as a replacement.
func (r replacement) update() bson.D {
	if r.whole != nil {
		return r.whole
	}
	set := r.set
	if r.id != nil {
		set = append(bson.D{{Key: "_id", Value: *r.id}}, r.set...)
	}
	u := bson.D{{Key: "$set", Value: set}}
	if len(r.unset) > 0 {
		u = append(u, bson.E{Key: "$unset", Value: r.unset})
	}
	return u
}

// insert writes the replacement only when the upsert inserts: a matched
// document is left as it is.
func (r replacement) insert(filter any) bson.D {
	fields := r.set
	if r.id != nil && !query.NamesID(filter) {
		fields = append(bson.D{{Key: "_id", Value: *r.id}}, r.set...)
	}
	return bson.D{{Key: "$setOnInsert", Value: fields}}
}

// setters is a list of option setters, to pass options of one command on
// to another.
type setters[O any] []func(*O) error

// List implements options.Lister.
func (s setters[O]) List() []func(*O) error { return s }

// updateOneFrom is the update options a replace's options stand for.
func updateOneFrom(o options.ReplaceOptions, upsert bool) options.Lister[options.UpdateOneOptions] {
	return setters[options.UpdateOneOptions]{func(u *options.UpdateOneOptions) error {
		u.BypassDocumentValidation, u.Collation, u.Comment, u.Hint, u.Let, u.Sort = o.BypassDocumentValidation, o.Collation, o.Comment, o.Hint, o.Let, o.Sort
		u.Upsert = &upsert
		return nil
	}}
}

// findOneAndUpdateFrom is the find-and-update options a find-and-replace's
// options stand for.
func findOneAndUpdateFrom(o options.FindOneAndReplaceOptions, upsert bool) options.Lister[options.FindOneAndUpdateOptions] {
	return setters[options.FindOneAndUpdateOptions]{func(u *options.FindOneAndUpdateOptions) error {
		u.BypassDocumentValidation, u.Collation, u.Comment, u.Hint, u.Let, u.Sort = o.BypassDocumentValidation, o.Collation, o.Comment, o.Hint, o.Let, o.Sort
		u.Projection, u.ReturnDocument = o.Projection, o.ReturnDocument
		u.Upsert = &upsert
		return nil
	}}
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
	if doc == nil {
		return nil, fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	o := applied(opts)
	upsert := o.Upsert != nil && *o.Upsert
	var res *mongo.UpdateResult
	write := func(f any, update bson.D, upsert, _ bool) (found bool, inserted bool, err error) {
		if isReplacement(update) {
			ro := o
			ro.Upsert = &upsert
			res, err = c.coll.ReplaceOne(ctx, f, update, setters[options.ReplaceOptions]{func(r *options.ReplaceOptions) error { *r = ro; return nil }})
		} else {
			res, err = c.coll.UpdateOne(ctx, f, update, updateOneFrom(o, upsert))
		}
		if err != nil {
			return false, false, err
		}
		return res.MatchedCount > 0, res.UpsertedCount > 0, nil
	}
	if err := c.replace(ctx, "replace", filter, doc, upsert, write); err != nil {
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
	if doc == nil {
		return nil, fmt.Errorf("odm: replace on %s: the document is nil", c.Name())
	}
	o := applied(opts)
	upsert := o.Upsert != nil && *o.Upsert
	after := o.ReturnDocument != nil && *o.ReturnDocument == options.After
	var out *T
	write := func(f any, update bson.D, upsert, insertOnly bool) (found bool, inserted bool, err error) {
		fo := o
		if insertOnly {
			// The document before tells a match (stale) from an insert.
			fo.ReturnDocument = nil
		}
		var got T
		if isReplacement(update) {
			fo.Upsert = &upsert
			err = c.coll.FindOneAndReplace(ctx, f, update, setters[options.FindOneAndReplaceOptions]{func(r *options.FindOneAndReplaceOptions) error { *r = fo; return nil }}).Decode(&got)
		} else {
			err = c.coll.FindOneAndUpdate(ctx, f, update, findOneAndUpdateFrom(fo, upsert)).Decode(&got)
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
	if err := c.replace(ctx, "replace", filter, doc, upsert, write); err != nil {
		return nil, err
	}
	if after && out != nil {
		c.setGeneratedID(doc, idOf(out))
	}
	return out, nil
}

// isReplacement reports a whole document to write as a replacement, not
// a document of update operators.
func isReplacement(update bson.D) bool {
	return len(update) > 0 && !strings.HasPrefix(update[0].Key, "$")
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
func (c *Collection[T]) replace(ctx context.Context, op string, filter any, doc *T, upsert bool, write replaceWrite) error {
	if err := c.checkWrite(ctx, op, filter, query.QueryParts{}); err != nil {
		return err
	}
	if err := setDefaults(doc); err != nil {
		return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), err)
	}
	given, matched := filter, false
	if c.model.ShardKey != nil {
		raw, err := encodeDocument(doc)
		if err != nil {
			return c.wrap(op, err, idOf(doc))
		}
		if filter, err = c.shardKeyed(ctx, op, filter, nil, raw); err != nil {
			return err
		}
		inner := write
		write = func(f any, update bson.D, upsert, insertOnly bool) (found, inserted bool, err error) {
			found, inserted, err = inner(f, update, upsert, insertOnly)
			matched = matched || found || inserted
			return found, inserted, err
		}
	}
	var err error
	if c.rev == revNone {
		err = c.replacePlain(op, filter, doc, upsert, write)
	} else {
		err = c.replaceGuarded(ctx, op, filter, doc, upsert, write)
	}
	if err == nil && c.model.ShardKey != nil && !matched {
		return c.keyedElsewhere(ctx, op, given)
	}
	return err
}

// replacePlain writes doc over what filter matches, for a model without a
// revision.
func (c *Collection[T]) replacePlain(op string, filter any, doc *T, upsert bool, write replaceWrite) error {
	r, err := c.encodeReplacement(doc)
	if err != nil {
		return c.wrap(op, err, idOf(doc))
	}
	if _, _, err := write(filter, r.update(), upsert, false); err != nil {
		return c.wrap(op, err, idOf(doc))
	}
	return nil
}

// replaceGuarded writes doc over the document filter matches only while it
// holds the revision doc carries, doc carrying the next one. With upsert,
// a second write inserts doc only when filter matches nothing at all: a
// document it matches with another revision is a *StaleRevisionError.
// When nothing is written, doc is left as it was.
func (c *Collection[T]) replaceGuarded(ctx context.Context, op string, filter any, doc *T, upsert bool, write replaceWrite) error {
	c.warnIfNotAtomic(ctx)
	f, undo := c.revisionSlot(doc)
	if !f.IsValid() {
		return fmt.Errorf("odm: %s on %s: the revision field %s cannot be set in the document", op, c.Name(), c.model.Revision)
	}
	expected := c.readRevision(f)
	next := c.nextRevision(expected)
	c.writeRevision(f, next)
	restore := func() { c.writeRevision(f, expected); undo() }
	r, err := c.encodeReplacement(doc)
	if err != nil {
		restore()
		return c.wrap(op, err, idOf(doc))
	}
	found, _, err := write(c.guarded(filter, expected), r.update(), false, false)
	if err == nil && found {
		return nil
	}
	if err == nil && upsert {
		// The insert carries an _id of its own, so doc holds it.
		if id, undoID := c.newID(doc); id != nil {
			r.id = id
			prev := restore
			restore = func() { undoID(); prev() }
		}
		var inserted bool
		found, inserted, err = write(filter, r.insert(filter), true, true)
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
	var cond any = c.stored(expected)
	if c.rev == revCounter && expected.(int64) == 0 {
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
