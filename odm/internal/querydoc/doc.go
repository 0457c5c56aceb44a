// Package querydoc reads and edits the documents a repository sends,
// whatever Go value holds them (a bson.D, a bson.M, a map, raw BSON, a
// struct), without a server: a document as a bson.D, a nil document, a
// number, an operator document; the top-level fields of a write's filter
// (its _id, its revision, its shard key); the head of an aggregation
// pipeline; a sort that orders by nothing.
//
// Both the public query package (shapes, coverage, the typed builders)
// and the machinery above it (the path check, keyset pages, the
// repositories) read documents so, and must read them alike; it is an
// implementation detail. It imports schema and the BSON package only.
package querydoc
