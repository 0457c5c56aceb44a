package write

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Revisioned is what the updates of one model's repository read of it: its
// revision field and kind, and its codecs.
type Revisioned struct {
	Model *schema.Model
	Rev   RevisionKind
}

// Operators reads update, a document of update operators (a bson.D, a
// bson.M or a struct of them), into its operators and the paths they
// write (the target of a $rename too). An update without operators, a key
// that is no operator, an operator whose value is no document, and, for a
// revisioned model, one that writes the revision field itself are errors.
// A $setOnInsert alone gets the model's first revision (ModelInsert).
func (r Revisioned) Operators(update any) (bson.D, []string, error) {
	raw, err := Encode(r.Model.Codecs, update)
	if err != nil {
		return nil, nil, fmt.Errorf("an update must be a document of update operators ($set, $inc, ...): %v", err)
	}
	ops, err := Elements(raw)
	if err != nil {
		return nil, nil, err
	}
	if len(ops) == 0 {
		return nil, nil, fmt.Errorf("the update has no operator ($set, $inc, ...)")
	}
	ops = ModelInsert(ops, r.Model.Revision)
	var paths []string
	for _, e := range ops {
		if !strings.HasPrefix(e.Key, "$") {
			return nil, nil, fmt.Errorf("an update must be a document of update operators ($set, $inc, ...), and %q is not one; ReplaceOne writes a whole document", e.Key)
		}
		fields, ok := e.Value.(bson.RawValue).DocumentOK()
		if !ok {
			return nil, nil, fmt.Errorf("the value of %s must be a document, not %v", e.Key, e.Value.(bson.RawValue).Type)
		}
		elems, err := fields.Elements()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", e.Key, err)
		}
		for _, f := range elems {
			paths = append(paths, f.Key())
			if to, ok := f.Value().StringValueOK(); ok && e.Key == "$rename" {
				paths = append(paths, to)
			}
		}
	}
	if r.Rev != RevNone {
		rev := r.Model.Revision
		if i := slices.IndexFunc(paths, func(p string) bool { return Touches(p, rev) || Touches(rev, p) }); i >= 0 {
			return nil, nil, fmt.Errorf("the update writes %s, %v's revision field, itself (at %q); the repository renews it at every write, and a value given here would undo the guard", rev, r.Model.Type, paths[i])
		}
	}
	return ops, paths, nil
}

// AddRenewal adds the revision's renewal to ops: {$inc: {rev: 1}}, or
// {$set: {rev: <new UUID>}}; under $setOnInsert (the first revision) when
// that is the update's only operator, so that an existing document keeps
// its revision. It returns what the renewal stores: the increment, or the
// UUID.
func (r Revisioned) AddRenewal(ops bson.D, insertOnly bool) (bson.D, any) {
	rev := r.Model.Revision
	if r.Rev == RevUUID {
		u := schema.NewUUID()
		op := "$set"
		if insertOnly {
			op = "$setOnInsert"
		}
		return AddFields(ops, op, bson.E{Key: rev, Value: u.BSONValue()}), u
	}
	if insertOnly {
		return AddFields(ops, "$setOnInsert", bson.E{Key: rev, Value: int64(1)}), int64(1)
	}
	return AddFields(ops, "$inc", bson.E{Key: rev, Value: int64(1)}), int64(1)
}

// Pipeline adds the revision's renewal to an update pipeline (a slice or
// array of stages) as a last $set stage, returning the stages and what
// the renewal stores; a stage that writes the revision field is an error.
// A model without a revision gets update back as it is.
func (r Revisioned) Pipeline(update any) (any, any, error) {
	if r.Rev == RevNone {
		return update, nil, nil
	}
	rev := r.Model.Revision
	rv := reflect.ValueOf(update)
	stages := make(bson.A, 0, rv.Len()+1)
	for i := range rv.Len() {
		raw, err := Encode(r.Model.Codecs, rv.Index(i).Interface())
		if err != nil {
			return nil, nil, fmt.Errorf("stage %d of the update pipeline: %w", i, err)
		}
		if stageWrites(raw, rev) {
			return nil, nil, fmt.Errorf("stage %d of the update pipeline writes %s, %v's revision field; the repository renews it at every write", i, rev, r.Model.Type)
		}
		stages = append(stages, raw)
	}
	var renewal any
	var next any = int64(1)
	if r.Rev == RevUUID {
		u := schema.NewUUID()
		renewal, next = bson.D{{Key: "$literal", Value: u.BSONValue()}}, u
	} else {
		renewal = bson.D{{Key: "$add", Value: bson.A{bson.D{{Key: "$ifNull", Value: bson.A{"$" + rev, 0}}}, 1}}}
	}
	stages = append(stages, bson.D{{Key: "$set", Value: bson.D{{Key: rev, Value: renewal}}}})
	return stages, next, nil
}

