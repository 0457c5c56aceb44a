// Package cli is a plan/apply command for a service to embed in its own
// binary, so that operators and CI see what Init would change before it
// changes it:
//
//	func main() {
//		// connect, then:
//		os.Exit(cli.Run(ctx, os.Args[1:], db, registry.All(), os.Stdout, os.Stderr,
//			odm.OnConflict(outcome.ConflictFail), odm.SkipUnsupported()))
//	}
//
//	$ myservice plan            # 0 nothing pending; 2 safe changes pending; 3 blocked; 1 error
//	$ myservice plan --json     # the same, with "status": "clean", "pending" or "blocked"
//	$ myservice apply --on-conflict=rebuild --drop-undeclared
//
// Run takes the options Init takes; the command's flags add to them, and
// --on-conflict and --shard replace the policy they set. plan's exit
// status is a CI gate: ExitPending when applying would make only changes
// the policies allow, ExitBlocked when applying with the same options
// would fail or hold a change back (see outcome.IndexPlan.Blocked and
// outcome.Blocking), ExitError when the plan could not be made.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/shard"
)

// Exit statuses.
const (
	// ExitOK: plan found nothing pending, or apply succeeded.
	ExitOK = 0
	// ExitError: the command failed: bad arguments, a server error, or
	// apply failing on anything (a conflict it was told to fail on, say).
	ExitError = 1
	// ExitPending: plan found changes pending, all of which applying with
	// the same options would make: creates, collMods, rebuilds under
	// --on-conflict=rebuild, the drops and hides the flags ask for, shard
	// keys to shard.
	ExitPending = 2
	// ExitBlocked: plan found something applying with the same options
	// would fail on or hold back: an index conflict under
	// --on-conflict=fail, a collection option collMod cannot change, a
	// search index conflict, a shard key mismatch or a held shard key, an
	// unsupported index, option or shard key without --skip-unsupported,
	// invalid declarations. The JSON's "blocked" lists why.
	ExitBlocked = 3
)

// The statuses of plan's JSON ("status"), one per exit status but
// ExitError.
const (
	// StatusClean: nothing pending (ExitOK).
	StatusClean = "clean"
	// StatusPending: changes pending, none blocked (ExitPending).
	StatusPending = "pending"
	// StatusBlocked: applying would fail or hold back (ExitBlocked).
	StatusBlocked = "blocked"
)

const usage = `usage: <command> [flags]

commands:
  plan    list the indexes and show what apply would change; changes nothing
  apply   make the indexes match the declarations

flags (both commands); they add to the options the program gives, and
--on-conflict and --shard replace the policy it sets:
  --json                  print JSON instead of a table
  --on-conflict=POLICY    fail (default), rebuild or keep an index that differs from its declaration
  --drop-undeclared       drop indexes no model declares (never _id_); with
                          --hide-undeclared, only those already hidden
  --hide-undeclared       hide indexes no model declares instead of dropping them
  --skip-unsupported      skip, and report, what the server does not support
  --shard=POLICY          off, report, empty (default once a model declares a key)
                          or populated: which collections Init may shard
  --allow-refine          refine a collection sharded on a prefix of the declared key
  --wait-search-indexes   apply: wait until every declared search index is queryable

apply reports on stderr the progress of index builds that run for more than
2 s: one line kept up to date on a terminal, one line an update otherwise.

exit status:
  0  plan: nothing pending ("status": "clean"); apply: done
  2  plan: changes pending that apply would make ("status": "pending")
  3  plan: apply would fail or hold a change back ("status": "blocked")
  1  error: bad arguments, a server error, apply failed
`

// Run runs the command args names (without the program name) on db for
// models, writing results to stdout and errors to stderr, and returns the
// exit status. opts are the options the program gives Init (odm.Option
// values, as Init takes them); the command's flags are applied after
// them, so that a flag given adds to them or replaces the policy they set.
func Run(ctx context.Context, args []string, db *mongo.Database, models []any, stdout, stderr io.Writer, opts ...odm.Option) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitError
	}
	command := args[0]
	switch command {
	case "plan", "apply":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", command, usage)
		return ExitError
	}
	f, status := parseFlags(command, args[1:], stderr)
	if f == nil {
		return status
	}
	given := append(append([]odm.Option(nil), opts...), f.options()...)
	all := []any{models, given}
	if command == "plan" {
		return runPlan(ctx, db, all, given, f.asJSON, stdout, stderr)
	}
	return runApply(ctx, db, all, f.asJSON, stdout, stderr)
}

// flags are the command's options, as given.
type flags struct {
	asJSON, dropUndeclared, hideUndeclared, skipUnsupported, waitSearch, allowRefine bool
	policy                                                                           outcome.ConflictPolicy
	shard                                                                            shard.Mode
}

