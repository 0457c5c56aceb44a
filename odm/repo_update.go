package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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
	return c.core().UpdateOne(ctx, filter, update, opts...)
}

// FindOneAndUpdate updates the first document filter matches, as
// UpdateOne does, and returns it: before the update, unless the options
// say after. It returns nil and no error when there is none: nothing
// matched, or an upsert inserted and the options ask for the document
// before.
func (c *Collection[T]) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) (*T, error) {
	return c.core().FindOneAndUpdate(ctx, filter, update, opts...)
}

// UpdateMany updates every document filter matches, as UpdateOne checks
// and renews, without a revision guard.
func (c *Collection[T]) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	return c.core().UpdateMany(ctx, filter, update, opts...)
}
