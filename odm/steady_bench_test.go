package odm_test

import (
	"context"
	"fmt"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// steadyModel has five indexes every server at hand keeps; odm.In places
// it in as many collections as a benchmark needs.
type steadyModel struct {
	Key    string    `bson:"key" odm:"uniqueIndex"`
	Owner  string    `bson:"owner" odm:"index:idx_owner_at,priority:1"`
	At     time.Time `bson:"at" odm:"index:idx_owner_at,priority:2,sort:desc"`
	Status string    `bson:"status" odm:"index"`
	Kind   string    `bson:"kind" odm:"index"`
}

// BenchmarkSteadyInit measures Init on a database already in place against
// its floor: the bare driver listing every collection's indexes
// concurrently and decoding them, which is all a steady-state Init must
// send. The two alternate within each iteration, in turns; it reports the median of
// the per-round wall-clock ratios ("init/floor") and the client CPU time
// Init spends per collection beyond the floor's ("cpu-µs/coll"): the cost
// of describing, comparing and planning. The server runs in another
// process, so process CPU time is the client's alone.
func BenchmarkSteadyInit(b *testing.B) {
	b.Run("reference", func(b *testing.B) {
		declared, err := odm.Declared(registry.All())
		require.NoError(b, err)
		var names []string
		for name := range declared {
			names = append(names, name)
		}
		benchSteady(b, names, registry.All(), odm.SkipUnsupported())
	})
	for _, n := range []int{16, 1000} {
		b.Run(fmt.Sprintf("collections=%d", n), func(b *testing.B) {
			var models []any
			names := make([]string, n)
			for i := range n {
				names[i] = fmt.Sprintf("steady_%04d", i)
				models = append(models, schema.In(names[i], steadyModel{}))
			}
			benchSteady(b, names, models...)
		})
	}
}

// benchSteady measures steady-state Init of models against listAll over
// names, the collections they declare.
func benchSteady(b *testing.B, names []string, models ...any) {
	db := testrig.Database(b, testrig.Client())
	ctx := context.Background()
	models = append(models, odm.Concurrency(8))
	_, err := odm.Init(ctx, db, models...)
	require.NoError(b, err)
	floor := func() error { return listAll(ctx, db, names, 8) }
	var ratios []float64
	var initCPU, floorCPU time.Duration
	b.ResetTimer()
	measure := func(f func() error) (wall, cpu time.Duration) {
		c0, t0 := cpuTime(), time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), cpuTime() - c0
	}
	// Labels let a CPU profile of this benchmark tell the two sides apart
	// (go tool pprof -tagfocus side=init).
	init := labelled("init", func() error { _, err := odm.Init(ctx, db, models...); return err })
	floor = labelled("floor", floor)
	round := 0
	for b.Loop() {
		// Each side goes first every other round: neither always runs on
		// what the other left behind.
		var iw, ic, fw, fc time.Duration
		if round%2 == 0 {
			iw, ic = measure(init)
			fw, fc = measure(floor)
		} else {
			fw, fc = measure(floor)
			iw, ic = measure(init)
		}
		round++
		ratios = append(ratios, float64(iw)/float64(fw))
		initCPU += ic
		floorCPU += fc
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "init/floor")
	b.ReportMetric(float64((initCPU-floorCPU).Microseconds())/float64(b.N*len(names)), "cpu-µs/coll")
}

// labelled runs f under the pprof label side=name.
func labelled(name string, f func() error) func() error {
	return func() (err error) {
		pprof.Do(context.Background(), pprof.Labels("side", name), func(context.Context) { err = f() })
		return err
	}
}

// listAll lists every collection's indexes, at most limit at once: the
// work Init cannot avoid in the steady state.
func listAll(ctx context.Context, db *mongo.Database, names []string, limit int) error {
	sem := make(chan struct{}, limit)
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = listIndexes(ctx, db.Collection(name))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// listIndexes lists a collection's indexes and keeps a copy of each
// document: the least a client can do to hold the listing (the cursor
// reuses its buffer), cheaper than decoding with Cursor.All.
func listIndexes(ctx context.Context, coll *mongo.Collection) error {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	var all []bson.Raw
	for cur.Next(ctx) {
		all = append(all, append(bson.Raw(nil), cur.Current...))
	}
	_ = all
	return cur.Err()
}
