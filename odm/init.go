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

	"go.mongodb.org/mongo-driver/v2/bson"
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

	report := &Report{
		Collections: make([]CollectionReport, len(cols)),
		Plan:        &IndexPlan{OnConflict: cfg.onConflict, DropUndeclared: cfg.dropUndeclared, Collections: make([]CollectionPlan, len(cols))},
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
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := syncer{cfg: cfg, db: db, coll: db.Collection(c.collection), specs: c.specs, shape: c.shape, server: server}
			report.Collections[i], report.Plan.Collections[i], errs[i] = s.run(ctx)
			if errs[i] == nil { // search indexes (search_sync.go): no command when none declared
				errs[i] = syncSearch(ctx, cfg, db, c, &report.Collections[i], &report.Plan.Collections[i])
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
	report, err := Init(ctx, db, append(args, DryRun())...)
	if report == nil {
		return nil, err
	}
	return report.Plan, err
}

// syncer brings one collection's indexes to its declarations.
type syncer struct {
	cfg    config
	db     *mongo.Database
	coll   *mongo.Collection
	specs  []IndexSpec
	shape  *collectionShape // nil when no model declares options or a validator
	server *serverInfo
	// unkept are the options the server does not keep, by index.
	unkept map[string][]string
	warned map[string]bool // conflicts kept and logged
	// skippedOpts are the collection options the server does not keep.
	skippedOpts map[string]bool
}

func (s *syncer) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	s.cfg.logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("collection", s.coll.Name())}, attrs...)...)
}

func (s *syncer) run(ctx context.Context) (CollectionReport, CollectionPlan, error) {
	start := time.Now()
	rep, plan, err := s.converge(ctx)
	rep.Duration = time.Since(start)
	return rep, plan, err
}

// round is what one listing calls for.
type round struct {
	indexes []IndexChange
	options []OptionChange // only for collections that declare options or a validator
}

// work is what one round applies.
type work struct {
	createCollection                   bool
	optionMods                         []OptionChange
	creates, modifies, rebuilds, drops []IndexChange
}

func (w work) empty() bool {
	return !w.createCollection && len(w.optionMods)+len(w.creates)+len(w.modifies)+len(w.rebuilds)+len(w.drops) == 0
}

// converge lists, diffs and applies until the listing matches the
// declarations (less what the server refused, with SkipUnsupported).
// Every round re-lists: a server may acknowledge a change and not make it.
func (s *syncer) converge(ctx context.Context) (CollectionReport, CollectionPlan, error) {
	rep := CollectionReport{Collection: s.coll.Name()}
	plan := CollectionPlan{Collection: s.coll.Name()}
	skipped := map[string]*IndexResult{}
	var first *round // the plan: what the first listing called for
	var cur *round
	var acknowledged []string // what the last round changed, all answered ok
	retries := 0
	// retry waits before another round, or returns err when tries are spent.
	retry := func(err error) error {
		retries++
		if retries >= s.cfg.attempts {
			return err
		}
		s.log(ctx, slog.LevelWarn, "odm: retrying", slog.Int("retry", retries), slog.String("error", err.Error()))
		select {
		case <-time.After(s.cfg.backoff << (retries - 1)):
			return nil
		case <-ctx.Done():
			return fmt.Errorf("odm: collection %s: %w (after: %v)", s.coll.Name(), ctx.Err(), err)
		}
	}
	for {
		if cur == nil {
			var err error
			cur, err = s.plan(ctx)
			if err != nil {
				if retryable(err) && retry(err) == nil {
					continue
				}
				return rep, plan, err
			}
			if first == nil {
				first = cur
				plan.Changes, plan.Options = cur.indexes, cur.options
				if s.cfg.dryRun {
					rep.Indexes = s.results(first.indexes, skipped, true)
					rep.Options = s.optionResults(first.options, skipped, true)
					return rep, plan, nil
				}
			}
			if err := s.checkConflicts(cur, skipped); err != nil {
				return rep, plan, err
			}
			s.warnKept(ctx, cur)
		}
		w := s.work(cur, skipped)
		if w.empty() {
			break
		}
		if again := intersect(acknowledged, changeNames(w)); len(again) > 0 {
			// The server answered ok, yet the listing still differs: never
			// take that as done.
			err := fmt.Errorf("odm: collection %s: the server acknowledged changes to %s but does not list them",
				s.coll.Name(), strings.Join(again, ", "))
			if err := retry(err); err != nil {
				return rep, plan, err
			}
		}
		changed, settled, err := s.apply(ctx, w, skipped)
		acknowledged = nil
		if err == nil {
			acknowledged = changeNames(w)
		}
		if settled {
			break // the server's answers confirm every index was built
		}
		if err == nil && !changed {
			continue // everything was refused: the listing still holds
		}
		cur = nil
		if err != nil {
			if !retryable(err) {
				return rep, plan, err
			}
			if err := retry(err); err != nil {
				return rep, plan, err
			}
		}
	}
	rep.Indexes = s.results(first.indexes, skipped, false)
	rep.Options = s.optionResults(first.options, skipped, false)
	for _, r := range append(rep.Options, rep.Indexes...) {
		if r.Outcome != Existed && r.Outcome != Skipped {
			s.log(ctx, slog.LevelInfo, "odm: index "+string(r.Outcome), slog.String("index", r.Name), slog.String("action", string(r.Action)))
		}
	}
	return rep, plan, nil
}

