package odm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// defaultModifyAttempts is how many times Modify reads and writes a
// document of a model without a revision before a stale write is returned
// to the caller. A revisioned model's Modify makes one attempt unless the
// caller asks for more (Retry, ModifyRetries): a stale revision means
// another writer decided first, which only the caller can weigh.
const defaultModifyAttempts = 3

// ModifyRetries sets how many more times the repository's Modify and
// ModifyByID read the document, change it and try to write it back when
// another writer got there first: the default of every call that does not
// say (Retry, which counts the same way). Without it, a model with a
// revision does not retry and one without retries twice. A negative n is
// an error from NewCollection.
func ModifyRetries(n int) CollectionOption {
	return func(c *collectionConfig) {
		if n < 0 {
			c.err = fmt.Errorf("odm: ModifyRetries(%d): the number of retries cannot be negative", n)
			return
		}
		c.modifyAttempts = n + 1
	}
}

// ModifyOption configures one Modify or ModifyByID call.
type ModifyOption func(*modifyConfig)

type modifyConfig struct{ attempts int }

// Retry lets one Modify call read, change and write again up to n more
// times when another writer got there first (a stale revision, or a
// changed field that no longer holds what was read): change is then
// called again, on the document as the other writer left it. Retry(0) is
// no retry, whatever the repository's ModifyRetries; a negative n is an
// error.
func Retry(n int) ModifyOption {
	return func(c *modifyConfig) { c.attempts = n + 1 }
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
// When another writer got there first, a revisioned model's Modify returns
// the *StaleRevisionError, as Beanie's save_changes raises on a stale
// revision: nothing is written, and the caller decides. Retry(n), per
// call, reads again and calls change again on what the other writer
// stored, up to n more times; a model without a revision retries twice by
// default (ModifyRetries sets a repository's default). A retry re-applies
// change to the new document: a change that must not be applied over
// another writer's (a cancellation, a state machine's step) should not
// retry. An error from change is returned as it is, and nothing is
// written. A change that alters nothing writes nothing. For a model with a
// shard key the write names the key's values as read; a change of them is
// refused with ErrShardKeyChange outside a transaction.
func (c *Collection[T]) Modify(ctx context.Context, filter any, change func(doc *T) error, opts ...ModifyOption) (*T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	if change == nil {
		return nil, fmt.Errorf("odm: modify on %s: the change function is nil", c.Name())
	}
	attempts := c.modifyAttempts
	if attempts == 0 { // no ModifyRetries: the model decides
		attempts = defaultModifyAttempts
		if c.rev != write.RevNone {
			attempts = 1
		}
	}
	cfg := modifyConfig{attempts: attempts}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.attempts < 1 {
		return nil, fmt.Errorf("odm: modify on %s: Retry(%d): the number of retries cannot be negative", c.Name(), cfg.attempts-1)
	}
	if err := c.checkWrite(ctx, "modify", filter, pathcheck.Parts{}); err != nil {
		return nil, err
	}
	var err error
	for range cfg.attempts {
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
func (c *Collection[T]) ModifyByID(ctx context.Context, id any, change func(doc *T) error, opts ...ModifyOption) (*T, error) {
	if err := c.unbound(); err != nil {
		return nil, err
	}
	filter, err := c.idFilter("modify", id)
	if err != nil {
		return nil, err
	}
	return c.Modify(ctx, filter, change, opts...)
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
	before, err := write.Encode(&doc)
	if err != nil {
		return nil, c.wrap("modify", err, id)
	}
	if err := change(&doc); err != nil {
		return nil, err
	}
	after, err := write.Encode(&doc)
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
	if c.rev != write.RevNone {
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
	expected := c.rev.Read(f)
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
	if c.rev == write.RevCounter {
		next = expected.(int64) + next.(int64)
	}
	c.rev.Write(f, next)
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
	old, err := write.Elements(before)
	if err != nil {
		return nil, nil, err
	}
	now, err := write.Elements(after)
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
		if e.Key == "_id" || c.rev != write.RevNone && e.Key == c.model.Revision {
			return nil, nil, fmt.Errorf("odm: modify on %s: the change altered %s, which the repository keeps; change other fields", c.Name(), e.Key)
		}
	}
	if err := write.CheckTopLevelKeys(c.Name(), set); err != nil {
		return nil, nil, err
	}
	return set, unset, nil
}
