package repo

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

// PreparedUpdate is a caller's update as the repository sends it: checked,
// encoded, with the revision's renewal (and, for an upsert, the model's
// defaults) added.
type PreparedUpdate struct {
	// Doc is a bson.D of operators, or an update pipeline.
	Doc any
	// Next is what the renewal stores: the increment of a counter, or the
	// new UUID; nil for a model without a revision.
	Next any
	// InsertOnly: the update's only operator is $setOnInsert, so an
	// existing document is left as it is, revision included.
	InsertOnly bool
}

// PrepareUpdate checks update (a document of update operators, a struct
// of them, or a pipeline) before any command, and adds the revision's
// renewal (write.Revisioned). An update without operators is refused for
// every model; one that writes the revision field itself is refused for a
// revisioned one. With upsert, a model with defaults (Defaulter) gets them
// under $setOnInsert, for the fields neither filter nor update names.
func (c *Core[T]) PrepareUpdate(op string, filter, update any, upsert bool) (PreparedUpdate, error) {
	fail := func(err error) (PreparedUpdate, error) {
		return PreparedUpdate{}, fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
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
		return PreparedUpdate{Doc: doc, Next: next}, nil
	}
	ops, paths, err := r.Operators(update)
	if err != nil {
		return fail(err)
	}
	if err := c.checkShape(op, func(w *pathcheck.ShapeWriter) { w.Update(ops) }); err != nil {
		return PreparedUpdate{}, err
	}
	out := PreparedUpdate{Doc: ops, InsertOnly: len(ops) == 1 && ops[0].Key == "$setOnInsert"}
	if c.hooks.Has(hooks.Stamps) {
		ops, paths = hooks.StampUpdate(ops, paths, hooks.Now(), upsert, out.InsertOnly)
		out.Doc = ops
	}
	if c.rev != write.RevNone {
		out.Doc, out.Next = r.AddRenewal(ops, out.InsertOnly)
	}
	if upsert {
		defaults, err := defaultsDocument[T](c.model.Codecs)
		if err == nil && defaults != nil {
			var fields bson.D
			if fields, err = r.UpsertDefaults(defaults, filter, paths); len(fields) > 0 {
				out.Doc = write.AddFields(out.Doc.(bson.D), "$setOnInsert", fields...)
			}
		}
		if err != nil {
			return fail(err)
		}
	}
	return out, nil
}

// revisioned is what the update preparation reads of the model.
func (c *Core[T]) revisioned() write.Revisioned {
	return write.Revisioned{Model: c.model, Rev: c.rev}
}

// UpdateOne is odm.Collection.UpdateOne.
func (c *Core[T]) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	op := updateOp[T]{c: c, k: KindUpdateOne, filter: filter, update: update, oneOpts: opts}
	err := runWrite(ctx, c, writeOp[T]{update: &op})
	return op.res, err
}

// insertsOnlyAlone is the check before a guarded update's upsert: a
// document matching the filter but for its revision has moved on, and
// nothing is inserted beside it.
func (c *Core[T]) insertsOnlyAlone(ctx context.Context, g *revisionGuard) error {
	n, err := c.coll.CountDocuments(ctx, g.rest, options.Count().SetLimit(1))
	if err != nil {
		return c.Wrap("update", err, nil)
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

// FindOneAndUpdate is odm.Collection.FindOneAndUpdate.
func (c *Core[T]) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) (*T, error) {
	op := updateOp[T]{c: c, k: KindFindOneAndUpdate, filter: filter, update: update, findOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{update: &op}); err != nil {
		return nil, err
	}
	return op.out, nil
}

// UpdateMany is odm.Collection.UpdateMany.
func (c *Core[T]) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	op := updateOp[T]{c: c, k: KindUpdateMany, filter: filter, update: update, manyOpts: opts}
	if err := runWrite(ctx, c, writeOp[T]{update: &op}); err != nil {
		return nil, err
	}
	return op.res, nil
}
