package pathcheck

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/query"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ShapeWriter writes the shape of a query: the paths its filter, sort,
// projection or update name, each with its kind, in the order met (the
// keys of a map sorted, so that a map's shape does not depend on Go's map
// order). Values never enter a shape, only what decides which keys are
// paths: where an operator document stands, what $and, $elemMatch or $not
// hold. The shape is both the cache key of the check and the list of
// paths to check: two queries with the same list get the same answer.
type ShapeWriter struct {
	Buf []byte
	Err *query.PathError // a document that cannot be read as one
}

// add writes a path of the shape: its kind, its length and its bytes.
// The length, not a separator, ends it, so that any bytes in a key (a NUL
// too) are read back as written; a path holding a NUL is refused when the
// shape is checked (CheckPath), which a shape seen before skips.
func (w *ShapeWriter) add(kind byte, prefix, path string) {
	n := len(path)
	if prefix != "" {
		n += len(prefix) + 1
	}
	if n < 0x80 { // the length in one byte, as nearly every path's
		w.Buf = append(w.Buf, kind, byte(n))
	} else {
		w.Buf = binary.AppendUvarint(append(w.Buf, kind), uint64(n))
	}
	if prefix != "" {
		w.Buf = append(w.Buf, prefix...)
		w.Buf = append(w.Buf, '.')
	}
	w.Buf = append(w.Buf, path...)
}

// skipped vets a key that names no path and so never enters the shape (an
// operator, a computed field): one holding a NUL byte fails the shape, as
// the driver would refuse the document.
func (w *ShapeWriter) skipped(kind byte, prefix, key string) {
	for i := 0; i < len(key); i++ {
		if key[i] == 0 {
			if w.Err == nil {
				w.Err = nulKeyError(kind, querydoc.JoinPath(prefix, key))
			}
			return
		}
	}
}

// nulKeyError is the refusal of a key holding a NUL byte.
func nulKeyError(kind byte, path string) *query.PathError {
	return &query.PathError{Part: partName(kind), Path: path, Problem: "the key holds a NUL byte, which no BSON key can hold"}
}

func (w *ShapeWriter) fail(kind byte, format string, args ...any) {
	if w.Err == nil {
		w.Err = &query.PathError{Part: partName(kind), Problem: fmt.Sprintf(format, args...)}
	}
}

// Filter writes the paths of a filter document, below prefix when it is
// the filter of an $elemMatch on the array at prefix.
func (w *ShapeWriter) Filter(doc any, prefix string) { w.filterAt(partFilter, doc, prefix, 0) }

// filterAt writes the paths of a filter as kind: partFilter, or the kind
// of a filter inside a projection or an update, which errors name as that
// part.
func (w *ShapeWriter) filterAt(kind byte, doc any, prefix string, depth int) {
	if depth > querydoc.MaxDepth {
		w.fail(kind, "operators nested more than %d deep", querydoc.MaxDepth)
		return
	}
	eachElement(w, kind, doc, func(key string, v any) {
		switch key {
		case "$and", "$or", "$nor":
			eachItem(v, func(item any) { w.filterAt(kind, item, prefix, depth+1) })
		case "$expr", "$where", "$text", "$comment", "$jsonSchema", "$sampleRate", "$search", "$vectorSearch":
			// Expressions and text: their paths ("$field") are not
			// keys of the filter and are not checked.
		default:
			if strings.HasPrefix(key, "$") {
				w.skipped(kind, prefix, key)
				return // an unknown operator: the server answers it
			}
			w.add(kind, prefix, key)
			w.operand(kind, v, querydoc.JoinPath(prefix, key), depth+1)
		}
	})
}

// operand writes the paths inside the condition on path: an operator
// document's $elemMatch, $not and $all.
func (w *ShapeWriter) operand(kind byte, v any, path string, depth int) {
	if depth > querydoc.MaxDepth {
		w.fail(kind, "operators nested more than %d deep", querydoc.MaxDepth)
		return
	}
	if !querydoc.IsOperatorDocument(v) {
		return // an equality, to a value or a whole document
	}
	eachElement(w, kind, v, func(op string, x any) {
		switch op {
		case "$elemMatch":
			// Conditions on the elements' fields, or on the elements
			// themselves ({$gte: 80}), whose operators name no path.
			w.filterAt(kind, x, path, depth+1)
		case "$not":
			w.operand(kind, x, path, depth+1)
		case "$all":
			eachItem(x, func(item any) { w.operand(kind, item, path, depth+1) })
		default:
			w.skipped(kind, path, op)
		}
	})
}

