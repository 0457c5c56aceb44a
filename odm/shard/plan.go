package shard

import (
	"fmt"
	"io"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Mode is the sharding policy: what Init may do about a declared key.
type Mode string

// The policies.
const (
	// Off: the key is validated with the declarations; nothing about it
	// is read or sent.
	Off Mode = "off"
	// Report: the key is compared with the collection's and planned; no
	// shardCollection is sent.
	Report Mode = "report"
	// Empty (the default once a model declares a key): a collection that
	// is missing or empty is sharded; a populated one is held and
	// reported, for sharding one moves its documents.
	Empty Mode = "empty"
	// Populated: populated collections are sharded too, after their
	// supporting index is built.
	Populated Mode = "populated"
)

// Options are the sharding options of Init and Plan.
type Options struct {
	// Mode is the policy; empty means Empty for collections whose models
	// declare a key, and nothing read for the others. Given explicitly,
	// every collection's key is read, so that a collection sharded
	// outside its model is reported.
	Mode Mode
	// AllowRefine lets Init add the declared suffix fields to a
	// collection sharded on a prefix of the declared key
	// (refineCollectionShardKey).
	AllowRefine bool
	// Verify checks, after the indexes are made, that every shard of a
	// sharded collection has them alike, and repairs what it can.
	Verify bool
}

// Action is what a collection's declared and listed keys call for.
type Action string

// The actions.
const (
	// Unchanged: sharded on the declared key.
	Unchanged Action = "unchanged"
	// ShardIt: not sharded; the declared key calls for shardCollection.
	ShardIt Action = "shard"
	// Unknown: the key could not be read; shardCollection's reply decides.
	Unknown Action = "unknown"
	// Refine: sharded on a prefix of the declared key.
	Refine Action = "refine"
	// Mismatch: sharded on another key; an error, never changed by Init.
	Mismatch Action = "mismatch"
	// Outside: sharded although no model declares a key; left as it is.
	Outside Action = "sharded outside the model"
	// Unsupported: the server cannot shard (FerretDB).
	Unsupported Action = "unsupported"
	// NoCluster: a replica set or standalone server: nothing to shard.
	NoCluster Action = "not a sharded cluster"
)

// Step is what applying the plan sends about the key.
type Step string

// The steps.
const (
	StepNone         Step = "-"
	StepShard        Step = "shardCollection"
	StepSupportShard Step = "createIndexes, shardCollection"
	StepRefine       Step = "createIndexes, refineCollectionShardKey"
	// StepHeld: the policy holds the change back; the detail says which
	// option lets it through.
	StepHeld Step = "held"
	// StepReport: ShardPolicy(Report): planned, never sent.
	StepReport Step = "report"
	// StepFail: Init fails the collection before any index change.
	StepFail Step = "fail"
)

// Plan is what Init would do about one collection's shard key.
type Plan struct {
	// Key is the declared key, "" when no model declares one.
	Key string `json:"key,omitempty"`
	// Listed is the collection's key, "" when not sharded.
	Listed string `json:"listed,omitempty"`
	Action Action `json:"action"`
	Step   Step   `json:"step"`
	Detail string `json:"detail,omitempty"`
}

// WriteRow writes the plan as a row of the plan's table, under
// COLLECTION, INDEX, ACTION, STEP, DETAIL; nothing for a nil plan.
func (p *Plan) WriteRow(w io.Writer, collection string) {
	if p != nil {
		fmt.Fprintf(w, "%s\t(shard key)\t%s\t%s\t%s\n", collection, p.Action, p.Step, oneLine(p.Detail))
	}
}

// Pending is 1 when applying the plan sends a command about the key, or
// fails on it; 0 otherwise, and for a nil plan.
func (p *Plan) Pending() int {
	if p == nil || p.Step == StepNone || p.Step == StepHeld || p.Step == StepReport {
		return 0
	}
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// decide plans a collection's key: k is the declared key (nil when none),
// st the state read, ns the namespace.
func decide(d *schema.Declared, st State, srv Server, o Options, ns string) *Plan {
	k := d.ShardKey
	p := &Plan{Step: StepNone}
	if st.Sharded {
		p.Listed = formatKey(st.Key, st.Unique)
	}
	if k == nil {
		if !st.Sharded {
			return nil
		}
		p.Action, p.Detail = Outside, "no model declares a shard key; Init never unshards"
		return p
	}
	p.Key = formatKey(k.KeyDocument(), k.Unique)
	switch {
	case srv.Topology == Unsharded:
		p.Action, p.Detail = NoCluster, srv.Topology.String()+": the key shapes validation only"
	case st.Sharded && sameKey(st, *k):
		p.Action = Unchanged
	case st.Sharded && refinable(st, *k):
		p.Action, p.Step = Refine, StepRefine
		p.Detail = "sharded on a prefix of the declared key"
		if !o.AllowRefine {
			p.Step, p.Detail = StepHeld, p.Detail+"; AllowRefine refines it with refineCollectionShardKey"
		}
	case st.Sharded:
		e := &MismatchError{Namespace: ns, Declared: k.KeyDocument(), Unique: k.Unique, Listed: st.Key, ListedUnique: st.Unique}
		p.Action, p.Step, p.Detail = Mismatch, StepFail, "Init never reshards; run by hand: "+e.ReshardCommand()
	default:
		p.Action, p.Step = ShardIt, StepShard
		switch {
		case srv.Topology == FerretDB:
			p.Action, p.Detail = Unsupported, "FerretDB does not route shardCollection"
		case st.Unknown != "":
			p.Action, p.Detail = Unknown, st.Unknown+"; shardCollection's reply decides"
		case st.Empty:
			p.Detail = "empty collection"
		case o.Mode != Populated:
			p.Step, p.Detail = StepHeld, "the collection holds documents; ShardPolicy(ShardPopulated) shards it"
		default:
			p.Detail = "populated collection"
		}
		if p.Step == StepShard && srv.Topology == Mongos && !st.Support {
			p.Step, p.Detail = StepSupportShard, p.Detail+"; supporting index "+supportSpec(d).IndexName()+" first"
		}
	}
	if o.Mode == Report && p.Step != StepNone && p.Step != StepFail {
		p.Step = StepReport
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
