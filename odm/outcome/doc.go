// Package outcome holds what Init and Plan report: the plan (IndexPlan,
// the step each change calls for under the policies: OnConflict's
// ConflictPolicy, Blocked), the Report of what was done (per collection
// and index, with its Outcome), build Progress, and the errors one may
// errors.As: ConflictError, SearchConflictError, DuplicateDataError,
// IndexError, UnsupportedError and PanicError, with their tables and
// JSON.
//
// It holds data and messages only: the engine fills these values in
// through their exported fields. The rules that decide a step where the
// plan and the engine must agree (a rebuild's temporary index, Init's own
// leftovers, hidden indexes) and the reading of a server's refusals are
// internal to the library, shared with the engine.
//
// It may use schema, diff, query, shard and the driver's error types;
// never the engine.
package outcome
