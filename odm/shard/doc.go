// Package shard makes Init shard-aware: it recognises the deployment
// (a MongoDB mongos, the DocumentDB gateway, FerretDB, or a replica set or
// standalone server), reads the shard key a collection has, plans what a
// model's declared key calls for under the caller's policy, and carries it
// out in the order supporting index, shardCollection, then the other
// indexes (which the engine makes). It also reads per-shard ("raw")
// replies of mongos and checks a sharded collection's indexes across its
// shards. It never reshards, unshards, moves a collection, touches zones
// or sends enableSharding.
//
// It may import schema, diff and the driver, nothing above them: the
// engine calls it, and package odm re-exports its options and results.
package shard
