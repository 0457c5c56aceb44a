package odm_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// poll is one currentOp request Init sent, and when.
type poll struct {
	at   time.Time
	name string
	body bson.Raw
}

// TestProgressPollsCurrentOp: a createIndexes held for longer than the
// threshold (the client waits before sending it) makes Init poll the
// admin database's $currentOp, filtered to its own builds on the
// namespace, first after the threshold and then every interval, and never
// after the command returned. Where the server refuses the $currentOp
// stage, the currentOp command carries the same filter.
func TestProgressPollsCurrentOp(t *testing.T) {
	const hold, threshold, interval = 900 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond
	var mu sync.Mutex
	var polls []poll
	var creates []time.Time
	c := testrig.HookedClient(t, func(name string, cmd bson.Raw) {
		switch name {
		case "createIndexes":
			mu.Lock()
			creates = append(creates, time.Now())
			mu.Unlock()
			time.Sleep(hold)
		case "aggregate", "currentOp":
			if db, _ := cmd.Lookup("$db").StringValueOK(); db == "admin" {
				mu.Lock()
				polls = append(polls, poll{at: time.Now(), name: name, body: append(bson.Raw(nil), cmd...)})
				mu.Unlock()
			}
		}
	})
	db := testrig.Database(t, c)
	logs := &recordHandler{}
	var events []outcome.Progress
	_, err := odm.Init(context.Background(), db, codeModel{}, odm.ProgressEvery(threshold, interval),
		odm.Logger(slog.New(logs)), odm.OnProgress(func(p outcome.Progress) { events = append(events, p) }))
	require.NoError(t, err)
	returned := time.Now()
	time.Sleep(2 * interval)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, creates, 1)
	wantFilter := fmt.Sprintf(`{"ns": "%s.codes", "command.createIndexes": "codes", "$or": [{"command.indexes.name": {"$in": ["idx_code"]}}, {"command.indexes": {"$exists": false}}]}`, db.Name())
	for i, p := range polls {
		switch p.name {
		case "aggregate":
			stages, err := p.body.Lookup("pipeline").Array().Values()
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(stages), 2)
			assert.JSONEq(t, `{"$currentOp": {"allUsers": true, "idleConnections": false}}`, stages[0].Document().String())
			assert.JSONEq(t, `{"$match": `+wantFilter+`}`, stages[1].Document().String())
			assert.EqualValues(t, 1, p.body.Lookup("aggregate").AsInt64(), "aggregate: 1 on the admin database")
		case "currentOp":
			require.Positive(t, i, "the command only after the stage was refused")
			assert.Equal(t, "aggregate", polls[0].name, "the stage is tried first")
			var filter bson.D
			require.NoError(t, bson.Unmarshal(p.body, &filter))
			var got bson.D
			for _, e := range filter {
				if e.Key != "currentOp" && (e.Key[0] != '$' || e.Key == "$or") && e.Key != "lsid" { // less what the driver adds
					got = append(got, e)
				}
			}
			gotJSON, err := bson.MarshalExtJSON(got, false, false)
			require.NoError(t, err)
			assert.JSONEq(t, wantFilter, string(gotJSON))
		}
		assert.True(t, p.at.Before(returned), "no poll after the command returned")
	}
	// A poll is one request, or the stage refused and the command right
	// after it.
	var rounds []time.Time
	for i, p := range polls {
		if i == 0 || !(p.name == "currentOp" && polls[i-1].name == "aggregate") {
			rounds = append(rounds, p.at)
		}
	}
	require.GreaterOrEqual(t, len(rounds), 3, "polled at the threshold, then every interval")
	assert.GreaterOrEqual(t, rounds[0].Sub(creates[0]), threshold-10*time.Millisecond, "not before the threshold (the watch starts just before the command is sent)")
	for i := 1; i < len(rounds); i++ {
		assert.GreaterOrEqual(t, rounds[i].Sub(rounds[i-1]), interval-10*time.Millisecond, "every interval")
	}
	// The client held the command, so the server had no build to list: a
	// debug entry says so, once.
	if len(events) == 0 {
		assert.Len(t, debugEntries(logs), 1, "one debug entry for the Init")
	}
}

// debugEntries are the log entries saying the server gives no progress.
func debugEntries(logs *recordHandler) []string {
	var out []string
	for _, r := range logs.all() {
		if strings.HasPrefix(r, "DEBUG odm: no index build progress") {
			out = append(out, r)
		}
	}
	return out
}

// fill inserts n small documents into coll in batches.
func fill(t testing.TB, coll *mongo.Collection, n int) {
	t.Helper()
	const batch = 10000
	for i := 0; i < n; i += batch {
		docs := make([]any, min(batch, n-i))
		for j := range docs {
			k := i + j
			docs[j] = bson.D{{Key: "n", Value: int32(k)}, {Key: "s", Value: int32(k * 7919 % 1000003)}}
		}
		_, err := coll.InsertMany(context.Background(), docs, options.InsertMany().SetOrdered(false))
		require.NoError(t, err)
	}
}