// plan lists the collection's indexes and diffs them with the
// declarations. It lists the collection itself only when it must: when a
// model declares options or a validator for it, or when the listing holds
// indexes nobody declares (a time series collection's own index is left
// alone).
func (s *syncer) plan(ctx context.Context) (*round, error) {
	listed, err := listIndexes(ctx, s.coll)
	if err != nil {
		return nil, &IndexError{Collection: s.coll.Name(), Op: "listIndexes", Err: err}
	}
	changes, err := Diff(s.specs, listed)
	if err != nil {
		return nil, fmt.Errorf("odm: collection %s: %w", s.coll.Name(), err)
	}
	r := &round{indexes: changes}
	var info *collectionInfo
	if s.shape.declares() || slices.ContainsFunc(changes, func(c IndexChange) bool { return c.Action == Drop }) {
		if info, err = listCollection(ctx, s.db, s.coll.Name()); err != nil {
			return nil, &IndexError{Collection: s.coll.Name(), Op: "listCollections", Err: err}
		}
	}
	if s.shape.declares() {
		r.options = diffCollection(s.shape, info.options, info.exists)
		if err := s.unkeptCollectionOptions(ctx, r.options); err != nil {
			return nil, err
		}
	}
	var opts []DiffOption
	if ts := info.timeSeries(); ts != nil {
		opts = append(opts, ts)
	}
	if unkept, err := s.unkeptOptions(ctx, changes); err != nil {
		return nil, err
	} else if len(unkept) > 0 {
		opts = append(opts, IgnoreOptions(unkept...))
	}
	if len(opts) > 0 {
		if r.indexes, err = Diff(s.specs, listed, opts...); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// unkeptOptions handles servers that accept an option and do not keep it.
// Only when a listed index lacks such an option its declaration sets does
// it ask the server what it is. Without SkipUnsupported that is an
// *UnsupportedError; with it, the options are left out of the comparison
// and reported on the index.
func (s *syncer) unkeptOptions(ctx context.Context, changes []IndexChange) ([]string, error) {
	var lacking []IndexChange
	for _, c := range changes {
		if (c.Action == Conflict || c.Action == ModifyInPlace) && c.ListedName == "" &&
			slices.ContainsFunc(c.Differences, func(d Difference) bool { return mayBeUnkept(d) }) {
			lacking = append(lacking, c)
		}
	}
	if len(lacking) == 0 {
		return nil, nil
	}
	unkept, err := s.server.unkeptOptions(ctx)
	if err != nil || len(unkept) == 0 {
		return nil, err
	}
	for _, c := range lacking {
		var opts []string
		for _, d := range c.Differences {
			if mayBeUnkept(d) && slices.Contains(unkept, d.Field) {
				opts = append(opts, d.Field)
			}
		}
		if len(opts) == 0 {
			continue
		}
		ue := &UnsupportedError{Collection: s.coll.Name(), Index: c.Name, Options: opts,
			Err: fmt.Errorf("the server (%s) accepts %s but does not keep it", s.server.name, strings.Join(opts, ", "))}
		if !s.cfg.skipUnsupported {
			return nil, ue
		}
		if s.unkept == nil {
			s.unkept = map[string][]string{}
		}
		if s.unkept[c.Name] == nil {
			s.log(ctx, slog.LevelWarn, "odm: the server does not keep an option", slog.String("index", c.Name), slog.String("options", strings.Join(opts, ",")))
		}
		s.unkept[c.Name] = opts
	}
	return unkept, nil
}

// unkeptCollectionOptions is unkeptOptions for collection options the
// server accepts at creation and does not keep (it records them as
// skipped, or fails without SkipUnsupported).
func (s *syncer) unkeptCollectionOptions(ctx context.Context, changes []OptionChange) error {
	var lacking []string
	for _, c := range changes {
		top, _, _ := strings.Cut(c.Option, ".")
		if c.Action != Create && c.Declared != "" && c.Listed == "" && !slices.Contains(lacking, top) {
			lacking = append(lacking, top)
		}
	}
	if len(lacking) == 0 {
		return nil
	}
	unkept, err := s.server.unkeptCollectionOptions(ctx)
	if err != nil {
		return err
	}
	for _, o := range lacking {
		if !slices.Contains(unkept, o) || s.skippedOpts[o] {
			continue
		}
		err := fmt.Errorf("the server (%s) accepts %s but does not keep it", s.server.name, o)
		if !s.cfg.skipUnsupported {
			return &UnsupportedError{Collection: s.coll.Name(), Index: "(collection)", Options: []string{o}, Err: err}
		}
		if s.skippedOpts == nil {
			s.skippedOpts = map[string]bool{}
		}
		s.skippedOpts[o] = true
		s.log(ctx, slog.LevelWarn, "odm: the server does not keep a collection option", slog.String("option", o))
	}
	return nil
}

// mayBeUnkept: a flag the declaration sets and the listing lacks.
func mayBeUnkept(d Difference) bool {
	return d.Field == "sparse" && d.Declared == "true" && d.Listed == ""
}

// serverInfo asks the server, once per Init and only when needed, which
// options it accepts without keeping them.
type serverInfo struct {
	db               *mongo.Database
	mu               sync.Mutex
	known            bool // asked successfully
	name             string
	unkept           []string // index options
	unkeptCollection []string // collection options
}

func (i *serverInfo) unkeptOptions(ctx context.Context) ([]string, error) {
	err := i.ask(ctx)
	return i.unkept, err
}

func (i *serverInfo) unkeptCollectionOptions(ctx context.Context) ([]string, error) {
	err := i.ask(ctx)
	return i.unkeptCollection, err
}

// ask runs buildInfo once it succeeds; a failure (a dropped connection,
// say) is returned, for the caller to retry, and not remembered.
func (i *serverInfo) ask(ctx context.Context) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.known {
		return nil
	}
	var info bson.M
	if err := i.db.Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return &IndexError{Op: "buildInfo", Err: err}
	}
	if _, ferret := info["ferretdbVersion"]; ferret {
		i.name = "FerretDB"
		i.unkept = []string{"sparse"}
		i.unkeptCollection = []string{"clusteredIndex", "changeStreamPreAndPostImages"}
	}
	i.known = true
	return nil
}

