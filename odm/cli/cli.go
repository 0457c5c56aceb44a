// Package cli is a plan/apply command for a service to embed in its own
// binary, so that operators and CI see what Init would change before it
// changes it:
//
//	func main() {
//		// connect, then:
//		os.Exit(cli.Run(ctx, os.Args[1:], db, registry.All(), os.Stdout, os.Stderr))
//	}
//
//	$ myservice plan                  # exit 0: nothing pending; 2: changes pending; 1: error
//	$ myservice plan --json
//	$ myservice apply --on-conflict=rebuild --drop-undeclared
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
)

// Exit statuses.
const (
	// ExitOK: plan found nothing pending, or apply succeeded.
	ExitOK = 0
	// ExitError: the command failed (bad arguments, invalid declarations,
	// a server error, a conflict apply was told to fail on).
	ExitError = 1
	// ExitPending: plan found changes pending.
	ExitPending = 2
)

const usage = `usage: <command> [flags]

commands:
  plan    list the indexes and show what apply would change; changes nothing
  apply   make the indexes match the declarations

flags (both commands):
  --json                  print JSON instead of a table
  --on-conflict=POLICY    fail (default), rebuild or keep an index that differs from its declaration
  --drop-undeclared       drop indexes no model declares (never _id_); with
                          --hide-undeclared, only those already hidden
  --hide-undeclared       hide indexes no model declares instead of dropping them
  --skip-unsupported      skip, and report, what the server does not support
  --wait-search-indexes   apply: wait until every declared search index is queryable

apply reports on stderr the progress of index builds that run for more than
2 s: one line kept up to date on a terminal, one line an update otherwise.

exit status: 0 nothing pending (plan) or done (apply); 2 changes pending (plan); 1 error
`

// Run runs the command args names (without the program name) on db for
// models, writing results to stdout and errors to stderr, and returns the
// exit status.
func Run(ctx context.Context, args []string, db *mongo.Database, models []any, stdout, stderr io.Writer) int {
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
	opts := append([]any{models}, f.options()...)
	if command == "plan" {
		return runPlan(ctx, db, opts, f.asJSON, stdout, stderr)
	}
	return runApply(ctx, db, opts, f.asJSON, stdout, stderr)
}

// flags are the command's options, as given.
type flags struct {
	asJSON, dropUndeclared, hideUndeclared, skipUnsupported, waitSearch bool
	policy                                                              outcome.ConflictPolicy
}

// parseFlags reads the command's flags; on nil, status is the exit
// status (a usage error, or help asked for).
func parseFlags(command string, args []string, stderr io.Writer) (*flags, int) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var f flags
	fs.BoolVar(&f.asJSON, "json", false, "")
	onConflict := fs.String("on-conflict", string(outcome.ConflictFail), "")
	fs.BoolVar(&f.dropUndeclared, "drop-undeclared", false, "")
	fs.BoolVar(&f.hideUndeclared, "hide-undeclared", false, "")
	fs.BoolVar(&f.skipUnsupported, "skip-unsupported", false, "")
	fs.BoolVar(&f.waitSearch, "wait-search-indexes", false, "")
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
	f.policy = outcome.ConflictPolicy(*onConflict)
	switch f.policy {
	case outcome.ConflictFail, outcome.ConflictRebuild, outcome.ConflictKeep:
	default:
		fmt.Fprintf(stderr, "--on-conflict must be fail, rebuild or keep, not %q\n", *onConflict)
		return nil, ExitError
	}
	return &f, ExitOK
}

// options are the odm options the flags ask for.
func (f *flags) options() []any {
	opts := []any{odm.OnConflict(f.policy)}
	if f.dropUndeclared {
		opts = append(opts, odm.DropUndeclared())
	}
	if f.hideUndeclared {
		opts = append(opts, odm.HideUndeclared())
	}
	if f.skipUnsupported {
		opts = append(opts, odm.SkipUnsupported())
	}
	if f.waitSearch {
		opts = append(opts, odm.WaitForSearchIndexes())
	}
	return opts
}

// runPlan prints the plan: ExitPending when changes are pending.
func runPlan(ctx context.Context, db *mongo.Database, opts []any, asJSON bool, stdout, stderr io.Writer) int {
	plan, err := odm.Plan(ctx, db, opts...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	if err := write(stdout, plan, asJSON); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitError
	}
	if plan.Pending() > 0 {
		return ExitPending
	}
	return ExitOK
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