// Sort writes the paths of a sort document; a {$meta: ...} key names a
// computed value and $natural the order documents are stored in, neither
// a path.
func (w *ShapeWriter) Sort(doc any) {
	eachElement(w, partSort, doc, func(key string, v any) {
		if key == "$natural" || querydoc.IsOperatorDocument(v) {
			w.skipped(partSort, "", key)
			return
		}
		w.add(partSort, "", key)
	})
}

// Projection writes the paths of a projection: keys given 0, 1, true or
// false, or a projection operator ($slice, $elemMatch), and the keys of a
// nested projection; an $elemMatch's filter is checked as a filter's
// $elemMatch is, against the array's elements. A key given {$meta: ...},
// another expression ({$concat: ...}) or a value ("$other", a literal) is
// a computed field, a new name, and not checked.
func (w *ShapeWriter) Projection(doc any, prefix string) {
	eachElement(w, partProjection, doc, func(key string, v any) {
		switch {
		case querydoc.IsOperatorDocument(v):
			path := querydoc.JoinPath(prefix, key)
			if !isProjectionOperator(w, path, v) {
				w.skipped(partProjection, prefix, key)
				return
			}
			w.add(partProjection, prefix, key)
			eachElement(w, partProjection, v, func(op string, x any) {
				if op == "$elemMatch" {
					w.filterAt(partProjectionFilter, x, path, 1)
				}
			})
		case isDocumentValue(v):
			w.Projection(v, querydoc.JoinPath(prefix, key))
		case isInclusion(v):
			w.add(partProjection, prefix, key)
		default:
			w.skipped(partProjection, prefix, key)
		}
	})
}

// isProjectionOperator reports an operator document that applies to the
// path it is given for ($slice, $elemMatch) rather than computing a new
// value ($meta, $concat, $literal, any other expression). Its keys are
// vetted through w, which refuses one holding a NUL byte.
func isProjectionOperator(w *ShapeWriter, path string, v any) bool {
	found := false
	eachElement(w, partProjection, v, func(k string, _ any) {
		found = found || k == "$slice" || k == "$elemMatch"
		w.skipped(partProjection, path, k)
	})
	return found
}

// Update writes the paths of an update document's operators: each field
// key (positional keys allowed), $rename's targets, $pull's conditions on
// elements and the $sort of a $push.
func (w *ShapeWriter) Update(ops bson.D) {
	for _, e := range ops {
		w.skipped(partUpdate, "", e.Key)
		if !strings.HasPrefix(e.Key, "$") {
			continue // prepareUpdate refuses it with its own message
		}
		eachElement(w, partUpdate, e.Value, func(path string, v any) {
			w.add(partUpdate, "", path)
			switch e.Key {
			case "$rename":
				if to, ok := stringValue(v); ok {
					w.add(partUpdate, "", to)
				}
			case "$pull":
				// A condition on the elements' fields, or an operator
				// document on the elements themselves ({$gte: 6}).
				if querydoc.IsOperatorDocument(v) {
					w.operand(partUpdateFilter, v, strings.TrimSuffix(path, ".$[]"), 1)
				} else if isDocumentValue(v) {
					w.filterAt(partUpdateFilter, v, strings.TrimSuffix(path, ".$[]"), 1)
				}
			case "$push", "$addToSet":
				if querydoc.IsOperatorDocument(v) {
					eachElement(w, partUpdate, v, func(mod string, x any) {
						w.skipped(partUpdate, path, mod)
						if mod == "$sort" && isDocumentValue(x) {
							eachElement(w, partUpdate, x, func(k string, _ any) { w.add(partUpdate, path, k) })
						}
					})
				}
			}
		})
	}
}

// Field writes a single path (Distinct's field).
func (w *ShapeWriter) Field(path string) { w.add(partField, "", path) }

