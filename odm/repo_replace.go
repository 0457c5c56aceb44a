package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ReplaceOne replaces the first document filter matches with doc.
//
// Only the fields doc's struct owns are written: each is set to doc's
// value, or removed when doc leaves it out (omitempty); fields the struct
// does not declare stay as stored. A struct with an ",inline" map at its
// top level owns every field: doc replaces the stored document whole, a
// key deleted from the map removed. A zero ObjectID _id is never written;
// any other _id must be the matched document's: a doc whose _id differs
// is refused by the server (ImmutableField, code 66), as MongoDB refuses
// such a replace, and nothing changes. A model with defaults (Defaulter)
// gets them first. With upsert, a document is inserted only when none
// matches filter.
//
// For a revisioned model it matches only the revision doc carries, stores
// the next one and updates doc to match; when the stored document has
// moved on it changes nothing and returns a *StaleRevisionError, with or
// without upsert.
//
// For a model with a shard key, filter gets doc's key values for each key
// field it does not name. Changing them (filter naming other values) is
// refused with ErrShardKeyChange outside a transaction; a document stored
// with other values is not matched, and that too is ErrShardKeyChange.
func (c *Collection[T]) ReplaceOne(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	return c.core().ReplaceOne(ctx, filter, doc, opts...)
}

// FindOneAndReplace replaces the first document filter matches with doc,
// as ReplaceOne does, and returns the document before the replacement
// (after it, when the options say so). It returns nil and no error when
// there was none: nothing matched, or an upsert inserted doc and the
// options ask for the document before.
func (c *Collection[T]) FindOneAndReplace(ctx context.Context, filter any, doc *T, opts ...options.Lister[options.FindOneAndReplaceOptions]) (*T, error) {
	return c.core().FindOneAndReplace(ctx, filter, doc, opts...)
}
