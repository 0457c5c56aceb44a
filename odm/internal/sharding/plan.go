package sharding

import (
	"github.com/tagodm/tagodm/odm/internal/shardkey"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Options are the sharding options of Init and Plan.
type Options struct {
	// Mode is the policy; empty means Empty for collections whose models
	// declare a key, and nothing read for the others. Given explicitly,
	// every collection's key is read, so that a collection sharded
	// outside its model is reported.
	Mode shard.Mode
	// AllowRefine lets Init add the declared suffix fields to a
	// collection sharded on a prefix of the declared key
	// (refineCollectionShardKey).
	AllowRefine bool
	// Verify checks, after the indexes are made, that every shard of a
	// sharded collection has them alike, and repairs what it can.
	Verify bool
}

// decide plans a collection's key: k is the declared key (nil when none),
// st the state read, ns the namespace.
func decide(d *schema.Declared, st State, srv Server, o Options, ns string) *shard.Plan {
	k := d.ShardKey
	p := &shard.Plan{Step: shard.StepNone}
	if st.Sharded {
		p.Listed = shardkey.Format(st.Key, st.Unique)
	}
	if k == nil {
		if !st.Sharded {
			return nil
		}
		p.Action, p.Detail = shard.Outside, "no model declares a shard key; Init never unshards"
		return p
	}
	p.Key = shardkey.Format(k.KeyDocument(), k.Unique)
	switch {
	case srv.Topology == Unsharded:
		p.Action, p.Detail = shard.NoCluster, srv.Topology.String()+": the key shapes validation only"
	case st.Sharded && sameKey(st, *k):
		p.Action = shard.Unchanged
	case st.Sharded && refinable(st, *k):
		p.Action, p.Step = shard.Refine, shard.StepRefine
		p.Detail = "sharded on a prefix of the declared key"
		if !o.AllowRefine {
			p.Step, p.Detail = shard.StepHeld, p.Detail+"; AllowRefine refines it with refineCollectionShardKey"
		}
	case st.Sharded:
		e := &shard.MismatchError{Namespace: ns, Declared: k.KeyDocument(), Unique: k.Unique, Listed: st.Key, ListedUnique: st.Unique}
		p.Action, p.Step, p.Detail = shard.Mismatch, shard.StepFail, "Init never reshards; run by hand: "+e.ReshardCommand()
	default:
		p.Action, p.Step = shard.ShardIt, shard.StepShard
		switch {
		case srv.Topology == FerretDB:
			p.Action, p.Detail = shard.Unsupported, "FerretDB does not route shardCollection"
		case st.Unknown != "":
			p.Action, p.Detail = shard.Unknown, st.Unknown+"; shardCollection's reply decides"
		case st.Empty:
			p.Detail = "empty collection"
		case o.Mode != shard.Populated:
			p.Step, p.Detail = shard.StepHeld, "the collection holds documents; ShardPolicy(ShardPopulated) shards it"
		default:
			p.Detail = "populated collection"
		}
		if p.Step == shard.StepShard && srv.Topology == Mongos && !st.Support {
			p.Step, p.Detail = shard.StepSupportShard, p.Detail+"; supporting index "+supportSpec(d).IndexName()+" first"
		}
	}
	if o.Mode == shard.Report && p.Step != shard.StepNone && p.Step != shard.StepFail {
		p.Step = shard.StepReport
	}
	return p
}

// String is the topology's name.
func (t Topology) String() string { return string(t) }

// sameKey: the collection is sharded on exactly the declared key, with
// the same unique flag.
func sameKey(st State, k schema.ShardKey) bool {
	want := k.KeyDocument()
	return len(st.Key) == len(want) && samePrefix(st.Key, want) && st.Unique == k.Unique
}

// refinable: the listed key is a proper prefix of the declared one, with
// the same unique flag, so refineCollectionShardKey can add the rest.
func refinable(st State, k schema.ShardKey) bool {
	want := k.KeyDocument()
	return len(st.Key) < len(want) && samePrefix(want, st.Key) && st.Unique == k.Unique
}

// keyDoc is a key document for a command.
func keyDoc(k schema.ShardKey) bson.D { return k.KeyDocument() }
