package odm

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/query"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// checkQuery checks the paths of a read's filter, sort and projection
// against T's model before any command, and returns the filter to send: a
// nil filter (nil, or a nil bson.D, bson.M or map) is an empty document,
// every document.
func (c *Collection[T]) checkQuery(op string, filter any, parts query.QueryParts) (any, error) {
	if query.IsNilDocument(filter) {
		filter = bson.D{}
	}
	err := c.checkShape(op, func(w *query.ShapeWriter) {
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
	if r := query.ActiveRecorder.Load(); r != nil && err == nil {
		query.Record(r, c.model, c.Name(), op, filter, parts)
	}
	return filter, err
}

func findOneParts(opts []options.Lister[options.FindOneOptions]) query.QueryParts {
	if len(opts) == 0 {
		return query.QueryParts{}
	}
	o := applied(opts)
	return query.QueryParts{Sort: o.Sort, Projection: o.Projection, Collation: o.Collation}
}

func findParts(opts []options.Lister[options.FindOptions]) query.QueryParts {
	if len(opts) == 0 {
		return query.QueryParts{}
	}
	o := applied(opts)
	return query.QueryParts{Sort: o.Sort, Projection: o.Projection, Collation: o.Collation}
}

func findOneAndUpdateParts(opts []options.Lister[options.FindOneAndUpdateOptions]) query.QueryParts {
	if len(opts) == 0 {
		return query.QueryParts{}
	}
	o := applied(opts)
	return query.QueryParts{Sort: o.Sort, Projection: o.Projection}
}

func findOneAndDeleteParts(opts []options.Lister[options.FindOneAndDeleteOptions]) query.QueryParts {
	if len(opts) == 0 {
		return query.QueryParts{}
	}
	o := applied(opts)
	return query.QueryParts{Sort: o.Sort, Projection: o.Projection}
}

// checkRead is checkQuery for a read given ctx, refusing a nil one: every
// read goes through it before its command.
func (c *Collection[T]) checkRead(ctx context.Context, op string, filter any, parts query.QueryParts) (any, error) {
	if ctx == nil {
		return nil, c.noContext(op)
	}
	return c.checkQuery(op, filter, parts)
}

// checkWrite is checkWriteFilter for a write given ctx, refusing a nil one:
// every write by filter goes through it before its command.
func (c *Collection[T]) checkWrite(ctx context.Context, op string, filter any, parts query.QueryParts) error {
	if ctx == nil {
		return c.noContext(op)
	}
	return c.checkWriteFilter(op, filter, parts)
}

// checkWriteFilter checks the paths of a write's filter; a nil filter is
// refused there, as a write meant for every document says so with an empty
// one.
func (c *Collection[T]) checkWriteFilter(op string, filter any, parts query.QueryParts) error {
	if query.IsNilDocument(filter) {
		return fmt.Errorf("odm: %s on %s: the filter is nil; pass bson.D{} to match every document", op, c.Name())
	}
	_, err := c.checkQuery(op, filter, parts)
	return err
}

// checkShape writes a shape with write and checks it.
func (c *Collection[T]) checkShape(op string, write func(w *query.ShapeWriter)) error {
	pc, err := query.CheckerFor(c.model)
	if err != nil {
		return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
	}
	w := query.ShapeBuffers.Get().(*query.ShapeWriter)
	w.Buf, w.Err = w.Buf[:0], nil
	write(w)
	pe := pc.Check(w)
	query.ShapeBuffers.Put(w)
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