// checkConflicts fails on conflicts under ConflictFail, before anything in
// the collection changes. A collection option that cannot change is a
// conflict under every policy but ConflictKeep: a collection is never
// dropped to be rebuilt.
func (s *syncer) checkConflicts(r *round, skipped map[string]*IndexResult) error {
	var conflicts []IndexChange
	var options []OptionChange
	for _, c := range r.options {
		if c.Action == Conflict && s.cfg.onConflict != ConflictKeep && !s.optionSkipped(skipped, c.Option) {
			options = append(options, c)
		}
	}
	if s.cfg.onConflict == ConflictFail {
		for _, c := range r.indexes {
			if c.Action == Conflict {
				conflicts = append(conflicts, c)
			}
		}
	}
	if len(conflicts) == 0 && len(options) == 0 {
		return nil
	}
	return &ConflictError{Collection: s.coll.Name(), Changes: conflicts, Options: options}
}

// warnKept logs each conflict ConflictKeep leaves in place, once.
func (s *syncer) warnKept(ctx context.Context, r *round) {
	if s.cfg.onConflict != ConflictKeep {
		return
	}
	warn := func(name, summary string) {
		if s.warned[name] {
			return
		}
		if s.warned == nil {
			s.warned = map[string]bool{}
		}
		s.warned[name] = true
		s.log(ctx, slog.LevelWarn, "odm: index kept although it differs from its declaration",
			slog.String("index", name), slog.String("differences", summary))
	}
	for _, c := range r.indexes {
		if c.Action == Conflict {
			warn(c.Name, c.summary())
		}
	}
	for _, c := range r.options {
		if c.Action == Conflict {
			warn("option "+c.Option, c.summary())
		}
	}
}

// optionKey names a collection option in the skipped map, apart from
// index names.
func optionKey(option string) string { return "option " + option }

