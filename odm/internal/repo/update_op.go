package repo

import (
	"context"
	"errors"

	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// updateOp is UpdateOne (and UpdateByID), UpdateMany or FindOneAndUpdate
// (k) in the write pipeline, with the options of its kind. A filter that
// names the revision the caller read guards UpdateOne and
// FindOneAndUpdate (see UpdateOne).
type updateOp[T any] struct {
	c        *Core[T]
	k        Kind
	filter   any
	update   any
	oneOpts  []options.Lister[options.UpdateOneOptions]
	manyOpts []options.Lister[options.UpdateManyOptions]
	findOpts []options.Lister[options.FindOneAndUpdateOptions]
	upsert   bool

	u PreparedUpdate
	g *revisionGuard // nil for an unguarded write

	inserting bool // the guarded write matched nothing, and the upsert was sent
	res       *mongo.UpdateResult
	out       *T
	err       error
}

func (o *updateOp[T]) kind() Kind { return o.k }

// prepare checks the arguments and the filter's paths.
func (o *updateOp[T]) prepare(ctx context.Context) error {
	c := o.c
	if err := c.Unbound(); err != nil {
		return err
	}
	parts := pathcheck.Parts{}
	if o.k == KindFindOneAndUpdate {
		parts = readParts(o.findOpts)
	}
	if err := c.checkWrite(ctx, "update", &o.filter, parts); err != nil {
		return err
	}
	if err := c.filterHook(ctx, "update", false, nil, o.k, o.filter, o.update, nil); err != nil {
		return err
	}
	var u *bool
	switch o.k {
	case KindUpdateOne:
		u = applied(o.oneOpts).Upsert
	case KindUpdateMany:
		u = applied(o.manyOpts).Upsert
	default:
		u = applied(o.findOpts).Upsert
	}
	o.upsert = u != nil && *u
	return nil
}

// encode checks and encodes the update, with the revision's renewal and
// an upsert's defaults (prepareUpdate), refuses one that writes a shard
// key field, and finds the filter's revision guard.
func (o *updateOp[T]) encode(ctx context.Context) error {
	c := o.c
	var err error
	if o.u, err = c.PrepareUpdate("update", o.filter, o.update, o.upsert); err != nil {
		return err
	}
	if err := c.refuseKeyUpdate(ctx, "update", o.filter, o.update); err != nil {
		return err
	}
	if o.k != KindUpdateMany {
		o.g = c.guardIn(o.filter)
	}
	return nil
}

// send writes the update. A guarded write goes to the document holding
// the revision named; when it matches nothing and upserts, the upsert is
// sent only when no document matches the rest of the filter.
func (o *updateOp[T]) send(ctx context.Context) error {
	c := o.c
	if o.g == nil {
		o.write(ctx, o.filter, false)
		return nil
	}
	c.warnIfNotAtomic(ctx)
	o.write(ctx, c.guarded(o.g.rest, o.g.expected), true)
	if o.err != nil || !o.upsert || o.res != nil && o.res.MatchedCount > 0 || o.k == KindFindOneAndUpdate && o.out != nil {
		return nil
	}
	if err := c.insertsOnlyAlone(ctx, o.g); err != nil {
		o.res = nil
		return err
	}
	o.inserting = true
	o.write(ctx, o.filter, false)
	return nil
}

// write sends the update over what f matches; noUpsert sends it with
// upsert off whatever the options say (a guarded write's first).
func (o *updateOp[T]) write(ctx context.Context, f any, noUpsert bool) {
	c, doc := o.c, o.u.Doc
	switch o.k {
	case KindUpdateOne:
		if noUpsert {
			o.res, o.err = c.coll.UpdateOne(ctx, f, doc, withUpsert[options.UpdateOneOptions](o.oneOpts, false, func(o *options.UpdateOneOptions, b *bool) { o.Upsert = b }))
		} else {
			o.res, o.err = c.coll.UpdateOne(ctx, f, doc, o.oneOpts...)
		}
	case KindUpdateMany:
		o.res, o.err = c.coll.UpdateMany(ctx, f, doc, o.manyOpts...)
	default:
		var out T
		if noUpsert {
			o.err = c.DecodeSingle(c.coll.FindOneAndUpdate(ctx, f, doc, withUpsert[options.FindOneAndUpdateOptions](o.findOpts, false, func(o *options.FindOneAndUpdateOptions, b *bool) { o.Upsert = b })), &out)
		} else {
			o.err = c.DecodeSingle(c.coll.FindOneAndUpdate(ctx, f, doc, o.findOpts...), &out)
		}
		o.out = nil
		if o.err == nil {
			o.out = &out
		} else if errors.Is(o.err, mongo.ErrNoDocuments) {
			o.err = nil
		}
	}
}

// reply names the write's error; a guarded write that matched nothing
// (or whose upsert collided) is a *StaleRevisionError when the document
// has moved on. UpdateOne returns its result with that error.
func (o *updateOp[T]) reply(ctx context.Context) error {
	c, err := o.c, o.err
	if o.g == nil {
		if err != nil {
			o.res = nil
			return c.Wrap("update", err, nil)
		}
		return nil
	}
	if o.k == KindFindOneAndUpdate {
		if err == nil && (o.out != nil || o.inserting) {
			return nil
		}
		if err == nil || IsDuplicate(err) {
			if stale := c.stale(ctx, o.g, o.u.Next); stale != nil {
				return stale
			}
		}
		if err != nil {
			return c.Wrap("update", err, nil)
		}
		return nil
	}
	if err != nil {
		o.res = nil
		if IsDuplicate(err) {
			if stale := c.stale(ctx, o.g, o.u.Next); stale != nil {
				return stale
			}
		}
		return c.Wrap("update", err, nil)
	}
	if o.res.MatchedCount == 0 && o.res.UpsertedCount == 0 {
		if stale := c.stale(ctx, o.g, o.u.Next); stale != nil {
			return stale
		}
	}
	return nil
}

// writeBack has nothing to do: an update by filter leaves the caller's
// values alone.
func (o *updateOp[T]) writeBack() {}

func (o *updateOp[T]) runAfter(ctx context.Context, replied error) error {
	return o.c.filterHook(ctx, "update", true, replied, o.k, o.filter, o.update, filterResult(o.res, o.k == KindFindOneAndUpdate, o.out))
}
