package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/extjson"
	"github.com/tagodm/tagodm/odm/internal/searchlist"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// WaitForSearchIndexes makes Init wait, after it creates or updates search
// indexes, until each declared search index is READY and queryable, or
// FAILED, polling $listSearchIndexes (every second at first, then every
// five) and logging each status as it changes. Init still returns at its
// context's deadline, with an error naming the indexes not ready. Without
// it Init returns once the server accepts the commands: builds go on in
// the background, and the Report shows the status listed then.
func WaitForSearchIndexes() Option { return func(c *Config) { c.waitSearch = true } }

// searchUnsupportedCodes are the answers of servers without MongoDB
// Search: SearchNotEnabled (31082), CommandNotFound (59),
// CommandNotSupported (115), NotImplemented (238), an unknown aggregation
// stage (40324), and 6047401, the answer of MongoDB before 7.2 without
// Atlas. FerretDB 1.24 answers $listSearchIndexes
// with code 40234 and MongoDB's message, which the message test catches.
var searchUnsupportedCodes = []int32{31082, 59, 115, 238, 40324, 6047401}

// SearchUnsupported reports a refusal for lack of MongoDB Search.
func SearchUnsupported(err error) bool {
	if code, ok := servererr.Code(err); ok && slices.Contains(searchUnsupportedCodes, code) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "Unrecognized pipeline stage name") || strings.Contains(msg, "$listSearchIndexes is not allowed")
}

// SearchSyncer brings one collection's search indexes to its declarations.
type SearchSyncer struct {
	Cfg        Config
	Collection string
	API        searchAPI
	Specs      []schema.SearchIndexSpec
	skipReason string // the server's refusal of createSearchIndexes, when skipped
}

// searchAPI is what the sync sends to the server: the driver's
// SearchIndexView, and create for a collection createSearchIndexes needs.
type searchAPI interface {
	List(ctx context.Context) ([]bson.Raw, error)
	CreateMany(ctx context.Context, models []mongo.SearchIndexModel) error
	UpdateOne(ctx context.Context, name string, definition bson.D) error
	DropOne(ctx context.Context, name string) error
	CreateCollection(ctx context.Context) error
}

// DriverSearch is searchAPI on a collection, through the driver.
type DriverSearch struct{ Coll *mongo.Collection }

// List lists the collection's search indexes.
func (d DriverSearch) List(ctx context.Context) ([]bson.Raw, error) {
	cur, err := d.Coll.SearchIndexes().List(ctx, nil)
	if err != nil {
		return nil, err
	}
	return rawDocuments(ctx, cur)
}

// CreateMany creates search indexes in one command.
func (d DriverSearch) CreateMany(ctx context.Context, models []mongo.SearchIndexModel) error {
	_, err := d.Coll.SearchIndexes().CreateMany(ctx, models)
	return err
}

// UpdateOne replaces the definition of the named search index.
func (d DriverSearch) UpdateOne(ctx context.Context, name string, definition bson.D) error {
	return d.Coll.SearchIndexes().UpdateOne(ctx, name, definition)
}

// DropOne drops the named search index.
func (d DriverSearch) DropOne(ctx context.Context, name string) error {
	return d.Coll.SearchIndexes().DropOne(ctx, name)
}

// CreateCollection creates the collection, which search indexes need.
func (d DriverSearch) CreateCollection(ctx context.Context) error {
	return d.Coll.Database().CreateCollection(ctx, d.Coll.Name())
}

// syncSearch brings a collection's search indexes to its declarations and
// records the plan and the results. A collection that declares none gets
// no command. It runs after the collection's regular indexes.
func syncSearch(ctx context.Context, cfg Config, db *mongo.Database, c *schema.Declared, rep *outcome.CollectionReport, plan *outcome.CollectionPlan) error {
	if len(c.Search) == 0 {
		return nil
	}
	start := time.Now()
	defer func() { rep.Duration += time.Since(start) }()
	s := &SearchSyncer{Cfg: cfg, Collection: c.Collection, API: DriverSearch{Coll: db.Collection(c.Collection)}, Specs: c.Search}
	return s.sync(ctx, rep, plan)
}

