package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/outcome"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// progressConfig is how Init watches long index builds.
type progressConfig struct {
	threshold time.Duration // 0 or less: never poll
	interval  time.Duration
	callback  func(outcome.Progress)
	// state is shared by the collections of one Init, so that a server
	// without $currentOp is asked and logged once.
	state *progressState
}

type progressState struct {
	logged      sync.Once
	unavailable atomic.Bool
	// command: the server refuses the $currentOp stage and answers the
	// currentOp command (deprecated since MongoDB 6.2; FerretDB has only
	// the command).
	command atomic.Bool
}

// off notes, and logs once per Init, that the server gives no progress.
func (s *progressState) off(ctx context.Context, x *executor, why string, attrs ...slog.Attr) {
	s.logged.Do(func() {
		x.log(ctx, slog.LevelDebug, "odm: no index build progress: "+why, attrs...)
	})
}

func defaultProgress() progressConfig {
	return progressConfig{threshold: 2 * time.Second, interval: 3 * time.Second, state: &progressState{}}
}

// OnProgress sends a Progress to fn each time Init polls a long index
// build (see ProgressEvery). fn is called from another goroutine, one
// call at a time for a collection, concurrently for different collections;
// it must return quickly. Events are logged at Info level as well.
//
// A panic in fn does not take the process down: Init recovers it, calls
// fn no more, stops (its commands in flight are cancelled, as when its
// context ends; the collections not started fail with context.Canceled)
// and returns an error wrapping a *PanicError, with Func "OnProgress", the
// panic's value and stack, along with the Report.
func OnProgress(fn func(outcome.Progress)) Option {
	return func(c *Config) { c.progress.callback = fn }
}

// ProgressEvery sets when Init polls the server for the progress of its
// index builds: once a createIndexes has run for threshold (default 2s),
// then every interval (default 3s). A threshold of 0 or less turns polling
// off. An interval below 100ms means 100ms.
func ProgressEvery(threshold, interval time.Duration) Option {
	return func(c *Config) {
		c.progress.threshold = threshold
		c.progress.interval = max(interval, 100*time.Millisecond)
	}
}

// buildRecord is what Init learned about the builds of one index.
type buildRecord struct {
	took         time.Duration
	otherStarted time.Time
}

// currentOpFilter selects the createIndexes operations on the
// collection's namespace that build any of the named indexes: Init's own
// command and, if another process asked for the same index first, its
// command, which Init's waits for. It also selects those that list no
// indexes at all: a server may list a createIndexes with its collection
// only (FerretDB v2 on DocumentDB shows {createIndexes: <collection>});
// MongoDB's always carry their indexes, so this selects none of them.
func currentOpFilter(db, coll string, indexes []string) bson.D {
	return bson.D{
		{Key: "ns", Value: db + "." + coll},
		{Key: "command.createIndexes", Value: coll},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "command.indexes.name", Value: bson.D{{Key: "$in", Value: indexes}}}},
			bson.D{{Key: "command.indexes", Value: bson.D{{Key: "$exists", Value: false}}}},
		}},
	}
}

// currentOpPipeline is the admin database aggregation that lists those
// operations.
func currentOpPipeline(db, coll string, indexes []string) mongo.Pipeline {
	return mongo.Pipeline{
		{{Key: "$currentOp", Value: bson.D{{Key: "allUsers", Value: true}, {Key: "idleConnections", Value: false}}}},
		{{Key: "$match", Value: currentOpFilter(db, coll, indexes)}},
		{{Key: "$project", Value: bson.D{
			{Key: "msg", Value: 1}, {Key: "progress", Value: 1}, {Key: "microsecs_running", Value: 1},
			{Key: "command.indexes.name", Value: 1},
		}}},
	}
}

// buildOp is the part of a $currentOp document the poller reads.
type buildOp struct {
	Msg      string `bson:"msg"`
	Progress *struct {
		Done  float64 `bson:"done"`
		Total float64 `bson:"total"`
	} `bson:"progress"`
	Running int64 `bson:"microsecs_running"`
	Command struct {
		Indexes []struct {
			Name string `bson:"name"`
		} `bson:"indexes"`
	} `bson:"command"`
}

// unnamed: the operation lists no indexes, so it cannot be told apart
// from another build on the collection.
func (op buildOp) unnamed() bool { return len(op.Command.Indexes) == 0 }

