package odm

import (
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/shard"
)

// ShardPolicy sets the sharding policy. Given explicitly, it also makes
// Init read the key of collections whose models declare none, to report a
// collection sharded outside its model (never unsharded).
func ShardPolicy(m shard.Mode) Option { return func(c *engine.Config) { c.Shard.Mode = m } }

// AllowRefine lets Init refine a collection sharded on a prefix of the
// declared key with refineCollectionShardKey, after building the
// supporting index. Without it such a collection is held and reported.
func AllowRefine() Option { return func(c *engine.Config) { c.Shard.AllowRefine = true } }

// VerifyAcrossShards makes Init check, after its index changes, that
// every shard of a sharded collection has the same indexes
// (checkMetadataConsistency on 7.0 and later, $indexStats before), report
// what differs in the collection's Shard result, and repair it with the
// declared index's createIndexes or collMod. Without the privilege to
// check, it records why and goes on.
func VerifyAcrossShards() Option { return func(c *engine.Config) { c.Shard.Verify = true } }
