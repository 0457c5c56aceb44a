// Package schema holds what a model declares: the odm struct tag grammar,
// index, search index and shard key specs, the $jsonSchema generated for a
// validator, and the description of a model with every problem its
// declarations have, found before any command is sent. The plain types
// it builds on (problems, collection options, validators) are in spec.
//
// It may use spec, bson, the driver's options types that declarations
// carry (options.Collation) and internal/reflectx; never the driver's
// client, the diff or the engine. Services reach these names through
// package odm.
package schema
