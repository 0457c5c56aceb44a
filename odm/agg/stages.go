package agg

import (
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
)

// Acc is one accumulator of a $group over documents of In, writing into
// a field of the group's output Out.
type Acc[In, Out any] struct {
	path string
	op   string
	v    any
	err  error
}

func accumulate[In, Out, V any](into query.Field[Out, V], op string, v any, err error) Acc[In, Out] {
	if e := into.Err(); e != nil {
		return Acc[In, Out]{err: e}
	}
	if err != nil {
		return Acc[In, Out]{err: err}
	}
	return Acc[In, Out]{path: into.Path(), op: op, v: v}
}

// Count counts the documents of the group into the field ({$sum: 1}, the
// form every server takes).
func Count[In, Out any, V query.Number](into query.Field[Out, V]) Acc[In, Out] {
	return accumulate[In](into, "$sum", 1, nil)
}

// Sum adds up e over the group.
func Sum[In, Out any, V query.Number](into query.Field[Out, V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$sum", e.v, e.err)
}

// Avg is the mean of e over the group, a float64 whatever e's type.
func Avg[In, Out any, V query.Number](into query.Field[Out, float64], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$avg", e.v, e.err)
}

// Min is the smallest value of e in the group.
func Min[In, Out, V any](into query.Field[Out, V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$min", e.v, e.err)
}

// Max is the largest value of e in the group.
func Max[In, Out, V any](into query.Field[Out, V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$max", e.v, e.err)
}

// First is e's value in the group's first document, in the order the
// documents reach the $group (sort them before).
func First[In, Out, V any](into query.Field[Out, V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$first", e.v, e.err)
}

// Last is e's value in the group's last document.
func Last[In, Out, V any](into query.Field[Out, V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$last", e.v, e.err)
}

// Push collects e's value of every document of the group, in order.
func Push[In, Out, V any](into query.Field[Out, []V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$push", e.v, e.err)
}

// AddToSet collects e's distinct values in the group, in no set order.
func AddToSet[In, Out, V any](into query.Field[Out, []V], e Expr[In, V]) Acc[In, Out] {
	return accumulate[In](into, "$addToSet", e.v, e.err)
}

// Group groups the documents by key, one output document of Out per
// distinct key, holding the key in its _id and each accumulator's value
// in the field it writes into ({$group: {_id: key, field: {op: e}}}).
// An accumulator into _id, into a dotted path, or two into one field,
// is an error.
func Group[S, In, Out, K any](p Pipeline[S, In], key Expr[In, K], accs ...Acc[In, Out]) Pipeline[S, Out] {
	if key.err != nil {
		return then[S, In, Out](p, nil, key.err)
	}
	return group(p, key.v, accs)
}

// GroupAll groups every document into one output document of Out, with a
// null _id ({$group: {_id: null, ...}}); no document, no output.
func GroupAll[S, In, Out any](p Pipeline[S, In], accs ...Acc[In, Out]) Pipeline[S, Out] {
	return group(p, nil, accs)
}

func group[S, In, Out any](p Pipeline[S, In], key any, accs []Acc[In, Out]) Pipeline[S, Out] {
	d := bson.D{{Key: "_id", Value: key}}
	for _, a := range accs {
		if a.err != nil {
			return then[S, In, Out](p, nil, a.err)
		}
		var problem string
		switch {
		case a.path == "":
			problem = "has an empty accumulator (the zero Acc)"
		case a.path == "_id":
			problem = "accumulates into _id, which holds the group's key"
		case strings.Contains(a.path, "."):
			problem = "accumulates into " + a.path + ", a dotted path; a $group's fields are top-level"
		case slicesHasKey(d, a.path):
			problem = "accumulates into " + a.path + " twice"
		}
		if problem != "" {
			return then[S, In, Out](p, nil, fmt.Errorf("odm: a $group of %v into %v %s", reflect.TypeFor[In](), reflect.TypeFor[Out](), problem))
		}
		d = append(d, bson.E{Key: a.path, Value: bson.D{{Key: a.op, Value: a.v}}})
	}
	return then[S, In, Out](p, stage("$group", d), nil)
}

func slicesHasKey(d bson.D, k string) bool {
	for _, e := range d {
		if e.Key == k {
			return true
		}
	}
	return false
}

// Project reshapes each document into an Out holding exactly the fields
// the assignments set ({$project: {_id: 0, field: e, ...}}): _id is left
// out unless an assignment sets it.
func Project[S, In, Out any](p Pipeline[S, In], fields ...Assignment[In, Out]) Pipeline[S, Out] {
	d, err := assigned(fields, "a $project")
	if err == nil && len(d) == 0 {
		err = fmt.Errorf("odm: a $project of %v into %v sets no field", reflect.TypeFor[In](), reflect.TypeFor[Out]())
	}
	if err == nil && !slicesHasKey(d, "_id") {
		d = append(bson.D{{Key: "_id", Value: 0}}, d...)
	}
	return then[S, In, Out](p, stage("$project", d), err)
}

// Unwind gives one document per element of the array field f, the
// element in place of the array ({$unwind: "$path"}); a document whose
// array is empty or missing gives none. Out declares the element's field
// at the same path (as), and each document otherwise as In has it.
func Unwind[S, In, Out, E any](p Pipeline[S, In], f query.Field[In, []E], as query.Field[Out, E]) Pipeline[S, Out] {
	err := f.Err()
	if err == nil {
		err = as.Err()
	}
	if err == nil && f.Path() != as.Path() {
		err = fmt.Errorf("odm: an $unwind of %s of %v yields its element at %s, not at %s of %v", f.Path(), reflect.TypeFor[In](), f.Path(), as.Path(), reflect.TypeFor[Out]())
	}
	return then[S, In, Out](p, stage("$unwind", "$"+f.Path()), err)
}

// Lookup adds to each document the documents of the collection from
// (whose model is F) whose foreign field equals its local field, as the
// array field as of Out ({$lookup: {from, localField, foreignField,
// as}}). Out declares the document's fields with the joined array.
func Lookup[S, In, Out, F, V any](p Pipeline[S, In], from string, local query.Field[In, V], foreign query.Field[F, V], as query.Field[Out, []F]) Pipeline[S, Out] {
	var err error
	for _, e := range []error{local.Err(), foreign.Err(), as.Err()} {
		if e != nil && err == nil {
			err = e
		}
	}
	if err == nil && from == "" {
		err = fmt.Errorf("odm: a $lookup of %v from the documents of %v names no collection", reflect.TypeFor[In](), reflect.TypeFor[F]())
	}
	return then[S, In, Out](p, stage("$lookup", bson.D{
		{Key: "from", Value: from},
		{Key: "localField", Value: local.Path()},
		{Key: "foreignField", Value: foreign.Path()},
		{Key: "as", Value: as.Path()},
	}), err)
}

// Branch is one sub-pipeline of a $facet: sub runs on the documents that
// reach the $facet (build it from New[In]()) and its results fill the
// array field into of the facet's output.
type Branch[In, Out any] struct {
	path   string
	stages []bson.D
	err    error
}

// Into is the branch of a $facet that fills into with sub's results.
func Into[In, Out, E any](into query.Field[Out, []E], sub Pipeline[In, E]) Branch[In, Out] {
	if err := into.Err(); err != nil {
		return Branch[In, Out]{err: err}
	}
	stages, err := sub.Stages()
	if err == nil && len(stages) == 0 {
		err = fmt.Errorf("odm: the $facet branch %s of %v has no stage", into.Path(), reflect.TypeFor[Out]())
	}
	return Branch[In, Out]{path: into.Path(), stages: stages, err: err}
}

// Facet runs each branch on the same documents and yields one document
// of Out holding each branch's results in its field ({$facet: {field:
// [stages...], ...}}).
func Facet[S, In, Out any](p Pipeline[S, In], branches ...Branch[In, Out]) Pipeline[S, Out] {
	d := bson.D{}
	for _, b := range branches {
		if b.err != nil {
			return then[S, In, Out](p, nil, b.err)
		}
		if b.path == "" || strings.Contains(b.path, ".") || slicesHasKey(d, b.path) {
			return then[S, In, Out](p, nil, fmt.Errorf("odm: a $facet of %v into %v: a branch's field must be a distinct top-level field, not %q", reflect.TypeFor[In](), reflect.TypeFor[Out](), b.path))
		}
		d = append(d, bson.E{Key: b.path, Value: b.stages})
	}
	if len(d) == 0 {
		return then[S, In, Out](p, nil, fmt.Errorf("odm: a $facet of %v into %v has no branch", reflect.TypeFor[In](), reflect.TypeFor[Out]()))
	}
	return then[S, In, Out](p, stage("$facet", d), nil)
}

// CountDocs yields one document of Out holding the number of documents
// in the field into ({$count: "field"}); no document, no output. The
// field must be top-level and not _id.
func CountDocs[S, In, Out any, V query.Number](p Pipeline[S, In], into query.Field[Out, V]) Pipeline[S, Out] {
	err := into.Err()
	if err == nil && (into.Path() == "_id" || strings.Contains(into.Path(), ".")) {
		err = fmt.Errorf("odm: a $count of %v into %s of %v: the field must be top-level and not _id", reflect.TypeFor[In](), into.Path(), reflect.TypeFor[Out]())
	}
	return then[S, In, Out](p, stage("$count", into.Path()), err)
}
