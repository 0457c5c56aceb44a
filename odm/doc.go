// Package odm keeps a MongoDB database's collections, indexes, TTLs,
// validators and search indexes as the service's Go models declare them,
// and gives typed repositories over those models.
//
// A model is a struct. It declares indexes in `odm:"..."` struct tags for
// the common cases and in an Indexes() method for the rest; collection
// options, a validator, search indexes and a shard key by methods beside it:
//
//	type User struct {
//		ID    bson.ObjectID `bson:"_id,omitempty"`
//		Email string        `bson:"email" odm:"uniqueIndex"`
//		Seen  time.Time     `bson:"seen" odm:"index:idx_seen_ttl,ttl:720h"`
//	}
//
// At start-up, in every process alike, the service calls
//
//	report, err := odm.Init(ctx, db, registry.All())
//
// Init validates every declaration before sending anything, lists what the
// server has, and creates or changes only what differs; run again, it sends
// one listIndexes per collection and nothing else. Plan says what Init
// would do without doing it. Repositories (Collection[T]) read and write
// documents and never create indexes.
//
// # Layers
//
// This package is the facade. What services write (IndexSpec, Index, the
// tag grammar, Init, Plan, Report, the errors, Collection[T], F and the
// query builders) is declared here, as aliases where the type lives in a
// layer below. The layers import only downward:
//
//   - internal/spec: the plain types declarations are made of (problems,
//     collection options, validators, UUID).
//   - internal/schema: declarations. The tag grammar, index, search index
//     and shard key specs, $jsonSchema generation, the model description
//     and its validation. bson only; never the driver's client.
//   - internal/diff: comparison of declarations with listings. Pure.
//   - internal/query: path checking and index coverage of queries, and the
//     fields repositories read in or add to write filters. Pure.
//   - internal/outcome: what Init reports: the plan, the Report, progress,
//     the errors.
//   - internal/shard: detection of a sharded cluster, and the shard key's
//     plan and apply.
//   - internal/engine: listing, planning and applying (steps, executor,
//     lease, progress, server profiles, search sync). With shard, the only
//     layer that sends commands for Init.
//   - odm (this package): Init and Plan over the engine, and the
//     repositories, which send the documents' reads and writes.
package odm
