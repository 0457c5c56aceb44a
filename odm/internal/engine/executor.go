package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/odm/shard"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The executor brings one collection to its declarations: it lists, asks
// the planner for steps, runs them, and lists again, until the listing
// matches (less what the server refused, with SkipUnsupported). The
// bounded retry and re-plan loop lives in converge and nowhere else.
type executor struct {
	cfg     Config
	db      *mongo.Database
	coll    *mongo.Collection
	decl    *schema.Declared
	server  *ServerInfo
	planner planner
	refused refusals
	warned  map[string]bool         // conflicts kept and logged
	lease   *lease                  // held while destructive steps run
	planned *round                  // the first round, which the plan shows
	last    *round                  // the last listing's round: what the next run will list
	builds  map[string]*buildRecord // by index name: build times
	// modified are the collection options a collMod set in this run.
	modified []string
	memo     *remembered // the server's refusals, once looked up (remember.go)
	// readAhead is the collection's first listing when its worker read
	// it (listAhead); the first round takes it instead of listing.
	readAhead *aheadListing
}

func newExecutor(cfg Config, db *mongo.Database, decl *schema.Declared, server *ServerInfo) *executor {
	return newExecutorOn(cfg, db, db.Collection(decl.Collection), decl, server)
}

// newExecutorOn is newExecutor with the collection's handle made already.
func newExecutorOn(cfg Config, db *mongo.Database, coll *mongo.Collection, decl *schema.Declared, server *ServerInfo) *executor {
	return &executor{
		cfg: cfg, db: db, coll: coll, decl: decl, server: server,
		planner: planner{decl: decl, cfg: cfg},
	}
}

func (x *executor) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if !x.cfg.Logger.Enabled(ctx, level) {
		return // most steady-state lines go to a discarding logger
	}
	x.cfg.Logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("collection", x.coll.Name())}, attrs...)...)
}

// run converges the collection and reports what it did, its error too.
func (x *executor) run(ctx context.Context) (outcome.CollectionReport, outcome.CollectionPlan, error) {
	start := time.Now()
	plan := outcome.CollectionPlan{Collection: x.coll.Name()}
	// The shard key first; a server that cannot shard lets the indexes go on.
	sres, splan, err := x.shardKey(ctx)
	var unsupported *shard.UnsupportedError
	if err == nil || errors.As(err, &unsupported) {
		var cerr error
		plan, cerr = x.converge(ctx)
		if err = cerr; unsupported != nil {
			err = errors.Join(&outcome.UnsupportedError{Collection: x.coll.Name(), Index: "(shard key)", Options: []string{unsupported.Command}, Err: unsupported.Err}, cerr)
		}
	}
	if err == nil {
		err = x.server.Shard.Verify(ctx, x.decl, sres)
	}
	if x.lease != nil {
		x.lease.release(ctx)
	}
	if err == nil {
		x.remember()
	}
	rep := x.report(err)
	rep.Shard, plan.Shard = sres, splan
	rep.Duration = time.Since(start)
	if err != nil && plan.Changes == nil && plan.Options == nil {
		plan.Error = err.Error()
	}
	for _, results := range [][]outcome.IndexResult{rep.Options, rep.Indexes} {
		for _, r := range results {
			if r.Outcome != outcome.Existed && r.Outcome != outcome.Skipped {
				x.log(ctx, slog.LevelInfo, "odm: index "+string(r.Outcome), slog.String("index", r.Name), slog.String("action", string(r.Action)))
			}
		}
	}
	return rep, plan, err
}

// shardKey plans the collection's shard key (package sharding decides
// its step) and, unless a dry run, applies the plan. A step that changes
// the deployment runs under the collection's lease, once the indexes'
// round passes its gate: a key is not changed for a collection Init
// then fails on.
func (x *executor) shardKey(ctx context.Context) (*shard.Result, *shard.Plan, error) {
	st, p, res, err := x.server.Shard.Plan(ctx, x.decl)
	if err != nil || p == nil || x.cfg.dryRun {
		return res, p, err
	}
	if sharding.Changes(p) {
		if err := x.lockForShardKey(ctx); err != nil {
			res.Outcome = shard.Failed
			return res, p, err
		}
	}
	return res, p, x.server.Shard.Apply(ctx, x.decl, st, p, res)
}

