package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
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

// TestBuildProgressUnnamed: a server that lists a createIndexes with its
// collection only (FerretDB v2 on DocumentDB: no indexes, no progress, no
// msg) gives one event a poll, running for as long as Init has waited,
// with no percentage and no other process's start; operations that name
// the indexes are reported as they are, and the unnamed ones then add
// nothing.
func TestBuildProgressUnnamed(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := sent.Add(3 * time.Second)
	w := &buildWatch{coll: "c", names: []string{"a_1", "b_1"}, sent: sent}
	var unnamed buildOp
	require.True(t, unnamed.unnamed())
	p := w.running(now)
	assert.Equal(t, outcome.Progress{Collection: "c", Indexes: []string{"a_1", "b_1"}, Percent: -1, Elapsed: 3 * time.Second}, p)
	assert.Equal(t, "c a_1,b_1: running after 3s", p.String())
	assert.True(t, w.other.IsZero())

	var named buildOp
	raw, err := bson.Marshal(bson.D{{Key: "command", Value: bson.D{
		{Key: "indexes", Value: bson.A{bson.D{{Key: "name", Value: "a_1"}}}},
	}}})
	require.NoError(t, err)
	require.NoError(t, bson.Unmarshal(raw, &named))
	assert.False(t, named.unnamed())
}
