// Package reflectx walks Go struct types the way the MongoDB driver's bson
// codec sees them and resolves each exported field to its dotted document
// path. It knows nothing of indexes; results are cached per type.
package reflectx

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Field is one field reachable from a struct type, at any depth.
type Field struct {
	// Path is the dotted document path, e.g. "metadata.user_id". Fields of
	// structs held in slices continue the path without an array index
	// ("errors.code"), as MongoDB's dotted notation reaches into arrays.
	Path string
	// GoPath is the dotted Go field path, e.g. "Metadata.UserID".
	GoPath string
	// Tag is the field's full struct tag.
	Tag reflect.StructTag
	// Type is the field's declared Go type.
	Type reflect.Type
	// Open reports that the field holds a document whose keys the Go type
	// does not fix (a map, bson.D, bson.M, bson.Raw, an interface or a type
	// with its own bson marshaller), so any path below it may exist.
	Open bool
	// OmitEmpty reports the bson ",omitempty" option.
	OmitEmpty bool
	// Index is the index sequence of the field in the described struct,
	// for reflect.Value.FieldByIndexErr; nil below a slice or a map.
	Index []int
}

// Struct describes a struct type: its fields in declaration order, depth
// first, and whether the whole document is open (an ",inline" map).
type Struct struct {
	Type   reflect.Type
	Fields []Field
	// Open reports an ",inline" map at the top level: any top-level key may
	// exist beside the declared ones.
	Open   bool
	byPath map[string]int
}

// Lookup reports whether path can exist in documents of this struct: it is
// a field's path, lies below an open field, or the document is open at its
// top level. "_id" always exists.
func (s *Struct) Lookup(path string) bool {
	if path == "_id" {
		return true
	}
	if _, ok := s.byPath[path]; ok {
		return true
	}
	for prefix := path; ; {
		i := strings.LastIndexByte(prefix, '.')
		if i < 0 {
			break
		}
		prefix = prefix[:i]
		if j, ok := s.byPath[prefix]; ok {
			return s.Fields[j].Open
		}
	}
	return s.Open && !strings.Contains(path, ".")
}

// Field returns the field at path.
func (s *Struct) Field(path string) (Field, bool) {
	i, ok := s.byPath[path]
	if !ok {
		return Field{}, false
	}
	return s.Fields[i], true
}

var cache sync.Map // reflect.Type -> *Struct or error

// Describe returns the description of struct type t (or of the struct a
// pointer type points to). Results are cached per type.
func Describe(t reflect.Type) (*Struct, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("reflectx: %v is not a struct type", t)
	}
	if v, ok := cache.Load(t); ok {
		return v.(*Struct), nil
	}
	w := walker{seen: map[reflect.Type]bool{}}
	s := &Struct{Type: t, byPath: map[string]int{}}
	if err := w.walk(s, t, "", "", []int{}); err != nil {
		return nil, err
	}
	for i, f := range s.Fields {
		if _, dup := s.byPath[f.Path]; dup {
			return nil, fmt.Errorf("reflectx: %v: two fields map to the document path %q", t, f.Path)
		}
		s.byPath[f.Path] = i
	}
	v, _ := cache.LoadOrStore(t, s)
	return v.(*Struct), nil
}

type walker struct {
	seen map[reflect.Type]bool // struct types on the current path, to stop recursion
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[bson.Marshaler]()
	valueMarsh    = reflect.TypeFor[bson.ValueMarshaler]()
)

