package shard

import (
	"fmt"
	"io"
	"strings"
)

// Outcome is what Init did about a collection's shard key.
type Outcome string

// The outcomes.
const (
	// Existed: sharded on the declared key already; nothing was sent.
	Existed Outcome = "existed"
	// Sharded: shardCollection answered ok.
	Sharded Outcome = "sharded"
	// Refined: refineCollectionShardKey answered ok.
	Refined Outcome = "refined"
	// Planned: a dry run, or ShardPolicy(Report).
	Planned Outcome = "planned"
	// Held: the policy held the change back (Reason says which option
	// lets it through).
	Held Outcome = "held"
	// Kept: sharded outside the model, or not a sharded cluster; left as
	// it is.
	Kept Outcome = "kept"
	// Skipped: the server cannot shard, and SkipUnsupported was given.
	Skipped Outcome = "skipped"
	// Busy: another operation held the collection.
	Busy Outcome = "busy"
	// Failed: see the collection's error.
	Failed Outcome = "failed"
)

// Result is what Init did about one collection's shard key.
type Result struct {
	Key     string  `json:"key,omitempty"`
	Listed  string  `json:"listed,omitempty"`
	Action  Action  `json:"action"`
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason,omitempty"`
	// Verified says how the indexes were checked across shards
	// (VerifyAcrossShards), or why they were not.
	Verified string `json:"verified,omitempty"`
	// Drift are the indexes found missing or different on some shards.
	Drift []Drift `json:"drift,omitempty"`
}

// WriteRows writes the result, then its drift, as rows of the report's
// table (COLLECTION, INDEX, ACTION, RESULT, DETAIL); nothing for nil.
func (r *Result) WriteRows(w io.Writer, collection string) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "%s\t(shard key)\t%s\t%s\t%s\n", collection, r.Action, r.Outcome, oneLine(r.Reason))
	for _, d := range r.Drift {
		fmt.Fprintf(w, "%s\t%s\tdrift\t%s\t%s\n", collection, d.Index, d.outcome(), oneLine(d.String()))
	}
}

// Drift is an index of a sharded collection that is not alike on every
// shard: missing from some, or with properties that differ.
type Drift struct {
	Index       string   `json:"index"`
	MissingFrom []string `json:"missingFrom,omitempty"`
	// Properties are the index properties whose values differ between
	// shards (expireAfterSeconds, say).
	Properties []string `json:"properties,omitempty"`
	// Repaired: Init sent the declared index again (createIndexes, which
	// shards that have it ignore) or its TTL (collMod).
	Repaired bool `json:"repaired,omitempty"`
	// Reason says why it was not repaired.
	Reason string `json:"reason,omitempty"`
}

// String says what differs, and why it was left, on one line.
func (d Drift) String() string {
	var parts []string
	if len(d.MissingFrom) > 0 {
		parts = append(parts, "missing from "+strings.Join(d.MissingFrom, ", "))
	}
	if len(d.Properties) > 0 {
		parts = append(parts, "differs between shards in "+strings.Join(d.Properties, ", "))
	}
	if d.Reason != "" {
		parts = append(parts, d.Reason)
	}
	return strings.Join(parts, "; ")
}

func (d Drift) outcome() string {
	if d.Repaired {
		return "repaired"
	}
	return "found"
}
