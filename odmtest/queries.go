package odmtest

import (
	"testing"

	"github.com/tagodm/tagodm/odm/query"
)

// Unserved says what RecordQueries does about a query no declared index
// serves.
type Unserved int

const (
	// LogUnserved logs each unserved query with t.Logf.
	LogUnserved Unserved = iota
	// FailUnserved makes each unserved query a test error (t.Errorf).
	FailUnserved
)

// RecordQueries records the query shape of every filter the repositories
// run from now until the test ends (query.RecordQueries), and then
// reports each shape no declared index serves: one that reads every
// document or sorts in memory. With FailUnserved each one fails the test,
// with LogUnserved it is logged.
//
// The recorder is returned for tests that inspect what was recorded
// (Queries, Unserved, WriteReport); it is stopped by the test's Cleanup,
// before the report. A recorder sees the queries of every repository of
// the process, so the queries of tests running in parallel with t (see
// t.Parallel) are recorded too.
func RecordQueries(t testing.TB, mode Unserved) *query.Recorder {
	t.Helper()
	rec := query.RecordQueries()
	t.Cleanup(func() {
		t.Helper() // messages name the line that called RecordQueries
		rec.Stop()
		rec.Check(t, mode == FailUnserved)
	})
	return rec
}
