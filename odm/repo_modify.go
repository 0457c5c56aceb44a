package odm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/query"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// defaultModifyAttempts is how many times Modify reads and writes a
// document before a stale revision is returned to the caller.
const defaultModifyAttempts = 3

// ModifyAttempts sets how many times Modify and ModifyByID read the
// document, change it and try to write it back, when another writer got
// there first (default 3). n below 1 counts as 1.
func ModifyAttempts(n int) CollectionOption {
	return func(c *collectionConfig) { c.modifyAttempts = max(n, 1) }
}

// Modify reads the first document filter matches, lets change alter it in
// Go, and writes back only the top-level fields change altered ($set, and
// $unset for a field it left out), so fields the struct does not know and
// fields nobody changed stay as stored. It returns the document as
// written, or nil and no error when filter matches nothing.
//
// The write applies only if the document has not changed since it was
// read: for a revisioned model, under the revision guard (renewing the
// revision); otherwise while the altered fields still hold what was read.
// When another writer got there first, Modify reads again and calls change
// again, up to ModifyAttempts times, then returns the *StaleRevisionError.
// An error from change is returned as it is, and nothing is written. A
// change that alters nothing writes nothing. For a model with a shard key
// the write names the key's values as read; a change of them is refused
// with ErrShardKeyChange outside a transaction.
func (c *Collection[T]) Modify(ctx context.Context, filter any, change func(doc *T) error) (*T, error) {
	if change == nil {
		return nil, fmt.Errorf("odm: modify on %s: the change function is nil", c.Name())
	}
	if err := c.checkWriteFilter("modify", filter, query.QueryParts{}); err != nil {
		return nil, err
	}
	var err error
	for range c.modifyAttempts {
		var doc *T
		doc, err = c.modifyOnce(ctx, filter, change)
		var stale *StaleRevisionError
		if !errors.As(err, &stale) {
			return doc, err
		}
	}
	return nil, err
}

// ModifyByID is Modify of the document whose _id is id.
func (c *Collection[T]) ModifyByID(ctx context.Context, id any, change func(doc *T) error) (*T, error) {
	filter, err := c.idFilter("modify", id)
	if err != nil {
		return nil, err
	}
	return c.Modify(ctx, filter, change)
}

// modifyOnce is one read, change and guarded write.
func (c *Collection[T]) modifyOnce(ctx context.Context, filter any, change func(doc *T) error) (*T, error) {
	res := c.coll.FindOne(ctx, filter)
	stored, err := res.Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, c.wrap("modify", err, nil)
	}
	var doc T
	if err := res.Decode(&doc); err != nil {
		return nil, c.wrap("modify", err, nil)
	}
	id, err := stored.LookupErr("_id")
	if err != nil {
		return nil, fmt.Errorf("odm: modify on %s: the stored document has no _id", c.Name())
	}
	before, err := encodeDocument(&doc)
	if err != nil {
		return nil, c.wrap("modify", err, id)
	}
	if err := change(&doc); err != nil {
		return nil, err
	}
	after, err := encodeDocument(&doc)
	if err != nil {
		return nil, c.wrap("modify", err, id)
	}
	set, unset, err := c.changedFields(before, after)
	if err != nil || len(set) == 0 && len(unset) == 0 {
		return &doc, err
	}
	update := bson.D{}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	target, err := c.shardKeyed(ctx, "modify", bson.D{{Key: "_id", Value: id}}, stored, after)
	if err != nil {
		return nil, err
	}
	if c.rev != revNone {
		err = c.writeRevisioned(ctx, &doc, id, target, update)
	} else {
		err = c.writeUnchangedSince(ctx, stored, id, target.(bson.D), update, append(set, unset...))
	}
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// writeRevisioned writes a change of doc under the revision guard,
// renewing the revision, and sets the new revision in doc. filter names
// the document: its _id, and its shard key values as read.
func (c *Collection[T]) writeRevisioned(ctx context.Context, doc *T, id bson.RawValue, filter any, update bson.D) error {
	f, undo := c.revisionSlot(doc)
	expected := c.readRevision(f)
	update, next := c.addRenewal(update, false)
	r, err := c.coll.UpdateOne(ctx, c.guarded(filter, expected), update)
	if err != nil {
		undo()
		return c.wrap("modify", err, id)
	}
	if r.MatchedCount == 0 {
		undo()
		return c.staleError(id, expected)
	}
	if c.rev == revCounter {
		next = expected.(int64) + next.(int64)
	}
	c.writeRevision(f, next)
	return nil
}

// writeUnchangedSince writes a change of a model without a revision to
// the document filter names, while the changed fields still hold what
// stored holds.
func (c *Collection[T]) writeUnchangedSince(ctx context.Context, stored bson.Raw, id bson.RawValue, filter, update, changed bson.D) error {
	guard := slices.Clip(filter)
	for _, e := range changed {
		if slices.ContainsFunc(filter, func(f bson.E) bool { return f.Key == e.Key }) {
			continue // a shard key field, held to its stored value already
		}
		v, err := stored.LookupErr(e.Key)
		if err != nil {
			guard = append(guard, bson.E{Key: e.Key, Value: bson.D{{Key: "$exists", Value: false}}})
			continue
		}
		guard = append(guard, bson.E{Key: e.Key, Value: bson.D{{Key: "$eq", Value: v}}})
	}
	r, err := c.coll.UpdateOne(ctx, guard, update)
	if err != nil {
		return c.wrap("modify", err, id)
	}
	if r.MatchedCount == 0 {
		return c.staleError(id, nil)
	}
	return nil
}

// changedFields compares a document's encodings before and after a
// change: the fields to set and the fields to unset. A change of _id or of
// the revision field is refused.
func (c *Collection[T]) changedFields(before, after bson.Raw) (set, unset bson.D, err error) {
	old, err := rawElements(before)
	if err != nil {
		return nil, nil, err
	}
	now, err := rawElements(after)
	if err != nil {
		return nil, nil, err
	}
	was := make(map[string]bson.RawValue, len(old))
	for _, e := range old {
		was[e.Key] = e.Value.(bson.RawValue)
	}
	seen := make(map[string]bool, len(now))
	for _, e := range now {
		seen[e.Key] = true
		v := e.Value.(bson.RawValue)
		if w, ok := was[e.Key]; ok && w.Type == v.Type && bytes.Equal(w.Value, v.Value) {
			continue
		}
		set = append(set, e)
	}
	for _, e := range old {
		if !seen[e.Key] {
			unset = append(unset, bson.E{Key: e.Key, Value: ""})
		}
	}
	for _, e := range append(append(bson.D{}, set...), unset...) {
		if e.Key == "_id" || c.rev != revNone && e.Key == c.model.Revision {
			return nil, nil, fmt.Errorf("odm: modify on %s: the change altered %s, which the repository keeps; change other fields", c.Name(), e.Key)
		}
	}
	if err := checkTopLevelKeys(c.Name(), set); err != nil {
		return nil, nil, err
	}
	return set, unset, nil
}