// lockForShardKey takes the lease and gates the indexes' first round.
func (x *executor) lockForShardKey(ctx context.Context) (err error) {
	if x.lease == nil {
		x.lease, err = acquireLease(ctx, x.db, x.coll.Name(), x.log)
	}
	var r *round
	if err == nil {
		if r, err = x.nextRound(ctx); err == nil {
			err = x.planner.gate(r, &x.refused)
		}
	}
	return err
}

// retrier bounds the retries of one collection, waiting backoff, doubled
// each time, in between. It is the one retry loop of Init: the executor's
// rounds and the search index sync's listings both go through it.
type retrier struct {
	cfg        Config
	collection string
	tries      int
}

// again waits before another round, or returns err when tries are spent.
func (r *retrier) again(ctx context.Context, err error) error {
	r.tries++
	if r.tries >= r.cfg.attempts {
		return err
	}
	r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "odm: retrying", slog.String("collection", r.collection),
		slog.Int("retry", r.tries), slog.String("error", err.Error()))
	select {
	case <-time.After(r.cfg.backoff << (r.tries - 1)):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("odm: collection %s: %w (after: %v)", r.collection, ctx.Err(), err)
	}
}

// converge lists, decides and applies until the listing matches. Every
// round re-lists: a server may acknowledge a change and not make it, and
// other processes change the collection too. It ends one of three ways:
// converged (or, for a plan, the first round decided), or failed.
func (x *executor) converge(ctx context.Context) (outcome.CollectionPlan, error) {
	c := &convergence{plan: outcome.CollectionPlan{Collection: x.coll.Name()},
		retry: retrier{cfg: x.cfg, collection: x.coll.Name()}}
	for {
		done, err := x.advance(ctx, c)
		if err != nil {
			return c.plan, err
		}
		if done {
			return c.plan, nil
		}
	}
}

// convergence is the state converge carries from one move to the next.
type convergence struct {
	plan  outcome.CollectionPlan // the first round's changes
	retry retrier                // a value: it stays on converge's stack
	cur   *round                 // the round being applied; nil: list again
	// acknowledged are what the last round changed, all answered ok.
	acknowledged []string
}

// advance makes one move: a new round when there is none, else the
// round's steps.
func (x *executor) advance(ctx context.Context, c *convergence) (done bool, err error) {
	if c.cur == nil {
		return x.beginRound(ctx, c)
	}
	steps := x.planner.steps(c.cur, &x.refused)
	switch {
	case len(steps) == 0:
		return true, nil
	case x.lease == nil && slices.ContainsFunc(steps, step.destructive):
		// Destructive steps run under the collection's lease, planned
		// from a listing read while holding it.
		x.lease, err = acquireLease(ctx, x.db, x.coll.Name(), x.log)
		c.cur = nil
		return false, err
	}
	if again := intersect(c.acknowledged, stepNames(steps)); len(again) > 0 {
		// The server answered ok, yet the listing still differs: never
		// take that as done.
		err := fmt.Errorf("odm: collection %s: the server acknowledged changes to %s but does not list them",
			x.coll.Name(), strings.Join(again, ", "))
		if err := (&c.retry).again(ctx, err); err != nil {
			return false, err
		}
	}
	changed, settled, err := x.apply(ctx, steps)
	if err != nil {
		c.acknowledged, c.cur = nil, nil
		return false, x.onStepError(ctx, &c.retry, err)
	}
	c.acknowledged = stepNames(steps)
	if !changed {
		return false, nil // everything was refused: the listing still holds
	}
	c.cur = nil
	return settled, nil // settled: the server's answers confirm every index was built
}