// optionSkipped reports an option the server refused, or one inside a
// refused option ("timeseries.timeField" inside "timeseries").
func (s *syncer) optionSkipped(skipped map[string]*IndexResult, option string) bool {
	top, _, _ := strings.Cut(option, ".")
	return skipped[optionKey(option)] != nil || skipped[optionKey(top)] != nil || s.skippedOpts[top]
}

// work selects what a round applies under the policies.
func (s *syncer) work(r *round, skipped map[string]*IndexResult) work {
	var w work
	for _, c := range r.options {
		switch {
		case c.Action == Create:
			w.createCollection = true
		case c.Action == ModifyInPlace && !s.optionSkipped(skipped, c.Option):
			w.optionMods = append(w.optionMods, c)
		}
	}
	for _, c := range r.indexes {
		if skipped[c.Name] != nil {
			continue
		}
		switch c.Action {
		case Create:
			w.creates = append(w.creates, c)
		case ModifyInPlace:
			w.modifies = append(w.modifies, c)
		case Conflict:
			if s.cfg.onConflict == ConflictRebuild {
				w.rebuilds = append(w.rebuilds, c)
			}
		case Drop:
			if s.cfg.dropUndeclared {
				w.drops = append(w.drops, c)
			}
		}
	}
	return w
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func changeNames(w work) []string {
	var out []string
	if w.createCollection {
		out = append(out, "the collection")
	}
	for _, c := range w.optionMods {
		out = append(out, "option "+c.Option)
	}
	for _, list := range [][]IndexChange{w.creates, w.modifies, w.rebuilds, w.drops} {
		for _, c := range list {
			out = append(out, c.Name)
		}
	}
	return out
}

// apply runs one round: creations first (all missing indexes in one
// command), then in-place changes, rebuilds and, last, drops. It reports
// whether the server accepted any change.
func (s *syncer) apply(ctx context.Context, w work, skipped map[string]*IndexResult) (changed, settled bool, err error) {
	createsConfirmed := false
	if w.createCollection {
		if err := s.createCollection(ctx, skipped); err != nil {
			return changed, false, err
		}
		// Indexes next round: the collection's options may have been
		// partly refused, and the listing shows what it holds.
		return true, false, nil
	}
	if len(w.optionMods) > 0 {
		n, err := s.modifyCollection(ctx, w.optionMods, skipped)
		changed = changed || n > 0
		if err != nil {
			return changed, false, err
		}
	}
	if len(w.creates) > 0 {
		specs := make([]IndexSpec, len(w.creates))
		for i, c := range w.creates {
			specs[i] = *c.spec
		}
		n, ok, err := s.create(ctx, specs, skipped)
		changed = changed || n > 0
		if err != nil {
			return changed, false, err
		}
		// Some servers accept sparse without keeping it: only a listing
		// tells, so a sparse index is never confirmed by the answer alone.
		createsConfirmed = ok && !slices.ContainsFunc(specs, func(sp IndexSpec) bool { return sp.Sparse })
	}
	for _, c := range w.modifies {
		err := s.modify(ctx, c)
		if err != nil && unsupported(err, *c.spec) {
			if err := s.skip(ctx, *c.spec, err, []string{"collMod"}, skipped); err != nil {
				return changed, false, err
			}
			continue
		}
		if err != nil {
			return changed, false, err
		}
		changed = true
	}
	for _, c := range w.rebuilds {
		if err := s.rebuild(ctx, c, skipped); err != nil {
			return true, false, err
		}
		changed = true
	}
	for _, c := range w.drops {
		if err := s.drop(ctx, c.Name); err != nil {
			return changed, false, err
		}
		changed = true
	}
	onlyCreates := len(w.optionMods)+len(w.modifies)+len(w.rebuilds)+len(w.drops) == 0
	return changed, onlyCreates && createsConfirmed, nil
}

// results says, for each index of the plan, what became of it.
func (s *syncer) results(plan []IndexChange, skipped map[string]*IndexResult, dryRun bool) []IndexResult {
	out := make([]IndexResult, 0, len(plan))
	for _, c := range plan {
		r := IndexResult{Name: c.Name, Action: c.Action}
		switch {
		case dryRun:
			r.Outcome = Planned
			if c.Action == Unchanged {
				r.Outcome = Existed
			}
		case skipped[c.Name] != nil:
			r = *skipped[c.Name]
			r.Action = c.Action
		default:
			switch c.Action {
			case Unchanged:
				r.Outcome = Existed
			case Create:
				r.Outcome = Created
			case ModifyInPlace:
				r.Outcome = Modified
			case Conflict:
				r.Outcome = Rebuilt
				if s.cfg.onConflict == ConflictKeep {
					r.Outcome = Kept
				}
			case Drop:
				r.Outcome = Kept
				if s.cfg.dropUndeclared {
					r.Outcome = Dropped
				}
			}
		}
		if r.Reason == "" && (c.Action == ModifyInPlace || c.Action == Conflict) {
			r.Reason = c.summary()
		}
		if opts := s.unkept[c.Name]; len(opts) > 0 {
			r.Options = opts
			r.Reason = "the server does not keep " + strings.Join(opts, ", ")
		}
		out = append(out, r)
	}
	return out
}

// create sends the missing indexes in one command. If the server refuses
// one for lack of a feature, it sends them one by one to tell which. It
// returns how many commands the server accepted, and whether their answers
// confirm every index was built.
func (s *syncer) create(ctx context.Context, missing []IndexSpec, skipped map[string]*IndexResult) (accepted int, confirmed bool, err error) {
	if len(missing) > 1 {
		ok, err := s.createIndexes(ctx, missing)
		if err == nil {
			return 1, ok, nil
		}
		if !anyUnsupported(err, missing) {
			return 0, false, err
		}
		// Send them one by one to tell which index the server refuses.
	}
	confirmed = true
	for _, spec := range missing {
		ok, err := s.createIndexes(ctx, []IndexSpec{spec})
		switch {
		case err == nil:
			accepted++
			confirmed = confirmed && ok
		case unsupported(err, spec):
			if err := s.skip(ctx, spec, err, spec.features(), skipped); err != nil {
				return accepted, false, err
			}
		default:
			return accepted, false, err
		}
	}
	return accepted, confirmed, nil
}

func anyUnsupported(err error, specs []IndexSpec) bool {
	for _, s := range specs {
		if unsupported(err, s) {
			return true
		}
	}
	return false
}

// skip records an index the server refused for lack of a feature, or
// returns the refusal when SkipUnsupported is not set.
func (s *syncer) skip(ctx context.Context, spec IndexSpec, err error, features []string, skipped map[string]*IndexResult) error {
	ue := unsupportedError(s.coll.Name(), spec, err, features)
	if !s.cfg.skipUnsupported {
		return ue
	}
	reason := ue.Err.Error()
	skipped[spec.IndexName()] = &IndexResult{Name: spec.IndexName(), Outcome: Skipped, Options: ue.Options, Reason: reason}
	s.log(ctx, slog.LevelWarn, "odm: index skipped: the server does not support it",
		slog.String("index", spec.IndexName()), slog.String("options", strings.Join(ue.Options, ",")), slog.String("reason", reason))
	return nil
}

// createIndexes sends one createIndexes command, the entries exactly as
// Document renders them. It reports whether the server's answer confirms
// that every index was built: numIndexesAfter - numIndexesBefore equals the
// number sent. Only then may a listing to check be spared.
func (s *syncer) createIndexes(ctx context.Context, specs []IndexSpec) (bool, error) {
	entries := make(bson.A, len(specs))
	for i, spec := range specs {
		entries[i] = spec.Document()
	}
	cmd := bson.D{{Key: "createIndexes", Value: s.coll.Name()}, {Key: "indexes", Value: entries}}
	if s.cfg.commitQuorum != nil {
		cmd = append(cmd, bson.E{Key: "commitQuorum", Value: s.cfg.commitQuorum})
	}
	s.log(ctx, slog.LevelDebug, "odm: createIndexes", slog.Any("indexes", names(specs)))
	var answer struct {
		Before *int32 `bson:"numIndexesBefore"`
		After  *int32 `bson:"numIndexesAfter"`
		Note   string `bson:"note"`
	}
	if err := s.db.RunCommand(ctx, cmd).Decode(&answer); err != nil {
		return false, &IndexError{Collection: s.coll.Name(), Indexes: names(specs), Op: "createIndexes", Err: err}
	}
	confirmed := answer.Before != nil && answer.After != nil && answer.Note == "" &&
		int(*answer.After-*answer.Before) == len(specs)
	return confirmed, nil
}

// modify changes an index in place with collMod, one option a command:
// expireAfterSeconds, hidden, and unique (after prepareUnique, which makes
// the index refuse new duplicates while the conversion checks old ones).
func (s *syncer) modify(ctx context.Context, c IndexChange) error {
	spec := *c.spec
	for _, d := range c.Differences {
		var steps []bson.D
		switch d.Field {
		case "expireAfterSeconds":
			secs, _ := spec.expireSeconds()
			steps = []bson.D{{{Key: "expireAfterSeconds", Value: secs}}}
		case "hidden":
			steps = []bson.D{{{Key: "hidden", Value: spec.Hidden}}}
		case "unique":
			steps = []bson.D{{{Key: "prepareUnique", Value: true}}, {{Key: "unique", Value: true}}}
		}
		for _, opt := range steps {
			index := append(bson.D{{Key: "name", Value: c.Name}}, opt...)
			cmd := bson.D{{Key: "collMod", Value: s.coll.Name()}, {Key: "index", Value: index}}
			s.log(ctx, slog.LevelDebug, "odm: collMod", slog.String("index", c.Name), slog.String("option", opt[0].Key))
			if err := s.db.RunCommand(ctx, cmd).Err(); err != nil {
				return &IndexError{Collection: s.coll.Name(), Indexes: []string{c.Name}, Op: "collMod", Err: err}
			}
		}
	}
	return nil
}

// rebuild replaces a conflicting listed index by its declaration: for a
// unique index, only if the data holds no duplicate keys; then drop and
// create at once, so the collection goes without the index only while the
// new one builds.
func (s *syncer) rebuild(ctx context.Context, c IndexChange, skipped map[string]*IndexResult) error {
	spec := *c.spec
	if spec.Unique {
		if err := s.checkDuplicates(ctx, spec); err != nil {
			return err
		}
	}
	listedName := c.Name
	if c.ListedName != "" {
		listedName = c.ListedName
	}
	s.log(ctx, slog.LevelWarn, "odm: rebuilding index", slog.String("index", c.Name), slog.String("differences", c.summary()))
	if err := s.drop(ctx, listedName); err != nil {
		return err
	}
	_, _, err := s.create(ctx, []IndexSpec{spec}, skipped)
	return err
}

func (s *syncer) drop(ctx context.Context, name string) error {
	s.log(ctx, slog.LevelDebug, "odm: dropIndexes", slog.String("index", name))
	if err := s.coll.Indexes().DropOne(ctx, name); err != nil {
		return &IndexError{Collection: s.coll.Name(), Indexes: []string{name}, Op: "dropIndexes", Err: err}
	}
	return nil
}

// checkDuplicates looks for two documents with the same keys among those a
// unique index would cover.
func (s *syncer) checkDuplicates(ctx context.Context, spec IndexSpec) error {
	group := bson.D{}
	var exists bson.A
	for i, k := range spec.Keys {
		group = append(group, bson.E{Key: fmt.Sprintf("k%d", i), Value: "$" + k.Field})
		exists = append(exists, bson.D{{Key: k.Field, Value: bson.D{{Key: "$exists", Value: true}}}})
	}
	var pipeline mongo.Pipeline
	switch {
	case spec.PartialFilter != nil:
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: spec.PartialFilter}})
	case spec.Sparse:
		pipeline = append(pipeline, bson.D{{Key: "$match", Value: bson.D{{Key: "$or", Value: exists}}}})
	}
	pipeline = append(pipeline,
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: group}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "count", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		bson.D{{Key: "$limit", Value: 1}},
	)
	cur, err := s.coll.Aggregate(ctx, pipeline)
	if err != nil {
		return &IndexError{Collection: s.coll.Name(), Indexes: []string{spec.IndexName()}, Op: "aggregate", Err: err}
	}
	defer cur.Close(ctx)
	if !cur.Next(ctx) {
		return cur.Err()
	}
	var dup struct {
		ID    bson.Raw `bson:"_id"`
		Count int64    `bson:"count"`
	}
	if err := cur.Decode(&dup); err != nil {
		return err
	}
	sample := bson.D{}
	for i, k := range spec.Keys {
		sample = append(sample, bson.E{Key: k.Field, Value: dup.ID.Lookup(fmt.Sprintf("k%d", i))})
	}
	return &DuplicateKeysError{Collection: s.coll.Name(), Index: spec.IndexName(), Sample: sample, Count: dup.Count}
}

