package engine

import (
	"bytes"
	"slices"
	"sync/atomic"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

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
