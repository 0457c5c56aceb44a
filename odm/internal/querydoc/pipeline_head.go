package querydoc

import (
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// PipelineHead reads the head of an aggregation pipeline: its leading run
// of $match stages with at most one $sort among them, the stages the
// server runs on the collection's documents with its indexes. MongoDB
// joins consecutive $match stages into one and moves a $match after a
// $sort before it, so the head is a find's filter (the $match filters,
// joined by $and when there are several; nil when none) and sort (nil
// when none). ok is false when the pipeline begins with another stage, or
// is not a slice or array of stages (raw BSON, a ValueMarshaler): there is
// no head to read, and the driver answers what it cannot send.
func PipelineHead(pipeline any) (filter, sort any, ok bool) {
	rv := reflect.ValueOf(pipeline)
	if !rv.IsValid() || rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array || rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, nil, false
	}
	var matches bson.A
	sorted := false
head:
	for i := range rv.Len() {
		stage, err := AsD(rv.Index(i).Interface())
		if err != nil || len(stage) != 1 {
			break // not a stage: the server refuses it
		}
		switch {
		case stage[0].Key == "$match":
			matches = append(matches, stage[0].Value)
		case stage[0].Key == "$sort" && !sorted:
			sort, sorted = stage[0].Value, true
		default:
			break head
		}
	}
	switch len(matches) {
	case 0:
	case 1:
		filter = matches[0]
	default:
		filter = bson.D{{Key: "$and", Value: matches}}
	}
	return filter, sort, len(matches) > 0 || sorted
}
