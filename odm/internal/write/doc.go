// Package write prepares what a repository writes, before any command:
// documents encoded as the repository stores them (nil slices and maps as
// empty ones), a replacement as $set and $unset of the fields a struct
// owns (or a whole document for a model with an ",inline" map), the paths
// an update or a pipeline stage writes, the fields a filter fixes for an
// upsert, generated _ids, and revisions (counters and UUIDs).
//
// It may use query, spec, reflectx, bson and the driver's error and
// option types; never the diff, the engine or the odm package.
package write
