package write

import (
	"reflect"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// AddFields appends fields to the op document of ops (adding the operator
// when missing), leaving ops itself unchanged.
func AddFields(ops bson.D, op string, fields ...bson.E) bson.D {
	out := make(bson.D, 0, len(ops)+1)
	added := false
	for _, e := range ops {
		if e.Key == op && !added {
			var merged bson.D
			switch v := e.Value.(type) {
			case bson.RawValue:
				merged, _ = Elements(v.Document()) // checked by prepareUpdate
			case bson.D:
				merged = slices.Clone(v)
			}
			e.Value, added = append(merged, fields...), true
		}
		out = append(out, e)
	}
	if !added {
		out = append(out, bson.E{Key: op, Value: bson.D(fields)})
	}
	return out
}

// AppendFilterPaths appends the field paths a filter names at its top
// level or inside its $and (at any depth): those MongoDB's upsert may
// copy into the inserted document from the filter's equalities, which a
// default must never override, however the filter is written.
func AppendFilterPaths(paths []string, filter bson.Raw) []string {
	elems, _ := filter.Elements()
	for _, e := range elems {
		switch key := e.Key(); {
		case key == "$and":
			items, _ := e.Value().Array().Values()
			for _, it := range items {
				if d, ok := it.DocumentOK(); ok {
					paths = AppendFilterPaths(paths, d)
				}
			}
		case !strings.HasPrefix(key, "$"):
			paths = append(paths, key)
		}
	}
	return paths
}

// IsPipeline reports an update given as an aggregation pipeline: a slice
// or array of stages (bson.D, a document, is a slice too, and is not one).
func IsPipeline(update any) bool {
	switch update.(type) {
	case bson.D, bson.Raw, bson.M:
		return false
	case mongo.Pipeline, bson.A:
		return true
	}
	k := reflect.TypeOf(update).Kind()
	return k == reflect.Slice || k == reflect.Array
}

// UpdateWrites are the paths an update (operators or a pipeline) writes,
// its values encoded with reg (see Encode).
func UpdateWrites(reg *bson.Registry, update any) ([]UpdateWrite, error) {
	if !IsPipeline(update) {
		raw, err := Encode(reg, update)
		if err != nil {
			return nil, err
		}
		return OperatorWrites(raw)
	}
	rv := reflect.ValueOf(update)
	var out []UpdateWrite
	for i := range rv.Len() {
		raw, err := Encode(reg, rv.Index(i).Interface())
		if err != nil {
			return nil, err
		}
		out = append(out, StageWrites(raw)...)
	}
	return out, nil
}

// ModelInsert readies a get-or-create's update: when ops is a $setOnInsert
// alone (a model value, say), the value's revision field (named
// revision; "" for none) and a zero ObjectID _id are left out, so that
// the repository gives the inserted document its first revision and the
// filter or the server its _id. Any other update is returned as it is.
func ModelInsert(ops bson.D, revision string) bson.D {
	if len(ops) != 1 || ops[0].Key != "$setOnInsert" {
		return ops
	}
	v, ok := ops[0].Value.(bson.RawValue)
	if !ok {
		return ops
	}
	fields, err := Elements(v.Document())
	if err != nil {
		return ops // prepareUpdate says what is wrong with it
	}
	kept := fields[:0]
	for _, f := range fields {
		raw, _ := f.Value.(bson.RawValue)
		if revision != "" && f.Key == revision || f.Key == "_id" && IsZeroObjectID(raw) {
			continue
		}
		kept = append(kept, f)
	}
	if len(kept) == len(fields) {
		return ops
	}
	doc, err := bson.Marshal(kept)
	if err != nil {
		return ops
	}
	// A raw value, as the update's other operators are.
	return bson.D{{Key: "$setOnInsert", Value: bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}}}
}
