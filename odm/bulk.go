package odm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/repo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Bulk collects writes of a repository and sends them as one bulk write:
// the commands the driver's BulkWrite sends, one insert, update or delete
// command per run of operations of one kind (see docs/bulk.md). Each
// operation is prepared as the repository's own method prepares it:
// defaults, timestamps, before-hooks and Validate, a new _id for a
// document without one, the revision checked and renewed, the shard key's
// values added to a replace's filter, every filter and update
// path-checked. Run sends them and gives each its part of the reply: ids
// and revisions written back, after-hooks run, errors typed.
//
//	b := users.Bulk()
//	b.InsertOne(&alice).ReplaceByID(&bob).DeleteByID(carolID)
//	res, err := b.Run(ctx)
//
// A Bulk is not safe for concurrent use; after Run it is empty, ready for
// the next batch.
type Bulk[T any] struct {
	b *repo.Bulk[T]
}

// Bulk returns an empty bulk writer on the repository's collection.
func (c *Collection[T]) Bulk() *Bulk[T] { return &Bulk[T]{b: c.core().NewBulk()} }

// Len is the number of operations collected.
func (b *Bulk[T]) Len() int {
	if b == nil || b.b == nil {
		return 0
	}
	return b.b.Len()
}

// InsertOne adds an insert of doc, prepared as Collection.InsertOne
// prepares it. A document whose ObjectID _id is zero gets a new one
// before it is sent.
func (b *Bulk[T]) InsertOne(doc *T) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.InsertOne(doc) })
}

// ReplaceOne adds a replace of what filter matches with doc, written and
// guarded as Collection.ReplaceOne writes it. A revisioned replace with
// upsert is refused: it takes two writes (the guarded one, then the
// insert), which one bulk write cannot hold.
func (b *Bulk[T]) ReplaceOne(filter any, doc *T, opts ...options.Lister[options.ReplaceOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.ReplaceOne(filter, doc, opts) })
}

// ReplaceByID adds a replace of the stored document that has doc's _id,
// as ReplaceOne.
func (b *Bulk[T]) ReplaceByID(doc *T, opts ...options.Lister[options.ReplaceOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.ReplaceByID(doc, opts) })
}

// UpdateOne adds an update of the first document filter matches, checked,
// renewed and guarded as Collection.UpdateOne does. A guarded update
// (filter naming the revision read) with upsert is refused, as for
// ReplaceOne.
func (b *Bulk[T]) UpdateOne(filter, update any, opts ...options.Lister[options.UpdateOneOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.UpdateOne(filter, update, opts) })
}

// UpdateByID adds an update of the document whose _id is id, as UpdateOne.
func (b *Bulk[T]) UpdateByID(id, update any, opts ...options.Lister[options.UpdateOneOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.UpdateByID(id, update, opts) })
}

// UpdateMany adds an update of every document filter matches, as
// Collection.UpdateMany.
func (b *Bulk[T]) UpdateMany(filter, update any, opts ...options.Lister[options.UpdateManyOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.UpdateMany(filter, update, opts) })
}

// DeleteOne adds a delete of the first document filter matches.
func (b *Bulk[T]) DeleteOne(filter any, opts ...options.Lister[options.DeleteOneOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.DeleteOne(filter, opts) })
}

// DeleteByID adds a delete of the document whose _id is id.
func (b *Bulk[T]) DeleteByID(id any, opts ...options.Lister[options.DeleteOneOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.DeleteByID(id, opts) })
}

// DeleteMany adds a delete of every document filter matches.
func (b *Bulk[T]) DeleteMany(filter any, opts ...options.Lister[options.DeleteManyOptions]) *Bulk[T] {
	return b.with(func(r *repo.Bulk[T]) { r.DeleteMany(filter, opts) })
}

// with adds an operation; a Bulk not made by Collection.Bulk takes none
// (Run says why).
func (b *Bulk[T]) with(add func(*repo.Bulk[T])) *Bulk[T] {
	if b != nil && b.b != nil {
		add(b.b)
	}
	return b
}

// BulkResult is what a bulk write did: the server's totals, and each
// operation's result in the order they were added.
type BulkResult struct {
	InsertedCount, MatchedCount, ModifiedCount, DeletedCount, UpsertedCount int64
	Ops                                                                     []BulkOpResult
}

