// Package pathcheck checks every path of a filter, sort, projection,
// update or Distinct field a repository is asked to send against the
// model's struct before any command, and answers with a query.PathError
// naming the Go type, the path and the nearest field. A query's shape
// (ShapeWriter: its paths and their kinds, never its values) is the key
// of each model's cache of answers (Checker), so that a query seen before
// costs one map lookup. ProjectionOf checks a projection type the same
// way.
//
// It imports query for PathError and ExtraPathsDeclarer, schema for the
// model, and querydoc to read documents as the coverage reads them; never
// the driver's client, the diff or the engine. It is an implementation
// detail of the repositories.
package pathcheck
