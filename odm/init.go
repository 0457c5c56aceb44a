package odm

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
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
// *DuplicateDataError values wrapping the driver's error where there is one.
//
// A nil ctx or db is an error, before anything is sent. A panic in an
// OnProgress callback stops Init, which returns an error wrapping a
// *PanicError (see OnProgress).
func Init(ctx context.Context, db *mongo.Database, args ...any) (*outcome.Report, error) {
	return initAs(ctx, "Init", db, args)
}

// initAs is Init, its errors about its own arguments naming call.
func initAs(ctx context.Context, call string, db *mongo.Database, args []any) (*outcome.Report, error) {
	if ctx == nil {
		// The workers would panic on it, on goroutines of the library.
		return nil, fmt.Errorf("odm: %s: a context is needed, got nil", call)
	}
	cfg := engine.Defaults()
	var models []any
	splitArgs(args, &cfg, &models)
	start := time.Now()
	switch cfg.OnConflict {
	case outcome.ConflictFail, outcome.ConflictRebuild, outcome.ConflictKeep:
	default:
		return nil, fmt.Errorf("odm: unknown conflict policy %q", cfg.OnConflict)
	}
	cols, err := memo.Collect(models)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, fmt.Errorf("odm: %s: a database is needed, got nil", call)
	}
	if err := schema.CheckNamespaces(db.Name(), cols); err != nil {
		return nil, err
	}
	report, err := engine.Apply(ctx, cfg, db, cols, start)
	if report != nil {
		addRedundant(ctx, cfg.Logger, cols, report.Plan)
	}
	return report, err
}

// addRedundant adds to each collection's plan the declared indexes
// another makes redundant, worked out from the declarations alone, and
// logs them.
func addRedundant(ctx context.Context, logger *slog.Logger, cols []*schema.Declared, plan *outcome.IndexPlan) {
	for _, c := range cols {
		i, found := slices.BinarySearchFunc(plan.Collections, c.Collection, func(p outcome.CollectionPlan, name string) int {
			return strings.Compare(p.Collection, name)
		})
		if !found {
			continue
		}
		p := &plan.Collections[i]
		p.Redundant = redundantIn(c)
		if len(p.Redundant) == 0 || !logger.Enabled(ctx, slog.LevelInfo) {
			continue
		}
		for _, r := range p.Redundant {
			logger.LogAttrs(ctx, slog.LevelInfo, "odm: redundant index", slog.String("collection", r.Collection),
				slog.String("index", r.Index), slog.String("coveredBy", strings.Join(r.CoveredBy, ",")))
		}
	}
}

// Plan lists the indexes of every collection the models declare and says
// what Init would do, changing nothing: Init with DryRun. It takes the same
// arguments as Init; the policy options shape the plan's steps. A nil ctx
// or db is an error.
func Plan(ctx context.Context, db *mongo.Database, args ...any) (*outcome.IndexPlan, error) {
	report, err := initAs(ctx, "Plan", db, append(slices.Clip(args), DryRun()))
	if report == nil {
		return nil, err
	}
	return report.Plan, err
}

// redundantKey is the Memo key of a collection's redundant indexes.
type redundantKey struct{}

// redundantIn is Redundant of the collection's declarations, worked out
// once per declarations; each plan gets its own copy.
func redundantIn(c *schema.Declared) []query.RedundantIndex {
	found := c.Memo(redundantKey{}, func() any { return query.Redundant(c.Collection, c.Specs) }).([]query.RedundantIndex)
	out := slices.Clone(found)
	for i := range out {
		out[i].CoveredBy = slices.Clone(out[i].CoveredBy)
	}
	return out
}