// beginRound lists and decides a new round, and gates it. The first
// round is the plan; a dry run ends there.
func (x *executor) beginRound(ctx context.Context, c *convergence) (done bool, err error) {
	cur, err := x.nextRound(ctx)
	if err != nil {
		if x.server.Classify(ctx, err, nil) == serverprofile.ClassTransient && (&c.retry).again(ctx, err) == nil {
			return false, nil
		}
		return false, err
	}
	x.last = cur
	if x.planned == nil {
		x.planned = cur
		x.recall(cur)
		c.plan.Changes, c.plan.Options = cur.indexes, cur.options
		if x.cfg.dryRun {
			return true, nil
		}
	}
	if err := x.planner.gate(cur, &x.refused); err != nil {
		return false, err
	}
	x.warnKept(ctx, cur)
	c.cur = cur
	return false, nil
}

// onStepError decides after a failed round: a transient error, or an
// index another process put in the way (85/86), calls for a fresh plan;
// the next round's gate turns the latter into a *ConflictError under
// ConflictFail. Anything else fails the collection.
func (x *executor) onStepError(ctx context.Context, retry *retrier, err error) error {
	switch x.server.Classify(ctx, err, nil) {
	case serverprofile.ClassTransient:
		return retry.again(ctx, err)
	case serverprofile.ClassConflict:
		if rerr := retry.again(ctx, err); rerr != nil {
			if x.cfg.OnConflict == outcome.ConflictFail {
				return &outcome.ConflictError{Collection: x.coll.Name(), Err: err}
			}
			return rerr
		}
		return nil
	}
	return err
}

// nextRound lists the collection, asks the server's profile if the
// planner needs it, and has the planner compare and decide.
func (x *executor) nextRound(ctx context.Context) (*round, error) {
	var l listing
	var err error
	if l.indexes, err = x.listIndexes(ctx); err != nil {
		return nil, &outcome.IndexError{Collection: x.coll.Name(), Op: "listIndexes", Err: err}
	}
	plain, err := compare(x.decl, l.indexes)
	if err != nil {
		return nil, fmt.Errorf("odm: collection %s: %w", x.coll.Name(), odmerr.Inner(err))
	}
	var options []diff.OptionChange
	if x.planned == nil && x.planner.needsCollectionForOptionsOnly(plain) {
		options = x.knownOptions() // all refused before: nothing to list them for
	}
	if options == nil && x.planner.needsCollection(plain) {
		if l.collection, err = listCollection(ctx, x.db, x.coll.Name()); err != nil {
			return nil, &outcome.IndexError{Collection: x.coll.Name(), Op: "listCollections", Err: err}
		}
	}
	if options == nil {
		options = x.planner.optionChanges(l)
	}
	var prof *serverprofile.Profile
	if x.planner.needsProfile(plain, options) {
		if prof, err = x.server.Profile(ctx); err != nil {
			return nil, err
		}
	}
	r, err := x.planner.round(l, plain, options, prof)
	if err != nil {
		return nil, err
	}
	x.noteUnkept(ctx, r)
	return r, nil
}

// noteUnkept remembers, and logs once, the options the server does not
// keep.
func (x *executor) noteUnkept(ctx context.Context, r *round) {
	for name, opts := range r.unkept {
		if x.refused.unkept[name] == nil {
			x.log(ctx, slog.LevelWarn, "odm: the server does not keep an option", slog.String("index", name), slog.String("options", strings.Join(opts, ",")))
		}
		x.refused.unkept = setIn(x.refused.unkept, name, opts)
	}
	for _, o := range r.unkeptOptions {
		if !x.refused.unkeptOptions[o] {
			x.log(ctx, slog.LevelWarn, "odm: the server does not keep a collection option", slog.String("option", o))
		}
		x.refused.unkeptOptions = setIn(x.refused.unkeptOptions, o, true)
	}
}

// apply runs one round's steps in order. It reports whether the server
// accepted any change, and whether its answers settle the round: only
// creations, each confirmed by the answer.
func (x *executor) apply(ctx context.Context, steps []step) (changed, settled bool, err error) {
	settled = true
	for _, s := range steps {
		res, err := s.run(ctx, x)
		changed = changed || res.changed
		if err != nil {
			return changed, false, err
		}
		_, isCreate := s.(createIndexesStep)
		settled = settled && isCreate && res.confirmed
		if res.replan {
			return changed, false, nil
		}
	}
	return changed, settled, nil
}