// stageWrites reports a $set, $addFields or $unset stage that names path.
func stageWrites(stage bson.Raw, path string) bool {
	for _, w := range StageWrites(stage) {
		if w.Path != "" && (Touches(w.Path, path) || Touches(path, w.Path)) {
			return true
		}
	}
	return false
}

// UpsertDefaults are the fields of defaults (a new document with the
// model's defaults, encoded) that an upsert's insert would otherwise lack:
// all but _id, the revision, and the fields the filter's equalities or
// the update's paths name.
func (r Revisioned) UpsertDefaults(defaults bson.Raw, filter any, paths []string) (bson.D, error) {
	if filter != nil {
		f, err := Encode(r.Model.Codecs, filter)
		if err != nil {
			return nil, fmt.Errorf("the filter: %w", err)
		}
		paths = AppendFilterPaths(paths, f)
	}
	elems, err := Elements(defaults)
	if err != nil {
		return nil, err
	}
	out := elems[:0]
	for _, e := range elems {
		if e.Key == "_id" || e.Key == r.Model.Revision || slices.ContainsFunc(paths, func(p string) bool { return Touches(p, e.Key) }) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// Changes compares a document's encodings before and after a change: the
// fields to set and the fields to unset. A change of _id or of the
// revision field is an error.
func (r Revisioned) Changes(before, after bson.Raw) (set, unset bson.D, err error) {
	old, err := Elements(before)
	if err != nil {
		return nil, nil, err
	}
	now, err := Elements(after)
	if err != nil {
		return nil, nil, err
	}
	was := make(map[string]bson.RawValue, len(old))
	for _, e := range old {
		was[e.Key] = e.Value.(bson.RawValue)
	}
	seen := make(map[string]bool, len(now))
	for _, e := range now {
		seen[e.Key] = true
		v := e.Value.(bson.RawValue)
		if w, ok := was[e.Key]; ok && w.Type == v.Type && bytes.Equal(w.Value, v.Value) {
			continue
		}
		set = append(set, e)
	}
	for _, e := range old {
		if !seen[e.Key] {
			unset = append(unset, bson.E{Key: e.Key, Value: ""})
		}
	}
	for _, e := range append(append(bson.D{}, set...), unset...) {
		if e.Key == "_id" || r.Rev != RevNone && e.Key == r.Model.Revision {
			return nil, nil, fmt.Errorf("the change altered %s, which the repository keeps; change other fields", e.Key)
		}
	}
	return set, unset, nil
}

// Guarded is filter narrowed to documents holding the revision expected.
// No revision (a zero counter, a zero UUID) also matches a document whose
// revision field is missing or null: one written before revisions were
// turned on, or by another process.
//
// A bson.D or bson.M filter that does not name the revision gets it as one
// more field, as a hand-written guard would ({_id, revision}), which every
// server's planner reads as plainly as the filter alone; any other filter
// is combined with $and.
func (r Revisioned) Guarded(filter, expected any) any {
	var cond any = Stored(expected)
	if r.Rev == RevCounter && expected.(int64) == 0 {
		cond = bson.D{{Key: "$in", Value: bson.A{int64(0), nil}}}
	}
	guard := bson.E{Key: r.Model.Revision, Value: cond}
	switch f := filter.(type) {
	case bson.D:
		if !slices.ContainsFunc(f, func(e bson.E) bool { return e.Key == guard.Key }) {
			return append(slices.Clip(f), guard)
		}
	case bson.M:
		if _, ok := f[guard.Key]; !ok {
			out := make(bson.M, len(f)+1)
			for k, v := range f {
				out[k] = v
			}
			out[guard.Key] = guard.Value
			return out
		}
	}
	return bson.D{{Key: "$and", Value: bson.A{filter, bson.D{guard}}}}
}

// MovedOn is the filter of the documents filter finds whose revision is
// neither the one read nor, for a UUID revision, the one just written (an
// upsert's own document holds it). A counter cannot tell its own upsert
// from a writer that got there first: both hold the next number.
func (r Revisioned) MovedOn(filter, read, written any) bson.D {
	others := bson.A{Stored(read)}
	if r.Rev == RevCounter && read.(int64) == 0 {
		others = append(others, nil) // no revision yet: a missing field
	}
	if r.Rev == RevUUID {
		others = append(others, Stored(written))
	}
	other := bson.D{{Key: r.Model.Revision, Value: bson.D{{Key: "$nin", Value: others}}}}
	return bson.D{{Key: "$and", Value: bson.A{filter, other}}}
}