// scoreModel declares three indexes, built by one createIndexes: three
// times the build for one filling of the collection.
type scoreModel struct {
	N int32 `bson:"n" odm:"index;index:idx_s_n,priority:2"`
	S int32 `bson:"s" odm:"index;index:idx_s_n,priority:1"`
}

func (scoreModel) CollectionName() string { return "scores" }

// TestProgressOnALargeBuild builds three indexes on a collection of
// 400,000 documents, large enough for the build to take longer than the
// threshold and an interval, and sees the progress events, each with the
// time Init has waited; or, where the server lists no build in
// $currentOp, the one debug entry saying so.
func TestProgressOnALargeBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a large collection; skipped with -short")
	}
	db := testrig.Database(t, nil)
	fill(t, db.Collection("scores"), 400000)

	const threshold, interval = 100 * time.Millisecond, 200 * time.Millisecond
	logs := &recordHandler{}
	var mu sync.Mutex
	var events []outcome.Progress
	report, err := odm.Init(context.Background(), db, scoreModel{}, odm.ProgressEvery(threshold, interval),
		odm.Logger(slog.New(logs)), odm.OnProgress(func(p outcome.Progress) {
			mu.Lock()
			events = append(events, p)
			mu.Unlock()
		}))
	require.NoError(t, err)
	cr, _ := report.Collection("scores")
	require.ElementsMatch(t, []string{"n_1", "s_1", "idx_s_n"}, cr.Names(outcome.Created))
	build := cr.Indexes[0].BuildTime
	for _, r := range cr.Indexes {
		assert.Equal(t, build, r.BuildTime, "one command built the three")
		assert.Nil(t, r.OtherBuildStarted, "nobody else was building them")
	}
	require.Greater(t, build, threshold+interval, "the build outlasted the threshold and an interval")

	mu.Lock()
	defer mu.Unlock()
	debug := debugEntries(logs)
	if len(events) == 0 {
		require.Len(t, debug, 1, "no progress: one debug entry says why")
		t.Skipf("%s lists no index build in $currentOp (%s): the build took %v and the debug entry was checked instead",
			testrig.Server(), debug[0], build)
	}
	for i, p := range events {
		assert.Equal(t, "scores", p.Collection)
		assert.ElementsMatch(t, []string{"n_1", "s_1", "idx_s_n"}, p.Indexes)
		assert.True(t, p.OtherStarted.IsZero())
		assert.GreaterOrEqual(t, p.Elapsed, threshold, "not before the threshold")
		assert.LessOrEqual(t, p.Elapsed, build+10*time.Millisecond, "only while the command ran (the watch starts just before the command is sent)")
		if i > 0 {
			assert.Greater(t, p.Elapsed, events[i-1].Elapsed, "the elapsed time grows")
		}
		if p.Total > 0 {
			assert.InDelta(t, 100*float64(p.Done)/float64(p.Total), p.Percent, 0.01)
		} else {
			assert.Equal(t, -1.0, p.Percent, "no count, no percentage")
		}
	}
	t.Logf("%s: %d progress events over a %v build; last: %s", testrig.Server(), len(events), build, events[len(events)-1])
	assert.True(t, logs.has(slog.LevelInfo, "odm: index build progress", "idx_s_n"))
}

// BenchmarkIndexBuildPolling builds the same three indexes with progress
// polling off and on (from the first millisecond, every interval),
// alternately and in alternating order, and reports the ratio of the
// median build times: 1.00 means polling costs nothing.
func BenchmarkIndexBuildPolling(b *testing.B) {
	db := testrig.Database(b, nil)
	coll := db.Collection("scores")
	fill(b, coll, 100000)
	ctx := context.Background()
	build := func(opts ...any) time.Duration {
		require.NoError(b, coll.Indexes().DropAll(ctx))
		report, err := odm.Init(ctx, db, append(opts, scoreModel{})...)
		require.NoError(b, err)
		cr, _ := report.Collection("scores")
		require.Len(b, cr.Names(outcome.Created), 3)
		return cr.Indexes[0].BuildTime
	}
	for _, every := range []time.Duration{100 * time.Millisecond, time.Second} {
		b.Run("every="+every.String(), func(b *testing.B) {
			var off, on []time.Duration
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					off = append(off, build(odm.ProgressEvery(0, 0)))
				}
				on = append(on, build(odm.ProgressEvery(time.Millisecond, every)))
				if i%2 == 1 {
					off = append(off, build(odm.ProgressEvery(0, 0)))
				}
			}
			slices.Sort(off)
			slices.Sort(on)
			b.ReportMetric(float64(on[len(on)/2])/float64(off[len(off)/2]), "ratio")
			b.ReportMetric(float64(off[len(off)/2].Milliseconds()), "ms/build")
		})
	}
}
