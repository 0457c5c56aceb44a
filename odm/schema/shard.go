package schema

import (
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ShardKey is a model's shard key: the fields, in order, that place each
// document of its collection on a shard of a sharded cluster. A field is
// ranged (Asc) or hashed (Hashed); at most one is hashed.
//
// Declaring a key changes what the model's declarations must satisfy on
// every server (a unique index must start with the key) and what Init may
// do on a sharded cluster; whether Init shards the collection is the
// deployment's choice, set by an Init option.
type ShardKey struct {
	// Keys are the key's fields in order: Ascending or Hashed.
	Keys []IndexKey
	// Unique makes the server enforce uniqueness of the key itself
	// (ranged keys only).
	Unique bool
	// InitialChunks is the number of chunks a hashed key's empty
	// collection starts with; 0 leaves it to the server.
	InitialChunks int

	origin origin // where the key was declared, for messages
}

// ShardKeyDeclarer is implemented by models that declare a shard key.
// ShardKey is called on the zero value of the model.
type ShardKeyDeclarer interface {
	ShardKey() ShardKey
}

// Shard declares a shard key on keys, in order.
func Shard(keys ...IndexKey) ShardKey { return ShardKey{Keys: keys} }

// KeyDocument is the key as shardCollection takes it: {field: 1 or
// "hashed"}, in order.
func (k ShardKey) KeyDocument() bson.D {
	return Index(k.Keys...).KeyDocument()
}

// IndexName is the name shardCollection gives the index it builds to
// support the key on an empty collection: the key's default index name.
func (k ShardKey) IndexName() string { return DefaultName(k.Keys) }

// Hashed reports a key with a hashed field.
func (k ShardKey) Hashed() bool {
	return slices.ContainsFunc(k.Keys, func(f IndexKey) bool { return f.Type == KeyHashed })
}