// collectionInfo is what listCollections says of one collection.
type collectionInfo struct {
	exists  bool
	kind    string   // "collection", "timeseries", "view"
	options bson.Raw // the options document
}

// listCollection lists one collection by name.
func listCollection(ctx context.Context, db *mongo.Database, name string) (*collectionInfo, error) {
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: name}})
	if err != nil {
		return nil, err
	}
	for _, sp := range specs {
		if sp.Name == name {
			return &collectionInfo{exists: true, kind: sp.Type, options: sp.Options}, nil
		}
	}
	return &collectionInfo{}, nil
}

// timeSeries returns a TimeSeries option for a time series collection.
func (i *collectionInfo) timeSeries() DiffOption {
	if i == nil || i.kind != "timeseries" || i.options == nil {
		return nil
	}
	ts, ok := i.options.Lookup("timeseries").DocumentOK()
	if !ok {
		return nil
	}
	timeField, _ := ts.Lookup("timeField").StringValueOK()
	metaField, _ := ts.Lookup("metaField").StringValueOK()
	return TimeSeries(timeField, metaField)
}

// createCollection creates the collection with its declared options. When
// the server refuses an option for lack of the feature, it tries again
// without it (SkipUnsupported) or fails. Another process creating the
// collection first is no error: the next round compares what it made.
func (s *syncer) createCollection(ctx context.Context, skipped map[string]*IndexResult) error {
	doc := s.shape.document()
	for {
		cmd := append(bson.D{{Key: "create", Value: s.coll.Name()}}, doc...)
		s.log(ctx, slog.LevelDebug, "odm: create", slog.Int("options", len(doc)))
		err := s.db.RunCommand(ctx, cmd).Err()
		if err == nil {
			return nil
		}
		if code, ok := errorCode(err); ok && code == codeNamespaceExists {
			return nil
		}
		option := refusedOption(err, doc)
		if option == "" {
			return &IndexError{Collection: s.coll.Name(), Op: "create", Err: err}
		}
		group := optionGroup(option)
		if rerr := s.skipOption(ctx, group, err, skipped); rerr != nil {
			return rerr
		}
		doc = slices.DeleteFunc(doc, func(e bson.E) bool { return slices.Contains(group, e.Key) })
	}
}

