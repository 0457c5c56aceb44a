package odm_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// An OnProgress callback is code of the caller's that the library calls on
// its own goroutines: a panic there must not take the process down.

type buildA struct {
	Code string `bson:"code" odm:"index"`
}

func (buildA) CollectionName() string { return "build_a" }

type buildB struct {
	Code string `bson:"code" odm:"index"`
}

func (buildB) CollectionName() string { return "build_b" }

var errCallback = errors.New("the progress bar is gone")

// TestOnProgressPanicStopsInit: an OnProgress callback that panics, on a
// goroutine of the library's, is recovered. Init stops: the build in
// flight is cancelled, the next collection is not started, the callback
// is not called again, no goroutine of Init's is left, and the error,
// a *PanicError named "OnProgress" with the panic's value and stack, comes
// back with a Report listing every collection as failed. A fake mongos
// answers the $currentOp poll with a build of the index, and the client
// holds the createIndexes until Init's context ends.
func TestOnProgressPanicStopsInit(t *testing.T) {
	for _, tt := range []struct {
		name  string
		panic func()
		value string
		is    error // what errors.Is reaches through the *PanicError
	}{
		{name: "a string", panic: func() { panic("progress bar closed") }, value: "progress bar closed"},
		{name: "an error", panic: func() { panic(errCallback) }, value: errCallback.Error(), is: errCallback},
		{name: "a runtime error", panic: func() {
			var bars map[string]int
			//lint:ignore SA5000 the callback's panic is what the test recovers
			bars["orders"]++
		}, value: "assignment to entry in nil map"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testrig.StartMongos(t, "7.0.14")
			m.Reply("aggregate", bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: "admin.$cmd.aggregate"},
				{Key: "firstBatch", Value: bson.A{bson.D{
					{Key: "msg", Value: "Index Build: scanning collection"},
					{Key: "progress", Value: bson.D{{Key: "done", Value: 1.0}, {Key: "total", Value: 4.0}}},
					{Key: "microsecs_running", Value: int64(1000)},
					{Key: "command", Value: bson.D{{Key: "indexes", Value: bson.A{bson.D{{Key: "name", Value: "code_1"}}}}}},
				}}}}}, {Key: "ok", Value: 1.0}})
			var mu sync.Mutex
			var built []string
			c, err := mongo.Connect(options.Client().ApplyURI(m.URI()).SetMonitor(&event.CommandMonitor{
				Started: func(ctx context.Context, e *event.CommandStartedEvent) {
					if e.CommandName != "createIndexes" {
						return
					}
					mu.Lock()
					built = append(built, e.Command.Lookup("createIndexes").StringValue())
					mu.Unlock()
					select { // a long build, until Init stops
					case <-ctx.Done():
					case <-time.After(20 * time.Second):
					}
				}}))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
			db := testrig.Database(t, c)

			var calls atomic.Int32
			start := time.Now()
			report, err := odm.Init(context.Background(), db, buildA{}, buildB{}, odm.Concurrency(1),
				odm.ProgressEvery(50*time.Millisecond, 100*time.Millisecond),
				odm.OnProgress(func(outcome.Progress) { calls.Add(1); tt.panic() }))
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second, "Init stopped instead of waiting for the build")

			var pe *outcome.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "OnProgress", pe.Func)
			assert.Empty(t, pe.GoType, "a callback, not a model's method")
			assert.Equal(t, tt.value, fmt.Sprint(pe.Value))
			assert.Contains(t, string(pe.Stack), "TestOnProgressPanicStopsInit", "the stack shows where it panicked")
			assert.ErrorContains(t, err, "odm: collection build_a: OnProgress panicked: "+tt.value+"; Init stopped")
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			var re runtime.Error
			assert.Equal(t, tt.name == "a runtime error", errors.As(err, &re))

			assert.Equal(t, int32(1), calls.Load(), "not called again once it panicked")
			mu.Lock()
			assert.Equal(t, []string{"build_a"}, built, "the next collection was not started")
			mu.Unlock()
			require.NotNil(t, report)
			require.Len(t, report.Collections, 2)
			for _, cr := range report.Collections {
				assert.True(t, cr.Failed, "%s: not reported done", cr.Collection)
				assert.NotEmpty(t, cr.Error, cr.Collection)
			}
			require.Eventually(t, func() bool { return !initRunning() }, 5*time.Second, 10*time.Millisecond,
				"a goroutine of Init's is left:\n%s", stacks())
		})
	}
}

// initRunning reports a goroutine in Init's engine: a worker or a build
// watch.
func initRunning() bool {
	return strings.Contains(stacks(), "tagodm/odm/internal/engine.")
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
