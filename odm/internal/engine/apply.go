package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Apply brings every collection of cols to its declarations, concurrently
// (at most cfg.concurrency at once), and reports what it did. On error the
// report still lists every collection; errors of several collections are
// joined. The report's duration counts from start.
func Apply(ctx context.Context, cfg Config, db *mongo.Database, cols []*schema.Declared, start time.Time) (*outcome.Report, error) {
	report := &outcome.Report{
		Collections: make([]outcome.CollectionReport, len(cols)),
		Plan:        cfg.EmptyPlan(),
	}
	report.Plan.Collections = make([]outcome.CollectionPlan, len(cols))
	errs := make([]error, len(cols))
	// A callback of the caller's that panics stops the Init through its
	// context (cfg.abort), whose cause is then the error returned.
	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	cfg.abort = abort
	sess, err := sharding.Begin(ctx, cfg.Shard, db, cols, cfg.skipUnsupported, cfg.dryRun)
	if err != nil {
		return nil, err
	}
	server := &ServerInfo{DB: db, Shard: sess}
	for i, c := range cols {
		report.Collections[i] = outcome.CollectionReport{Collection: c.Collection}
		report.Plan.Collections[i] = outcome.CollectionPlan{Collection: c.Collection}
	}
	// A few workers take the collections in order, rather than a goroutine
	// each. A worker grows its stack once, at its start (growStack), and
	// lists each collection itself before the executor starts (listAhead):
	// the two keep it from growing again under the driver.
	// A view waits for the declared collections it reads from.
	for _, wave := range schema.ApplyOrder(cols) {
		next := make(chan int, len(wave))
		for _, i := range wave {
			next <- i
		}
		close(next)
		var wg sync.WaitGroup
		for range min(cfg.concurrency, len(wave)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				growStack()
				for i := range next {
					ahead := listAhead(ctx, db, cols[i], server)
					errs[i] = applyOne(ctx, cfg, ahead, cols[i], server, &report.Collections[i], &report.Plan.Collections[i])
				}
			}()
		}
		wg.Wait()
	}
	slices.SortFunc(report.Collections, func(a, b outcome.CollectionReport) int { return strings.Compare(a.Collection, b.Collection) })
	slices.SortFunc(report.Plan.Collections, func(a, b outcome.CollectionPlan) int { return strings.Compare(a.Collection, b.Collection) })
	report.Duration = time.Since(start)
	if cfg.Logger.Enabled(ctx, slog.LevelInfo) { // the counts walk every collection
		cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "odm: init done",
			slog.Int("collections", len(cols)), slog.Int("created", report.Count(outcome.Created)),
			slog.Int("pending", report.Plan.Pending()), slog.Bool("dryRun", cfg.dryRun),
			slog.Duration("took", report.Duration))
	}
	if stopped := stoppedBy(ctx); stopped != nil {
		return report, errors.Join(append([]error{stopped}, errs...)...)
	}
	return report, errors.Join(errs...)
}

// stoppedBy is the error that stopped the Init of ctx through cfg.abort
// (a callback's *outcome.PanicError, wrapped); nil when none did, ctx
// ending with the caller's or not at all.
func stoppedBy(ctx context.Context) error {
	var pe *outcome.PanicError
	if cause := context.Cause(ctx); ctx.Err() != nil && errors.As(cause, &pe) {
		return cause
	}
	return nil
}

// applyOne brings one collection to its declarations, its search indexes
// last, and fills in its report and plan. A collection not started when
// ctx ends fails with ctx's error.
func applyOne(ctx context.Context, cfg Config, ahead aheadListing, c *schema.Declared, server *ServerInfo, rep *outcome.CollectionReport, plan *outcome.CollectionPlan) error {
	if ctx.Err() != nil {
		err := fmt.Errorf("odm: collection %s: %w", c.Collection, ctx.Err())
		rep.Failed, rep.Error = true, err.Error()
		plan.Error = err.Error()
		return err
	}
	var err error
	x := newExecutorOn(cfg, server.DB, ahead.coll, c, server)
	if c.View != nil { // view.go
		*rep, *plan, err = x.runView(ctx)
		return err
	}
	if ahead.listed {
		x.readAhead = &ahead
	}
	*rep, *plan, err = x.run(ctx)
	if err == nil { // search indexes (search_sync.go): no command when none declared
		if err = syncSearch(ctx, cfg, server.DB, c, rep, plan); err != nil {
			rep.Failed, rep.Error = true, err.Error()
		}
	}
	return err
}

// aheadListing is a collection's first listIndexes, read by its worker
// before the executor starts.
type aheadListing struct {
	coll    *mongo.Collection
	indexes []bson.Raw
	err     error
	listed  bool // false: the executor lists, after the shard key's step
}

// listAhead lists the collection from the worker's own frame, where the
// stack is shallow: the driver's operation path is deep, and under the
// executor's frames it needed a stack twice as big. A collection whose
// shard key comes first (the key's step may build an index) is listed by
// the executor, after that step; so is one whose Init was cancelled,
// which applyOne reports.
func listAhead(ctx context.Context, db *mongo.Database, c *schema.Declared, server *ServerInfo) aheadListing {
	ahead := aheadListing{coll: db.Collection(c.Collection)}
	if ctx.Err() == nil && !server.Shard.Covers(c) && c.View == nil {
		ahead.indexes, ahead.err = listIndexesLike(ctx, ahead.coll, lastListing(c))
		ahead.listed = true
	}
	return ahead
}