// refusedOption is the option a create refusal names, when the refusal
// is for lack of a feature.
func refusedOption(err error, doc bson.D) string {
	if !unsupportedCode(err) {
		return ""
	}
	msg := err.Error()
	for _, e := range doc {
		if strings.Contains(msg, e.Key) {
			return e.Key
		}
	}
	if len(doc) > 0 {
		return doc[0].Key
	}
	return ""
}

// optionGroup is the options that go together: a validator with its
// level and action.
func optionGroup(option string) []string {
	switch option {
	case "validator", "validationLevel", "validationAction":
		return []string{"validator", "validationLevel", "validationAction"}
	case "timeseries", "expireAfterSeconds":
		return []string{"timeseries", "expireAfterSeconds"}
	case "capped", "size", "max":
		return []string{"capped", "size", "max"}
	}
	return []string{option}
}

// skipOption records collection options the server refused for lack of a
// feature, or returns the refusal when SkipUnsupported is not set.
func (s *syncer) skipOption(ctx context.Context, options []string, err error, skipped map[string]*IndexResult) error {
	var inner error = err
	var ie *IndexError
	if errors.As(err, &ie) {
		inner = ie.Err
	}
	ue := &UnsupportedError{Collection: s.coll.Name(), Index: "(collection)", Options: options, Err: inner}
	if !s.cfg.skipUnsupported {
		return ue
	}
	for _, o := range options {
		skipped[optionKey(o)] = &IndexResult{Name: "option " + o, Outcome: Skipped, Options: []string{o}, Reason: inner.Error()}
	}
	s.log(ctx, slog.LevelWarn, "odm: collection option skipped: the server does not support it",
		slog.String("options", strings.Join(options, ",")), slog.String("reason", inner.Error()))
	return nil
}