// sync lists, compares, applies and reports.
func (s *SearchSyncer) sync(ctx context.Context, rep *outcome.CollectionReport, plan *outcome.CollectionPlan) error {
	listed, err := s.list(ctx)
	if err != nil {
		if !SearchUnsupported(err) {
			return searchError(s.Collection, "$listSearchIndexes", nil, err)
		}
		plan.Search, rep.Search, err = s.unsupported(ctx, err)
		return err
	}
	changes, err := diff.DiffSearch(s.Specs, listed)
	if err != nil {
		return fmt.Errorf("odm: collection %s: %w", s.Collection, odmerr.Inner(err))
	}
	for i := range changes {
		changes[i].Step = searchStep(&s.Cfg, changes[i])
	}
	plan.Search = slices.Clone(changes) // the plan keeps the first listing's statuses
	if s.Cfg.dryRun {
		rep.Search = s.results(changes, nil, true)
		return nil
	}
	outcomes, err := s.apply(ctx, changes)
	if err != nil {
		return err // as for regular indexes, the Report lists no results for a failed collection
	}
	if len(outcomes) > 0 || s.Cfg.waitSearch {
		err = s.refresh(ctx, changes)
	}
	rep.Search = s.results(changes, outcomes, false)
	return err
}

// searchRetryable: a dropped connection or a node changing state, by
// MongoDB's codes; servers without search have no quirks to add here.
func searchRetryable(err error) bool {
	return serverprofile.MongoDB.Classify(err, nil) == serverprofile.ClassTransient
}

// list runs $listSearchIndexes, retrying a dropped connection through
// the executor's retrier. A collection that does not exist lists none.
func (s *SearchSyncer) list(ctx context.Context) ([]bson.Raw, error) {
	retry := &retrier{cfg: s.Cfg, collection: s.Collection}
	for {
		out, err := s.API.List(ctx)
		if code, ok := servererr.Code(err); ok && code == servererr.CodeNamespaceNotFound {
			return nil, nil
		}
		if err == nil || !searchRetryable(err) {
			return out, err
		}
		if err := retry.again(ctx, err); err != nil {
			return nil, err
		}
	}
}

// unsupported handles a server without MongoDB Search: an
// *UnsupportedError naming every declared search index, or, with
// SkipUnsupported, a plan and results that skip them.
func (s *SearchSyncer) unsupported(ctx context.Context, err error) ([]diff.SearchIndexChange, []outcome.SearchIndexResult, error) {
	inner := err
	var ie *outcome.IndexError
	if errors.As(err, &ie) {
		inner = ie.Err
	}
	names := make([]string, len(s.Specs))
	for i, sp := range s.Specs {
		names[i] = sp.IndexName()
	}
	if !s.Cfg.skipUnsupported {
		return nil, nil, &outcome.UnsupportedError{Collection: s.Collection, Index: strings.Join(names, ", "), Options: []string{"search indexes"}, Err: inner}
	}
	s.log(ctx, slog.LevelWarn, "odm: search indexes skipped: the server does not support them",
		slog.String("indexes", strings.Join(names, ",")), slog.String("reason", inner.Error()))
	changes := make([]diff.SearchIndexChange, len(s.Specs))
	results := make([]outcome.SearchIndexResult, len(s.Specs))
	for i := range s.Specs {
		sp := s.Specs[i]
		changes[i] = diff.SearchIndexChange{Name: sp.IndexName(), Type: sp.IndexType(), Action: diff.Create, Step: diff.StepSkip,
			Declared: extjson.Format(sp.DefinitionDocument()), DeclaredSpec: &s.Specs[i]}
		results[i] = outcome.SearchIndexResult{Name: sp.IndexName(), Type: sp.IndexType(), Action: diff.Create, Outcome: outcome.Skipped, Reason: inner.Error()}
	}
	return changes, results, nil
}

func (s *SearchSyncer) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	s.Cfg.Logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("collection", s.Collection)}, attrs...)...)
}

// searchError wraps a refusal as an *IndexError.
func searchError(collection, op string, names []string, err error) error {
	return &outcome.IndexError{Collection: collection, Indexes: names, Op: op, Err: err}
}

