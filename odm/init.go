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

// Option configures Init. Options are passed among Init's models.
type Option func(*config)

type config struct {
	logger          *slog.Logger
	skipUnsupported bool
	concurrency     int
	attempts        int
	backoff         time.Duration
}

func defaults() config {
	return config{
		logger:      slog.New(slog.DiscardHandler),
		concurrency: 8,
		attempts:    5,
		backoff:     50 * time.Millisecond,
	}
}

// SkipUnsupported makes Init create every index the server supports and
// skip, listing them in the Report and the log, those it refuses for lack
// of an index type or option (a server without TTL or text indexes, say).
// Without it such a refusal fails Init with an *UnsupportedError.
func SkipUnsupported() Option { return func(c *config) { c.skipUnsupported = true } }

// WithLogger sends Init's log records to l. Init logs nothing without it.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithConcurrency sets how many collections Init works on at once
// (default 8; values below 1 mean 1).
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = max(n, 1) } }

// WithRetries sets how many times Init retries a collection after a
// dropped connection or an index that did not appear (default 4), waiting
// backoff, doubled each time, in between.
func WithRetries(n int, backoff time.Duration) Option {
	return func(c *config) {
		c.attempts = max(n, 0) + 1
		c.backoff = max(backoff, 0)
	}
}

// Init makes sure every index the models declare exists on db, creating
// the missing ones with one createIndexes command per collection.
//
// Each argument is a model (a struct value, or a pointer to one, nil
// allowed), a []any of models (registry.All()), or an Option. Init first
// validates every model and sends nothing if any declaration is wrong (the
// error is a *ValidationError listing every problem). Then, for each
// collection, concurrently, it lists the indexes once and creates those the
// listing lacks, matched by name. A collection with nothing missing gets no
// createIndexes. Init is idempotent and safe to run from several processes
// at once; it never drops or changes an existing index.
//
// On error the Report still lists every collection, with index results for
// those that completed; errors of several collections are joined. Server refusals are *IndexError or *UnsupportedError values
// wrapping the driver's error.
func Init(ctx context.Context, db *mongo.Database, args ...any) (*Report, error) {
	cfg := defaults()
	var models []any
	splitArgs(args, &cfg, &models)
	start := time.Now()
	cols, err := collect(models)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("odm: Init needs a database, got nil")
	}

	report := &Report{Collections: make([]CollectionReport, len(cols))}
	errs := make([]error, len(cols))
	sem := make(chan struct{}, cfg.concurrency)
	var wg sync.WaitGroup
	for i, c := range cols {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("odm: collection %s: %w", c.collection, ctx.Err())
			report.Collections[i] = CollectionReport{Collection: c.collection}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := syncer{cfg: cfg, coll: db.Collection(c.collection), specs: c.specs}
			report.Collections[i], errs[i] = s.run(ctx)
		}()
	}
	wg.Wait()
	sort.Slice(report.Collections, func(i, j int) bool {
		return report.Collections[i].Collection < report.Collections[j].Collection
	})
	report.Duration = time.Since(start)
	cfg.logger.LogAttrs(ctx, slog.LevelInfo, "odm: init done",
		slog.Int("collections", len(cols)), slog.Int("created", report.Count(Created)),
		slog.Duration("took", report.Duration))
	return report, errors.Join(errs...)
}

func splitArgs(args []any, cfg *config, models *[]any) {
	for _, a := range args {
		switch a := a.(type) {
		case Option:
			if a != nil {
				a(cfg)
			}
		case []any:
			splitArgs(a, cfg, models)
		default:
			*models = append(*models, a)
		}
	}
}

// syncer brings one collection's indexes up to its declarations.
type syncer struct {
	cfg   config
	coll  *mongo.Collection
	specs []IndexSpec
}

func (s *syncer) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	s.cfg.logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("collection", s.coll.Name())}, attrs...)...)
}

func (s *syncer) run(ctx context.Context) (CollectionReport, error) {
	start := time.Now()
	rep, err := s.converge(ctx)
	rep.Duration = time.Since(start)
	return rep, err
}

