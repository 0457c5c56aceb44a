package odm

import (
	"log/slog"
	"time"

	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The names in this file are the engine (internal/engine): Init's options and the driver conversions,
// re-exported so that services import odm alone.

// CommitQuorum sets the commitQuorum of every createIndexes on a replica
// set: how many data-bearing members must finish building an index before
// it is ready, as a number or as "majority" or "votingMembers". Init still
// never waits past its context's deadline. A standalone server refuses it.
func CommitQuorum[Q int | int32 | string](q Q) Option {
	return Option(engine.CommitQuorum[Q](q))
}

// DropUndeclared makes Init drop indexes that no model declares on a
// collection some model declares. The _id_ index and the indexes a server
// keeps for time series and clustered collections are never dropped, nor
// any index of a collection no model declares. Drops come after every
// creation. With HideUndeclared, only indexes already hidden are dropped.
func DropUndeclared() Option {
	return Option(engine.DropUndeclared())
}

// DryRun makes Init list and plan only: the Report's Plan says what Init
// would do, and nothing is changed. Plan is Init with DryRun.
func DryRun() Option {
	return Option(engine.DryRun())
}

// HideUndeclared makes Init hide, instead of drop, the indexes no model
// declares (collMod with index.hidden, MongoDB 4.4 and later): the query
// planner stops using them, the server keeps maintaining them, and
// unhiding one (collMod hidden: false, or declaring it again with the
// same keys) brings it back at once, where a dropped index takes a full
// build. The same indexes as DropUndeclared's are concerned (never _id_).
//
// Given with DropUndeclared, Init drops the undeclared indexes that are
// already hidden and hides the others: each removal then takes two runs,
// the index hidden by the first and dropped by a later one, with the time
// in between to see whether any query missed it. That is the safe way to
// remove an index; a service can keep both options on.
//
// A server without hidden indexes or collMod refuses the hide: Init fails
// with an *UnsupportedError, or with SkipUnsupported reports the index
// Skipped and keeps it.
func HideUndeclared() Option {
	return Option(engine.HideUndeclared())
}

// OnConflict sets the conflict policy (default ConflictFail).
func OnConflict(p outcome.ConflictPolicy) Option {
	return Option(engine.OnConflict(p))
}

// OnProgress sends a Progress to fn each time Init polls a long index
// build (see ProgressEvery). fn is called from another goroutine, one
// call at a time for a collection, concurrently for different collections;
// it must return quickly. Events are logged at Info level as well.
func OnProgress(fn func(outcome.Progress)) Option {
	return Option(engine.OnProgress(fn))
}

// Option configures Init and Plan. Options are passed among the models.
type Option func(*engine.Config)

// ProgressEvery sets when Init polls the server for the progress of its
// index builds: once a createIndexes has run for threshold (default 2s),
// then every interval (default 3s). A threshold of 0 or less turns polling
// off. An interval below 100ms means 100ms.
func ProgressEvery(threshold time.Duration, interval time.Duration) Option {
	return Option(engine.ProgressEvery(threshold, interval))
}

// SearchIndexModel converts s to the driver's mongo.SearchIndexModel, name
// and type set.
func SearchIndexModel(s schema.SearchIndexSpec) mongo.SearchIndexModel {
	return engine.SearchIndexModel(s)
}

// SkipUnsupported makes Init create every index the server supports and
// skip, listing them in the Report and the log, those it refuses for lack
// of an index type, option or command (a server without TTL or text
// indexes, or without collMod, say). Without it such a refusal fails Init
// with an *UnsupportedError.
func SkipUnsupported() Option {
	return Option(engine.SkipUnsupported())
}

// WaitForSearchIndexes makes Init wait, after it creates or updates search
// indexes, until each declared search index is READY and queryable, or
// FAILED, polling $listSearchIndexes (every second at first, then every
// five) and logging each status as it changes. Init still returns at its
// context's deadline, with an error naming the indexes not ready. Without
// it Init returns once the server accepts the commands: builds go on in
// the background, and the Report shows the status listed then.
func WaitForSearchIndexes() Option {
	return Option(engine.WaitForSearchIndexes())
}

// Concurrency sets how many collections are worked on at once
// (default 8). n below 1 is an error, returned before any command.
func Concurrency(n int) Option {
	return Option(engine.Concurrency(n))
}

// Logger sends log records to l. Nothing is logged without it.
func Logger(l *slog.Logger) Option {
	return Option(engine.Logger(l))
}

// Retries sets how many times a collection is retried after a dropped
// connection or a change the server acknowledged but does not list
// (default 4), waiting backoff, doubled each time, in between. A negative
// n or backoff is an error, returned before any command.
func Retries(n int, backoff time.Duration) Option {
	return Option(engine.Retries(n, backoff))
}