// apply sends what the changes call for under the policies: conflicts
// first (fail, keep, or drop for a rebuild), then one createSearchIndexes
// with every missing index, updateSearchIndex for each changed one, and
// dropSearchIndex for each undeclared one with DropUndeclared. It returns
// the outcome of each index it acted on.
func (s *SearchSyncer) apply(ctx context.Context, changes []diff.SearchIndexChange) (map[string]outcome.Outcome, error) {
	outcomes := map[string]outcome.Outcome{}
	var conflicts, creates []diff.SearchIndexChange
	for _, c := range changes {
		switch c.Step {
		case diff.StepFail:
			conflicts = append(conflicts, c)
		case diff.StepKeep:
			if c.Action == diff.Conflict {
				s.log(ctx, slog.LevelWarn, "odm: search index kept although it differs from its declaration",
					slog.String("index", c.Name), slog.String("differences", c.Summary()))
			}
		case diff.StepCreate:
			creates = append(creates, c)
		}
	}
	if len(conflicts) > 0 {
		return outcomes, &outcome.SearchConflictError{Collection: s.Collection, Changes: conflicts}
	}
	for _, c := range changes {
		if c.Step == diff.StepRebuild {
			if err := s.Drop(ctx, c.Name); err != nil {
				return outcomes, err
			}
			if err := s.waitGone(ctx, c.Name); err != nil {
				return outcomes, err
			}
			creates = append(creates, c)
		}
	}
	if len(creates) > 0 {
		done, err := s.Create(ctx, creates)
		if err != nil {
			return outcomes, err
		}
		for _, c := range creates {
			switch {
			case done != outcome.Created:
				outcomes[c.Name] = done
			case c.Action == diff.Conflict:
				outcomes[c.Name] = outcome.Rebuilt
			default:
				outcomes[c.Name] = outcome.Created
			}
		}
	}
	for _, c := range changes {
		var err error
		switch c.Step {
		case diff.StepUpdateSearch:
			s.log(ctx, slog.LevelDebug, "odm: updateSearchIndex", slog.String("index", c.Name))
			if err = s.API.UpdateOne(ctx, c.Name, c.DeclaredSpec.DefinitionDocument()); err == nil {
				outcomes[c.Name] = outcome.Modified
			}
			err = wrapSearch(s.Collection, "updateSearchIndex", c.Name, err)
		case diff.StepDrop:
			if err = s.Drop(ctx, c.Name); err == nil {
				outcomes[c.Name] = outcome.Dropped
			}
		}
		if err != nil {
			return outcomes, err
		}
	}
	return outcomes, nil
}

func wrapSearch(collection, op, name string, err error) error {
	if err == nil {
		return nil
	}
	return searchError(collection, op, []string{name}, err)
}

// Create sends one createSearchIndexes command with every missing index.
// createSearchIndexes needs the collection to exist: when the server says
// it does not, Init creates it (another process creating it first is no
// error) and sends the command again. It returns Created; Existed when the
// server refuses the command and a fresh listing holds every index with
// its declared type (another process created them first); Skipped when the
// server lacks search indexes and SkipUnsupported is set (a server may list
// none and refuse to create them).
func (s *SearchSyncer) Create(ctx context.Context, creates []diff.SearchIndexChange) (outcome.Outcome, error) {
	models := make([]mongo.SearchIndexModel, len(creates))
	names := make([]string, len(creates))
	for i, c := range creates {
		models[i] = SearchIndexModel(*c.DeclaredSpec)
		names[i] = c.Name
	}
	s.log(ctx, slog.LevelDebug, "odm: createSearchIndexes", slog.Any("indexes", names))
	err := s.API.CreateMany(ctx, models)
	if code, ok := servererr.Code(err); ok && code == servererr.CodeNamespaceNotFound {
		if cerr := s.API.CreateCollection(ctx); cerr != nil {
			if code, ok := servererr.Code(cerr); !ok || code != servererr.CodeNamespaceExists {
				return "", searchError(s.Collection, "create", nil, cerr)
			}
		}
		err = s.API.CreateMany(ctx, models)
	}
	switch {
	case err == nil:
		return outcome.Created, nil
	case SearchUnsupported(err) && s.Cfg.skipUnsupported:
		s.skipReason = err.Error()
		s.log(ctx, slog.LevelWarn, "odm: search indexes skipped: the server does not support them",
			slog.Any("indexes", names), slog.String("reason", s.skipReason))
		return outcome.Skipped, nil
	case SearchUnsupported(err):
		return "", &outcome.UnsupportedError{Collection: s.Collection, Index: strings.Join(names, ", "), Options: []string{"search indexes"}, Err: err}
	case s.allListed(ctx, creates):
		s.log(ctx, slog.LevelInfo, "odm: search indexes created by another process", slog.Any("indexes", names))
		return outcome.Existed, nil
	}
	return "", searchError(s.Collection, "createSearchIndexes", names, err)
}

// allListed reports that a fresh listing holds every index of creates
// with its declared type.
func (s *SearchSyncer) allListed(ctx context.Context, creates []diff.SearchIndexChange) bool {
	raws, err := s.list(ctx)
	if err != nil {
		return false
	}
	types := map[string]schema.SearchIndexType{}
	for _, r := range raws {
		if l, err := searchlist.Parse(r); err == nil {
			types[l.Name] = l.Type
		}
	}
	for _, c := range creates {
		if types[c.Name] != c.Type {
			return false
		}
	}
	return true
}

// Drop drops the named search index and waits until it is gone.
func (s *SearchSyncer) Drop(ctx context.Context, name string) error {
	s.log(ctx, slog.LevelDebug, "odm: dropSearchIndex", slog.String("index", name))
	return wrapSearch(s.Collection, "dropSearchIndex", name, s.API.DropOne(ctx, name))
}

