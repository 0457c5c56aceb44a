package repo

import (
	"context"
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// revisionSlot is doc's revision field, settable; nil embedded pointers on
// its way are allocated, and undo puts them back.
func (c *Core[T]) revisionSlot(doc *T) (reflect.Value, func()) {
	return write.FieldByIndex(reflect.ValueOf(doc).Elem(), c.model.RevisionIndex, true)
}

// startRevision gives a new revisioned document without a revision its
// first one (1, or a new UUID); the returned function undoes it.
func (c *Core[T]) startRevision(doc *T) func() {
	if c.rev == write.RevNone || doc == nil {
		return func() {}
	}
	f, undo := c.revisionSlot(doc)
	if !f.IsValid() || !f.IsZero() {
		undo()
		return func() {}
	}
	if c.rev == write.RevUUID {
		c.rev.Write(f, schema.NewUUID())
	} else {
		f.SetInt(1)
	}
	return func() { f.SetZero(); undo() }
}

// movedOn reports whether filter finds a document whose revision is not
// the one read. For a UUID revision the one just written is excluded too:
// an upsert's own document holds it. A counter cannot tell its own upsert
// from a writer that got there first (both hold the next number).
func (c *Core[T]) movedOn(ctx context.Context, filter, read, written any) (bool, error) {
	n, err := c.coll.CountDocuments(ctx, c.revisioned().MovedOn(filter, read, written), options.Count().SetLimit(1))
	return n > 0, err
}

// A revisionGuard is the revision a filter names: the write applies only
// to a document that still holds it.
type revisionGuard struct {
	rest     any // the filter without the revision
	expected any // the revision named: an int64 or a UUID
	id       any // the filter's _id, when it names one
}

// guardIn finds the revision guard in a bson.D or bson.M filter; nil when
// the model has no revision or the filter names none as a plain value.
func (c *Core[T]) guardIn(filter any) *revisionGuard {
	if c.rev == write.RevNone {
		return nil
	}
	rest, given, id, ok := querydoc.WithoutField(filter, c.model.Revision)
	if !ok {
		return nil
	}
	expected, ok := c.rev.Value(given)
	if !ok {
		return nil
	}
	return &revisionGuard{rest: rest, expected: expected, id: id}
}

// stale tells, after a guarded update matched nothing (or its upsert
// collided), whether the document the guard's filter names exists with
// another revision than the one expected and the one the update stored
// (next: the increment of a counter, or the UUID); nil when it does not.
func (c *Core[T]) stale(ctx context.Context, g *revisionGuard, next any) error {
	written := next
	if c.rev == write.RevCounter {
		written = g.expected.(int64) + next.(int64)
	}
	moved, err := c.movedOn(ctx, g.rest, g.expected, written)
	if err != nil || !moved {
		return nil
	}
	return c.staleError(g.id, g.expected)
}

// staleError is the *odm.StaleRevisionError of a write that expected the
// revision expected.
func (c *Core[T]) staleError(id, expected any) error {
	return c.pub.Stale(c.Name(), id, expected)
}

// warnIfNotAtomic logs, once per repository, that the server does not
// make filtered writes atomic, so the revision guard cannot stop two
// racing writers. Only with a logger (CollectionLogger).
func (c *Core[T]) warnIfNotAtomic(ctx context.Context) {
	if c.logger == nil || c.warned.Load() {
		return
	}
	lacks, name, err := serverprofile.LacksAtomicFilteredWrites(ctx, c.coll.Database().Client())
	if err != nil {
		return // asked again at the next write
	}
	if c.warned.Swap(true) || !lacks {
		return
	}
	c.logger.Warn("odm: the server does not apply a filtered write atomically; the revision guard cannot stop two writers racing on one document",
		"collection", c.Name(), "server", name, "revision", c.model.Revision)
}
