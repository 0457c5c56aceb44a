package odm

import (
	"context"
	"time"

	"github.com/tagodm/tagodm/odm/internal/repo"
)

// BeforeInserter is a model whose BeforeInsert InsertOne and InsertMany
// call on each document before sending any (see docs/hooks.md: what runs
// where, errors, panics).
type BeforeInserter interface {
	BeforeInsert(ctx context.Context) error
}

// AfterInserter is a model whose AfterInsert InsertOne and InsertMany call
// on each document stored.
type AfterInserter interface {
	AfterInsert(ctx context.Context) error
}

// BeforeReplacer is a model whose BeforeReplace ReplaceOne, ReplaceByID
// and FindOneAndReplace call on the document before sending it.
type BeforeReplacer interface {
	BeforeReplace(ctx context.Context) error
}

// AfterReplacer is a model whose AfterReplace the replaces call on the
// document once stored (replaced, or inserted by an upsert).
type AfterReplacer interface {
	AfterReplace(ctx context.Context) error
}

// BeforeUpdater is a model whose BeforeUpdate Modify and ModifyByID call
// on the document change altered, before the write. Updates by filter hold
// no document: they call the repository's FilterHooks.
type BeforeUpdater interface {
	BeforeUpdate(ctx context.Context) error
}

// AfterUpdater is a model whose AfterUpdate Modify and ModifyByID call on
// the document written.
type AfterUpdater interface {
	AfterUpdate(ctx context.Context) error
}

// BeforeDeleter is a model whose BeforeDelete Collection.Delete calls on
// the document before deleting it; its error deletes nothing. Deletes by
// filter hold no document: they call the repository's FilterHooks.
type BeforeDeleter interface {
	BeforeDelete(ctx context.Context) error
}

// AfterDeleter is a model whose AfterDelete Collection.Delete calls on the
// document once the stored one is deleted.
type AfterDeleter interface {
	AfterDelete(ctx context.Context) error
}

// DocumentValidator is a model that checks itself before every write of a
// whole document (inserts, replaces, Modify), after the before-hook.
type DocumentValidator interface{ Validate() error }

// Timestamps, embedded in a model with `bson:",inline"`, is kept by the
// repository: CreatedAt (when the document was inserted) set on insert
// when zero and by an upsert's insert, UpdatedAt (when a repository last
// wrote it) on every write, in UTC to the millisecond. Updates by filter
// add {$set: {updated_at}}, and with upsert {$setOnInsert: {created_at}},
// unless they write the field themselves.
type Timestamps struct {
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// timestamps is promoted to the models that embed Timestamps.
func (t *Timestamps) timestamps() *Timestamps { return t }

type stamped interface{ timestamps() *Timestamps }

// FilterWrite is a write by filter as FilterHooks' functions see it: the
// method (UpdateOne for UpdateByID too, DeleteOne for DeleteByID), the
// collection, the filter and update as given (no update for a delete),
// and for after the *mongo.UpdateResult, *mongo.DeleteResult or the *T
// FindOneAnd* returned (nil if none).
type FilterWrite struct {
	Write, Collection string
	Filter, Update    any
	Result            any
}

// FilterHooks gives the repository functions called around every write by
// filter (UpdateOne, UpdateByID, UpdateMany, FindOneAndUpdate, DeleteOne,
// DeleteByID, DeleteMany, FindOneAndDelete), which hold no document for a
// model's hooks: before once the filter is checked (its error sends
// nothing), after once the command succeeded. Either may be nil.
func FilterHooks(before, after func(ctx context.Context, w FilterWrite) error) CollectionOption {
	return func(c *collectionConfig) { c.filterBefore, c.filterAfter = before, after }
}

// filterFunc is f as the repository calls it; nil for nil.
func filterFunc(f func(context.Context, FilterWrite) error) repo.FilterFunc {
	if f == nil {
		return nil
	}
	return func(ctx context.Context, write, collection string, filter, update, result any) error {
		return f(ctx, FilterWrite{Write: write, Collection: collection, Filter: filter, Update: update, Result: result})
	}
}
