package odm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/schema"
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
// renewal. An update without operators is refused for every model; one
// that writes the revision field itself is refused for a revisioned one.
// With upsert, a model with defaults (Defaulter) gets them under
// $setOnInsert, for the fields neither filter nor update names.
func (c *Collection[T]) prepareUpdate(op string, filter, update any, upsert bool) (preparedUpdate, error) {
	fail := func(format string, args ...any) (preparedUpdate, error) {
		return preparedUpdate{}, fmt.Errorf("odm: %s on %s: "+format, append([]any{op, c.Name()}, args...)...)
	}
	if update == nil {
		return fail("the update is nil")
	}
	if write.IsPipeline(update) {
		out, err := c.preparePipeline(op, update)
		if err == nil && c.hooks.Has(hooks.Stamps) {
			out.doc = hooks.StampPipeline(out.doc, hooks.Now())
		}
		return out, err
	}
	raw, err := write.Encode(c.model.Codecs, update)
	if err != nil {
		return fail("an update must be a document of update operators ($set, $inc, ...): %v", err)
	}
	ops, err := write.Elements(raw)
	if err != nil {
		return fail("%v", err)
	}
	if len(ops) == 0 {
		return fail("the update has no operator ($set, $inc, ...)")
	}
	ops = write.ModelInsert(ops, c.model.Revision)
	var paths []string
	for _, e := range ops {
		if !strings.HasPrefix(e.Key, "$") {
			return fail("an update must be a document of update operators ($set, $inc, ...), and %q is not one; ReplaceOne writes a whole document", e.Key)
		}
		fields, ok := e.Value.(bson.RawValue).DocumentOK()
		if !ok {
			return fail("the value of %s must be a document, not %v", e.Key, e.Value.(bson.RawValue).Type)
		}
		elems, err := fields.Elements()
		if err != nil {
			return fail("%s: %v", e.Key, err)
		}
		for _, f := range elems {
			paths = append(paths, f.Key())
			if e.Key == "$rename" {
				if to, ok := f.Value().StringValueOK(); ok {
					paths = append(paths, to)
				}
			}
		}
	}
	if err := c.checkShape(op, func(w *pathcheck.ShapeWriter) { w.Update(ops) }); err != nil {
		return preparedUpdate{}, err
	}
	if c.rev != write.RevNone {
		if i := slices.IndexFunc(paths, func(p string) bool { return write.Touches(p, c.model.Revision) || write.Touches(c.model.Revision, p) }); i >= 0 {
			return fail("the update writes %s, %v's revision field, itself (at %q); the repository renews it at every write, and a value given here would undo the guard", c.model.Revision, c.model.Type, paths[i])
		}
	}
	out := preparedUpdate{doc: ops, insertOnly: len(ops) == 1 && ops[0].Key == "$setOnInsert"}
	if c.hooks.Has(hooks.Stamps) {
		ops, paths = hooks.StampUpdate(ops, paths, hooks.Now(), upsert, out.insertOnly)
		out.doc = ops
	}
	if c.rev != write.RevNone {
		out.doc, out.next = c.addRenewal(ops, out.insertOnly)
	}
	if upsert {
		defaults, err := c.upsertDefaults(filter, paths)
		if err != nil {
			return fail("%w", err)
		}
		if len(defaults) > 0 {
			out.doc = write.AddFields(out.doc.(bson.D), "$setOnInsert", defaults...)
		}
	}
	return out, nil
}

// addRenewal adds the revision's renewal to ops: {$inc: {rev: 1}}, or
// {$set: {rev: <new UUID>}}; under $setOnInsert (the first revision) when
// that is the update's only operator, so that an existing document keeps
// its revision.
func (c *Collection[T]) addRenewal(ops bson.D, insertOnly bool) (bson.D, any) {
	if c.rev == write.RevUUID {
		u := schema.NewUUID()
		op := "$set"
		if insertOnly {
			op = "$setOnInsert"
		}
		return write.AddFields(ops, op, bson.E{Key: c.model.Revision, Value: u.BSONValue()}), u
	}
	if insertOnly {
		return write.AddFields(ops, "$setOnInsert", bson.E{Key: c.model.Revision, Value: int64(1)}), int64(1)
	}
	return write.AddFields(ops, "$inc", bson.E{Key: c.model.Revision, Value: int64(1)}), int64(1)
}

// upsertDefaults are the fields of a new T with its defaults that an
// upsert's insert would otherwise lack: all but _id, the revision, and the
// fields the filter's equalities or the update's paths name.
func (c *Collection[T]) upsertDefaults(filter any, paths []string) (bson.D, error) {
	defaults, err := defaultsDocument[T](c.model.Codecs)
	if defaults == nil || err != nil {
		return nil, err
	}
	if filter != nil {
		f, err := write.Encode(c.model.Codecs, filter)
		if err != nil {
			return nil, fmt.Errorf("the filter: %w", err)
		}
		paths = write.AppendFilterPaths(paths, f)
	}
	elems, err := write.Elements(defaults)
	if err != nil {
		return nil, err
	}
	out := elems[:0]
	for _, e := range elems {
		if e.Key == "_id" || e.Key == c.model.Revision || slices.ContainsFunc(paths, func(p string) bool { return write.Touches(p, e.Key) }) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// preparePipeline adds the revision's renewal to an update pipeline as a
// last $set stage; stages that write the revision field are refused.
func (c *Collection[T]) preparePipeline(op string, update any) (preparedUpdate, error) {
	if c.rev == write.RevNone {
		return preparedUpdate{doc: update}, nil
	}
	rv := reflect.ValueOf(update)
	stages := make(bson.A, 0, rv.Len()+1)
	for i := range rv.Len() {
		stage := rv.Index(i).Interface()
		raw, err := write.Encode(c.model.Codecs, stage)
		if err != nil {
			return preparedUpdate{}, fmt.Errorf("odm: %s on %s: stage %d of the update pipeline: %w", op, c.Name(), i, odmerr.Inner(err))
		}
		if c.stageWritesRevision(raw) {
			return preparedUpdate{}, fmt.Errorf("odm: %s on %s: stage %d of the update pipeline writes %s, %v's revision field; the repository renews it at every write", op, c.Name(), i, c.model.Revision, c.model.Type)
		}
		stages = append(stages, raw)
	}
	var renewal any
	var next any = int64(1)
	if c.rev == write.RevUUID {
		u := schema.NewUUID()
		renewal, next = bson.D{{Key: "$literal", Value: u.BSONValue()}}, u
	} else {
		renewal = bson.D{{Key: "$add", Value: bson.A{bson.D{{Key: "$ifNull", Value: bson.A{"$" + c.model.Revision, 0}}}, 1}}}
	}
	stages = append(stages, bson.D{{Key: "$set", Value: bson.D{{Key: c.model.Revision, Value: renewal}}}})
	return preparedUpdate{doc: stages, next: next}, nil
}

// stageWritesRevision reports a $set, $write.AddFields or $unset stage that
// names the revision field.
func (c *Collection[T]) stageWritesRevision(stage bson.Raw) bool {
	for _, w := range write.StageWrites(stage) {
		if w.Path != "" && (write.Touches(w.Path, c.model.Revision) || write.Touches(c.model.Revision, w.Path)) {
			return true
		}
	}
	return false
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
