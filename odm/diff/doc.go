// Package diff compares declarations with what a server lists: it
// normalises listIndexes, listCollections and listSearchIndexes output
// (server defaults, number types, key order) and says, per index and per
// collection option, what differs and what a change calls for (Step).
//
// It may use schema and bson; never the driver's client or the engine: the
// comparison is pure, so that plans can be tested from recorded listings.
package diff
