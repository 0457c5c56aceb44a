// Package diff compares declarations with what a server lists: it
// normalises listIndexes, listCollections and listSearchIndexes output
// (server defaults, number types, key order) and says, per index and per
// collection option, what differs and what a change calls for (Step).
// Plan and Init show its changes (IndexChange, OptionChange,
// SearchIndexChange) in an outcome.IndexPlan; Diff, DiffSearch and
// DiffCollection compare recorded listings without a server.
//
// It may use schema, bson and the reading of search listings it shares
// with the engine; never the driver's client or the engine: the
// comparison is pure, so that plans can be tested from recorded listings.
package diff