// modifyCollection changes options with collMod: the validator with its
// level and action in one command, each other option in its own. It
// returns how many commands the server accepted.
func (s *syncer) modifyCollection(ctx context.Context, mods []OptionChange, skipped map[string]*IndexResult) (int, error) {
	want := s.shape.document()
	value := func(k string) any {
		for _, e := range want {
			if e.Key == k {
				return e.Value
			}
		}
		return nil
	}
	var cmds []bson.D
	var groups [][]string
	validatorDone := false
	for _, m := range mods {
		var cmd bson.D
		switch m.Option {
		case "validator", "validationLevel", "validationAction":
			if validatorDone {
				continue
			}
			validatorDone = true
			cmd = bson.D{{Key: "validator", Value: value("validator")}, {Key: "validationLevel", Value: value("validationLevel")}, {Key: "validationAction", Value: value("validationAction")}}
			if value("validator") == nil { // the model declares none: remove the listed one
				cmd = bson.D{{Key: "validator", Value: bson.D{}}, {Key: "validationLevel", Value: LevelStrict}, {Key: "validationAction", Value: ActionError}}
			}
		case "changeStreamPreAndPostImages":
			cmd = bson.D{{Key: m.Option, Value: bson.D{{Key: "enabled", Value: m.Declared == "enabled"}}}}
		case "expireAfterSeconds":
			v := value("expireAfterSeconds")
			if v == nil {
				v = "off"
			}
			cmd = bson.D{{Key: "expireAfterSeconds", Value: v}}
		case "timeseries.granularity":
			cmd = bson.D{{Key: "timeseries", Value: bson.D{{Key: "granularity", Value: m.Declared}}}}
		case "size":
			cmd = bson.D{{Key: "cappedSize", Value: value("size")}}
		case "max":
			cmd = bson.D{{Key: "cappedMax", Value: value("max")}}
		default:
			continue
		}
		cmds = append(cmds, cmd)
		groups = append(groups, optionGroup(m.Option))
	}
	accepted := 0
	for i, cmd := range cmds {
		full := append(bson.D{{Key: "collMod", Value: s.coll.Name()}}, cmd...)
		s.log(ctx, slog.LevelDebug, "odm: collMod", slog.String("option", cmd[0].Key))
		err := s.db.RunCommand(ctx, full).Err()
		switch {
		case err == nil:
			accepted++
		case unsupportedCode(err):
			if err := s.skipOption(ctx, groups[i], err, skipped); err != nil {
				return accepted, err
			}
		default:
			return accepted, &IndexError{Collection: s.coll.Name(), Op: "collMod", Err: err}
		}
	}
	return accepted, nil
}

