package query

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tagodm/tagodm/odm/internal/schema"
)

// QueryRecorder records the query shape of every filter the repositories
// run while it is active (reads, and the filters of updates, replaces,
// deletes and Modify), with how the model's declared indexes serve it
// (Cover). A test suite starts one, runs, and asks for the queries no
// index serves and the sorts done in memory:
//
//	func TestMain(m *testing.M) {
//		rec := odm.RecordQueries()
//		code := m.Run()
//		rec.Stop()
//		rec.WriteReport(os.Stdout)
//		os.Exit(code)
//	}
//
// or, within one test, rec.Check(t, true) fails the test on an unserved
// query. Recording costs a map lookup and the coverage of each new shape
// per call; it is meant for tests.
type QueryRecorder struct {
	prev    *QueryRecorder
	mu      sync.Mutex
	queries map[string]*RecordedQuery
	order   []string
}

// RecordedQuery is one query shape a repository ran, with how the
// declared indexes serve it.
type RecordedQuery struct {
	Collection string `json:"collection"`
	GoType     string `json:"goType"`
	// Op is the repository's operation: "find", "count", "distinct",
	// "update", "replace", "delete" or "modify".
	Op string `json:"op"`
	// Shape is the first query of this shape (its values included).
	Shape    QueryShape `json:"shape"`
	Coverage Coverage   `json:"coverage"`
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
func shapeString(q QueryShape) string {
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

var ActiveRecorder atomic.Pointer[QueryRecorder]

// RecordQueries starts recording the queries of every repository, until
// Stop. Recorders nest: the latest records, and Stop gives recording back
// to the one before.
func RecordQueries() *QueryRecorder {
	r := &QueryRecorder{queries: map[string]*RecordedQuery{}}
	r.prev = ActiveRecorder.Swap(r)
	return r
}

// Stop ends the recording; what was recorded stays readable.
func (r *QueryRecorder) Stop() {
	ActiveRecorder.CompareAndSwap(r, r.prev)
}

// Record adds one query to r.
func Record(r *QueryRecorder, m *schema.Model, collection, op string, filter any, parts QueryParts) {
	q, err := ShapeOf(filter, parts.Sort, parts.Collation)
	if err != nil {
		return // the driver answers what is not a document
	}
	cov := Cover(m, q)
	key := collection + "\x00" + op + "\x00" + shapeString(q) + "\x00" + cov.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if got, ok := r.queries[key]; ok {
		got.Count++
		return
	}
	r.queries[key] = &RecordedQuery{Collection: collection, GoType: m.Type.String(), Op: op, Shape: q, Coverage: cov, Count: 1}
	r.order = append(r.order, key)
}

// Queries are the recorded shapes in the order first run.
func (r *QueryRecorder) Queries() []RecordedQuery {
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
func (r *QueryRecorder) Unserved() []RecordedQuery {
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
func (r *QueryRecorder) WriteReport(w io.Writer) error {
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

// TestingT is what Check needs of a *testing.T.
type TestingT interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Check logs every unserved shape; with fail, each one is a test error.
// It reports whether every shape was served.
func (r *QueryRecorder) Check(t TestingT, fail bool) bool {
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
