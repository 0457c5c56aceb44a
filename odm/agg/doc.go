// Package agg builds aggregation pipelines from the typed field
// references of odm/query. A Pipeline[S, T] runs on the documents of a
// model S and yields documents of T: the stages that keep the shape
// ($match, $sort, $limit, $skip, a raw stage) are methods, the ones that
// change it ($group, $project, $unwind, $lookup, $facet, $count) are
// functions whose result type is a Go struct the caller declares, with
// accumulators and assignments writing into its fields by reference:
//
//	p := agg.Group(agg.New[models.Saga]().Match(query.Eq(sagaState, "completed")),
//		agg.Ref(sagaName),
//		agg.Count[models.Saga](perNameCount))
//	rows, err := odm.RunPipeline(ctx, sagas, p) // []perName
//
// A reference that names no stored field, or a stage that MongoDB would
// refuse for its shape (an accumulator into _id, a dotted $count name),
// is kept as the pipeline's error: Stages returns it, and odm.RunPipeline
// returns it before any command. Nothing here panics.
//
// It may use query and bson only; never the driver's client, the engine
// or the machinery above it.
package agg