// eachElement calls f with each key and value of a document: a bson.D,
// bson.M, map[string]any, bson.Raw or bson.RawValue holding a document;
// anything else the driver can marshal as a document (a struct, another
// map type) is read through its BSON form. The keys of a map come in
// sorted order.
func eachElement(w *ShapeWriter, kind byte, doc any, f func(key string, v any)) {
	switch d := doc.(type) {
	case nil:
	case bson.D:
		for _, e := range d {
			f(e.Key, e.Value)
		}
	case bson.M:
		eachMapElement(d, f)
	case map[string]any:
		eachMapElement(d, f)
	case bson.Raw:
		eachRawElement(w, kind, d, f)
	case bson.RawValue:
		raw, ok := d.DocumentOK()
		if !ok {
			// As for a Go value that is no document: the same query
			// gets the same answer whether it was given as bson.D or
			// read from bytes.
			w.fail(kind, "a BSON %v where a document was expected", d.Type)
			return
		}
		eachRawElement(w, kind, raw, f)
	case *bson.D:
		if d != nil {
			eachElement(w, kind, *d, f)
		}
	default:
		if td, ok := typedDocument(doc); ok {
			doc, err := td.Document()
			if err != nil {
				w.fail(kind, "%v", odmerr.Inner(err))
				return
			}
			eachElement(w, kind, doc, f)
			return
		}
		rv := reflect.ValueOf(doc)
		for rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv = rv.Elem()
		}
		if k := rv.Kind(); k != reflect.Struct && k != reflect.Map {
			w.fail(kind, "a %T where a document was expected", doc)
			return
		}
		raw, err := bson.Marshal(doc)
		if err != nil {
			w.fail(kind, "%T cannot be read as a document: %v", doc, odmerr.Inner(err))
			return
		}
		eachRawElement(w, kind, raw, f)
	}
}

// queryPackage is where the typed Filter, Update and Sort are declared.
var queryPackage = reflect.TypeFor[query.Filter[struct{}]]().PkgPath()

// typedDocument is doc as a filter, update or sort built from field
// references (query.Filter, query.Update, query.Sort), read through its
// Document method, which says which field reference failed; false for
// anything else, a type with a Document method of its own included, which
// is read through its BSON form as the driver reads it.
func typedDocument(doc any) (interface{ Document() (bson.D, error) }, bool) {
	td, ok := doc.(interface{ Document() (bson.D, error) })
	return td, ok && reflect.TypeOf(doc).PkgPath() == queryPackage
}

func eachMapElement[M ~map[string]any](m M, f func(key string, v any)) {
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f(k, m[k])
	}
}

func eachRawElement(w *ShapeWriter, kind byte, raw bson.Raw, f func(key string, v any)) {
	elems, err := raw.Elements()
	if err != nil {
		w.fail(kind, "the document is not valid BSON: %v", err)
		return
	}
	for _, e := range elems {
		f(e.Key(), e.Value())
	}
}

// eachItem calls f with each item of an array: bson.A, a slice of
// documents, a bson.RawValue array.
func eachItem(v any, f func(item any)) {
	switch a := v.(type) {
	case bson.A:
		for _, x := range a {
			f(x)
		}
	case []any:
		for _, x := range a {
			f(x)
		}
	case []bson.D:
		for _, x := range a {
			f(x)
		}
	case []bson.M:
		for _, x := range a {
			f(x)
		}
	case bson.RawValue:
		if arr, ok := a.ArrayOK(); ok {
			vals, _ := arr.Values()
			for _, x := range vals {
				f(x)
			}
		}
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			for i := 0; i < rv.Len(); i++ {
				f(rv.Index(i).Interface())
			}
		}
	}
}

// isDocumentValue reports a value that is a document of the kinds
// eachElement reads without marshalling.
func isDocumentValue(v any) bool {
	switch d := v.(type) {
	case bson.D, bson.M, map[string]any, bson.Raw:
		return true
	case bson.RawValue:
		return d.Type == bson.TypeEmbeddedDocument
	}
	return false
}

// isInclusion reports a projection value that includes or excludes a
// field: a number or a bool.
func isInclusion(v any) bool {
	switch x := v.(type) {
	case int, int32, int64, float64, bool, uint, uint32, uint64, int8, int16, uint8, uint16, float32:
		return true
	case bson.RawValue:
		switch x.Type {
		case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeBoolean, bson.TypeDecimal128:
			return true
		}
	}
	return false
}

func stringValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bson.RawValue:
		return x.StringValueOK()
	}
	return "", false
}
