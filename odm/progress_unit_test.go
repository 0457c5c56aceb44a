package odm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPhase: the server's message without the counts it repeats.
func TestPhase(t *testing.T) {
	for _, tt := range []struct{ msg, want string }{
		{"Index Build: scanning collection Index Build: scanning collection: 16472/100000 16%", "Index Build: scanning collection"},
		{"Index Build: draining writes", "Index Build: draining writes"},
		{"Index Build: inserting keys from external sorter into index: 10/20 50%", "Index Build: inserting keys from external sorter into index"},
		{"", ""},
	} {
		assert.Equal(t, tt.want, phase(tt.msg), tt.msg)
	}
}

// TestBuildProgress: done over total, and a build running since before
// Init sent its command is another process's, with its start.
func TestBuildProgress(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := sent.Add(10 * time.Second)
	type counts = struct {
		Done  float64 `bson:"done"`
		Total float64 `bson:"total"`
	}
	for _, tt := range []struct {
		name    string
		op      buildOp
		percent float64
		other   time.Time
	}{
		{name: "own build", op: buildOp{Msg: "Index Build: scanning collection", Progress: &counts{Done: 25, Total: 200}, Running: (9 * time.Second).Microseconds()}, percent: 12.5},
		{name: "no counts", op: buildOp{Msg: "Index Build: draining writes", Running: time.Second.Microseconds()}, percent: -1},
		{name: "another process's", op: buildOp{Progress: &counts{Done: 1, Total: 4}, Running: (70 * time.Second).Microseconds()},
			percent: 25, other: now.Add(-70 * time.Second)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &buildWatch{coll: "c", names: []string{"a_1"}, sent: sent}
			p := w.progress(tt.op, now)
			assert.Equal(t, "c", p.Collection)
			assert.Equal(t, []string{"a_1"}, p.Indexes)
			assert.Equal(t, 10*time.Second, p.Elapsed)
			assert.InDelta(t, tt.percent, p.Percent, 1e-9)
			assert.True(t, tt.other.Equal(p.OtherStarted), "%v", p.OtherStarted)
			assert.True(t, tt.other.Equal(w.other))
		})
	}
}