// converge lists the collection's indexes and creates the missing ones
// until the listing shows every declared index (or the server refused it
// for lack of a feature and SkipUnsupported is set).
func (s *syncer) converge(ctx context.Context) (CollectionReport, error) {
	rep := CollectionReport{Collection: s.coll.Name()}

	skipped := map[string]*IndexResult{}
	var before map[string]bool // the first listing
	acknowledged := false      // the last createIndexes was answered ok
	retries := 0
	// again waits before another try, or returns err when tries are spent.
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
	var listed map[string]bool
	for {
		var err error
		if listed == nil {
			listed, err = listIndexNames(ctx, s.coll)
		}
		if err != nil {
			err = &IndexError{Collection: s.coll.Name(), Op: "listIndexes", Err: err}
			if retryable(err) {
				if err := again(err); err == nil {
					continue
				}
			}
			return rep, err
		}
		if before == nil {
			before = listed
		}
		var missing []IndexSpec
		for _, spec := range s.specs {
			if !listed[spec.IndexName()] && skipped[spec.IndexName()] == nil {
				missing = append(missing, spec)
			}
		}
		if len(missing) == 0 {
			break
		}
		if acknowledged {
			// A server may answer ok and still not build every index the
			// command carried: never take that as success.
			err := fmt.Errorf("odm: collection %s: the server acknowledged index %s but does not list it", s.coll.Name(), strings.Join(names(missing), ", "))
			if err := again(err); err != nil {
				return rep, err
			}
		}
		refused := len(skipped)
		err = s.create(ctx, missing, skipped)
		acknowledged = err == nil
		if acknowledged && len(skipped)-refused == len(missing) {
			continue // every index was refused: the listing still holds
		}
		listed = nil
		if err != nil {
			if !retryable(err) {
				return rep, err
			}
			if err := again(err); err != nil {
				return rep, err
			}
		}
	}

	for _, spec := range s.specs {
		name := spec.IndexName()
		switch {
		case skipped[name] != nil:
			rep.Indexes = append(rep.Indexes, *skipped[name])
		case before[name]:
			rep.Indexes = append(rep.Indexes, IndexResult{Name: name, Outcome: Existed})
		default:
			rep.Indexes = append(rep.Indexes, IndexResult{Name: name, Outcome: Created})
			s.log(ctx, slog.LevelInfo, "odm: index created", slog.String("index", name))
		}
	}
	return rep, nil
}

// create sends the missing indexes in one command. If the server refuses
// one for lack of a feature, it sends them one by one to tell which.
func (s *syncer) create(ctx context.Context, missing []IndexSpec, skipped map[string]*IndexResult) error {
	if len(missing) > 1 {
		err := s.createMany(ctx, missing)
		if err == nil || !slices.ContainsFunc(missing, func(sp IndexSpec) bool { return unsupported(err, sp) }) {
			return err
		}
		// Send them one by one to tell which index the server refuses.
	}
	for _, spec := range missing {
		err := s.createMany(ctx, []IndexSpec{spec})
		switch {
		case err == nil:
		case unsupported(err, spec):
			ue := unsupportedError(s.coll.Name(), spec, err)
			if !s.cfg.skipUnsupported {
				return ue
			}
			reason := ue.Err.Error()
			skipped[spec.IndexName()] = &IndexResult{Name: spec.IndexName(), Outcome: Skipped, Options: ue.Options, Reason: reason}
			s.log(ctx, slog.LevelWarn, "odm: index skipped: the server does not support it",
				slog.String("index", spec.IndexName()), slog.String("options", strings.Join(ue.Options, ",")), slog.String("reason", reason))
		default:
			return err
		}
	}
	return nil
}

func (s *syncer) createMany(ctx context.Context, specs []IndexSpec) error {
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

func unsupportedError(collection string, spec IndexSpec, err error) *UnsupportedError {
	opts := spec.features()
	// Put first the option the server's message names, when it names one.
	var inner error = err
	var ie *IndexError
	if errors.As(err, &ie) {
		inner = ie.Err
	}
	msg := inner.Error()
	sort.SliceStable(opts, func(i, j int) bool {
		return strings.Contains(msg, opts[i]) && !strings.Contains(msg, opts[j])
	})
	return &UnsupportedError{Collection: collection, Index: spec.IndexName(), Options: opts, Err: inner}
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

// listIndexNames lists the collection's index names. A collection that does
// not exist has none (MongoDB answers NamespaceNotFound).
func listIndexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		if code, ok := errorCode(err); ok && code == codeNamespaceNotFound {
			return map[string]bool{}, nil
		}
		return nil, err
	}
	defer cur.Close(ctx)
	out := map[string]bool{}
	for cur.Next(ctx) {
		name, ok := cur.Current.Lookup("name").StringValueOK()
		if !ok {
			return nil, fmt.Errorf("listIndexes returned an index without a name: %s", cur.Current)
		}
		out[name] = true
	}
	return out, cur.Err()
}