// buildWatch polls one createIndexes command's build.
type buildWatch struct {
	x     *executor
	coll  string
	names []string
	sent  time.Time
	stop  chan struct{}
	done  chan struct{}
	other time.Time // start of another process's build of these indexes
}

// watchBuild starts watching the build of names, sent now; the returned
// function stops the watch and reports the start of another process's
// build, if one was seen.
func (x *executor) watchBuild(ctx context.Context, names []string) func() time.Time {
	cfg := x.cfg.progress
	if cfg.threshold <= 0 {
		return func() time.Time { return time.Time{} }
	}
	w := &buildWatch{x: x, coll: x.coll.Name(), names: names, sent: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	wctx, cancel := context.WithCancel(ctx)
	go w.loop(wctx)
	return func() time.Time {
		close(w.stop)
		cancel() // a poll in flight is of no use any more
		<-w.done
		return w.other
	}
}

// loop waits for the threshold, then polls every interval until stopped
// or until the server turns out not to answer $currentOp.
func (w *buildWatch) loop(ctx context.Context) {
	defer close(w.done)
	cfg := w.x.cfg.progress
	timer := time.NewTimer(cfg.threshold)
	defer timer.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if cfg.state.unavailable.Load() || !w.poll(ctx) {
			return
		}
		timer.Reset(cfg.interval)
	}
}

// poll reads the build's operations once and reports them. It returns
// false when the server cannot tell: no $currentOp, or no privilege.
func (w *buildWatch) poll(ctx context.Context) bool {
	x, state := w.x, w.x.cfg.progress.state
	// Bounded by cancelling rather than a deadline, which the driver would
	// send as maxTimeMS: a server that does not set generic arguments
	// apart would take it for one more filter field of currentOp.
	pctx, cancel := context.WithCancel(ctx)
	slow := time.AfterFunc(max(x.cfg.progress.interval, time.Second), cancel)
	ops, err := w.currentOp(pctx)
	timedOut := !slow.Stop()
	cancel()
	switch {
	case err != nil && ctx.Err() != nil:
		return false
	case err != nil && timedOut:
		return true // a slow answer: try again at the next interval
	case err != nil:
		state.unavailable.Store(true)
		state.off(ctx, x, "the server does not answer $currentOp", slog.String("error", servererr.Message(err)))
		return false
	}
	now := time.Now()
	named := 0
	for _, op := range ops {
		if !op.unnamed() {
			named++
			w.report(ctx, w.progress(op, now))
		}
	}
	if named == 0 && len(ops) > 0 {
		// The server lists the collection's builds without their indexes
		// and progress: the build is reported running, with Init's elapsed
		// time and no percentage, once however many it lists.
		w.report(ctx, w.running(now))
	}
	if len(ops) == 0 && !w.stopped() {
		state.off(ctx, x, "the server lists none of Init's index builds in $currentOp")
	}
	return true
}

// currentOp lists the build's operations: with the $currentOp stage, or
// the currentOp command where the server refuses the stage but has the
// command. A refusal for lack of privilege is final.
func (w *buildWatch) currentOp(ctx context.Context) ([]buildOp, error) {
	x, state := w.x, w.x.cfg.progress.state
	admin := x.db.Client().Database("admin")
	if !state.command.Load() {
		cur, err := admin.Aggregate(ctx, currentOpPipeline(x.db.Name(), x.coll.Name(), w.names))
		var ops []buildOp
		if err == nil {
			err = cur.All(ctx, &ops)
		}
		if code, _ := servererr.Code(err); err == nil || ctx.Err() != nil || code == codeUnauthorized {
			return ops, err
		}
	}
	cmd := append(bson.D{{Key: "currentOp", Value: true}}, currentOpFilter(x.db.Name(), x.coll.Name(), w.names)...)
	var answer struct {
		InProg []buildOp `bson:"inprog"`
	}
	if err := admin.RunCommand(ctx, cmd).Decode(&answer); err != nil {
		return nil, err
	}
	state.command.Store(true)
	return answer.InProg, nil
}

// codeUnauthorized: the user may not list other users' operations.
const codeUnauthorized = 13

