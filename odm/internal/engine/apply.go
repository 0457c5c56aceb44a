package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/tagodm/tagodm/odm/internal/outcome"
	"github.com/tagodm/tagodm/odm/internal/schema"
	"github.com/tagodm/tagodm/odm/internal/shard"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Apply brings every collection of cols to its declarations, concurrently
// (at most cfg.concurrency at once), and reports what it did. On error the
// report still lists every collection; errors of several collections are
// joined. The report's duration counts from start.
func Apply(ctx context.Context, cfg Config, db *mongo.Database, cols []*schema.Declared, start time.Time) (*outcome.Report, error) {
	report := &outcome.Report{
		Collections: make([]outcome.CollectionReport, len(cols)),
		Plan: &outcome.IndexPlan{OnConflict: cfg.OnConflict, DropUndeclared: cfg.dropUndeclared, HideUndeclared: cfg.hideUndeclared,
			Collections: make([]outcome.CollectionPlan, len(cols))},
	}
	errs := make([]error, len(cols))
	sess, err := shard.Begin(ctx, cfg.Shard, db, cols, cfg.skipUnsupported, cfg.dryRun)
	if err != nil {
		return nil, err
	}
	server := &ServerInfo{DB: db, Shard: sess}
	sem := make(chan struct{}, cfg.concurrency)
	var wg sync.WaitGroup
	for i, c := range cols {
		report.Collections[i] = outcome.CollectionReport{Collection: c.Collection}
		report.Plan.Collections[i] = outcome.CollectionPlan{Collection: c.Collection}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("odm: collection %s: %w", c.Collection, ctx.Err())
			report.Collections[i].Failed, report.Collections[i].Error = true, errs[i].Error()
			report.Plan.Collections[i].Error = errs[i].Error()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			report.Collections[i], report.Plan.Collections[i], errs[i] = newExecutor(cfg, db, c, server).run(ctx)
			if errs[i] == nil { // search indexes (search_sync.go): no command when none declared
				errs[i] = syncSearch(ctx, cfg, db, c, &report.Collections[i], &report.Plan.Collections[i])
				if errs[i] != nil {
					report.Collections[i].Failed, report.Collections[i].Error = true, errs[i].Error()
				}
			}
		}()
	}
	wg.Wait()
	sort.Slice(report.Collections, func(i, j int) bool {
		return report.Collections[i].Collection < report.Collections[j].Collection
	})
	sort.Slice(report.Plan.Collections, func(i, j int) bool {
		return report.Plan.Collections[i].Collection < report.Plan.Collections[j].Collection
	})
	report.Duration = time.Since(start)
	cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "odm: init done",
		slog.Int("collections", len(cols)), slog.Int("created", report.Count(outcome.Created)),
		slog.Int("pending", report.Plan.Pending()), slog.Bool("dryRun", cfg.dryRun),
		slog.Duration("took", report.Duration))
	return report, errors.Join(errs...)
}
