package repo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/hooks"
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

// Modify is odm.Collection.Modify; retry, when not nil, is the number of
// retries the call asks for (odm.Retry).
func (c *Core[T]) Modify(ctx context.Context, filter any, change func(doc *T) error, retry *int) (*T, error) {
	op := modifyOp[T]{c: c, filter: filter, change: change, retry: retry}
	for ; ; op.attempt++ {
		err := runWrite(ctx, c, writeOp[T]{modify: &op})
		if !c.pub.IsStale(err) {
			return op.out, err
		}
		if op.attempt+1 >= op.attempts {
			return nil, err
		}
	}
}

// ModifyByID is Modify of the document whose _id is id.
func (c *Core[T]) ModifyByID(ctx context.Context, id any, change func(doc *T) error, retry *int) (*T, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	filter, err := c.idFilter("modify", id)
	if err != nil {
		return nil, err
	}
	return c.Modify(ctx, filter, change, retry)
}

// modifyOp is one attempt of Modify (and ModifyByID) in the write
// pipeline: one read, change and guarded write. The first attempt's
// prepare checks the arguments.
type modifyOp[T any] struct {
	c        *Core[T]
	filter   any
	change   func(doc *T) error
	retry    *int // the retries the call asks for (odm.Retry)
	attempt  int
	attempts int // how many, Retry or ModifyRetries counted in

	stored bson.Raw
	id     bson.RawValue
	doc    *T
	before bson.Raw
	after  bson.Raw

	update bson.D
	set    bson.D // the fields change altered
	unset  bson.D // the fields change removed
	target any    // the document's _id, and its shard key values as read
	rev    modifyRevision

	res *mongo.UpdateResult
	err error
	out *T // the document as written, or as changed when nothing was to write
}

// modifyRevision is the guard of a revisioned model's write: doc's
// revision field, the revision read and the renewal's increment or UUID.
type modifyRevision struct {
	f              reflect.Value
	undo           func()
	expected, next any
}

func (o *modifyOp[T]) kind() Kind { return KindModify }

// check is the first attempt's check of the arguments and the filter.
func (o *modifyOp[T]) check(ctx context.Context) error {
	c := o.c
	if err := c.Unbound(); err != nil {
		return err
	}
	if o.change == nil {
		return fmt.Errorf("odm: modify on %s: the change function is nil", c.Name())
	}
	attempts := c.modifyAttempts
	if attempts == 0 { // no ModifyRetries: the model decides
		attempts = defaultModifyAttempts
		if c.rev != write.RevNone {
			attempts = 1
		}
	}
	if o.retry != nil {
		attempts = *o.retry + 1
	}
	if attempts < 1 {
		return fmt.Errorf("odm: modify on %s: Retry(%d): the number of retries cannot be negative", c.Name(), attempts-1)
	}
	o.attempts = attempts
	return c.checkWrite(ctx, "modify", &o.filter, pathcheck.Parts{})
}

// prepare reads the stored document and lets change alter it; nothing
// matched is no write.
func (o *modifyOp[T]) prepare(ctx context.Context) error {
	c := o.c
	o.out = nil
	if o.attempt == 0 {
		if err := o.check(ctx); err != nil {
			return err
		}
	}
	res := c.coll.FindOne(ctx, o.filter)
	stored, err := res.Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return errNoWrite
	}
	if err != nil {
		return c.Wrap("modify", err, nil)
	}
	o.stored, o.doc = stored, new(T)
	if err := c.DecodeSingle(res, o.doc); err != nil {
		return c.Wrap("modify", err, nil)
	}
	if o.id, err = stored.LookupErr("_id"); err != nil {
		return fmt.Errorf("odm: modify on %s: the stored document has no _id", c.Name())
	}
	if o.before, err = o.c.encodeDoc(o.doc); err != nil {
		return c.Wrap("modify", err, o.id)
	}
	if err := o.change(o.doc); err != nil {
		return err
	}
	if err := c.hooks.Before(ctx, hooks.BeforeUpdate, o.doc, c.model.Type); err != nil {
		return fmt.Errorf("odm: modify on %s: %w", c.Name(), err)
	}
	return nil
}

