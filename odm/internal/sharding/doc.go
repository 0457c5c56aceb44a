// Package sharding is the machinery behind the shard-aware Init, an
// implementation detail of the library: the engine is its only caller,
// and users see its work through the types of package shard (Plan,
// Result, the errors).
//
// It recognises the deployment (Detect: a MongoDB mongos, the DocumentDB
// gateway, FerretDB, or a replica set or standalone server, found once
// per client), reads the shard key a collection has (State), plans what a
// model's declared key calls for under the caller's Options, and, in a
// Session, carries it out in the order supporting index, shardCollection
// (or refineCollectionShardKey), then the other indexes (which the engine
// makes). It reads per-shard ("raw") replies of mongos (RawFailure,
// ReplyError, Confirms) and checks a sharded collection's indexes across
// its shards (Session.Verify, FromIndexStats, FromMetadataConsistency).
// It never reshards, unshards, moves a collection, touches zones or
// sends enableSharding.
//
// It may import schema, shard and the driver, nothing above them.
package sharding
