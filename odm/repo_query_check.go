package odm

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// checkQuery checks the paths of a read's filter, sort and projection
// against T's model before any command, and returns the filter to send: a
// nil filter (nil, or a nil bson.D, bson.M or map) is an empty document,
// every document.
func (c *Collection[T]) checkQuery(op string, filter any, parts queryParts) (any, error) {
	if isNilDocument(filter) {
		filter = bson.D{}
	}
	err := c.checkShape(op, func(w *shapeWriter) {
		w.filter(filter, "")
		if parts.sort != nil {
			w.sort(parts.sort)
		}
		if parts.projection != nil {
			w.projection(parts.projection, "")
		}
		if parts.field != "" {
			w.field(parts.field)
		}
	})
	if r := activeRecorder.Load(); r != nil && err == nil {
		r.record(c.model, c.Name(), op, filter, parts)
	}
	return filter, err
}

func findOneParts(opts []options.Lister[options.FindOneOptions]) queryParts {
	if len(opts) == 0 {
		return queryParts{}
	}
	o := applied(opts)
	return queryParts{sort: o.Sort, projection: o.Projection, collation: o.Collation}
}

func findParts(opts []options.Lister[options.FindOptions]) queryParts {
	if len(opts) == 0 {
		return queryParts{}
	}
	o := applied(opts)
	return queryParts{sort: o.Sort, projection: o.Projection, collation: o.Collation}
}

func findOneAndUpdateParts(opts []options.Lister[options.FindOneAndUpdateOptions]) queryParts {
	if len(opts) == 0 {
		return queryParts{}
	}
	o := applied(opts)
	return queryParts{sort: o.Sort, projection: o.Projection}
}

func findOneAndDeleteParts(opts []options.Lister[options.FindOneAndDeleteOptions]) queryParts {
	if len(opts) == 0 {
		return queryParts{}
	}
	o := applied(opts)
	return queryParts{sort: o.Sort, projection: o.Projection}
}

// checkWriteFilter checks the paths of a write's filter; a nil filter is
// refused there, as a write meant for every document says so with an empty
// one.
func (c *Collection[T]) checkWriteFilter(op string, filter any, parts queryParts) error {
	if isNilDocument(filter) {
		return fmt.Errorf("odm: %s on %s: the filter is nil; pass bson.D{} to match every document", op, c.Name())
	}
	_, err := c.checkQuery(op, filter, parts)
	return err
}

// checkShape writes a shape with write and checks it.
func (c *Collection[T]) checkShape(op string, write func(w *shapeWriter)) error {
	pc, err := checkerFor(c.model)
	if err != nil {
		return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), err)
	}
	w := shapeBuffers.Get().(*shapeWriter)
	w.buf, w.err = w.buf[:0], nil
	write(w)
	pe := pc.check(w)
	shapeBuffers.Put(w)
	if pe == nil {
		return nil
	}
	out := *pe
	out.Op, out.Collection = op, c.Name()
	if out.GoType == "" {
		out.GoType = pc.goType
	}
	return &out
}
