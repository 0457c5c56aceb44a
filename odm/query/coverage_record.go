package query

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/tagodm/tagodm/odm/internal/recording"
)

// Recorder records the query shape of every filter the repositories
// run while it is active (reads, and the filters of updates, replaces,
// deletes and Modify), with how the model's declared indexes serve it
// (Cover). A test suite starts one, runs, and asks for the queries no
// index serves and the sorts done in memory:
//
//	func TestMain(m *testing.M) {
//		rec := query.RecordQueries()
//		code := m.Run()
//		rec.Stop()
//		rec.WriteReport(os.Stdout)
//		os.Exit(code)
//	}
//
// or, within one test, rec.Check(t, true) fails the test on an unserved
// query. Recording costs a map lookup and the coverage of each new shape
// per call; it is meant for tests.
type Recorder struct {
	mu      sync.Mutex
	stopped bool
	queries map[string]*RecordedQuery
	order   []string
}

// RecordedQuery is one query shape a repository ran, with how the
// declared indexes serve it.
type RecordedQuery struct {
	Collection string `json:"collection"`
	GoType     string `json:"goType"`
	// Op is the repository's operation: "find", "count", "distinct",
	// "aggregate" (its leading $match and $sort), "update", "replace",
	// "delete" or "modify".
	Op string `json:"op"`
	// Shape is the first query of this shape (its values included).
	Shape    Shape    `json:"shape"`
	Coverage Coverage `json:"coverage"`
	// Count is the number of calls with this shape and coverage.
	Count int `json:"count"`
}

// String is one line: collection, op, the shape, its coverage.
func (q RecordedQuery) String() string {
	return fmt.Sprintf("%s %s %s: %s", q.Collection, q.Op, shapeString(q.Shape), q.Coverage)
}

// shapeString renders a shape without its values:
// "{user_id: $eq, created_at: $gte} sort {created_at: -1}", an $or's
// branches after the conditions: "{status: $eq, $or: [{a: $eq}, {b:
// $gt}]}".
func shapeString(q Shape) string {
	var b strings.Builder
	b.WriteString("{")
	writeConditions(&b, q.Conditions)
	if len(q.Or) > 0 {
		if len(q.Conditions) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$or: [")
		for i, branch := range q.Or {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("{")
			writeConditions(&b, branch)
			b.WriteString("}")
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	if len(q.Sort) > 0 {
		b.WriteString(" sort {")
		for i, k := range q.Sort {
			if i > 0 {
				b.WriteString(", ")
			}
			dir := "1"
			if k.Desc {
				dir = "-1"
			}
			b.WriteString(k.Path + ": " + dir)
		}
		b.WriteString("}")
	}
	if q.Collation != nil && q.Collation.Locale != "" {
		b.WriteString(" collation " + q.Collation.Locale)
	}
	return b.String()
}

// writeConditions writes "path: $op, ...".
func writeConditions(b *strings.Builder, conds []Condition) {
	for i, c := range conds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Path + ": " + c.Op)
	}
}

// recorderSet is the recorders running at one moment. It is never
// changed once installed: starting or stopping a recorder installs a new
// set's hook (recording.Install), so that a query reads the running
// recorders with one atomic load.
type recorderSet struct {
	running []*Recorder
}

// running is the set whose hook is installed; nil when none runs. Only
// starts and stops read or replace it, under recordersMu.
var running *recorderSet

// recordersMu orders the starts and stops that replace running.
var recordersMu sync.Mutex

// install makes rs the running set and its record the hook; an empty set
// removes the hook.
func install(rs []*Recorder) {
	if len(rs) == 0 {
		running = nil
		recording.Install(nil)
		return
	}
	running = &recorderSet{running: rs}
	recording.Install(running.record)
}

// RecordQueries starts recording the queries of every repository, until
// Stop. Recorders nest, in any order: every running recorder records
// every query (one started around another sees its queries too), and a
// stopped one records nothing more, whichever of them stops first. Safe
// for concurrent use.
func RecordQueries() *Recorder {
	r := &Recorder{queries: map[string]*RecordedQuery{}}
	recordersMu.Lock()
	defer recordersMu.Unlock()
	var rs []*Recorder
	if running != nil {
		rs = running.running
	}
	// Clip: append copies, leaving the installed set as it was.
	install(append(slices.Clip(rs), r))
	return r
}

// Stop ends the recording, whether other recorders started after r run
// or not; what was recorded stays readable. Stopping twice is stopping
// once.
func (r *Recorder) Stop() {
	recordersMu.Lock()
	if running != nil {
		if i := slices.Index(running.running, r); i >= 0 {
			install(slices.Delete(slices.Clone(running.running), i, i+1))
		}
	}
	recordersMu.Unlock()
	// A query that loaded the hook before the install above adds nothing
	// once Stop has returned.
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// record adds one query to every recorder of the set: its shape and
// coverage are read once.
func (s *recorderSet) record(rq recording.Query) {
	q, err := ShapeOf(rq.Filter, rq.Sort, rq.Collation)
	if err != nil {
		return // the driver answers what is not a document
	}
	cov := Cover(rq.Model, q)
	key := rq.Collection + "\x00" + rq.Op + "\x00" + shapeString(q) + "\x00" + cov.String()
	for _, r := range s.running {
		r.add(key, RecordedQuery{Collection: rq.Collection, GoType: rq.Model.Type.String(), Op: rq.Op, Shape: q, Coverage: cov})
	}
}

// add counts one query of the shape key, unless r is stopped.
func (r *Recorder) add(key string, q RecordedQuery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	if got, ok := r.queries[key]; ok {
		got.Count++
		return
	}
	q.Count = 1
	r.queries[key] = &q
	r.order = append(r.order, key)
}

// Queries are the recorded shapes in the order first run.
func (r *Recorder) Queries() []RecordedQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]RecordedQuery, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, *r.queries[k])
	}
	return out
}

// Unserved are the recorded shapes that read every document (no index
// bounds the filter) or sort in memory, sorted by collection.
func (r *Recorder) Unserved() []RecordedQuery {
	var out []RecordedQuery
	for _, q := range r.Queries() {
		if !q.Coverage.Served() {
			out = append(out, q)
		}
	}
	slices.SortStableFunc(out, func(a, b RecordedQuery) int { return strings.Compare(a.Collection, b.Collection) })
	return out
}

// WriteReport writes every recorded shape, one a line, the unserved ones
// marked, and a summary.
func (r *Recorder) WriteReport(w io.Writer) error {
	qs := r.Queries()
	unserved := 0
	for _, q := range qs {
		mark := "  "
		if !q.Coverage.Served() {
			mark = "! "
			unserved++
		}
		if _, err := fmt.Fprintf(w, "%s%s (%d×)\n", mark, q, q.Count); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d query shapes, %d not served by an index (scan or sort in memory)\n", len(qs), unserved)
	return err
}

// Check logs every unserved shape on t (a *testing.T or *testing.B);
// with fail, each one is a test error. It reports whether every shape was
// served.
func (r *Recorder) Check(t interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
}, fail bool) bool {
	t.Helper()
	unserved := r.Unserved()
	for _, q := range unserved {
		if fail {
			t.Errorf("odm: query not served by an index: %s", q)
		} else {
			t.Logf("odm: query not served by an index: %s", q)
		}
	}
	return len(unserved) == 0
}
