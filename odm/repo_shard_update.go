package odm

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// refuseKeyUpdate refuses, outside a transaction, an update of a model
// with a shard key that writes a key field: with an operator ($set,
// $unset, $rename, $inc, ...; $setOnInsert only inserts) or a pipeline
// stage ($set, $addFields, $unset naming a key field; $replaceWith,
// $replaceRoot and $project, which may rewrite any field). Replaces and
// Modify refuse the same change; a model without a key sends what it
// was given.
//
// A $set of a key field to the value the filter fixes it to by equality
// changes nothing, and passes.
func (c *Collection[T]) refuseKeyUpdate(ctx context.Context, op string, filter, update any) error {
	k := c.model.ShardKey
	if k == nil || update == nil {
		return nil
	}
	written, err := updateWrites(update)
	if err != nil {
		return nil // prepareUpdate has said what is wrong with it
	}
	fixed := bson.Raw(nil)
	if filter != nil {
		fixed, _ = encodeDocument(filter)
	}
	var changed []string
	for _, key := range k.Keys {
		for _, w := range written {
			if w.value.Type != 0 && w.path == key.Field && fixed != nil {
				if v, err := fixed.LookupErr(key.Field); err == nil && !isOperatorValue(v) && v.Equal(w.value) {
					continue // set to the value the filter fixes
				}
			}
			if w.path == "" || touches(w.path, key.Field) || touches(key.Field, w.path) {
				changed = append(changed, key.Field)
				break
			}
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if s := mongo.SessionFromContext(ctx); s != nil && s.TransactionRunning() {
		return nil
	}
	return fmt.Errorf("odm: %s on %s: the update writes the shard key field(s) %v of %v: %w", op, c.Name(), changed, c.model.Type, ErrShardKeyChange)
}

// write is a path an update writes, with the value a $set gives it.
type write struct {
	path  string // "": a stage that may rewrite the whole document
	value bson.RawValue
}

// isOperatorValue reports a filter value that is an operator document
// ({$gt: ...}), not an equality.
func isOperatorValue(v bson.RawValue) bool {
	d, ok := v.DocumentOK()
	if !ok {
		return false
	}
	e, err := d.IndexErr(0)
	return err == nil && strings.HasPrefix(e.Key(), "$")
}

// updateWrites are the paths an update writes.
func updateWrites(update any) ([]write, error) {
	if isPipeline(update) {
		rv := reflect.ValueOf(update)
		var out []write
		for i := range rv.Len() {
			raw, err := encodeDocument(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out = append(out, stageWrites(raw)...)
		}
		return out, nil
	}
	raw, err := encodeDocument(update)
	if err != nil {
		return nil, err
	}
	ops, err := raw.Elements()
	if err != nil {
		return nil, err
	}
	var out []write
	for _, op := range ops {
		if op.Key() == "$setOnInsert" || !strings.HasPrefix(op.Key(), "$") {
			continue
		}
		fields, ok := op.Value().DocumentOK()
		if !ok {
			continue
		}
		elems, _ := fields.Elements()
		for _, f := range elems {
			w := write{path: f.Key()}
			if op.Key() == "$set" {
				w.value = f.Value()
			}
			out = append(out, w)
			if to, ok := f.Value().StringValueOK(); ok && op.Key() == "$rename" {
				out = append(out, write{path: to})
			}
		}
	}
	return out, nil
}

// stageWrites are the paths one update pipeline stage writes.
func stageWrites(stage bson.Raw) []write {
	elems, _ := stage.Elements()
	var out []write
	for _, e := range elems {
		switch e.Key() {
		case "$set", "$addFields":
			fields, _ := e.Value().Document().Elements()
			for _, f := range fields {
				out = append(out, write{path: f.Key()})
			}
		case "$unset":
			v := e.Value()
			if s, ok := v.StringValueOK(); ok {
				out = append(out, write{path: s})
			}
			if arr, ok := v.ArrayOK(); ok {
				vals, _ := arr.Values()
				for _, x := range vals {
					if s, ok := x.StringValueOK(); ok {
						out = append(out, write{path: s})
					}
				}
			}
		default:
			out = append(out, write{}) // $replaceWith, $replaceRoot, $project: any field
		}
	}
	return out
}
