// Package outcome holds what Init and Plan report: the plan (IndexPlan,
// the step each change calls for under the policies), the Report of what
// was done, build progress, and the errors a collection fails with, with
// their tables and JSON.
//
// It may use schema, diff, query and the driver's error types; never the
// engine, which fills these values in.
package outcome