// warnKept logs each conflict ConflictKeep leaves in place, once.
func (x *executor) warnKept(ctx context.Context, r *round) {
	if x.cfg.OnConflict != outcome.ConflictKeep {
		return
	}
	warn := func(name, summary string) {
		if x.warned[name] {
			return
		}
		x.warned = setIn(x.warned, name, true)
		x.log(ctx, slog.LevelWarn, "odm: index kept although it differs from its declaration",
			slog.String("index", name), slog.String("differences", summary))
	}
	for _, c := range r.indexes {
		if c.Action == diff.Conflict {
			warn(c.Name, c.Summary())
		}
	}
	for _, c := range r.options {
		if c.Action == diff.Conflict {
			warn("option "+c.Option, c.Summary())
		}
	}
}

// refusal reports a reply that refuses one of the indexes of a command
// for a reason only sending them one by one tells apart, or names: a
// refusal of one declaration fails Init naming that index.
func (x *executor) refusal(ctx context.Context, err error, spec schema.IndexSpec) bool {
	c := x.server.Classify(ctx, err, &spec)
	return c == serverprofile.ClassUnsupported || c == serverprofile.ClassDuplicates || c == serverprofile.ClassInvalid
}

// createIndexes sends one createIndexes command, the entries exactly as
// Document renders them. It reports whether the server's answer confirms
// that every index was built: numIndexesAfter - numIndexesBefore equals the
// number sent. Only then may a listing to check be spared.
func (x *executor) createIndexes(ctx context.Context, specs []schema.IndexSpec) (bool, error) {
	entries := make(bson.A, len(specs))
	for i, spec := range specs {
		entries[i] = spec.Document()
	}
	cmd := bson.D{{Key: "createIndexes", Value: x.coll.Name()}, {Key: "indexes", Value: entries}}
	if x.cfg.commitQuorum != nil {
		cmd = append(cmd, bson.E{Key: "commitQuorum", Value: x.cfg.commitQuorum})
	}
	x.log(ctx, slog.LevelDebug, "odm: createIndexes", slog.Any("indexes", names(specs)))
	stop, sent := x.watchBuild(ctx, names(specs)), time.Now()
	answer, err := x.db.RunCommand(ctx, cmd).Raw()
	other := stop()
	if err == nil { // a mongos answers per shard under raw; one may refuse
		err = sharding.RawFailure(answer)
	}
	if err != nil {
		return false, &outcome.IndexError{Collection: x.coll.Name(), Indexes: names(specs), Op: "createIndexes", Err: err}
	}
	x.noteBuild(names(specs), time.Since(sent), other)
	return sharding.Confirms(answer, len(specs)), nil
}

// stillConflicts lists the indexes again and reports whether the change
// still stands: the index is listed and still differs from its
// declaration the same way.
func (x *executor) stillConflicts(ctx context.Context, c diff.IndexChange, opts []diff.Option) (bool, error) {
	listed, err := x.listIndexes(ctx)
	if err != nil {
		return false, &outcome.IndexError{Collection: x.coll.Name(), Op: "listIndexes", Err: err}
	}
	changes, err := diff.Diff(x.decl.Specs, listed, opts...)
	if err != nil {
		return false, fmt.Errorf("odm: collection %s: %w", x.coll.Name(), odmerr.Inner(err))
	}
	return slices.ContainsFunc(changes, func(n diff.IndexChange) bool {
		return n.Name == c.Name && n.Action == diff.Conflict && n.ListedName == c.ListedName
	}), nil
}

// readyToRebuild is what a rebuild does before its first destructive
// command: it lists again and goes on only if the conflict still stands
// (another process may have rebuilt or dropped the index meanwhile, which
// is progress), and for a unique index only if the data holds no duplicate
// keys. When it says no, res and err are the step's result.
func (x *executor) readyToRebuild(ctx context.Context, c diff.IndexChange, opts []diff.Option) (ok bool, res stepResult, err error) {
	still, err := x.stillConflicts(ctx, c, opts)
	if err != nil || !still {
		return false, stepResult{changed: !still}, err
	}
	if c.DeclaredSpec.Unique {
		if err := x.checkDuplicates(ctx, *c.DeclaredSpec); err != nil {
			return false, stepResult{}, err
		}
	}
	return true, stepResult{}, nil
}