// stopped reports whether the watched command has returned.
func (w *buildWatch) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// progress turns one operation into a Progress. An operation running since
// before Init sent its command is another process's build: Init's own
// cannot have started before it was sent.
func (w *buildWatch) progress(op buildOp, now time.Time) outcome.Progress {
	p := outcome.Progress{Collection: w.coll, Indexes: w.names, Phase: phase(op.Msg), Percent: -1, Elapsed: now.Sub(w.sent)}
	if op.Progress != nil {
		p.Done, p.Total = int64(op.Progress.Done), int64(op.Progress.Total)
		if p.Total > 0 {
			p.Percent = 100 * float64(p.Done) / float64(p.Total)
		}
	}
	if started := now.Add(-time.Duration(op.Running) * time.Microsecond); started.Before(w.sent) {
		p.OtherStarted = started
		if w.other.IsZero() || started.Before(w.other) {
			w.other = started
		}
	}
	return p
}

// running is the Progress of a build the server lists without its
// indexes or progress: running for as long as Init has waited, no count.
// Whose build it is cannot be told, so OtherStarted stays zero.
func (w *buildWatch) running(now time.Time) outcome.Progress {
	return outcome.Progress{Collection: w.coll, Indexes: w.names, Percent: -1, Elapsed: now.Sub(w.sent)}
}

// report logs p and hands it to the callback. A stopped Init reports
// nothing more: after a callback panicked, no other call starts.
func (w *buildWatch) report(ctx context.Context, p outcome.Progress) {
	if ctx.Err() != nil {
		return
	}
	w.x.log(ctx, slog.LevelInfo, "odm: index build progress",
		slog.Any("indexes", p.Indexes), slog.String("phase", p.Phase),
		slog.Int64("done", p.Done), slog.Int64("total", p.Total),
		slog.String("percent", fmt.Sprintf("%.1f", p.Percent)), slog.Duration("elapsed", p.Elapsed))
	fn := w.x.cfg.progress.callback
	if fn == nil {
		return
	}
	if pe := callProgress(fn, p); pe != nil && w.x.cfg.abort != nil {
		// This goroutine is the library's: a panic let through would end
		// the process. Init stops instead, and returns it.
		w.x.cfg.abort(fmt.Errorf("odm: collection %s: %w; Init stopped", w.coll, pe))
	}
}

// callProgress calls fn with p, returning its panic.
func callProgress(fn func(outcome.Progress), p outcome.Progress) (pe *outcome.PanicError) {
	defer func() {
		if r := recover(); r != nil {
			pe = &outcome.PanicError{Func: "OnProgress", Value: r, Stack: debug.Stack()}
		}
	}()
	fn(p)
	return nil
}

// phase is the server's message without the counts it repeats from the
// progress field ("Index Build: scanning collection 16472/100000 16%").
func phase(msg string) string {
	fields := strings.Fields(msg)
	for len(fields) > 0 {
		last := fields[len(fields)-1]
		if strings.HasSuffix(last, "%") || strings.Contains(last, "/") {
			fields = fields[:len(fields)-1]
			continue
		}
		break
	}
	s := strings.TrimSuffix(strings.Join(fields, " "), ":")
	// Servers repeat the phase before the counts: keep it once.
	if i := len(s) / 2; len(s)%2 == 1 && s[i] == ' ' && s[:i] == s[i+1:] {
		return s[:i]
	}
	return s
}

// noteBuild records a createIndexes that built names in took; another
// process's build start when one was seen. A temporary index of an ordered
// rebuild counts toward its declared index.
func (x *executor) noteBuild(names []string, took time.Duration, other time.Time) {
	if x.builds == nil {
		x.builds = map[string]*buildRecord{}
	}
	for _, n := range names {
		if base, ok := temporaryBase(n); ok {
			n = base
		}
		b := x.builds[n]
		if b == nil {
			b = &buildRecord{}
			x.builds[n] = b
		}
		b.took += took
		if !other.IsZero() {
			b.otherStarted = other
		}
	}
}

// addBuildTimes fills in the build times of the report's indexes.
func (x *executor) addBuildTimes(results []outcome.IndexResult) {
	for i := range results {
		if b := x.builds[results[i].Name]; b != nil {
			results[i].BuildTime = b.took
			if !b.otherStarted.IsZero() {
				t := b.otherStarted
				results[i].OtherBuildStarted = &t
			}
		}
	}
}