// parseFlags reads the command's flags; on nil, status is the exit
// status (a usage error, or help asked for).
func parseFlags(command string, args []string, stderr io.Writer) (*flags, int) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var f flags
	fs.BoolVar(&f.asJSON, "json", false, "")
	onConflict := fs.String("on-conflict", "", "")
	fs.BoolVar(&f.dropUndeclared, "drop-undeclared", false, "")
	fs.BoolVar(&f.hideUndeclared, "hide-undeclared", false, "")
	fs.BoolVar(&f.skipUnsupported, "skip-unsupported", false, "")
	fs.BoolVar(&f.waitSearch, "wait-search-indexes", false, "")
	shardMode := fs.String("shard", "", "")
	fs.BoolVar(&f.allowRefine, "allow-refine", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, ExitOK
		}
		return nil, ExitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %v\n", fs.Args())
		return nil, ExitError
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["on-conflict"] {
		f.policy = outcome.ConflictPolicy(*onConflict)
		switch f.policy {
		case outcome.ConflictFail, outcome.ConflictRebuild, outcome.ConflictKeep:
		default:
			fmt.Fprintf(stderr, "--on-conflict must be fail, rebuild or keep, not %q\n", *onConflict)
			return nil, ExitError
		}
	}
	if set["shard"] {
		f.shard = shard.Mode(*shardMode)
		switch f.shard {
		case shard.Off, shard.Report, shard.Empty, shard.Populated:
		default:
			fmt.Fprintf(stderr, "--shard must be off, report, empty or populated, not %q\n", *shardMode)
			return nil, ExitError
		}
	}
	return &f, ExitOK
}

// options are the odm options the flags given ask for: a flag left out
// leaves the program's option as it is.
func (f *flags) options() []odm.Option {
	var opts []odm.Option
	add := func(on bool, o odm.Option) {
		if on {
			opts = append(opts, o)
		}
	}
	add(f.policy != "", odm.OnConflict(f.policy))
	add(f.dropUndeclared, odm.DropUndeclared())
	add(f.hideUndeclared, odm.HideUndeclared())
	add(f.skipUnsupported, odm.SkipUnsupported())
	add(f.waitSearch, odm.WaitForSearchIndexes())
	add(f.shard != "", odm.ShardPolicy(f.shard))
	add(f.allowRefine, odm.AllowRefine())
	return opts
}

// runPlan prints the plan and its status: ExitBlocked when applying it
// would fail or hold a change back, else ExitPending when changes are
// pending. An error Plan returns that is about the declarations or the
// collections' state (outcome.Blocking) blocks; any other is ExitError.
func runPlan(ctx context.Context, db *mongo.Database, args []any, opts []odm.Option, asJSON bool, stdout, stderr io.Writer) int {
	plan, err := odm.Plan(ctx, db, args...)
	var fromErr []outcome.Blocker
	if err != nil {
		fmt.Fprintln(stderr, err)
		var ok bool
		if fromErr, ok = outcome.Blocking(err); !ok {
			return ExitError
		}
	}
	if plan == nil { // the declarations are invalid: no collection was planned
		plan = emptyPlan(opts)
	}
	blocked := append(plan.Blocked(), fromErr...)
	status, code := StatusClean, ExitOK
	switch {
	case len(blocked) > 0:
		status, code = StatusBlocked, ExitBlocked
	case plan.Pending() > 0:
		status, code = StatusPending, ExitPending
	}
	if werr := writePlan(stdout, plan, status, blocked, asJSON); werr != nil {
		fmt.Fprintln(stderr, werr)
		return ExitError
	}
	return code
}

// emptyPlan is a plan of no collection under the policies opts set.
func emptyPlan(opts []odm.Option) *outcome.IndexPlan {
	cfg := engine.Defaults()
	for _, o := range opts {
		if o != nil {
			cfg.Apply(engine.Option(o))
		}
	}
	return cfg.EmptyPlan()
}

// planStatus heads plan's JSON.
type planStatus struct {
	Status  string            `json:"status"`
	Blocked []outcome.Blocker `json:"blocked,omitempty"`
}

// writePlan writes the plan with its status: in JSON, status and blocked
// first, then the plan's own fields; in a table, the blockers after it.
func writePlan(w io.Writer, plan *outcome.IndexPlan, status string, blocked []outcome.Blocker, asJSON bool) error {
	if !asJSON {
		if err := plan.WriteTable(w); err != nil {
			return err
		}
		if len(blocked) > 0 {
			fmt.Fprintf(w, "blocked: applying would fail on or hold back %d change(s):\n", len(blocked))
		}
		for _, b := range blocked {
			fmt.Fprintf(w, "  - %s\n", b)
		}
		return nil
	}
	head, err := json.Marshal(planStatus{status, blocked})
	if err != nil {
		return err
	}
	body, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	// Both are objects: the plan's fields follow the status's.
	joined := append(append(head[:len(head)-1], ','), body[1:]...)
	var out bytes.Buffer
	if err := json.Indent(&out, joined, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(w)
	return err
}

// runApply runs Init with build progress on stderr and prints the Report,
// also when Init failed part-way.
func runApply(ctx context.Context, db *mongo.Database, opts []any, asJSON bool, stdout, stderr io.Writer) int {
	progress := newProgressPrinter(stderr)
	report, err := odm.Init(ctx, db, append(opts, odm.OnProgress(progress.show))...)
	progress.done()
	if report != nil {
		if werr := write(stdout, report, asJSON); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	return ExitOK
}

type table interface{ WriteTable(io.Writer) error }

func write(w io.Writer, v table, asJSON bool) error {
	if !asJSON {
		return v.WriteTable(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
