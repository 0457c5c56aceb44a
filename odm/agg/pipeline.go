package agg

import (
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
)

// Pipeline is an aggregation pipeline that runs on documents of S and
// yields documents of T. The zero Pipeline (and New) has no stage: it
// yields the documents of S unchanged, so only Pipeline[S, S] is useful
// empty. A Pipeline is a value: each method returns a new one and leaves
// its receiver as it was, so a common prefix may be shared.
type Pipeline[S, T any] struct {
	stages []bson.D
	err    error
}

// New is the empty pipeline over documents of S.
func New[S any]() Pipeline[S, S] { return Pipeline[S, S]{} }

// Stages is the pipeline as the stage documents MongoDB takes, or the
// first error of a reference or a stage it was built from.
func (p Pipeline[S, T]) Stages() ([]bson.D, error) {
	if p.err != nil {
		return nil, p.err
	}
	return append([]bson.D{}, p.stages...), nil
}

// Err is the first error of a reference or a stage the pipeline was
// built from; nil when it has none.
func (p Pipeline[S, T]) Err() error { return p.err }

// then is p with stage appended, or p's error, or err; a new slice each
// time, so pipelines sharing a prefix do not share their tails.
func then[S, T, U any](p Pipeline[S, T], stage bson.D, err error) Pipeline[S, U] {
	if p.err != nil {
		return Pipeline[S, U]{err: p.err}
	}
	if err != nil {
		return Pipeline[S, U]{err: err}
	}
	out := make([]bson.D, len(p.stages), len(p.stages)+1)
	copy(out, p.stages)
	return Pipeline[S, U]{stages: append(out, stage)}
}

func stage(op string, v any) bson.D { return bson.D{{Key: op, Value: v}} }

// Match keeps the documents that meet f ({$match: f}). A $match at the
// head of the pipeline is checked and recorded as a Find's filter is.
func (p Pipeline[S, T]) Match(f query.Filter[T]) Pipeline[S, T] {
	d, err := f.Document()
	return then[S, T, T](p, stage("$match", d), err)
}

// Sort orders the documents by s ({$sort: s}). A sort of no orders is an
// error: MongoDB refuses an empty $sort.
func (p Pipeline[S, T]) Sort(s query.Sort[T]) Pipeline[S, T] {
	d, err := s.Document()
	if err == nil && len(d) == 0 {
		err = fmt.Errorf("odm: a $sort of %v with no order", reflect.TypeFor[T]())
	}
	return then[S, T, T](p, stage("$sort", d), err)
}

// SortBy orders the documents by the typed orders, in order of
// precedence: p.SortBy(query.ByDesc(count)) is p.Sort(query.SortBy(...)).
func (p Pipeline[S, T]) SortBy(orders ...query.Order[T]) Pipeline[S, T] {
	return p.Sort(query.SortBy(orders...))
}

// Limit keeps the first n documents ({$limit: n}); n must be positive.
func (p Pipeline[S, T]) Limit(n int64) Pipeline[S, T] {
	var err error
	if n <= 0 {
		err = fmt.Errorf("odm: a $limit of %v must be positive, not %d", reflect.TypeFor[T](), n)
	}
	return then[S, T, T](p, stage("$limit", n), err)
}

// Skip drops the first n documents ({$skip: n}); n may not be negative.
func (p Pipeline[S, T]) Skip(n int64) Pipeline[S, T] {
	var err error
	if n < 0 {
		err = fmt.Errorf("odm: a $skip of %v may not be negative (%d)", reflect.TypeFor[T](), n)
	}
	return then[S, T, T](p, stage("$skip", n), err)
}

// Raw appends a stage written by hand that keeps the documents' shape
// (an $addFields of fields T has, a $sample, ...); it is sent as it is.
// A stage that changes the shape is Then's.
func (p Pipeline[S, T]) Raw(stage bson.D) Pipeline[S, T] {
	return then[S, T, T](p, stage, rawErr[T](stage))
}

// Then appends a stage written by hand after which the documents are of
// type U: agg.Then[Out](p, bson.D{{Key: "$replaceWith", Value: ...}}).
func Then[U, S, T any](p Pipeline[S, T], stage bson.D) Pipeline[S, U] {
	return then[S, T, U](p, stage, rawErr[T](stage))
}

// rawErr refuses what cannot be a stage: a document of other than one
// operator key.
func rawErr[T any](stage bson.D) error {
	if len(stage) != 1 || len(stage[0].Key) < 2 || stage[0].Key[0] != '$' {
		return fmt.Errorf("odm: a raw stage after documents of %v must be one {$operator: ...} document, not %v", reflect.TypeFor[T](), stage)
	}
	return nil
}