func (w *walker) walk(s *Struct, t reflect.Type, path, goPath string, index []int) error {
	if w.seen[t] {
		return nil
	}
	w.seen[t] = true
	defer delete(w.seen, t)

	var fields []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := parseBSONTag(sf)
		if tag.skip {
			continue
		}
		goName := join(goPath, sf.Name)
		var fieldIndex []int
		if index != nil {
			fieldIndex = append(append([]int(nil), index...), i)
		}
		if tag.inline {
			ft := deref(sf.Type)
			switch ft.Kind() {
			case reflect.Map:
				if path == "" {
					s.Open = true
				}
				continue
			case reflect.Struct:
				sub := &Struct{}
				if err := w.walk(sub, ft, path, goName, fieldIndex); err != nil {
					return err
				}
				fields = append(fields, sub.Fields...)
				continue
			default:
				return fmt.Errorf("reflectx: %v.%s: ,inline needs a struct, a struct pointer or a map, not %v", t, sf.Name, sf.Type)
			}
		}
		f := Field{Path: join(path, tag.name), GoPath: goName, Tag: sf.Tag, Type: sf.Type, OmitEmpty: tag.omitEmpty, Index: fieldIndex}
		elem := leafType(sf.Type)
		switch {
		case isOpen(elem):
			f.Open = true
			fields = append(fields, f)
		case elem.Kind() == reflect.Struct && elem != timeType && !implementsMarshaler(elem):
			fields = append(fields, f)
			sub := &Struct{}
			var subIndex []int
			if elem == sf.Type || elem == deref(sf.Type) && sf.Type.Kind() == reflect.Pointer {
				subIndex = fieldIndex // reached through the field or a pointer, not a slice
			}
			if err := w.walk(sub, elem, f.Path, goName, subIndex); err != nil {
				return err
			}
			fields = append(fields, sub.Fields...)
		default:
			fields = append(fields, f)
		}
	}
	s.Fields = append(s.Fields, dominant(fields)...)
	return nil
}

// dominant keeps, for each document path, the field Go's embedding rules
// make visible: the shallowest; the bson codec does the same.
func dominant(fields []Field) []Field {
	depth := func(f Field) int { return strings.Count(f.GoPath, ".") - strings.Count(f.Path, ".") }
	best := map[string]int{}
	for i, f := range fields {
		if j, ok := best[f.Path]; !ok || depth(f) < depth(fields[j]) {
			best[f.Path] = i
		}
	}
	out := fields[:0:0]
	for i, f := range fields {
		if best[f.Path] == i {
			out = append(out, f)
		}
	}
	return out
}

// leafType strips pointers, slices and arrays: MongoDB paths reach through
// arrays into their elements.
func leafType(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 { // []byte is binary data
				return t
			}
			if t == reflect.TypeFor[bson.D]() {
				return t
			}
			t = t.Elem()
		default:
			return t
		}
	}
}

func isOpen(t reflect.Type) bool {
	switch {
	case t.Kind() == reflect.Map, t.Kind() == reflect.Interface:
		return true
	case t == reflect.TypeFor[bson.D](), t == reflect.TypeFor[bson.Raw]():
		return true
	case t.Kind() != reflect.Struct && implementsMarshaler(t):
		return true
	}
	return false
}

func implementsMarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(marshalerType) || t.Implements(valueMarsh) || p.Implements(marshalerType) || p.Implements(valueMarsh)
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

type bsonTag struct {
	name      string
	skip      bool
	inline    bool
	omitEmpty bool
}

// parseBSONTag mirrors the driver's default struct tag parser: the "bson"
// key, or the whole tag when it has no key at all; the lowercased field name
// when no name is given.
func parseBSONTag(sf reflect.StructField) bsonTag {
	tag, ok := sf.Tag.Lookup("bson")
	if !ok && !strings.Contains(string(sf.Tag), ":") && len(sf.Tag) > 0 {
		tag = string(sf.Tag)
	}
	out := bsonTag{name: strings.ToLower(sf.Name)}
	if tag == "-" {
		out.skip = true
		return out
	}
	for i, part := range strings.Split(tag, ",") {
		if i == 0 && part != "" {
			out.name = part
		}
		switch part {
		case "inline":
			out.inline = true
		case "omitempty":
			out.omitEmpty = true
		}
	}
	return out
}
