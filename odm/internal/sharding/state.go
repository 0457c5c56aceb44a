package sharding

import (
	"context"
	"errors"

	"github.com/tagodm/tagodm/odm/internal/shardkey"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// State is a collection's sharding state as read from the server.
type State struct {
	// Sharded: the collection has a shard key, Key.
	Sharded bool
	Key     bson.D
	Unique  bool
	// Unknown, when set, says why the key could not be read (the user may
	// not read config.collections): shardCollection's reply decides.
	Unknown string
	// Empty: the collection holds no document (or does not exist).
	// Measured only for an unsharded collection whose model declares a key.
	Empty bool
	// Support: a listed index supports the declared key (measured with
	// Empty, on a mongos only).
	Support bool
}

// readState reads the collection's key where the server keeps it: a
// mongos in config.collections (leaving out the unsharded collections 8.0
// tracks there as unsplittable), DocumentDB in listCollections'
// info.shardKey. A replica set or FerretDB v1 has none.
func readState(ctx context.Context, db *mongo.Database, d *schema.Declared, srv Server) (State, error) {
	var st State
	var err error
	ns := db.Name() + "." + d.Collection
	switch {
	case srv.Topology == Mongos:
		st, err = readConfig(ctx, db.Client(), ns)
	case srv.DocumentDB():
		st, err = readListing(ctx, db, d.Collection)
	default:
		return st, nil
	}
	if err != nil || st.Sharded || d.ShardKey == nil || srv.Topology == FerretDB {
		return st, err
	}
	coll := db.Collection(d.Collection)
	err = coll.FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return st, &shard.Error{Collection: ns, Op: "find (is the collection empty?)", Err: err}
	}
	st.Empty = errors.Is(err, mongo.ErrNoDocuments)
	if srv.Topology == Mongos {
		st.Support, err = listsSupport(ctx, coll, *d.ShardKey)
		if err != nil {
			return st, &shard.Error{Collection: ns, Op: "listIndexes", Err: err}
		}
	}
	return st, nil
}

// readConfig reads config.collections, the cluster's catalog.
func readConfig(ctx context.Context, c *mongo.Client, ns string) (State, error) {
	filter := bson.D{{Key: "_id", Value: ns}, {Key: "unsplittable", Value: bson.D{{Key: "$ne", Value: true}}}}
	raw, err := c.Database("config").Collection("collections").FindOne(ctx, filter).Raw()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return State{}, nil
	case unauthorized(err):
		return State{Unknown: "config.collections is not readable: " + errorMessage(err)}, nil
	case err != nil:
		return State{}, &shard.Error{Collection: ns, Op: "find on config.collections", Err: err}
	}
	var doc struct {
		Key    bson.D `bson:"key"`
		Unique bool   `bson:"unique"`
	}
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return State{}, &shard.Error{Collection: ns, Op: "reading config.collections", Err: err}
	}
	return State{Sharded: len(doc.Key) > 0, Key: doc.Key, Unique: doc.Unique}, nil
}

// readListing reads DocumentDB's listCollections, whose info carries the
// shard key of a sharded collection.
func readListing(ctx context.Context, db *mongo.Database, name string) (State, error) {
	cur, err := db.ListCollections(ctx, bson.D{{Key: "name", Value: name}})
	if err != nil {
		return State{}, &shard.Error{Collection: db.Name() + "." + name, Op: "listCollections", Err: err}
	}
	defer cur.Close(ctx)
	var st State
	for cur.Next(ctx) {
		if key, ok := cur.Current.Lookup("info", "shardKey").DocumentOK(); ok {
			var d bson.D
			if err := bson.Unmarshal(key, &d); err == nil && len(d) > 0 {
				st.Sharded, st.Key = true, d
			}
		}
	}
	if err := cur.Err(); err != nil {
		return State{}, &shard.Error{Collection: db.Name() + "." + name, Op: "listCollections", Err: err}
	}
	return st, nil
}

// listsSupport reports that a listed index supports the key: it starts
// with the key's fields, ranged ones ascending and the hashed one hashed,
// and is neither sparse, partial nor collated (the server's rule).
func listsSupport(ctx context.Context, coll *mongo.Collection, k schema.ShardKey) (bool, error) {
	cur, err := coll.Indexes().List(ctx)
	if code, _ := errorCode(err); code == codeNamespaceNotFound {
		return false, nil // no collection yet
	}
	if err != nil {
		return false, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if supports(cur.Current, k) {
			return true, nil
		}
	}
	return false, cur.Err()
}

func supports(index bson.Raw, k schema.ShardKey) bool {
	for _, opt := range []string{"partialFilterExpression", "collation"} {
		if _, err := index.LookupErr(opt); err == nil {
			return false
		}
	}
	for _, flag := range []string{"sparse", "hidden"} {
		if b, ok := index.Lookup(flag).BooleanOK(); ok && b {
			return false
		}
	}
	var key bson.D
	if err := bson.Unmarshal(index.Lookup("key").Document(), &key); err != nil || len(key) < len(k.Keys) {
		return false
	}
	return samePrefix(key, k.KeyDocument())
}

// samePrefix reports that listed starts with want's fields and values
// (1 or "hashed"), whatever number types the server used.
func samePrefix(listed, want bson.D) bool {
	if len(listed) < len(want) {
		return false
	}
	for i, w := range want {
		if listed[i].Key != w.Key || shardkey.Value(listed[i].Value) != shardkey.Value(w.Value) {
			return false
		}
	}
	return true
}
