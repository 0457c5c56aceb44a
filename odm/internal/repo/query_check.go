package repo

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/internal/recording"
	"github.com/tagodm/tagodm/odm/internal/union"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// checkQuery checks the paths of a read's filter, sort and projection
// against T's model before any command, and returns the filter to send: a
// nil filter (nil, or a nil bson.D, bson.M or map) is an empty document,
// every document.
func (c *Core[T]) CheckQuery(op string, filter any, parts pathcheck.Parts) (any, error) {
	if querydoc.IsNil(filter) {
		filter = bson.D{}
	}
	err := c.checkShape(op, func(w *pathcheck.ShapeWriter) {
		w.Filter(filter, "")
		if parts.Sort != nil {
			w.Sort(parts.Sort)
		}
		if parts.Projection != nil {
			w.Projection(parts.Projection, "")
		}
		if parts.Field != "" {
			w.Field(parts.Field)
		}
	})
	if record := recording.Active(); record != nil && err == nil {
		record(recording.Query{Model: c.model, Collection: c.Name(), Op: op, Filter: filter, Sort: parts.Sort, Collation: parts.Collation})
	}
	return union.ScopeOf(c.model, c.anyVariant, filter), err
}

// readParts are the sort, projection and collation of a read's options,
// for its path check.
func readParts[O any](opts []options.Lister[O]) pathcheck.Parts {
	if len(opts) == 0 {
		return pathcheck.Parts{}
	}
	o := applied(opts)
	switch o := any(&o).(type) {
	case *options.FindOneOptions:
		return pathcheck.Parts{Sort: o.Sort, Projection: o.Projection, Collation: o.Collation}
	case *options.FindOptions:
		return pathcheck.Parts{Sort: o.Sort, Projection: o.Projection, Collation: o.Collation}
	case *options.FindOneAndUpdateOptions:
		return pathcheck.Parts{Sort: o.Sort, Projection: o.Projection}
	case *options.FindOneAndDeleteOptions:
		return pathcheck.Parts{Sort: o.Sort, Projection: o.Projection}
	}
	return pathcheck.Parts{}
}

// checkRead is checkQuery for a read given ctx, refusing a nil one: every
// read goes through it before its command.
func (c *Core[T]) CheckRead(ctx context.Context, op string, filter any, parts pathcheck.Parts) (any, error) {
	if ctx == nil {
		return nil, c.NoContext(op)
	}
	return c.CheckQuery(op, filter, parts)
}

// checkWrite is checkWriteFilter for a write given ctx, refusing a nil one:
// every write by filter goes through it before its command. The filter
// checked is narrowed in place to T's variant (see NewUnion).
func (c *Core[T]) checkWrite(ctx context.Context, op string, filter *any, parts pathcheck.Parts) error {
	if ctx == nil {
		return c.NoContext(op)
	}
	if err := c.CheckWriteFilter(op, *filter, parts); err != nil {
		return err
	}
	*filter = union.ScopeOf(c.model, c.anyVariant, *filter)
	return nil
}

// CheckWriteFilter checks the paths of a write's filter; a nil filter is
// refused there, as a write meant for every document says so with an empty
// one.
func (c *Core[T]) CheckWriteFilter(op string, filter any, parts pathcheck.Parts) error {
	if querydoc.IsNil(filter) {
		return fmt.Errorf("odm: %s on %s: the filter is nil; pass bson.D{} to match every document", op, c.Name())
	}
	_, err := c.CheckQuery(op, filter, parts)
	return err
}

// checkShape writes a shape with write and checks it.
func (c *Core[T]) checkShape(op string, write func(w *pathcheck.ShapeWriter)) error {
	pc, err := pathcheck.For(c.model)
	if err != nil {
		return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
	}
	w := pathcheck.ShapeBuffers.Get().(*pathcheck.ShapeWriter)
	w.Buf, w.Err = w.Buf[:0], nil
	write(w)
	pe := pc.Check(w)
	pathcheck.ShapeBuffers.Put(w)
	if pe == nil {
		return nil
	}
	out := *pe
	out.Op, out.Collection = op, c.Name()
	if out.GoType == "" {
		out.GoType = pc.GoType
	}
	return &out
}
