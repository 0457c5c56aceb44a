package repo

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Delete is odm.Collection.Delete.
func (c *Core[T]) Delete(ctx context.Context, doc *T, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	op := deleteDocOp[T]{c: c, doc: doc, opts: opts}
	if err := runWrite(ctx, c, writeOp[T]{deleteDoc: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}

// deleteDocOp is Delete in the write pipeline: the stored document doc
// is, by its _id, its shard key values and, for a revisioned model, the
// revision it holds.
type deleteDocOp[T any] struct {
	c        *Core[T]
	doc      *T
	opts     []options.Lister[options.DeleteOneOptions]
	filter   any // {_id}, with the shard key's values
	guarded  bool
	expected any // the revision doc holds
	res      *mongo.DeleteResult
	err      error
}

func (o *deleteDocOp[T]) kind() Kind { return KindDelete }

// prepare finds doc's filter and calls its BeforeDelete.
func (o *deleteDocOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if ctx == nil {
		return c.NoContext("delete")
	}
	byID, err := c.docIDFilter(o.doc, "delete")
	if err != nil {
		return err
	}
	o.filter = byID
	if c.model.ShardKey != nil {
		raw, err := c.encodeDoc(o.doc)
		if err != nil {
			return c.Wrap("delete", err, write.IDOf(o.doc))
		}
		if o.filter, err = c.shardKeyed(ctx, "delete", o.filter, nil, raw); err != nil {
			return err
		}
	}
	if c.rev != write.RevNone {
		if f, undo := c.revisionSlot(o.doc); f.IsValid() {
			o.guarded, o.expected = true, c.rev.Read(f)
			undo()
		}
	}
	if c.hooks.Has(hooks.BeforeDelete) {
		if err := hooks.Call(ctx, hooks.BeforeDelete, o.doc, c.model.Type.String()); err != nil {
			return fmt.Errorf("odm: delete on %s: %w", c.Name(), err)
		}
	}
	return nil
}

// encode is the driver's: the filter is sent as it is.
func (o *deleteDocOp[T]) encode(context.Context) error { return nil }

func (o *deleteDocOp[T]) send(ctx context.Context) error {
	f := o.filter
	if o.guarded {
		o.c.warnIfNotAtomic(ctx)
		f = o.c.guarded(o.filter, o.expected)
	}
	o.res, o.err = o.c.coll.DeleteOne(ctx, f, o.opts...)
	return nil
}

// reply names the error; a guarded delete that deleted nothing is a
// *StaleRevisionError when the document is stored with another revision.
func (o *deleteDocOp[T]) reply(ctx context.Context) error {
	c := o.c
	if o.err != nil {
		o.res = nil
		return c.Wrap("delete", o.err, write.IDOf(o.doc))
	}
	if o.guarded && o.res.DeletedCount == 0 {
		moved, err := c.movedOn(ctx, o.filter, o.expected, o.expected)
		switch {
		case err != nil:
			return c.Wrap("delete", err, write.IDOf(o.doc))
		case moved:
			return c.staleError(write.IDOf(o.doc), o.expected)
		}
	}
	return nil
}

// writeBack has nothing to do: doc stays as the caller holds it.
func (o *deleteDocOp[T]) writeBack() {}

// runAfter runs AfterDelete when the stored document was deleted.
func (o *deleteDocOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.after(ctx, "delete", replied == nil && o.res != nil && o.res.DeletedCount == 1, hooks.AfterDelete, o.doc)
}
