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
			s := syncer{cfg: cfg, db: db, coll: db.Collection(c.collection), specs: c.specs, server: server}
			report.Collections[i], report.Plan.Collections[i], errs[i] = s.run(ctx)
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
	server *serverInfo
	// unkept are the options the server does not keep, by index.
	unkept map[string][]string
	warned map[string]bool // conflicts kept and logged
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

// work is what one round applies.
type work struct {
	creates, modifies, rebuilds, drops []IndexChange
}

func (w work) empty() bool {
	return len(w.creates)+len(w.modifies)+len(w.rebuilds)+len(w.drops) == 0
}

// converge lists, diffs and applies until the listing matches the
// declarations (less what the server refused, with SkipUnsupported).
// Every round re-lists: a server may acknowledge a change and not make it.
func (s *syncer) converge(ctx context.Context) (CollectionReport, CollectionPlan, error) {
	rep := CollectionReport{Collection: s.coll.Name()}
	plan := CollectionPlan{Collection: s.coll.Name()}
	skipped := map[string]*IndexResult{}
	var first []IndexChange // the plan: what the first listing called for
	var changes []IndexChange
	acknowledged := false // the last round's commands were all answered ok
	retries := 0
	// again waits before another round, or returns err when tries are spent.
	again := func(err error) error {
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
		if changes == nil {
			var err error
			changes, err = s.plan(ctx)
			if err != nil {
				if retryable(err) && again(err) == nil {
					continue
				}
				return rep, plan, err
			}
			if first == nil {
				first = changes
				plan.Changes = changes
				if s.cfg.dryRun {
					rep.Indexes = s.results(first, skipped, true)
					return rep, plan, nil
				}
			}
			if err := s.checkConflicts(changes); err != nil {
				return rep, plan, err
			}
			s.warnKept(ctx, changes)
		}
		w := s.work(changes, skipped)
		if w.empty() {
			break
		}
		if acknowledged {
			// The server answered ok, yet the listing still differs: never
			// take that as done.
			err := fmt.Errorf("odm: collection %s: the server acknowledged changes to %s but does not list them",
				s.coll.Name(), strings.Join(changeNames(w), ", "))
			if err := again(err); err != nil {
				return rep, plan, err
			}
		}
		changed, err := s.apply(ctx, w, skipped)
		acknowledged = err == nil
		if err == nil && !changed {
			continue // everything was refused: the listing still holds
		}
		changes = nil
		if err != nil {
			if !retryable(err) {
				return rep, plan, err
			}
			if err := again(err); err != nil {
				return rep, plan, err
			}
		}
	}
	rep.Indexes = s.results(first, skipped, false)
	for _, r := range rep.Indexes {
		if r.Outcome != Existed && r.Outcome != Skipped {
			s.log(ctx, slog.LevelInfo, "odm: index "+string(r.Outcome), slog.String("index", r.Name), slog.String("action", string(r.Action)))
		}
	}
	return rep, plan, nil
}

// plan lists the collection's indexes and diffs them with the
// declarations. Only when the listing holds indexes nobody declares does
// it look up the collection's options, to leave the indexes the server
// keeps for a time series collection alone.
func (s *syncer) plan(ctx context.Context) ([]IndexChange, error) {
	listed, err := listIndexes(ctx, s.coll)
	if err != nil {
		return nil, &IndexError{Collection: s.coll.Name(), Op: "listIndexes", Err: err}
	}
	changes, err := Diff(s.specs, listed)
	if err != nil {
		return nil, fmt.Errorf("odm: collection %s: %w", s.coll.Name(), err)
	}
	var opts []DiffOption
	if slices.ContainsFunc(changes, func(c IndexChange) bool { return c.Action == Drop }) {
		ts, err := timeSeriesFields(ctx, s.db, s.coll.Name())
		if err != nil {
			return nil, &IndexError{Collection: s.coll.Name(), Op: "listCollections", Err: err}
		}
		if ts != nil {
			opts = append(opts, ts)
		}
	}
	if unkept, err := s.unkeptOptions(ctx, changes); err != nil {
		return nil, err
	} else if len(unkept) > 0 {
		opts = append(opts, IgnoreOptions(unkept...))
	}
	if len(opts) == 0 {
		return changes, nil
	}
	return Diff(s.specs, listed, opts...)
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

// mayBeUnkept: a flag the declaration sets and the listing lacks.
func mayBeUnkept(d Difference) bool {
	return d.Field == "sparse" && d.Declared == "true" && d.Listed == ""
}

// serverInfo asks the server, once per Init and only when needed, which
// options it accepts without keeping them.
type serverInfo struct {
	db     *mongo.Database
	once   sync.Once
	name   string
	unkept []string
	err    error
}

func (i *serverInfo) unkeptOptions(ctx context.Context) ([]string, error) {
	i.once.Do(func() {
		var info bson.M
		i.err = i.db.Client().Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info)
		if _, ferret := info["ferretdbVersion"]; ferret {
			i.name, i.unkept = "FerretDB", []string{"sparse"}
		}
	})
	return i.unkept, i.err
}

