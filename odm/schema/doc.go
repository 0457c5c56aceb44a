// Package schema holds what a model declares and what the library reads
// of it: the odm struct tag grammar, index, search index and shard key
// specs, collection options and validators, the $jsonSchema generated for
// a validator (GenerateSchema), and the description of a model (Describe)
// with every problem its declarations have, found before any command is
// sent (ValidationError).
//
// The tag parser and the checks behind Describe are unexported. Declared,
// Collect, CollectionShape, CheckNamespaces and DocumentDBShardKeyProblems
// remain for the layers above (package odm, the engine, the shard
// machinery): they merge the declarations of the models that share a
// collection and check them together, which needs where each spec was
// declared and marks the index that supports the shard key
// (IndexSpec.SupportsShardKey). A service has no need of them: Validate,
// Init, Plan and Declared in package odm call them.
//
// It may use bson, the driver's options types that declarations carry
// (options.Collation), internal/reflectx and the helpers below it
// (odm/internal/extjson, odm/internal/modelcache, odm/internal/tagspell);
// never the driver's client, the diff or the engine.
package schema
