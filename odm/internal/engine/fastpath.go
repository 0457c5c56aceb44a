package engine

// Everything in this file is an optimisation of the steady state, where
// every collection already matches its declarations and Init's work is
// listing and comparing. Each was measured, and each names the benchmark
// that shows it: BenchmarkSteadyInit (package odm: Init of the reference
// models against the server, CPU and allocations beside the bare
// driver's listings) and BenchmarkSteadyCollection (this package: one
// collection's work beyond its listing, no server). Removing any of them
// changes no result, only the cost; the rest of the engine reads as if
// they were plain calls.

import (
	"bytes"
	"context"
	"slices"
	"sync/atomic"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The comparison, remembered (BenchmarkSteadyCollection: a steady round
// compares without normalising either side).

// seenKey is the Memo key of a collection's last compared listing, per
// set of comparison options (opts describes them); plainSeen is the key
// without options, the comparison of every round: a pointer, the cheapest
// key to hash.
type seenKey struct{ opts string }

var plainSeen = new(byte)

// seenFor is the memo of the last listing compared under options optsKey.
func seenFor(decl *schema.Declared, optsKey string) *atomicSeen {
	var key any = plainSeen
	if optsKey != "" {
		key = seenKey{opts: optsKey}
	}
	return decl.Memo(key, func() any { return new(atomicSeen) }).(*atomicSeen)
}

// seen is a listing and what Diff answered for it.
type seen struct {
	indexes []bson.Raw
	changes []diff.IndexChange
}

// compare is Diff of the declarations with the listing, without options.
func compare(decl *schema.Declared, indexes []bson.Raw) ([]diff.IndexChange, error) {
	return compareWith(decl, indexes, nil, "")
}

// compareWith is Diff of the declarations with the listing under opts,
// which optsKey names. Diff is a pure function of the three, and in the
// steady state a server lists the same bytes at every start: a listing
// byte for byte equal to the last one compared under the same options
// gets the same answer without normalising either side again.
func compareWith(decl *schema.Declared, indexes []bson.Raw, opts []diff.Option, optsKey string) ([]diff.IndexChange, error) {
	last := seenFor(decl, optsKey)
	if s := last.Load(); s != nil && sameListing(s.indexes, indexes) {
		return cloneChanges(s.changes), nil
	}
	changes, err := diff.Diff(decl.Specs, indexes, opts...)
	if err != nil {
		return nil, err
	}
	last.Store(&seen{indexes: indexes, changes: cloneChanges(changes)})
	return changes, nil
}

// lastListing is the listing the declarations were last compared with
// without options, the first comparison of every round; nil before any.
func lastListing(decl *schema.Declared) []bson.Raw {
	if s := seenFor(decl, "").Load(); s != nil {
		return s.indexes
	}
	return nil
}

func sameListing(a, b []bson.Raw) bool {
	return slices.EqualFunc(a, b, func(x, y bson.Raw) bool { return bytes.Equal(x, y) })
}

// atomicSeen holds the last listing compared, replaced whole.
type atomicSeen = atomic.Pointer[seen]

// cloneChanges copies changes deep enough that no two plans share a slice
// a caller could write to.
func cloneChanges(changes []diff.IndexChange) []diff.IndexChange {
	out := slices.Clone(changes)
	for i := range out {
		out[i].Differences = slices.Clone(out[i].Differences)
	}
	return out
}

// The listing, not copied when it equals the last (BenchmarkSteadyInit:
// allocations per Init).

// listIndexesLike is listIndexes of a collection whose listing is likely
// to equal last, the one its declarations were last compared with (see
// compareWith): the documents equal to last's, in order, are not copied,
// and a listing equal throughout is last itself. In the steady state,
// where a server lists the same bytes at every start, the listing then
// allocates nothing of its own, which the bare driver's copy of each
// document does.
func listIndexesLike(ctx context.Context, coll *mongo.Collection, last []bson.Raw) ([]bson.Raw, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		if code, ok := servererr.Code(err); ok && code == servererr.CodeNamespaceNotFound {
			return nil, nil
		}
		return nil, err
	}
	defer cur.Close(ctx)
	var out []bson.Raw // nil while every document equals last's
	same := 0          // documents equal to last's so far
	for cur.Next(ctx) {
		if out == nil && same < len(last) && bytes.Equal(cur.Current, last[same]) {
			same++
			continue
		}
		if out == nil {
			out = append(make([]bson.Raw, 0, same+4), last[:same]...)
		}
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	if out == nil { // last, or the start of it: fewer documents listed
		return last[:same:same], nil
	}
	return out, nil
}

// The workers' stacks, grown once (BenchmarkSteadyInit: CPU).

// workerStack is what a worker's stack is grown by before its first
// collection. A CPU profile of steady-state Inits shows no stack growth
// in the workers past growStack with 16 KiB (a 32 KiB stack).
const workerStack = 16 << 10

// stackIndex is always 0; being a variable, it keeps the compiler from
// dropping growStack's array.
var stackIndex = 0

// growStack grows the calling goroutine's stack by workerStack bytes in one
// step, while the stack is shallow. A new goroutine's stack starts small
// and doubles whenever a call needs more, each time copying every frame
// already on it. Workers that reached the driver's listing that way spent
// more CPU copying stacks than comparing listings: a third of a
// steady-state Init's CPU beyond the bare driver's.
//
//go:noinline
func growStack() byte {
	var buf [workerStack]byte
	buf[stackIndex] = 1
	return buf[stackIndex+1]
}

// Maps made on first use (BenchmarkSteadyCollection: allocations).

// setIn sets m[k] = v, making m on its first entry: most collections
// never refuse, hide or warn about anything, and a steady-state Init
// allocates nothing for them.
func setIn[K comparable, V any](m map[K]V, k K, v V) map[K]V {
	if m == nil {
		m = map[K]V{}
	}
	m[k] = v
	return m
}
