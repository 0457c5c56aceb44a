// Command odmbench measures Init against the bare driver on the reference
// models, on MONGODB_URI or else on the embedded server, which it starts in
// a process of its own (-server-in-process keeps it inside), and prints a
// summary table (also written to the file -out names). Each ratio is
// measured in one run, the two sides taking turns round by round, as the
// median of the per-round ratios.
//
//	go run ./cmd/odmbench            # or: make bench
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

func main() {
	if os.Getenv(serveEnv) != "" {
		serve()
		return
	}
	out := flag.String("out", "bench-results.txt", "file to write the table to")
	rounds := flag.Int("rounds", 15, "rounds per measurement")
	inProcess := flag.Bool("server-in-process", false, "run the embedded server inside this process, as the examples do, rather than in a process of its own")
	flag.Parse()
	where := "" // where the embedded server runs, for the table's title
	if os.Getenv("MONGODB_URI") == "" && *inProcess {
		where = ", inside this process"
	}
	if os.Getenv("MONGODB_URI") == "" && !*inProcess {
		where = ", in a process of its own"
		uri, stop, err := startServer()
		if err != nil {
			fmt.Fprintln(os.Stderr, "odmbench:", err)
			os.Exit(1)
		}
		defer stop()
		os.Setenv("MONGODB_URI", uri)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := run(ctx, *out, *rounds, where); err != nil {
		fmt.Fprintln(os.Stderr, "odmbench:", err)
		os.Exit(1) // the server's process ends when its input closes with ours
	}
}

// row is one line of the summary.
type row struct{ what, value, note string }

func run(ctx context.Context, outPath string, rounds int, where string) error {
	conn, err := appdb.Open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	server := "MONGODB_URI"
	if conn.Embedded {
		server = "embedded FerretDB" + where
	}
	b := &bench{ctx: ctx, client: conn.Client, uri: conn.URI, opts: []any{conn.SkipUnsupported()}, rounds: rounds}
	reference := modelSet{"the 16 reference collections", []any{registry.All()}}
	supported := modelSet{"16 collections the server fully supports", nil}
	for i := 0; i < 16; i++ {
		supported.models = append(supported.models, schema.In(fmt.Sprintf("supported_%02d", i), scaleModel{}))
	}
	var rows []row
	for _, step := range []func() ([]row, error){
		func() ([]row, error) { return b.steady(reference) },
		func() ([]row, error) { return b.steady(supported) },
		func() ([]row, error) { return b.cold(reference) },
		func() ([]row, error) { return b.cold(supported) },
		b.sequential, b.scale,
	} {
		r, err := step()
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	f, err := os.Create(outPath)
	if err != nil {
		return err
	}
	defer f.Close()
	w := io.MultiWriter(os.Stdout, f)
	fmt.Fprintf(w, "odmbench on %s, %d rounds a measurement, medians, %s\n\n", server, rounds, time.Now().UTC().Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASUREMENT\tVALUE\tNOTE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.value, r.note)
	}
	return tw.Flush()
}

type bench struct {
	ctx    context.Context
	client *mongo.Client
	uri    string
	opts   []any
	rounds int
	n      int
}

// freshDB names a new database, dropped when the run ends.
func (b *bench) freshDB() *mongo.Database {
	b.n++
	db := b.client.Database(fmt.Sprintf("odmbench_%d_%d", time.Now().UnixNano()%1e6, b.n))
	return db
}

// modelSet is a set of models to measure.
type modelSet struct {
	label  string
	models []any
}

func (b *bench) initArgs(extra ...any) []any {
	return b.argsFor(modelSet{models: []any{registry.All()}}, extra...)
}

func (b *bench) argsFor(set modelSet, extra ...any) []any {
	return append(append(slices.Clone(set.models), b.opts...), extra...)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// pair times a and b within one round, a first in even rounds and b first
// in odd ones, so that neither side always runs on what the other left
// (a warm pool, a pending collection of garbage).
func pair(round int, a, b func() error) (da, db time.Duration, err error) {
	timed := func(f func() error, d *time.Duration) error {
		start := time.Now()
		err := f()
		*d = time.Since(start)
		return err
	}
	if round%2 == 1 {
		if err := timed(b, &db); err != nil {
			return 0, 0, err
		}
		return da, db, timed(a, &da)
	}
	if err := timed(a, &da); err != nil {
		return 0, 0, err
	}
	return da, db, timed(b, &db)
}

// pairRounds times a against b in rounds of reps pairs (pair's turns
// alternating within the round) and returns each round's mean time of
// either side.
func (b *bench) pairRounds(rounds, reps int, fa, fb func() error) (as, bs []time.Duration, err error) {
	for range rounds {
		var sa, sb time.Duration
		for r := range reps {
			ta, tb, err := pair(r, fa, fb)
			if err != nil {
				return nil, nil, err
			}
			sa, sb = sa+ta, sb+tb
		}
		as, bs = append(as, sa/time.Duration(reps)), append(bs, sb/time.Duration(reps))
	}
	return as, bs, nil
}

// ratio is the median of the per-round ratios a[i]/b[i]: each round's two
// sides ran back to back, so that a slow moment of the machine weighs on
// both.
func ratio(a, b []time.Duration) string {
	rs := make([]float64, len(a))
	for i := range a {
		rs[i] = float64(a[i]) / float64(b[i])
	}
	slices.Sort(rs)
	return fmt.Sprintf("%.2fx", rs[len(rs)/2])
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// collections are the collections of a set, with their declared indexes.
func collections(set modelSet) ([]string, map[string][]schema.IndexSpec, error) {
	declared, err := odm.Declared(set.models...)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, declared, nil
}

// floorConcurrency is how many collections a floor works on at once:
// Init's default, so that both sides do the same work the same way.
const floorConcurrency = 8

// concurrently runs f for every name, floorConcurrency at once, and
// returns the first error.
func concurrently(names []string, f func(string) error) error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, floorConcurrency)
	errs := make([]error, len(names))
	for i, name := range names {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = f(name)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// steady: Init on an up-to-date database against the floor, the bare
// driver listing every collection's indexes concurrently; and the commands
// one steady-state Init sends.
func (b *bench) steady(set modelSet) ([]row, error) {
	db := b.freshDB()
	defer db.Drop(context.Background())
	if _, err := odm.Init(b.ctx, db, b.argsFor(set)...); err != nil {
		return nil, err
	}
	names, _, err := collections(set)
	if err != nil {
		return nil, err
	}
	floor := func() error { return b.listAll(db, names) }
	// A steady-state Init takes a millisecond or two, about as long as a
	// scheduling hiccup of a shared 2-core machine: each round averages
	// steadyReps interleaved pairs, so that one weighs on a round's ratio
	// by a fraction of a percent.
	const steadyReps = 100
	initT, floorT, err := b.pairRounds(b.rounds, steadyReps,
		func() error { _, err := odm.Init(b.ctx, db, b.argsFor(set)...); return err }, floor)
	if err != nil {
		return nil, err
	}

	// Count the commands of one steady-state Init.
	counts := map[string]int{}
	var mu sync.Mutex
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		mu.Lock()
		counts[e.CommandName]++
		mu.Unlock()
	}}
	c, err := mongo.Connect(options.Client().ApplyURI(b.uri).SetMonitor(mon))
	if err != nil {
		return nil, err
	}
	defer c.Disconnect(context.Background())
	// The first Init of a client asks what it has not asked before (the
	// server's profile, what the server refuses); the steady state is the
	// next one.
	if _, err := odm.Init(b.ctx, c.Database(db.Name()), b.argsFor(set)...); err != nil {
		return nil, err
	}
	mu.Lock()
	clear(counts)
	mu.Unlock()
	report, err := odm.Init(b.ctx, c.Database(db.Name()), b.argsFor(set)...)
	if err != nil {
		return nil, err
	}
	var cmds []string
	for name, n := range counts {
		if name == "hello" || name == "isMaster" || name == "endSessions" {
			continue
		}
		cmds = append(cmds, fmt.Sprintf("%s %d", name, n))
	}
	sort.Strings(cmds)
	note := fmt.Sprintf("%d collections; target: exactly one listIndexes each", len(names))
	if report.Count(outcome.Skipped) > 0 {
		note += fmt.Sprintf("; the server refuses %d indexes, remembered since the client's first Init", report.Count(outcome.Skipped))
	}
	return []row{
		{"steady-state Init, " + set.label, ms(median(initT)), ""},
		{"  floor: bare listIndexes, 8 at once", ms(median(floorT)), ""},
		{"  steady-state Init / floor", ratio(initT, floorT), fmt.Sprintf("median of per-round ratios, %d pairs a round; target at most 1.05x", steadyReps)},
		{"  commands per steady-state Init", strings.Join(cmds, ", "), note},
	}, nil
}

// cold: Init on an empty database against the bare driver's CreateMany of
// the same indexes on every collection, concurrently.
func (b *bench) cold(set modelSet) ([]row, error) {
	names, declared, err := collections(set)
	if err != nil {
		return nil, err
	}
	// The indexes the server accepts, from a first run: the floor creates
	// exactly those.
	probe := b.freshDB()
	report, err := odm.Init(b.ctx, probe, b.argsFor(set)...)
	probe.Drop(context.Background())
	if err != nil {
		return nil, err
	}
	accepted := map[string][]mongo.IndexModel{}
	for _, name := range names {
		cr, _ := report.Collection(name)
		for _, spec := range declared[name] {
			if slices.Contains(cr.Names(outcome.Created), spec.IndexName()) {
				accepted[name] = append(accepted[name], odm.IndexModel(spec))
			}
		}
	}
	floor := func(db *mongo.Database) error {
		return concurrently(names, func(name string) error {
			if len(accepted[name]) == 0 {
				return nil
			}
			_, err := db.Collection(name).Indexes().CreateMany(b.ctx, accepted[name])
			return err
		})
	}
	var initT, floorT []time.Duration
	for i := 0; i < b.rounds; i++ {
		a, f := b.freshDB(), b.freshDB()
		it, ft, err := pair(i, func() error { _, err := odm.Init(b.ctx, a, b.argsFor(set)...); return err },
			func() error { return floor(f) })
		if err != nil {
			return nil, err
		}
		initT, floorT = append(initT, it), append(floorT, ft)
		a.Drop(context.Background())
		f.Drop(context.Background())
	}
	note := "median of per-round ratios; target at most 1.1x"
	if report.Count(outcome.Skipped) > 0 {
		note += fmt.Sprintf("; Init also tries the %d indexes the server refuses", report.Count(outcome.Skipped))
	}
	return []row{
		{"cold Init, " + set.label, ms(median(initT)), ""},
		{"  floor: bare CreateMany, 8 at once", ms(median(floorT)), ""},
		{"  cold Init / floor", ratio(initT, floorT), note},
	}, nil
}

// sequential: cold Init one collection at a time against the default.
func (b *bench) sequential() ([]row, error) {
	var seqT, conT []time.Duration
	for i := 0; i < b.rounds; i++ {
		s, c := b.freshDB(), b.freshDB()
		st, ct, err := pair(i, func() error { _, err := odm.Init(b.ctx, s, b.initArgs(odm.Concurrency(1))...); return err },
			func() error { _, err := odm.Init(b.ctx, c, b.initArgs()...); return err })
		if err != nil {
			return nil, err
		}
		seqT, conT = append(seqT, st), append(conT, ct)
		s.Drop(context.Background())
		c.Drop(context.Background())
	}
	return []row{
		{"cold Init, reference, sequential (concurrency 1)", ms(median(seqT)), ""},
		{"  cold Init, concurrent (default 8)", ms(median(conT)), ""},
		{"  sequential / concurrent", fmt.Sprintf("%.2fx", float64(median(seqT))/float64(median(conT))), "the gain of concurrency"},
	}, nil
}

// scaleModel has five indexes; odm.In places it in many collections.
type scaleModel struct {
	Key    string    `bson:"key" odm:"uniqueIndex"`
	Owner  string    `bson:"owner" odm:"index:idx_owner_at,priority:1"`
	At     time.Time `bson:"at" odm:"index:idx_owner_at,priority:2,sort:desc"`
	Status string    `bson:"status" odm:"index"`
	Kind   string    `bson:"kind" odm:"index"`
	Score  int       `bson:"score" odm:"index,sort:desc"`
}

// scale: steady-state Init over 10, 100 and 1,000 collections of five
// indexes.
func (b *bench) scale() ([]row, error) {
	var rows []row
	var prev time.Duration
	for _, n := range []int{10, 100, 1000} {
		models := make([]any, n)
		for i := range models {
			models[i] = schema.In(fmt.Sprintf("scale_%04d", i), scaleModel{})
		}
		db := b.freshDB()
		if _, err := odm.Init(b.ctx, db, models); err != nil {
			return nil, err
		}
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("scale_%04d", i)
		}
		// Rounds of at least about 200 collections listed a side, as the
		// steady rows do for the same reason.
		ts, fs, err := b.pairRounds(b.rounds, max(1, 200/n),
			func() error { _, err := odm.Init(b.ctx, db, models); return err },
			func() error { return b.listAll(db, names) })
		if err != nil {
			return nil, err
		}
		db.Drop(context.Background())
		m := median(ts)
		note := fmt.Sprintf("%.0f µs a collection; %s the floor over the same collections", float64(m.Microseconds())/float64(n), ratio(ts, fs))
		if prev > 0 {
			note += fmt.Sprintf("; %.1fx the previous for 10x the collections", float64(m)/float64(prev))
		}
		rows = append(rows, row{fmt.Sprintf("steady-state Init, %d collections x 5 indexes", n), ms(m), note})
		prev = m
	}
	return rows, nil
}

// listAll is the steady-state floor: every collection's listIndexes, with
// a copy of each index document kept, as the least a client must do to
// hold the listing (the cursor reuses its buffer).
func (b *bench) listAll(db *mongo.Database, names []string) error {
	return concurrently(names, func(name string) error {
		cur, err := db.Collection(name).Indexes().List(b.ctx)
		if err != nil {
			return err
		}
		defer cur.Close(b.ctx)
		var all []bson.Raw
		for cur.Next(b.ctx) {
			all = append(all, append(bson.Raw(nil), cur.Current...))
		}
		_ = all
		return cur.Err()
	})
}
