package odm

import (
	"log/slog"
	"time"

	"github.com/tagodm/tagodm/odm/internal/outcome"

	"github.com/tagodm/tagodm/odm/internal/engine"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// CollectionPlan is one collection's changes: its declared indexes in
// declaration order, then the listed indexes nobody declares.
type CollectionPlan = outcome.CollectionPlan

// CollectionReport says what Init did on one collection.
type CollectionReport = outcome.CollectionReport

// CommitQuorum sets the commitQuorum of every createIndexes on a replica
// set: how many data-bearing members must finish building an index before
// it is ready, as a number or as "majority" or "votingMembers". Init still
// never waits past its context's deadline. A standalone server refuses it.
func CommitQuorum[Q int | int32 | string](q Q) Option {
	return Option(engine.CommitQuorum[Q](q))
}

// ConflictError reports indexes listed with other keys or options than
// their declarations (or their keys under another name), under
// ConflictFail. Nothing in the collection was changed.
type ConflictError = outcome.ConflictError

// ConflictFail fails the collection with a *ConflictError naming each
// difference, before changing anything in it (the default).
const ConflictFail = outcome.ConflictFail

// ConflictKeep keeps the listed index and logs a warning.
const ConflictKeep = outcome.ConflictKeep

// ConflictPolicy says what Init does about an index listed under a declared
// name with other keys or options collMod cannot change, or with the
// declared keys under another name.
type ConflictPolicy = outcome.ConflictPolicy

// ConflictRebuild replaces the listed index by the declared one. When
// the keys differ it first builds a temporary index (TemporarySuffix)
// that serves the declared keys' queries, then drops the listed index,
// creates the declared one and drops the temporary one; otherwise it
// drops the listed index and creates the declared one right after. For
// a unique index it first looks for duplicate keys in the data and, if
// there are any, keeps the listed index and fails with a
// *DuplicateKeysError holding a sample.
const ConflictRebuild = outcome.ConflictRebuild

// Created: the index was missing and now exists.
const Created = outcome.Created

// DropUndeclared makes Init drop indexes that no model declares on a
// collection some model declares. The _id_ index and the indexes a server
// keeps for time series and clustered collections are never dropped, nor
// any index of a collection no model declares. Drops come after every
// creation. With HideUndeclared, only indexes already hidden are dropped.
func DropUndeclared() Option {
	return Option(engine.DropUndeclared())
}

// Dropped: not declared, and DropUndeclared was given.
const Dropped = outcome.Dropped

// DryRun makes Init list and plan only: the Report's Plan says what Init
// would do, and nothing is changed. Plan is Init with DryRun.
func DryRun() Option {
	return Option(engine.DryRun())
}

// DuplicateKeysError reports that a unique index could not be built or
// rebuilt because documents share its keys: found before a rebuild (the
// listed index was kept), or answered by the server to a createIndexes or
// collMod (MongoDB's DuplicateKey 11000, DocumentDB's exclusion
// constraint), then with Err.
type DuplicateKeysError = outcome.DuplicateKeysError

// Existed: the index already existed; nothing was sent.
const Existed = outcome.Existed

// Failed: the server refused the index (its collection's Error says
// why Init failed).
const Failed = outcome.Failed

// Hidden: an undeclared index hidden from the query planner
// (HideUndeclared), or found hidden already.
const Hidden = outcome.Hidden

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

// IndexError is a server's refusal of one or more indexes of a collection,
// or a failure to list them (Collection is empty for a command about the
// server as a whole, such as buildInfo). Err is the driver's error: errors.As reaches
// mongo.CommandError and its code (IndexOptionsConflict 85,
// IndexKeySpecsConflict 86, ...).
type IndexError = outcome.IndexError

// IndexModel converts s to the driver's index model, for a caller that
// creates indexes with the driver's CreateMany itself.
func IndexModel(s IndexSpec) mongo.IndexModel {
	return engine.IndexModel(s)
}

// IndexPlan says what Init would do, per collection (sorted by name), under
// the policies it was made with. Plan makes one; Init makes one before it
// changes anything and returns it in its Report.
type IndexPlan = outcome.IndexPlan

// IndexResult is what Init did about one index.
type IndexResult = outcome.IndexResult

// Kept: left as listed although it differs from its declaration
// (ConflictKeep) or is not declared.
const Kept = outcome.Kept

// LeaseCollection is the collection, in the database Init works on, that
// holds one short-lived document per collection while a process drops or
// rebuilds indexes in it. Init creates documents there only for
// destructive steps and removes each when done; it keeps no history.
const LeaseCollection = engine.LeaseCollection

// Modified: changed in place with collMod.
const Modified = outcome.Modified

// OnConflict sets the conflict policy (default ConflictFail).
func OnConflict(p ConflictPolicy) Option {
	return Option(engine.OnConflict(p))
}

// OnProgress sends a Progress to fn each time Init polls a long index
// build (see ProgressEvery). fn is called from another goroutine, one
// call at a time for a collection, concurrently for different collections;
// it must return quickly. Events are logged at Info level as well.
func OnProgress(fn func(Progress)) Option {
	return Option(engine.OnProgress(fn))
}

// Option configures Init and Plan. Options are passed among the models.
type Option func(*engine.Config)

// Outcome is what Init did about one declared index.
type Outcome = outcome.Outcome

// Planned: a dry run; nothing was done.
const Planned = outcome.Planned

// Progress is one report on an index build that runs longer than the
// progress threshold, read from the server's $currentOp. A server that
// lists the build without its indexes, phase or counts (FerretDB v2 on
// DocumentDB) gives reports with the elapsed time only: Phase empty,
// Total 0, Percent -1.
type Progress = outcome.Progress

// ProgressEvery sets when Init polls the server for the progress of its
// index builds: once a createIndexes has run for threshold (default 2s),
// then every interval (default 3s). A threshold of 0 or less turns polling
// off. An interval below 100ms means 100ms.
func ProgressEvery(threshold time.Duration, interval time.Duration) Option {
	return Option(engine.ProgressEvery(threshold, interval))
}

// Rebuilt: dropped and created again to match its declaration.
const Rebuilt = outcome.Rebuilt

// Report says what Init did, per collection (sorted by name).
type Report = outcome.Report

const SearchBuilding = outcome.SearchBuilding

// SearchConflictError reports search indexes listed under a declared name
// with another type, which updateSearchIndex cannot change, under
// ConflictFail. No search index was changed (the collection's regular
// indexes, synced first, may have been).
type SearchConflictError = outcome.SearchConflictError

const SearchFailed = outcome.SearchFailed

// SearchIndexModel converts s to the driver's mongo.SearchIndexModel, name
// and type set.
func SearchIndexModel(s SearchIndexSpec) mongo.SearchIndexModel {
	return engine.SearchIndexModel(s)
}

// SearchIndexResult is what Init did about one search index.
type SearchIndexResult = outcome.SearchIndexResult

const SearchPending = outcome.SearchPending

const SearchReady = outcome.SearchReady

// SkipUnsupported makes Init create every index the server supports and
// skip, listing them in the Report and the log, those it refuses for lack
// of an index type, option or command (a server without TTL or text
// indexes, or without collMod, say). Without it such a refusal fails Init
// with an *UnsupportedError.
func SkipUnsupported() Option {
	return Option(engine.SkipUnsupported())
}

// Skipped: the server lacks an index type, option or command the
// change needs, and SkipUnsupported was given.
const Skipped = outcome.Skipped

// TemporarySuffix ends the name of the temporary index a rebuild creates
// so that queries keep an index while the declared one builds: the
// declared name followed by this suffix. An index so named, next to a
// declared index of the base name, is Init's own: Init drops it whatever
// the options (after the round's creations, or last in a rebuild under
// ConflictRebuild that resumes), so that an interrupted rebuild leaves
// nothing behind. Do not name indexes so.
const TemporarySuffix = outcome.TemporarySuffix

// UnsupportedError reports an index that the server refused because it
// lacks an index type or option. Init returns it unless SkipUnsupported is
// set, in which case the index is listed in the Report's Skipped instead.
type UnsupportedError = outcome.UnsupportedError

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

// WithConcurrency sets how many collections are worked on at once
// (default 8). n below 1 is an error, returned before any command.
func WithConcurrency(n int) Option {
	return Option(engine.WithConcurrency(n))
}

// WithLogger sends log records to l. Nothing is logged without it.
func WithLogger(l *slog.Logger) Option {
	return Option(engine.WithLogger(l))
}

// WithRetries sets how many times a collection is retried after a dropped
// connection or a change the server acknowledged but does not list
// (default 4), waiting backoff, doubled each time, in between. A negative
// n or backoff is an error, returned before any command.
func WithRetries(n int, backoff time.Duration) Option {
	return Option(engine.WithRetries(n, backoff))
}
