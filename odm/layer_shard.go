package odm

import (
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/shard"
)

// ShardMode is a sharding policy, set with ShardPolicy: what Init may do
// about a model's declared shard key on a sharded cluster.
type ShardMode = shard.Mode

// The sharding policies. Without ShardPolicy, ShardEmpty applies to
// collections whose models declare a key, and nothing about keys is read
// for the others.
const (
	// ShardOff validates declared keys and reads or sends nothing about them.
	ShardOff = shard.Off
	// ShardReport compares and plans the keys; no shardCollection is sent.
	ShardReport = shard.Report
	// ShardEmpty shards collections that are missing or empty; a populated
	// one is held and reported (the default once a key is declared).
	ShardEmpty = shard.Empty
	// ShardPopulated shards populated collections too, after building
	// their supporting index.
	ShardPopulated = shard.Populated
)

// ShardPolicy sets the sharding policy. Given explicitly, it also makes
// Init read the key of collections whose models declare none, to report a
// collection sharded outside its model (never unsharded).
func ShardPolicy(m ShardMode) Option { return func(c *engine.Config) { c.Shard.Mode = m } }

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

// ShardPlan is what Init would do about one collection's shard key
// (CollectionPlan.Shard).
type ShardPlan = shard.Plan

// ShardResult is what Init did about one collection's shard key
// (CollectionReport.Shard), with the indexes found drifting across shards.
type ShardResult = shard.Result

// ShardKeyMismatchError reports a collection sharded on another key than
// its model declares; it shows the reshardCollection command to run by
// hand, for Init never reshards.
type ShardKeyMismatchError = shard.MismatchError
