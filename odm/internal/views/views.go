// Package views holds what Init knows of MongoDB views: the form of a
// declared pipeline, the canonical form in which a declared definition
// and a listed one compare, the create and collMod commands, and the
// order in which views are created when one reads from another. It knows
// nothing of models or plans: the declarations (odm/schema) check a
// pipeline's form with it, and the engine compares and renders with it.
package views

import (
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Pipeline checks a declared pipeline's form and renders it as MongoDB
// takes it, a BSON array value: an array (a []bson.D, a mongo.Pipeline, a bson.A) of stage
// documents, each with one key naming its stage ("$match", "$project").
// nil is the empty pipeline, a view of every document of its source.
// A view's pipeline cannot write: $out and $merge are refused.
func Pipeline(p any) (bson.RawValue, error) {
	if p == nil {
		return bson.RawValue{Type: bson.TypeArray, Value: emptyArray}, nil
	}
	raw, err := bson.Marshal(bson.D{{Key: "p", Value: p}})
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("the pipeline does not encode as BSON: %v", err)
	}
	v := bson.Raw(raw).Lookup("p")
	arr, ok := v.ArrayOK()
	if !ok {
		return bson.RawValue{}, fmt.Errorf("the pipeline is of BSON type %s, not an array of stages ([]bson.D, mongo.Pipeline or bson.A)", v.Type)
	}
	stages, err := arr.Values()
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("the pipeline is not a valid array: %v", err)
	}
	for i, s := range stages {
		doc, ok := s.DocumentOK()
		if !ok {
			return bson.RawValue{}, fmt.Errorf("stage %d is of BSON type %s, not a document such as {$match: {...}}", i, s.Type)
		}
		elems, _ := doc.Elements()
		if len(elems) != 1 {
			return bson.RawValue{}, fmt.Errorf("stage %d has %d keys; a stage is a document with exactly one key, its name ($match, $project, ...)", i, len(elems))
		}
		switch name := elems[0].Key(); {
		case !strings.HasPrefix(name, "$"):
			return bson.RawValue{}, fmt.Errorf("stage %d is named %q; a stage's name starts with '$' ($match, $project, ...)", i, name)
		case name == "$out" || name == "$merge":
			return bson.RawValue{}, fmt.Errorf("stage %d is %s; a view's pipeline cannot write (MongoDB refuses $out and $merge in a view)", i, name)
		}
	}
	return v, nil
}

// emptyArray is the BSON of an empty array.
var emptyArray = []byte{5, 0, 0, 0, 0}

// State is how a listed collection stands against a declared view.
type State int

// The states Compare tells apart.
const (
	// Missing: nothing of the view's name exists; create makes it.
	Missing State = iota
	// Same: the view exists as declared.
	Same
	// Differs: the view exists on another source or pipeline; collMod
	// changes both in place.
	Differs
	// NotAView: a collection (not a view) holds the name, or the view's
	// collation differs, which collMod cannot change.
	NotAView
)

// Compare compares a declared definition (Definition's document: viewOn,
// pipeline, and collation when declared) with what listCollections says
// of the name: whether it exists, its type ("view", "collection",
// "timeseries") and its options. declared and listed are the two
// definitions as one line each, for plans and reports.
func Compare(want bson.D, exists bool, kind string, options bson.Raw) (s State, declared, listed string) {
	declared = render(docOf(want))
	switch {
	case !exists:
		return Missing, declared, ""
	case kind != "view":
		return NotAView, declared, "a " + kind + ", not a view"
	}
	listed = render(options)
	if !collationCovered(want, options) {
		return NotAView, declared + collationOf(docOf(want)), listed + collationOf(options)
	}
	if declared != listed {
		return Differs, declared, listed
	}
	return Same, declared, listed
}

// render is a definition as one line: "on <source>: <pipeline>", the
// pipeline in canonical form.
func render(doc bson.Raw) string {
	source, _ := doc.Lookup("viewOn").StringValueOK()
	return "on " + strconv.Quote(source) + ": " + Canonical(doc.Lookup("pipeline"))
}

