// Package query checks what a repository is asked to send: every path of a
// filter, sort, projection or update against the model (PathError), and
// which declared index serves a query shape (Cover, ShapeOf,
// RedundantIndex), plus the typed field builders (F, Filter, Update, Sort)
// and the fields a repository reads in or adds to a write's filter (its
// _id, its revision, its shard key: NamesID, WithoutField, WithShardKey).
//
// It may use schema, bson and the driver's options types; never the
// driver's client, the diff or the engine.
package query
