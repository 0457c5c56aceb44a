package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FindByID returns the document whose _id is id, or nil and no error when
// there is none. For a model whose _id is an ObjectID, id may also be its
// hex string.
//
// On a sharded collection _id is unique only per shard on MongoDB (unless
// the key is {_id}), and per shard key value on DocumentDB: two documents
// may share one, and FindByID returns either. Find by _id and key to tell.
func (c *Collection[T]) FindByID(ctx context.Context, id any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	return c.core().FindByID(ctx, id, opts...)
}

// DeleteByID deletes the document whose _id is id. On a sharded collection
// {_id} alone goes to every shard (see FindByID).
func (c *Collection[T]) DeleteByID(ctx context.Context, id any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	return c.core().DeleteByID(ctx, id, opts...)
}

// UpdateByID updates the document whose _id is id, as UpdateOne does. On a
// sharded collection {_id} alone goes to every shard (see FindByID).
func (c *Collection[T]) UpdateByID(ctx context.Context, id, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	return c.core().UpdateByID(ctx, id, update, opts...)
}

// ReplaceByID replaces the stored document that has doc's _id with doc,
// as ReplaceOne does (guarding a revisioned doc's revision). doc must have
// a non-zero _id.
func (c *Collection[T]) ReplaceByID(ctx context.Context, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	return c.core().ReplaceByID(ctx, doc, opts...)
}

// Delete deletes the stored document doc is, by its _id (which must not be
// zero), as Beanie's document.delete() and Mongoose's doc.deleteOne() do:
// the model's BeforeDelete runs first (its error deletes nothing), and
// AfterDelete once the stored document is deleted. For a model with a
// shard key the filter names doc's key values. For a revisioned model the
// delete applies only while the stored document holds doc's revision:
// one that has moved on is a *StaleRevisionError, and nothing is deleted.
// A document already gone deletes nothing and is no error
// (DeletedCount 0).
func (c *Collection[T]) Delete(ctx context.Context, doc *T, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	return c.core().Delete(ctx, doc, opts...)
}