// checkConflicts fails on conflicts under ConflictFail, before anything in
// the collection changes.
func (s *syncer) checkConflicts(changes []IndexChange) error {
	if s.cfg.onConflict != ConflictFail {
		return nil
	}
	var conflicts []IndexChange
	for _, c := range changes {
		if c.Action == Conflict {
			conflicts = append(conflicts, c)
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	return &ConflictError{Collection: s.coll.Name(), Changes: conflicts}
}

// warnKept logs each conflict ConflictKeep leaves in place, once.
func (s *syncer) warnKept(ctx context.Context, changes []IndexChange) {
	if s.cfg.onConflict != ConflictKeep {
		return
	}
	for _, c := range changes {
		if c.Action == Conflict && !s.warned[c.Name] {
			if s.warned == nil {
				s.warned = map[string]bool{}
			}
			s.warned[c.Name] = true
			s.log(ctx, slog.LevelWarn, "odm: index kept although it differs from its declaration",
				slog.String("index", c.Name), slog.String("differences", c.summary()))
		}
	}
}

// work selects what a round applies under the policies.
func (s *syncer) work(changes []IndexChange, skipped map[string]*IndexResult) work {
	var w work
	for _, c := range changes {
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

func changeNames(w work) []string {
	var out []string
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
func (s *syncer) apply(ctx context.Context, w work, skipped map[string]*IndexResult) (bool, error) {
	changed := false
	if len(w.creates) > 0 {
		specs := make([]IndexSpec, len(w.creates))
		for i, c := range w.creates {
			specs[i] = *c.spec
		}
		n, err := s.create(ctx, specs, skipped)
		changed = changed || n > 0
		if err != nil {
			return changed, err
		}
	}
	for _, c := range w.modifies {
		err := s.modify(ctx, c)
		if err != nil && unsupported(err, *c.spec) {
			if err := s.skip(ctx, *c.spec, err, []string{"collMod"}, skipped); err != nil {
				return changed, err
			}
			continue
		}
		if err != nil {
			return changed, err
		}
		changed = true
	}
	for _, c := range w.rebuilds {
		if err := s.rebuild(ctx, c, skipped); err != nil {
			return true, err
		}
		changed = true
	}
	for _, c := range w.drops {
		if err := s.drop(ctx, c.Name); err != nil {
			return changed, err
		}
		changed = true
	}
	return changed, nil
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
// returns how many commands the server accepted.
func (s *syncer) create(ctx context.Context, missing []IndexSpec, skipped map[string]*IndexResult) (int, error) {
	if len(missing) > 1 {
		err := s.createIndexes(ctx, missing)
		if err == nil {
			return 1, nil
		}
		if !anyUnsupported(err, missing) {
			return 0, err
		}
		// Send them one by one to tell which index the server refuses.
	}
	accepted := 0
	for _, spec := range missing {
		err := s.createIndexes(ctx, []IndexSpec{spec})
		switch {
		case err == nil:
			accepted++
		case unsupported(err, spec):
			if err := s.skip(ctx, spec, err, spec.features(), skipped); err != nil {
				return accepted, err
			}
		default:
			return accepted, err
		}
	}
	return accepted, nil
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

func (s *syncer) createIndexes(ctx context.Context, specs []IndexSpec) error {
	models := make([]mongo.IndexModel, len(specs))
	for i, spec := range specs {
		models[i] = spec.Model()
	}
	s.log(ctx, slog.LevelDebug, "odm: createIndexes", slog.Any("indexes", names(specs)))
	if _, err := s.coll.Indexes().CreateMany(ctx, models); err != nil {
		return &IndexError{Collection: s.coll.Name(), Indexes: names(specs), Op: "createIndexes", Err: err}
	}
	return nil
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
	_, err := s.create(ctx, []IndexSpec{spec}, skipped)
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

// timeSeriesFields returns a TimeSeries option when the collection is a
// time series collection.
func timeSeriesFields(ctx context.Context, db *mongo.Database, name string) (DiffOption, error) {
	specs, err := db.ListCollectionSpecifications(ctx, bson.D{{Key: "name", Value: name}})
	if err != nil {
		return nil, err
	}
	for _, sp := range specs {
		if sp.Type != "timeseries" || sp.Options == nil {
			continue
		}
		ts, ok := sp.Options.Lookup("timeseries").DocumentOK()
		if !ok {
			continue
		}
		timeField, _ := ts.Lookup("timeField").StringValueOK()
		metaField, _ := ts.Lookup("metaField").StringValueOK()
		return TimeSeries(timeField, metaField), nil
	}
	return nil, nil
}

// retryable reports an error worth a fresh listing and another try: a
// dropped or failed connection, including the driver clearing its pool
// after another operation lost its connection.
func retryable(err error) bool {
	if mongo.IsNetworkError(err) {
		return true
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return true
	}
	var le mongo.LabeledError
	return errors.As(err, &le) && le.HasErrorLabel("RetryableWriteError")
}

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
