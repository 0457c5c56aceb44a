package odm

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// preparedUpdate is a caller's update as the repository sends it: checked,
// encoded, with the revision's renewal (and, for an upsert, the model's
// defaults) added.
type preparedUpdate struct {
	// doc is a bson.D of operators, or an update pipeline.
	doc any
	// next is what the renewal stores: the increment of a counter, or the
	// new UUID; nil for a model without a revision.
	next any
	// insertOnly: the update's only operator is $setOnInsert, so an
	// existing document is left as it is, revision included.
	insertOnly bool
}

// prepareUpdate checks update (a document of update operators, a struct
// of them, or a pipeline) before any command, and adds the revision's
// renewal (write.Revisioned). An update without operators is refused for
// every model; one that writes the revision field itself is refused for a
// revisioned one. With upsert, a model with defaults (Defaulter) gets them
// under $setOnInsert, for the fields neither filter nor update names.
func (c *Collection[T]) prepareUpdate(op string, filter, update any, upsert bool) (preparedUpdate, error) {
	fail := func(err error) (preparedUpdate, error) {
		return preparedUpdate{}, fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
	}
	if update == nil {
		return fail(errors.New("the update is nil"))
	}
	r := c.revisioned()
	if write.IsPipeline(update) {
		doc, next, err := r.Pipeline(update)
		if err != nil {
			return fail(err)
		}
		if c.hooks.Has(hooks.Stamps) {
			doc = hooks.StampPipeline(doc, hooks.Now())
		}
		return preparedUpdate{doc: doc, next: next}, nil
	}
	ops, paths, err := r.Operators(update)
	if err != nil {
		return fail(err)
	}
	if err := c.checkShape(op, func(w *pathcheck.ShapeWriter) { w.Update(ops) }); err != nil {
		return preparedUpdate{}, err
	}
	out := preparedUpdate{doc: ops, insertOnly: len(ops) == 1 && ops[0].Key == "$setOnInsert"}
	if c.hooks.Has(hooks.Stamps) {
		ops, paths = hooks.StampUpdate(ops, paths, hooks.Now(), upsert, out.insertOnly)
		out.doc = ops
	}
	if c.rev != write.RevNone {
		out.doc, out.next = r.AddRenewal(ops, out.insertOnly)
	}
	if upsert {
		defaults, err := defaultsDocument[T](c.model.Codecs)
		if err == nil && defaults != nil {
			var fields bson.D
			if fields, err = r.UpsertDefaults(defaults, filter, paths); len(fields) > 0 {
				out.doc = write.AddFields(out.doc.(bson.D), "$setOnInsert", fields...)
			}
		}
		if err != nil {
			return fail(err)
		}
	}
	return out, nil
}

// revisioned is what the update preparation reads of the model.
func (c *Collection[T]) revisioned() write.Revisioned {
	return write.Revisioned{Model: c.model, Rev: c.rev}
}

// UpdateOne updates the first document filter matches. update is a
// document of update operators (a bson.D, a bson.M, or a struct of them);
// a $set or $setOnInsert value may be a struct, whose nil slices and maps
// are written as empty ones. An update without operators is refused before
// any command. With upsert, a model with defaults (Defaulter) gets them
// under $setOnInsert.
//
// For a revisioned model the update also renews the revision (and may not
// write it itself); an upsert whose only operator is $setOnInsert leaves an
// existing document's revision as it is. When filter (a bson.D or bson.M)
// names the revision the caller read, the update applies only to a
// document that still holds it: one that has moved on is a
// *StaleRevisionError, with or without upsert, and an upsert inserts only
// when no document matches the rest of the filter. A counter revision of 0
// also matches a document without the field.
func (c *Collection[T]) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	op := updateOp[T]{c: c, k: kindUpdateOne, filter: filter, update: update, oneOpts: opts}
	err := runWrite(ctx, writeOp[T]{update: &op})
	return op.res, err
}

// insertsOnlyAlone is the check before a guarded update's upsert: a
// document matching the filter but for its revision has moved on, and
// nothing is inserted beside it.
func (c *Collection[T]) insertsOnlyAlone(ctx context.Context, g *revisionGuard) error {
	n, err := c.coll.CountDocuments(ctx, g.rest, options.Count().SetLimit(1))
	if err != nil {
		return c.wrap("update", err, nil)
	}
	if n > 0 {
		return c.staleError(g.id, g.expected)
	}
	return nil
}

// withUpsert is opts with the upsert option set to upsert.
func withUpsert[O any](opts []options.Lister[O], upsert bool, set func(*O, *bool)) options.Lister[O] {
	return write.Setters[O]{func(o *O) error {
		*o = applied(opts)
		set(o, &upsert)
		return nil
	}}
}

// FindOneAndUpdate updates the first document filter matches, as
// UpdateOne does, and returns it: before the update, unless the options
// say after. It returns nil and no error when there is none: nothing
// matched, or an upsert inserted and the options ask for the document
// before.
func (c *Collection[T]) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) (*T, error) {
	op := updateOp[T]{c: c, k: kindFindOneAndUpdate, filter: filter, update: update, findOpts: opts}
	if err := runWrite(ctx, writeOp[T]{update: &op}); err != nil {
		return nil, err
	}
	return op.out, nil
}

// UpdateMany updates every document filter matches, as UpdateOne checks
// and renews, without a revision guard.
func (c *Collection[T]) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	op := updateOp[T]{c: c, k: kindUpdateMany, filter: filter, update: update, manyOpts: opts}
	if err := runWrite(ctx, writeOp[T]{update: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}
