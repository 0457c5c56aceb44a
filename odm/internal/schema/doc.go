// Package schema holds what a model declares: the odm struct tag grammar,
// index and search index specs, collection options, validators and their
// generated $jsonSchema, shard keys, and the description of a model with
// every problem its declarations have, found before any command is sent.
//
// It may use bson, the driver's options types that declarations carry
// (options.Collation) and internal/reflectx; never the driver's client, the
// diff or the engine. Services reach these names through package odm.
package schema
