package write

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// UpdateWrite is a path an update writes, with the value a $set gives it
// (a zero RawValue for other operators). An empty Path stands for a
// pipeline stage that may rewrite the whole document ($replaceWith,
// $replaceRoot, $project).
type UpdateWrite struct {
	Path  string
	Value bson.RawValue
}

// IsOperatorValue reports a filter value that is an operator document
// ({$gt: ...}), not an equality.
func IsOperatorValue(v bson.RawValue) bool {
	d, ok := v.DocumentOK()
	if !ok {
		return false
	}
	e, err := d.IndexErr(0)
	return err == nil && strings.HasPrefix(e.Key(), "$")
}

// OperatorWrites are the paths a document of update operators writes: the
// fields under each operator (the target of a $rename too), but those of
// $setOnInsert, which only inserts.
func OperatorWrites(ops bson.Raw) ([]UpdateWrite, error) {
	elems, err := ops.Elements()
	if err != nil {
		return nil, err
	}
	var out []UpdateWrite
	for _, op := range elems {
		if op.Key() == "$setOnInsert" || !strings.HasPrefix(op.Key(), "$") {
			continue
		}
		fields, ok := op.Value().DocumentOK()
		if !ok {
			continue
		}
		fs, _ := fields.Elements()
		for _, f := range fs {
			w := UpdateWrite{Path: f.Key()}
			if op.Key() == "$set" {
				w.Value = f.Value()
			}
			out = append(out, w)
			if to, ok := f.Value().StringValueOK(); ok && op.Key() == "$rename" {
				out = append(out, UpdateWrite{Path: to})
			}
		}
	}
	return out, nil
}

// StageWrites are the paths one update pipeline stage writes: the fields
// of a $set, $addFields or $unset, and an empty path for any other stage.
func StageWrites(stage bson.Raw) []UpdateWrite {
	elems, _ := stage.Elements()
	var out []UpdateWrite
	for _, e := range elems {
		switch e.Key() {
		case "$set", "$addFields":
			fields, _ := e.Value().Document().Elements()
			for _, f := range fields {
				out = append(out, UpdateWrite{Path: f.Key()})
			}
		case "$unset":
			v := e.Value()
			if s, ok := v.StringValueOK(); ok {
				out = append(out, UpdateWrite{Path: s})
			}
			if arr, ok := v.ArrayOK(); ok {
				vals, _ := arr.Values()
				for _, x := range vals {
					if s, ok := x.StringValueOK(); ok {
						out = append(out, UpdateWrite{Path: s})
					}
				}
			}
		default:
			out = append(out, UpdateWrite{}) // $replaceWith, $replaceRoot, $project: any field
		}
	}
	return out
}

// KeyFieldsChanged are the shard key fields (keys, by path) an update
// may change: those an operator or a pipeline stage writes (UpdateWrites),
// but a $set of a field to the value filter fixes it to by equality,
// which changes nothing. An update that cannot be read changes none here:
// its checks say what is wrong with it.
func KeyFieldsChanged(reg *bson.Registry, keys []string, filter, update any) []string {
	written, err := UpdateWrites(reg, update)
	if err != nil {
		return nil
	}
	fixed := bson.Raw(nil)
	if filter != nil {
		fixed, _ = Encode(reg, filter)
	}
	var changed []string
	for _, key := range keys {
		for _, w := range written {
			if w.Value.Type != 0 && w.Path == key && fixed != nil {
				if v, err := fixed.LookupErr(key); err == nil && !IsOperatorValue(v) && v.Equal(w.Value) {
					continue // set to the value the filter fixes
				}
			}
			if w.Path == "" || Touches(w.Path, key) || Touches(key, w.Path) {
				changed = append(changed, key)
				break
			}
		}
	}
	return changed
}
