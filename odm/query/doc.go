// Package query holds what a user writes in a repository's queries and
// reads of how they are checked and served: the typed field builders (F,
// Filter, Update, Sort and their operators), the error of a path the
// model does not have (PathError, and ExtraPathsDeclarer for the fields a
// struct does not declare), which declared index serves a query shape
// (ShapeOf, Cover, Redundant), and the recorder a test suite runs to list
// the queries no index serves (RecordQueries).
//
// The machinery the repositories call lives in odm/internal: the path
// check (pathcheck), keyset pages (keyset), the reading and editing of
// query documents (querydoc) and the hook that carries each query to the
// running recorders (recording).
//
// It may use schema, bson and the driver's options types; never the
// driver's client, the diff, the engine or the machinery above it.
package query