// BulkOpResult is one operation of a bulk write. The server counts
// matched, modified and deleted documents for the whole bulk only, so an
// operation says whether it was written, not what it matched.
type BulkOpResult struct {
	// Op names the operation: InsertOne, ReplaceOne (for ReplaceByID
	// too), UpdateOne, UpdateMany, DeleteOne or DeleteMany.
	Op string
	// Err is why the operation wrote nothing: a *DuplicateKeyError, a
	// *DocumentRejectedError, a *StaleRevisionError, or ErrNotRun for an
	// operation an ordered bulk write did not reach. nil when written.
	Err error
	// ID is the _id of the document an insert stored or an upsert
	// inserted; nil otherwise.
	ID any
}

// ErrNotRun is the error of an operation an ordered bulk write did not
// attempt, because an operation before it failed.
var ErrNotRun = errors.New("not run: an earlier operation of the ordered bulk write failed")

// BulkError is a bulk write in which some operations wrote nothing (or
// the write concern failed). The operations that were written are written
// (their ids and revisions set in their documents, their after-hooks run):
// BulkResult.Ops says which. errors.As reaches each operation's typed
// error, and the driver's error.
type BulkError struct {
	Collection string
	// Failed are the indexes (in the order added) of the operations that
	// wrote nothing; Ops[i].Err says why.
	Failed []int
	Ops    []BulkOpResult
	// Err is the driver's error, or the after-hooks' errors.
	Err error
}

// Error implements the error interface.
func (e *BulkError) Error() string {
	var msg strings.Builder
	fmt.Fprintf(&msg, "odm: bulk write on %s: %d of %d operations wrote nothing", e.Collection, len(e.Failed), len(e.Ops))
	for _, i := range e.Failed {
		if !errors.Is(e.Ops[i].Err, ErrNotRun) {
			fmt.Fprintf(&msg, "; operation %d (%s): %v", i, e.Ops[i].Op, e.Ops[i].Err)
			break // the first is enough for a message; Ops holds every one
		}
	}
	if len(e.Failed) == 0 && e.Err != nil {
		fmt.Fprintf(&msg, "; %v", e.Err)
	}
	return msg.String()
}

// Unwrap returns each failed operation's error and the driver's, for
// errors.Is and errors.As.
func (e *BulkError) Unwrap() []error {
	out := make([]error, 0, len(e.Failed)+1)
	for _, i := range e.Failed {
		out = append(out, e.Ops[i].Err)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Run prepares every operation and, when all are ready, sends them as one
// bulk write with opts (ordered unless opts say otherwise). An operation
// that cannot be prepared (a bad filter or update, a before-hook's error)
// fails the whole bulk before any command: nothing is sent, and the
// documents of the operations before it are put back. Once sent, each
// operation gets its part of the reply: the documents written get their
// ids and revisions, and their after-hooks run. The server counts matches
// for the whole bulk: when the count does not say which replaces and
// guarded updates matched, their documents are read back by _id, so that
// a stale revision is a *StaleRevisionError of its own operation. When any
// operation wrote nothing, the error is a
// *BulkError and the result is returned with it. An empty Bulk sends
// nothing.
func (b *Bulk[T]) Run(ctx context.Context, opts ...options.Lister[options.BulkWriteOptions]) (*BulkResult, error) {
	if b == nil || b.b == nil {
		return nil, fmt.Errorf("odm: Bulk[%v] was not made by Collection.Bulk", reflect.TypeFor[T]())
	}
	r, err := repo.RunBulk(ctx, b.b, opts, func(op string, err error, id any) BulkOpResult { return BulkOpResult{Op: op, Err: err, ID: id} })
	if err != nil {
		return nil, err
	}
	out := &BulkResult{InsertedCount: r.Inserted, MatchedCount: r.Matched, ModifiedCount: r.Modified, DeletedCount: r.Deleted,
		UpsertedCount: r.Upserted, Ops: r.Ops}
	if len(r.Failed) == 0 && r.Err == nil {
		return out, nil
	}
	return out, &BulkError{Collection: b.b.Collection(), Failed: r.Failed, Ops: out.Ops, Err: r.Err}
}