// optionResults says, for each collection option of the plan, what became
// of it.
func (s *syncer) optionResults(plan []OptionChange, skipped map[string]*IndexResult, dryRun bool) []IndexResult {
	var out []IndexResult
	for _, c := range plan {
		r := IndexResult{Name: "option " + c.Option, Action: c.Action, Reason: c.summary()}
		switch {
		case dryRun:
			r.Outcome = Planned
		case skipped[optionKey(c.Option)] != nil:
			sk := *skipped[optionKey(c.Option)]
			r.Outcome, r.Options, r.Reason = Skipped, sk.Options, sk.Reason
		case c.Action != Create && s.optionSkipped(skipped, c.Option):
			r.Outcome, r.Options, r.Reason = Skipped, []string{c.Option}, "the server does not keep it"
		case c.Action == Create:
			r.Name, r.Outcome = "collection", Created
			var refused []string
			for k, v := range skipped {
				if strings.HasPrefix(k, "option ") {
					refused = append(refused, v.Options...)
				}
			}
			for o := range s.skippedOpts {
				refused = append(refused, o)
			}
			if len(refused) > 0 {
				sort.Strings(refused)
				r.Options, r.Reason = refused, "created without "+strings.Join(refused, ", ")
			}
		case c.Action == ModifyInPlace:
			r.Outcome = Modified
		case c.Action == Conflict:
			r.Outcome = Kept
		}
		out = append(out, r)
	}
	return out
}

// retryable reports an error worth a fresh listing and another try: a
// dropped or failed connection, including the driver clearing its pool
// after another operation lost its connection; a race with another process
// building the same index; a replica set changing its primary.
func retryable(err error) bool {
	if mongo.IsNetworkError(err) {
		return true
	}
	if code, ok := errorCode(err); ok && slices.Contains(transientCodes, code) {
		return true
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return true
	}
	var le mongo.LabeledError
	return errors.As(err, &le) && le.HasErrorLabel("RetryableWriteError")
}

// transientCodes are server errors that a fresh plan and another try
// resolve: IndexBuildAborted (276), IndexBuildAlreadyInProgress (285), and
// the codes of a node that is stepping down, recovering or shutting down.
var transientCodes = []int32{276, 285, 91, 189, 10107, 10058, 11600, 11602, 13435, 13436}

func names(specs []IndexSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.IndexName()
	}
	return out
}

// listIndexes lists the collection's index documents. A collection that
// does not exist has none (MongoDB answers NamespaceNotFound).
func listIndexes(ctx context.Context, coll *mongo.Collection) ([]bson.Raw, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		if code, ok := errorCode(err); ok && code == codeNamespaceNotFound {
			return nil, nil
		}
		return nil, err
	}
	defer cur.Close(ctx)
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	return out, cur.Err()
}