// refusalReason is how a report row words a server's refusal of a
// feature it lacks: the error's name and code, which say what kind of
// refusal it is, without the message, which some servers fill with a
// dump of their own Go values. The error itself, with the whole message,
// is logged and kept in the *UnsupportedError.
func refusalReason(err error) string {
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Name != "" {
		return fmt.Sprintf("the server refused it: %s (code %d)", ce.Name, ce.Code)
	}
	return err.Error()
}

// unsupportedError describes a refusal for lack of a feature; features are
// what the change needs, and the one the server's message names goes
// first.
func unsupportedError(collection string, spec schema.IndexSpec, err error, features []string) *outcome.UnsupportedError {
	opts := slices.Clone(features)
	inner := err
	var ie *outcome.IndexError
	if errors.As(err, &ie) {
		inner = ie.Err
	}
	msg := inner.Error()
	sort.SliceStable(opts, func(i, j int) bool {
		return strings.Contains(msg, opts[i]) && !strings.Contains(msg, opts[j])
	})
	return &outcome.UnsupportedError{Collection: collection, Index: spec.IndexName(), Options: opts, Err: inner}
}

// skip records an index the server refused for lack of a feature, or
// returns the refusal when SkipUnsupported is not set.
func (x *executor) skip(ctx context.Context, spec schema.IndexSpec, err error, features []string) error {
	ue := unsupportedError(x.coll.Name(), spec, err, features)
	if !x.cfg.skipUnsupported {
		x.refused.skipped = setIn(x.refused.skipped, spec.IndexName(), &outcome.IndexResult{Name: spec.IndexName(), Outcome: outcome.Failed, Options: ue.Options, Reason: ue.Err.Error()})
		return ue
	}
	reason := refusalReason(ue.Err)
	x.refused.skipped = setIn(x.refused.skipped, spec.IndexName(), &outcome.IndexResult{Name: spec.IndexName(), Outcome: outcome.Skipped, Options: ue.Options, Reason: reason})
	x.log(ctx, slog.LevelWarn, "odm: index skipped: the server does not support it",
		slog.String("index", spec.IndexName()), slog.String("options", strings.Join(ue.Options, ",")), slog.String("reason", reason))
	return nil
}

// skipOption records collection options the server refused for lack of a
// feature, or returns the refusal when SkipUnsupported is not set.
func (x *executor) skipOption(ctx context.Context, options []string, err error) error {
	var inner error = err
	var ie *outcome.IndexError
	if errors.As(err, &ie) {
		inner = ie.Err
	}
	ue := &outcome.UnsupportedError{Collection: x.coll.Name(), Index: "(collection)", Options: options, Err: inner}
	if !x.cfg.skipUnsupported {
		return ue
	}
	for _, o := range options {
		x.refused.skipped = setIn(x.refused.skipped, optionKey(o), &outcome.IndexResult{Name: "option " + o, Outcome: outcome.Skipped, Options: []string{o}, Reason: refusalReason(inner)})
	}
	x.log(ctx, slog.LevelWarn, "odm: collection option skipped: the server does not support it",
		slog.String("options", strings.Join(options, ",")), slog.String("reason", inner.Error()))
	return nil
}

// duplicates turns a server's refusal of a unique index over duplicated
// data into a *DuplicateDataError, with a sample of the shared keys when
// the data still shows one.
func (x *executor) duplicates(ctx context.Context, spec schema.IndexSpec, err error) error {
	x.refused.skipped = setIn(x.refused.skipped, spec.IndexName(), &outcome.IndexResult{Name: spec.IndexName(), Outcome: outcome.Failed, Reason: servererr.Message(err)})
	var dk *outcome.DuplicateDataError
	if derr := x.checkDuplicates(ctx, spec); errors.As(derr, &dk) {
		dk.Err = err
		return dk
	}
	return &outcome.DuplicateDataError{Collection: x.coll.Name(), Index: spec.IndexName(), Err: err}
}

func intersect(a, b []string) []string {
	var out []string
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func stepNames(steps []step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.names()...)
	}
	return out
}
