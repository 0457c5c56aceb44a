package engine

import (
	"slices"
	"sync"
	"weak"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// With SkipUnsupported, what a server refused for lack of a feature is
// remembered, per collection's declarations, client and database, for the
// life of the process: a later Init does not send it again and reports it
// skipped with the reason the server first gave, and when every declared
// collection option was refused it does not list the collection's options
// again either. In the steady state such an Init sends what an Init on a
// server that keeps everything sends: one listIndexes per collection. A new
// process asks the server again, so an upgraded server is seen at the next
// start.

// rememberKey is the Memo key of one server's refusals.
type rememberKey struct {
	client weak.Pointer[mongo.Client] // does not keep the client alive
	db     string
}

// remembered is one collection's refusals on one server.
type remembered struct {
	mu sync.Mutex
	// skipped are shared with the reports of later runs, which copy them
	// and never write through them.
	skipped map[string]*outcome.IndexResult // by index name, or optionKey(option)
	// options are the collection option changes of the last run when the
	// server refused every one of them; nil otherwise.
	options []diff.OptionChange
}

// memory is the collection's remembered refusals on this server; nil
// without SkipUnsupported, where a refusal fails Init instead.
func (x *executor) memory() *remembered {
	if !x.cfg.skipUnsupported {
		return nil
	}
	if x.memo == nil {
		x.memo = x.decl.Memo(x.server.rememberKey(), func() any { return &remembered{} }).(*remembered)
	}
	return x.memo
}

// recall marks as refused what the server refused before, among the
// changes the first listing still calls for: an index listed since (made by
// hand, or by an upgraded server) is reported as it is listed.
func (x *executor) recall(r *round) {
	m := x.memory()
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.skipped) == 0 {
		return
	}
	for _, c := range r.indexes {
		if res, ok := m.skipped[c.Name]; ok && c.Action != diff.Unchanged {
			x.refused.skipped = setIn(x.refused.skipped, c.Name, res)
		}
	}
	for _, c := range r.options {
		if c.Action == diff.Unchanged {
			continue
		}
		if key := optionKey(c.Option); m.skipped[key] != nil {
			x.refused.skipped = setIn(x.refused.skipped, key, m.skipped[key])
		}
	}
}

// knownOptions are the collection option changes remembered as all
// refused; nil when the options must be listed.
func (x *executor) knownOptions() []diff.OptionChange {
	m := x.memory()
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.options)
}

// remember keeps what this run's server refused, for the next Init. The
// collection options are those of the run's last listing, which is what
// the next run would list: after a collection was created without the
// options the server refused, its next run already sends nothing more.
func (x *executor) remember() {
	m := x.memory()
	if m == nil || x.cfg.dryRun || x.last == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !sameSkipped(m.skipped, x.refused.skipped) {
		m.skipped = map[string]*outcome.IndexResult{}
		for k, v := range x.refused.skipped {
			if v.Outcome == outcome.Skipped {
				m.skipped[k] = v
			}
		}
	}
	m.options = nil
	options := x.last.options
	allRefused := len(options) > 0 && !slices.ContainsFunc(options, func(c diff.OptionChange) bool {
		return c.Action == diff.Create || !x.refused.optionSkipped(c.Option)
	})
	// A listing that shaped the comparison (a time series collection, a
	// default collation) is needed again at the next run.
	if allRefused && !x.last.shapedByCollection {
		m.options = slices.Clone(options)
	}
}

// sameSkipped reports that the run's skipped results are those
// remembered: in the steady state nothing is written again.
func sameSkipped(remembered, run map[string]*outcome.IndexResult) bool {
	n := 0
	for k, v := range run {
		if v.Outcome != outcome.Skipped {
			continue
		}
		n++
		if r, ok := remembered[k]; !ok || r.Reason != v.Reason || !slices.Equal(r.Options, v.Options) || r.Name != v.Name {
			return false
		}
	}
	return n == len(remembered)
}