// waitGone polls until a dropped index is no longer listed: the server
// drops search indexes asynchronously and refuses a new index under a name
// still in use.
func (s *SearchSyncer) waitGone(ctx context.Context, name string) error {
	return s.poll(ctx, func(listed []searchlist.Index) bool {
		return !slices.ContainsFunc(listed, func(l searchlist.Index) bool { return l.Name == name })
	})
}

// refresh lists the indexes once more for their status, and with
// WaitForSearchIndexes polls until every declared index is READY and
// queryable, or FAILED.
func (s *SearchSyncer) refresh(ctx context.Context, changes []diff.SearchIndexChange) error {
	declared := map[string]int{}
	for i, c := range changes {
		if c.DeclaredSpec != nil {
			declared[c.Name] = i
		}
	}
	seen := map[string]string{}
	done := func(listed []searchlist.Index) bool {
		for i := range changes { // an index no longer listed has no status
			changes[i].Status, changes[i].Queryable, changes[i].Message = "", false, ""
		}
		ready := 0
		for _, l := range listed {
			if i := slices.IndexFunc(changes, func(c diff.SearchIndexChange) bool { return c.Name == l.Name }); i >= 0 {
				changes[i].Status, changes[i].Queryable, changes[i].Message = l.Status, l.Queryable, l.Message
			}
			if _, ok := declared[l.Name]; !ok {
				continue
			}
			if seen[l.Name] != l.Status {
				seen[l.Name] = l.Status
				s.log(ctx, slog.LevelInfo, "odm: search index status", slog.String("index", l.Name),
					slog.String("status", l.Status), slog.Bool("queryable", l.Queryable), slog.String("message", l.Message))
			}
			if l.Status == outcome.SearchFailed || l.Status == outcome.SearchReady && l.Queryable {
				ready++
			}
		}
		return !s.Cfg.waitSearch || ready == len(declared)
	}
	if err := s.poll(ctx, done); err != nil {
		var waiting []string
		for name, i := range declared {
			if st := changes[i].Status; st != outcome.SearchReady && st != outcome.SearchFailed {
				waiting = append(waiting, name+" ("+cmp.Or(st, "not listed")+")")
			}
		}
		slices.Sort(waiting)
		return fmt.Errorf("odm: collection %s: waiting for search indexes %s: %w", s.Collection, strings.Join(waiting, ", "), err)
	}
	var failed []string
	for name, i := range declared {
		if changes[i].Status == outcome.SearchFailed {
			failed = append(failed, fmt.Sprintf("%s: %s", name, cmp.Or(changes[i].Message, "no message")))
		}
	}
	if len(failed) > 0 && s.Cfg.waitSearch {
		slices.Sort(failed)
		return fmt.Errorf("odm: collection %s: search index build FAILED: %s", s.Collection, strings.Join(failed, "; "))
	}
	return nil
}

// poll lists the search indexes until done says so, waiting between
// listings (searchPoll, doubling up to five times it), within ctx.
func (s *SearchSyncer) poll(ctx context.Context, done func([]searchlist.Index) bool) error {
	wait := s.Cfg.searchPoll
	for {
		raws, err := s.list(ctx)
		if err != nil {
			return searchError(s.Collection, "$listSearchIndexes", nil, err)
		}
		listed := make([]searchlist.Index, 0, len(raws))
		for _, r := range raws {
			l, err := searchlist.Parse(r)
			if err != nil {
				return err
			}
			listed = append(listed, l)
		}
		if done(listed) {
			return nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 5*s.Cfg.searchPoll)
	}
}

// results says, for each search index of the plan, what became of it.
func (s *SearchSyncer) results(changes []diff.SearchIndexChange, outcomes map[string]outcome.Outcome, dryRun bool) []outcome.SearchIndexResult {
	out := make([]outcome.SearchIndexResult, 0, len(changes))
	for _, c := range changes {
		r := outcome.SearchIndexResult{Name: c.Name, Type: c.Type, Action: c.Action, Status: c.Status, Queryable: c.Queryable, Message: c.Message}
		switch o, acted := outcomes[c.Name]; {
		case c.Action == diff.Unchanged:
			r.Outcome = outcome.Existed
		case dryRun:
			r.Outcome = outcome.Planned
		case acted:
			r.Outcome = o
			if o == outcome.Skipped {
				r.Reason = s.skipReason
			}
		default:
			r.Outcome = outcome.Kept
		}
		if c.Action == diff.ModifyInPlace || c.Action == diff.Conflict {
			r.Reason = c.Summary()
		}
		out = append(out, r)
	}
	return out
}
