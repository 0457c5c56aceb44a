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
// # Where the names are
//
// This package holds what a service calls: Init, Plan, Validate, Declared,
// their options, and the repositories (Collection[T], Query[T], Page[T]).
// What those take and return is defined, with its methods and fields, in
// the package of its layer:
//
//   - [github.com/tagodm/tagodm/odm/schema]: what a model declares:
//     IndexSpec, Index and the key constructors (Asc, Desc, Text, Hashed,
//     ...), search index and shard key specs, collection options,
//     validators, UUID, and the ValidationError that lists every problem.
//   - [github.com/tagodm/tagodm/odm/query]: typed field references (F) and
//     the filters, updates and sorts built from them, PathError, and index
//     coverage of queries (Cover, RecordQueries).
//   - [github.com/tagodm/tagodm/odm/outcome]: what Init and Plan report: the
//     Report, the IndexPlan, progress, ConflictPolicy and the errors.
//   - [github.com/tagodm/tagodm/odm/diff]: the comparison of declarations
//     with a server's listings, for a caller that lists indexes itself.
//   - [github.com/tagodm/tagodm/odm/shard]: the shard key's policy, plan and
//     result.
//
// The engine that lists, plans and applies is internal, as are the
// helpers the layers share.
package odm
