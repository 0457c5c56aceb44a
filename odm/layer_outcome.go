package odm

import "github.com/tagodm/tagodm/odm/internal/outcome"

// The names in this file are the outcome layer (internal/outcome): the plan, the Report, the errors,
// re-exported so that services import odm alone.

// CollectionPlan is one collection's changes: its declared indexes in
// declaration order, then the listed indexes nobody declares.
type CollectionPlan = outcome.CollectionPlan

// CollectionReport says what Init did on one collection.
type CollectionReport = outcome.CollectionReport

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

// Dropped: not declared, and DropUndeclared was given.
const Dropped = outcome.Dropped

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

// IndexError is a server's refusal of one or more indexes of a collection,
// or a failure to list them (Collection is empty for a command about the
// server as a whole, such as buildInfo). Err is the driver's error: errors.As reaches
// mongo.CommandError and its code (IndexOptionsConflict 85,
// IndexKeySpecsConflict 86, ...).
type IndexError = outcome.IndexError

// IndexPlan says what Init would do, per collection (sorted by name), under
// the policies it was made with. Plan makes one; Init makes one before it
// changes anything and returns it in its Report.
type IndexPlan = outcome.IndexPlan

// IndexResult is what Init did about one index.
type IndexResult = outcome.IndexResult

// Kept: left as listed although it differs from its declaration
// (ConflictKeep) or is not declared.
const Kept = outcome.Kept

// Modified: changed in place with collMod.
const Modified = outcome.Modified

// Outcome is what Init did about one declared index.
type Outcome = outcome.Outcome

// PanicError is a panic in code of the caller's that the library called,
// recovered and returned instead of taking the process down: an
// OnProgress callback (Init stops and returns it) or a model's SetDefaults
// (the write returns it, wrapped, and sends nothing).
type PanicError = outcome.PanicError

// Planned: a dry run; nothing was done.
const Planned = outcome.Planned

// Progress is one report on an index build that runs longer than the
// progress threshold, read from the server's $currentOp. A server that
// lists the build without its indexes, phase or counts (FerretDB v2 on
// DocumentDB) gives reports with the elapsed time only: Phase empty,
// Total 0, Percent -1.
type Progress = outcome.Progress

// Rebuilt: dropped and created again to match its declaration.
const Rebuilt = outcome.Rebuilt

// Report says what Init did, per collection (sorted by name).
type Report = outcome.Report

// SearchConflictError reports search indexes listed under a declared name
// with another type, which updateSearchIndex cannot change, under
// ConflictFail. No search index was changed (the collection's regular
// indexes, synced first, may have been).
type SearchConflictError = outcome.SearchConflictError

// SearchIndexResult is what Init did about one search index.
type SearchIndexResult = outcome.SearchIndexResult

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

// The statuses $listSearchIndexes reports.
const (
	SearchBuilding = outcome.SearchBuilding
	SearchFailed   = outcome.SearchFailed
	SearchPending  = outcome.SearchPending
	SearchReady    = outcome.SearchReady
)