// encode is the $set and $unset of the fields change altered, with the
// revision's renewal; a change that alters nothing is no write.
func (o *modifyOp[T]) encode(ctx context.Context) error {
	c := o.c
	var err error
	if o.after, err = o.c.encodeDoc(o.doc); err != nil {
		return c.Wrap("modify", err, o.id)
	}
	set, unset, err := c.changedFields(o.before, o.after)
	if err != nil || len(set) == 0 && len(unset) == 0 {
		o.out = o.doc
		if err == nil {
			return errNoWrite
		}
		return err
	}
	if c.hooks.Has(hooks.Stamps) { // a write, so updated_at changes too
		t := hooks.Now()
		c.stamp(o.doc, t, false)
		set = append(slices.DeleteFunc(set, func(e bson.E) bool { return e.Key == "updated_at" }), bson.E{Key: "updated_at", Value: t})
	}
	o.update = bson.D{}
	if len(set) > 0 {
		o.update = append(o.update, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		o.update = append(o.update, bson.E{Key: "$unset", Value: unset})
	}
	o.set, o.unset = set, unset
	if o.target, err = c.shardKeyed(ctx, "modify", bson.D{{Key: "_id", Value: o.id}}, o.stored, o.after); err != nil {
		return err
	}
	if c.rev != write.RevNone {
		o.rev.f, o.rev.undo = c.revisionSlot(o.doc)
		o.rev.expected = c.rev.Read(o.rev.f)
		o.update, o.rev.next = c.revisioned().AddRenewal(o.update, false)
	}
	return nil
}

// send writes the change under the revision guard or, for a model
// without a revision, while the changed fields still hold what was read.
func (o *modifyOp[T]) send(ctx context.Context) error {
	c := o.c
	if c.rev != write.RevNone {
		o.res, o.err = c.coll.UpdateOne(ctx, c.guarded(o.target, o.rev.expected), o.update)
		return nil
	}
	filter := o.target.(bson.D)
	guard := slices.Clip(filter)
	for _, e := range append(o.set, o.unset...) {
		if slices.ContainsFunc(filter, func(f bson.E) bool { return f.Key == e.Key }) {
			continue // a shard key field, held to its stored value already
		}
		v, err := o.stored.LookupErr(e.Key)
		if err != nil {
			guard = append(guard, bson.E{Key: e.Key, Value: bson.D{{Key: "$exists", Value: false}}})
			continue
		}
		guard = append(guard, bson.E{Key: e.Key, Value: bson.D{{Key: "$eq", Value: v}}})
	}
	o.res, o.err = c.coll.UpdateOne(ctx, guard, o.update)
	return nil
}

// reply names the write's error; a write that matched nothing is stale.
func (o *modifyOp[T]) reply(context.Context) error {
	c, revisioned := o.c, o.c.rev != write.RevNone
	if o.err == nil && o.res.MatchedCount > 0 {
		return nil
	}
	if revisioned {
		o.rev.undo()
	}
	if o.err != nil {
		return c.Wrap("modify", o.err, o.id)
	}
	if revisioned {
		return c.staleError(o.id, o.rev.expected)
	}
	return c.staleError(o.id, nil)
}

// writeBack sets the new revision in the document written.
func (o *modifyOp[T]) writeBack() {
	c := o.c
	if o.err != nil || o.res.MatchedCount == 0 {
		return
	}
	if c.rev != write.RevNone {
		next := o.rev.next
		if c.rev == write.RevCounter {
			next = o.rev.expected.(int64) + next.(int64)
		}
		c.rev.Write(o.rev.f, next)
	}
	o.out = o.doc
}

// runAfter runs AfterUpdate on the document written.
func (o *modifyOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.after(ctx, "modify", replied == nil && o.out != nil, hooks.AfterUpdate, o.doc)
}

// changedFields are the fields a change set and removed
// (write.Revisioned.Changes); a field whose name reads as a path or an
// operator cannot be set.
func (c *Core[T]) changedFields(before, after bson.Raw) (set, unset bson.D, err error) {
	if set, unset, err = c.revisioned().Changes(before, after); err != nil {
		return nil, nil, fmt.Errorf("odm: modify on %s: %w", c.Name(), err)
	}
	if err := write.CheckTopLevelKeys(c.Name(), set); err != nil {
		return nil, nil, err
	}
	return set, unset, nil
}
