// Package recording carries each query a repository runs to the query
// recorders running at that moment (query.RecordQueries). The public query
// package installs one hook while a recorder runs and removes it when the
// last one stops; the repositories load it once per call, so that a call
// pays one atomic load when no recorder runs. It is an implementation
// detail.
//
// It imports schema and the driver's options types only.
package recording

import (
	"sync/atomic"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Query is one query a repository ran, its paths checked: its filter
// (reads, and the filters of updates, replaces, deletes and Modify) and
// the parts beside it that decide which index serves it.
type Query struct {
	Model      *schema.Model
	Collection string
	// Op is the repository's operation: "find", "count", "aggregate", ...
	Op        string
	Filter    any
	Sort      any
	Collation *options.Collation
}

// Hook hears every query a repository runs while it is installed. It is
// called from the repositories' goroutines, concurrently.
type Hook func(Query)

var active atomic.Pointer[Hook]

// Active is the installed hook; nil when no recorder runs.
func Active() Hook {
	if h := active.Load(); h != nil {
		return *h
	}
	return nil
}

// Install makes h the hook every repository calls, replacing the one
// installed before; nil removes it. The callers order their installs.
func Install(h Hook) {
	if h == nil {
		active.Store(nil)
		return
	}
	active.Store(&h)
}