// collationCovered: every collation field the declaration sets is listed
// with the same value (the server lists the defaults of the others too).
func collationCovered(want bson.D, listed bson.Raw) bool {
	w, _ := docOf(want).Lookup("collation").DocumentOK()
	l, _ := listed.Lookup("collation").DocumentOK()
	elems, _ := w.Elements()
	if len(elems) == 0 {
		_, has := listed.Lookup("collation").DocumentOK()
		return !has || isSimple(l)
	}
	for _, e := range elems {
		if Canonical(e.Value()) != Canonical(l.Lookup(e.Key())) {
			return false
		}
	}
	return true
}

// isSimple: the simple binary collation, the default when none is set.
func isSimple(c bson.Raw) bool {
	locale, _ := c.Lookup("locale").StringValueOK()
	return locale == "simple"
}

// collationOf is a document's collation, for a conflict's line.
func collationOf(d bson.Raw) string {
	if c, ok := d.Lookup("collation").DocumentOK(); ok {
		return ", collation " + Canonical(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: c})
	}
	return ", no collation"
}

func docOf(d bson.D) bson.Raw {
	raw, err := bson.Marshal(d)
	if err != nil {
		return nil
	}
	return raw
}

// Canonical renders a value in the form declared and listed definitions
// compare in: MongoDB's canonical extended JSON, documents' keys in their
// order (a stage's and a $sort's order matter), except that numbers
// compare by value (1, 1.0 and NumberLong(1) are the same number to a
// pipeline, and a server may list another type than was sent).
func Canonical(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		elems, _ := bson.Raw(v.Value).Elements()
		parts := make([]string, len(elems))
		for i, e := range elems {
			parts[i] = Canonical(e.Value())
			if v.Type == bson.TypeEmbeddedDocument {
				parts[i] = strconv.Quote(e.Key()) + ":" + parts[i]
			}
		}
		if v.Type == bson.TypeArray {
			return "[" + strings.Join(parts, ",") + "]"
		}
		return "{" + strings.Join(parts, ",") + "}"
	case bson.TypeInt32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case bson.TypeInt64:
		return strconv.FormatInt(v.Int64(), 10)
	case bson.TypeDouble:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	case 0:
		return "absent"
	}
	return v.String()
}

// Create is the create command of a view: {create: name, viewOn,
// pipeline[, collation]}, as MongoDB documents it.
func Create(name string, want bson.D) bson.D {
	return append(bson.D{{Key: "create", Value: name}}, want...)
}

// CollMod is the collMod command that changes a view's source and
// pipeline in place: {collMod: name, viewOn, pipeline}. A collation
// cannot change this way.
func CollMod(name string, want bson.D) bson.D {
	cmd := bson.D{{Key: "collMod", Value: name}}
	for _, e := range want {
		if e.Key == "viewOn" || e.Key == "pipeline" {
			cmd = append(cmd, e)
		}
	}
	return cmd
}

// Waves orders collections for creation: names[i] is a collection's name
// and sources[i] the collection a view reads from ("" for a collection
// that is no view). The first wave holds every collection that is no
// view and every view whose source is not declared here (another
// service's), each later one the views whose source is in an earlier
// wave. cycle lists the views left over
// because they read from one another in a ring, in the order given; they
// come as a last wave, so that nothing is lost.
func Waves(names, sources []string) (waves [][]int, cycle []string) {
	wave := map[string]int{} // the wave a declared name is in
	declared := map[string]bool{}
	for _, n := range names {
		declared[n] = true
	}
	placed := 0
	for len(waves) == 0 || placed < len(names) {
		var next []int
		for i, n := range names {
			_, done := wave[n]
			w, sourced := wave[sources[i]]
			if !done && (sources[i] == "" || !declared[sources[i]] || sourced && w < len(waves)) {
				next = append(next, i)
			}
		}
		if len(next) == 0 {
			break
		}
		for _, i := range next {
			wave[names[i]] = len(waves)
		}
		waves, placed = append(waves, next), placed+len(next)
	}
	var rest []int
	for i, n := range names {
		if _, done := wave[n]; !done {
			rest, cycle = append(rest, i), append(cycle, n)
		}
	}
	if len(rest) > 0 {
		waves = append(waves, rest)
	}
	return waves, cycle
}
