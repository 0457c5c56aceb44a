package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tagodm/tagodm/odm/internal/sharding"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

// Option configures Init and Plan. Options are passed among the models.
type Option func(*Config)

// Config is what the options given to Init and Plan set.
type Config struct {
	Logger          *slog.Logger
	skipUnsupported bool
	concurrency     int
	attempts        int
	backoff         time.Duration
	OnConflict      outcome.ConflictPolicy
	dropUndeclared  bool
	dryRun          bool
	commitQuorum    any           // nil, int32 or string
	waitSearch      bool          // WaitForSearchIndexes (search_sync.go)
	searchPoll      time.Duration // first wait between search index listings
	hideUndeclared  bool
	Shard           sharding.Options // ShardPolicy, AllowRefine, VerifyAcrossShards
	progress        progressConfig
	// abort stops the Init with an error: its context is cancelled with
	// the error as cause, which Apply returns (set by Apply).
	abort context.CancelCauseFunc
	// problems are faults in the arguments, such as an option given an
	// impossible value, reported with the models' before any command.
	problems []schema.Problem
}

// discardLogger is the logger of an Init given none.
var discardLogger = slog.New(slog.DiscardHandler)

// Defaults is the configuration before any option.
func Defaults() Config {
	return Config{
		Logger:      discardLogger,
		concurrency: 8,
		attempts:    5,
		backoff:     50 * time.Millisecond,
		OnConflict:  outcome.ConflictFail,
		searchPoll:  time.Second,
		progress:    defaultProgress(),
	}
}

// EmptyPlan is a plan of no collection under the policies c sets: what
// the plan of an Init that validates nothing says of its policies.
func (c *Config) EmptyPlan() *outcome.IndexPlan {
	return &outcome.IndexPlan{OnConflict: c.OnConflict, DropUndeclared: c.dropUndeclared, HideUndeclared: c.hideUndeclared,
		SkipUnsupported: c.skipUnsupported, Collections: []outcome.CollectionPlan{}}
}

// SkipUnsupported makes Init create every index the server supports and
// skip, listing them in the Report and the log, those it refuses for lack
// of an index type, option or command (a server without TTL or text
// indexes, or without collMod, say). Without it such a refusal fails Init
// with an *UnsupportedError.
func SkipUnsupported() Option { return func(c *Config) { c.skipUnsupported = true } }

// OnConflict sets the conflict policy (default ConflictFail).
func OnConflict(p outcome.ConflictPolicy) Option { return func(c *Config) { c.OnConflict = p } }

// DropUndeclared makes Init drop indexes that no model declares on a
// collection some model declares. The _id_ index and the indexes a server
// keeps for time series and clustered collections are never dropped, nor
// any index of a collection no model declares. Drops come after every
// creation. With HideUndeclared, only indexes already hidden are dropped.
func DropUndeclared() Option { return func(c *Config) { c.dropUndeclared = true } }

// DryRun makes Init list and plan only: the Report's Plan says what Init
// would do, and nothing is changed. Plan is Init with DryRun.
func DryRun() Option { return func(c *Config) { c.dryRun = true } }

// CommitQuorum sets the commitQuorum of every createIndexes on a replica
// set: how many data-bearing members must finish building an index before
// it is ready, as a number or as "majority" or "votingMembers". Init still
// never waits past its context's deadline. A standalone server refuses it.
func CommitQuorum[Q int | int32 | string](q Q) Option {
	return func(c *Config) {
		switch v := any(q).(type) {
		case int:
			c.commitQuorum = int32(v)
		default:
			c.commitQuorum = v
		}
	}
}

// Logger sends log records to l. Nothing is logged without it.
func Logger(l *slog.Logger) Option {
	return func(c *Config) {
		if l != nil {
			c.Logger = l
		}
	}
}

// Concurrency sets how many collections are worked on at once
// (default 8). n below 1 is an error, returned before any command.
func Concurrency(n int) Option {
	return func(c *Config) {
		if n < 1 {
			c.fail(fmt.Sprintf("Concurrency(%d)", n), "concurrency must be at least 1")
			return
		}
		c.concurrency = n
	}
}

// Retries sets how many times a collection is retried after a dropped
// connection or a change the server acknowledged but does not list
// (default 4), waiting backoff, doubled each time, in between. A negative
// n or backoff is an error, returned before any command.
func Retries(n int, backoff time.Duration) Option {
	return func(c *Config) {
		if n < 0 || backoff < 0 {
			c.fail(fmt.Sprintf("Retries(%d, %v)", n, backoff), "retries and backoff cannot be negative")
			return
		}
		c.attempts = n + 1
		c.backoff = backoff
	}
}

// fail records a fault in an option's arguments.
func (c *Config) fail(option, msg string) {
	c.problems = append(c.problems, schema.Problem{GoType: "odm.Option", Field: option, Message: msg})
}

// Apply applies o to c and returns the faults o found in its own
// arguments, which the caller reports with the models' problems.
func (c *Config) Apply(o Option) []schema.Problem {
	before := len(c.problems)
	o(c)
	return c.problems[before:]
}
