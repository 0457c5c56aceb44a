package odm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Init makes db's indexes match what the models declare.
//
// Each argument is a model (a struct value, or a pointer to one, nil
// allowed), a []any of models (registry.All()), or an Option. Init first
// validates every model and sends nothing if any declaration is wrong (the
// error is a *ValidationError listing every problem). Then, for each
// collection, concurrently, it lists the indexes once, compares them with
// the declarations (Diff), and applies what the comparison calls for:
// missing indexes are created in one createIndexes command, options collMod
// can change are changed in place, conflicts are handled by the
// OnConflict policy (by default Init fails on them before changing the
// collection), and undeclared indexes are kept unless DropUndeclared is
// given. A collection whose indexes match gets no command beyond its
// listIndexes. Init is idempotent and safe to run from several processes at
// once.
//
// On error the Report still lists every collection, with index results for
// those that completed; errors of several collections are joined. Server
// refusals are *IndexError, *UnsupportedError, *ConflictError or
// *DuplicateKeysError values wrapping the driver's error where there is one.
func Init(ctx context.Context, db *mongo.Database, args ...any) (*Report, error) {
	cfg := defaults()
	var models []any
	splitArgs(args, &cfg, &models)
	start := time.Now()
	switch cfg.onConflict {
	case ConflictFail, ConflictRebuild, ConflictKeep:
	default:
		return nil, fmt.Errorf("odm: unknown conflict policy %q", cfg.onConflict)
	}
	cols, err := collect(models)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("odm: a database is needed, got nil")
	}
	if err := checkNamespaces(db.Name(), cols); err != nil {
		return nil, err
	}

	report := &Report{
		Collections: make([]CollectionReport, len(cols)),
		Plan: &IndexPlan{OnConflict: cfg.onConflict, DropUndeclared: cfg.dropUndeclared, HideUndeclared: cfg.hideUndeclared,
			Collections: make([]CollectionPlan, len(cols))},
	}
	errs := make([]error, len(cols))
	server := &serverInfo{db: db}
	sem := make(chan struct{}, cfg.concurrency)
	var wg sync.WaitGroup
	for i, c := range cols {
		report.Collections[i] = CollectionReport{Collection: c.collection}
		report.Plan.Collections[i] = CollectionPlan{Collection: c.collection}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("odm: collection %s: %w", c.collection, ctx.Err())
			report.Collections[i].Failed, report.Collections[i].Error = true, errs[i].Error()
			report.Plan.Collections[i].Error = errs[i].Error()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			report.Collections[i], report.Plan.Collections[i], errs[i] = newExecutor(cfg, db, c, server).run(ctx)
			report.Plan.Collections[i].Redundant = Redundant(c.collection, c.specs)
			for _, r := range report.Plan.Collections[i].Redundant {
				cfg.logger.LogAttrs(ctx, slog.LevelInfo, "odm: redundant index", slog.String("collection", r.Collection),
					slog.String("index", r.Index), slog.String("coveredBy", strings.Join(r.CoveredBy, ",")))
			}
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
	cfg.logger.LogAttrs(ctx, slog.LevelInfo, "odm: init done",
		slog.Int("collections", len(cols)), slog.Int("created", report.Count(Created)),
		slog.Int("pending", report.Plan.Pending()), slog.Bool("dryRun", cfg.dryRun),
		slog.Duration("took", report.Duration))
	return report, errors.Join(errs...)
}

// Plan lists the indexes of every collection the models declare and says
// what Init would do, changing nothing: Init with DryRun. It takes the same
// arguments as Init; the policy options shape the plan's steps.
func Plan(ctx context.Context, db *mongo.Database, args ...any) (*IndexPlan, error) {
	report, err := Init(ctx, db, append(slices.Clip(args), DryRun())...)
	if report == nil {
		return nil, err
	}
	return report.Plan, err
}
