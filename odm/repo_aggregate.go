package odm

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Aggregate runs pipeline on the collection and returns the driver's
// cursor over its results; close it when done. The pipeline is sent
// unchanged.
//
// The head of the pipeline, its leading $match stages and a $sort among
// them (the stages the server runs on the stored documents, with their
// indexes), is checked and recorded as Find's filter and sort are: before
// any command, a key of a $match or of that $sort that names no field of
// T is a *PathError, and a running recorder (RecordQueries) records the
// head's shape and coverage with op "aggregate". Several $match stages
// are read as one filter and a $match after the $sort as before it, as
// MongoDB runs them. The stages after the head ($group, $project,
// $lookup, a $match after another stage, ...) are not checked: their
// keys may name the fields earlier stages compute. A pipeline that is not
// a slice or array of stages (raw BSON, a ValueMarshaler) is sent
// unchecked. A nil ctx is an error, before any command.
//
// A typed pipeline (an agg.Pipeline, or any value with its Stages
// method) is sent as its stages, checked as above; its error (a reference
// that names no field) is returned before any command. RunPipeline also
// checks, at compile time, that it runs on T.
func (c *Collection[T]) Aggregate(ctx context.Context, pipeline any, opts ...options.Lister[options.AggregateOptions]) (*mongo.Cursor, error) {
	return c.core().Aggregate(ctx, pipeline, opts...)
}
