package schema

import (
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ShardKey is a model's shard key: the fields, in order, that place each
// document of its collection on a shard of a sharded cluster. A field is
// ranged (Asc) or hashed (HashedKey); at most one is hashed.
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
	return slices.ContainsFunc(k.Keys, func(f IndexKey) bool { return f.Type == Hashed })
}

// DocumentDBShardKeyProblems are the problems of a collection's shard key
// that DocumentDB (the engine of Azure DocumentDB) adds to MongoDB's
// rules: it shards on a hashed key only, without unique or initial chunks,
// and it accepts a unique index the key does not prefix, then enforces it
// per key value only, so such an index is refused here instead of weakened
// there.
func DocumentDBShardKeyProblems(d *Declared) []Problem {
	k := d.ShardKey
	if k == nil {
		return nil
	}
	var problems []Problem
	problem := func(msg string) {
		problems = append(problems, Problem{GoType: k.origin.goType, Collection: d.Collection, Field: k.origin.field, Tag: k.origin.tag, Message: msg})
	}
	if !k.Hashed() {
		problem("DocumentDB shards on a hashed key only: declare the key with HashedKey")
	}
	if k.Unique {
		problem("DocumentDB has no unique shard keys")
	}
	if k.InitialChunks != 0 {
		problem("DocumentDB takes no initial chunk count")
	}
	for _, s := range d.Specs {
		if s.Unique && !prefixedBy(s.Keys, k.Keys) {
			problems = append(problems, Problem{GoType: s.origin.goType, Collection: d.Collection, Field: s.origin.field, Tag: s.origin.tag,
				Message: fmt.Sprintf("unique index %s does not start with the shard key %s: DocumentDB would accept it and enforce it only among documents with the same key value",
					s.IndexName(), FormatValue(k.KeyDocument()))})
		}
	}
	return problems
}

// prefixedBy reports that keys start with the fields of prefix, in order
// (types aside: the server's rule is on field names).
func prefixedBy(keys, prefix []IndexKey) bool {
	if len(keys) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if keys[i].Field != p.Field {
			return false
		}
	}
	return true
}
