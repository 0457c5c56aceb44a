package shard

import (
	"fmt"
	"io"
	"strings"
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
