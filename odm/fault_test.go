package odm_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
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

// faultyClient connects through a proxy and calls onCommand before each
// command it sends (by name), so that a test can fail the network at a
// chosen step.
func faultyClient(t *testing.T, p *testrig.Proxy, onCommand func(name string)) *mongo.Client {
	t.Helper()
	var mu sync.Mutex
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		onCommand(e.CommandName)
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(p.URI()).SetMonitor(mon).
		SetServerSelectionTimeout(2 * time.Second).SetConnectTimeout(2 * time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// TestInitStopsAtItsDeadlineWhenTheServerHangs: the server stops answering
// in the middle of Init; Init returns within its deadline with a clear
// error, and a run after the fault converges.
func TestInitStopsAtItsDeadlineWhenTheServerHangs(t *testing.T) {
	p := testrig.StartProxy(t)
	var stalled atomic.Bool
	c := faultyClient(t, p, func(name string) {
		if name == "createIndexes" && stalled.CompareAndSwap(false, true) {
			p.Stall()
		}
	})
	db := testrig.Database(t, c)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := odm.Init(ctx, db, plainModel{}, auditModel{})
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.True(t, stalled.Load(), "the fault happened mid-run")
	assert.Less(t, elapsed, 4*time.Second, "Init returns at its deadline, not later")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Regexp(t, `collection (orders|audit_model)`, err.Error())

	p.Resume()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	report, err := odm.Init(ctx2, db, plainModel{}, auditModel{})
	require.NoError(t, err)
	plan, err := odm.Plan(ctx2, db, plainModel{}, auditModel{})
	require.NoError(t, err)
	assert.Zero(t, plan.Pending(), "converged after the fault")
	assert.Positive(t, report.Count(outcome.Created)+report.Count(outcome.Existed))
}

// TestInitRetriesADroppedConnection: the connection drops as Init sends its
// createIndexes; Init retries, with backoff, and converges.
func TestInitRetriesADroppedConnection(t *testing.T) {
	p := testrig.StartProxy(t)
	var drops atomic.Int32
	c := faultyClient(t, p, func(name string) {
		if name == "createIndexes" && drops.Add(1) <= 2 {
			p.DropAll()
		}
	})
	db := testrig.Database(t, c)
	logs := &recordHandler{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	report, err := odm.Init(ctx, db, plainModel{}, odm.Logger(slog.New(logs)), odm.Retries(4, 10*time.Millisecond))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, drops.Load(), int32(3), "two dropped attempts, then one that went through")
	assert.True(t, logs.has(slog.LevelWarn, "odm: retrying", "retry=2"))
	cr, _ := report.Collection("orders")
	assert.Len(t, cr.Names(outcome.Created), 4)
	assert.Len(t, testrig.ListIndexes(t, db.Name(), "orders"), 5)
}

// TestRetriesAreBounded: a network that keeps failing fails Init after the
// configured retries, with the network error.
func TestRetriesAreBounded(t *testing.T) {
	p := testrig.StartProxy(t)
	var creates atomic.Int32
	c := faultyClient(t, p, func(name string) {
		if name == "createIndexes" {
			creates.Add(1)
			p.DropAll()
		}
	})
	db := testrig.Database(t, c)
	_, err := odm.Init(context.Background(), db, plainModel{}, odm.Retries(2, time.Millisecond))
	require.Error(t, err)
	assert.True(t, mongo.IsNetworkError(err) || strings.Contains(err.Error(), "connection"), "%v", err)
	assert.Equal(t, int32(3), creates.Load(), "one try and two retries")
}

// TestAnInterruptedRebuildIsCompletedByTheNextInit: the network fails
// between a rebuild's drop and its create; the next Init creates the index.
func TestAnInterruptedRebuildIsCompletedByTheNextInit(t *testing.T) {
	p := testrig.StartProxy(t)
	var dropped atomic.Bool
	c := faultyClient(t, p, func(name string) {
		switch {
		case name == "dropIndexes":
			dropped.Store(true)
		case name == "createIndexes" && dropped.Load():
			p.DropAll()
		}
	})
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err := testrig.Client().Database(db.Name()).Collection("codes").Indexes().CreateOne(ctx,
		mongo.IndexModel{Keys: bson.D{{Key: "code", Value: -1}}, Options: options.Index().SetName("idx_code")})
	require.NoError(t, err)

	_, err = odm.Init(ctx, db, codeModel{}, odm.OnConflict(outcome.ConflictRebuild), odm.Retries(0, 0))
	require.Error(t, err, "the create after the drop failed")
	assert.NotContains(t, testrig.ListIndexes(t, db.Name(), "codes"), "idx_code", "interrupted between drop and create")

	dropped.Store(false)
	report, err := odm.Init(ctx, db, codeModel{})
	require.NoError(t, err)
	cr, _ := report.Collection("codes")
	assert.Equal(t, []string{"idx_code"}, cr.Names(outcome.Created))
	got := testrig.ListIndexes(t, db.Name(), "codes")["idx_code"]
	assert.Equal(t, []string{"code:1"}, got.Keys)
	assert.Equal(t, "true", got.Options["unique"])
}

// TestCredentialsStayOutOfErrorsAndLogs: with a password in the URI and a
// server that does not answer, neither the error nor the log shows it.
func TestCredentialsStayOutOfErrorsAndLogs(t *testing.T) {
	p := testrig.StartProxy(t)
	p.Stall()
	u, err := url.Parse(p.URI())
	require.NoError(t, err)
	u.User = url.UserPassword("svc", "s3cret-pa55")
	c, err := mongo.Connect(options.Client().ApplyURI(u.String()).SetServerSelectionTimeout(time.Second).SetConnectTimeout(time.Second))
	require.NoError(t, err)
	defer c.Disconnect(context.Background())

	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = odm.Init(ctx, c.Database("creds"), plainModel{}, odm.Logger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pa55")
	assert.NotContains(t, logs.String(), "s3cret-pa55")
	assert.NotEmpty(t, logs.String(), "the failure was logged")
}
