// Package reflectx walks Go struct types the way the MongoDB driver's bson
// codec sees them and resolves exported fields to their dotted document
// paths. It knows nothing of indexes.
//
// Each struct type is described once, whatever the number of paths that
// reach it: a description holds the type's own fields, and a field holding
// a struct (directly, through pointers, slices, arrays) points to that
// struct's description. Recursive types are therefore finite graphs, and
// the cost of describing a model is linear in its distinct types and
// fields. Descriptions are cached per type.
package reflectx

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Field is one field of a struct's document.
type Field struct {
	// Path is the dotted document path. In a Struct's Fields it is the
	// field's own key; Field and Walk return the path from the described
	// struct, e.g. "metadata.user_id". Fields of structs held in slices
	// continue the path without an array index ("errors.code"), as
	// MongoDB's dotted notation reaches into arrays.
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
	// Index is the index sequence of the field from the described struct,
	// for reflect.Value.FieldByIndexErr; nil below a slice, an array or a
	// map.
	Index []int
	// Struct describes the struct the field holds, directly or through
	// pointers, slices and arrays; nil when it holds none.
	Struct *Struct
	// Nested reports a value held in an array of arrays ([][]T): MongoDB
	// paths reach the elements of one array, not those of an array inside
	// it, so no path reaches below such a field.
	Nested bool

	direct bool // Struct is reached without a slice or an array
}

// Struct describes a struct type's document: its own fields, ",inline"
// structs flattened into them.
type Struct struct {
	Type reflect.Type
	// Fields are the document's own fields in declaration order; a field
	// holding a struct points to its description.
	Fields []Field
	// Skipped are the fields the codec never stores: unexported, or
	// tagged bson:"-". Their Path is empty.
	Skipped []Field
	// Shadowed are fields of ",inline" structs that a shallower field of
	// the same bson name hides: the codec stores only the shallower one.
	// Their Path is the hidden bson name.
	Shadowed []Field
	// Open reports an ",inline" map: any key may exist beside the
	// declared ones at this level.
	Open   bool
	byName map[string]int
}

// FieldError is a field of a struct type that the bson codec cannot store
// as declared, or whose document path would be ambiguous.
type FieldError struct {
	Type    reflect.Type
	Field   string // the Go field name
	Tag     reflect.StructTag
	Message string
}

// Error implements the error interface.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%v.%s: %s", e.Type, e.Field, e.Message)
}

// Error lists every FieldError of the struct types a described type
// reaches.
type Error struct {
	Type   reflect.Type
	Fields []*FieldError
}

// Error implements the error interface.
func (e *Error) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "reflectx: " + strings.Join(msgs, "; ")
}

var cache sync.Map // reflect.Type -> *Struct or error

// Describe returns the description of struct type t (or of the struct a
// pointer type points to). Results are cached per type. An error is an
// *Error listing every faulty field of every struct type t reaches, or a
// plain error when t is no struct type.
func Describe(t reflect.Type) (*Struct, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("reflectx: %v is not a struct type", t)
	}
	if v, ok := cache.Load(t); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*Struct), nil
	}
	b := builder{built: map[reflect.Type]*Struct{}, inline: map[reflect.Type]bool{}}
	s := b.describe(t)
	if len(b.errs) > 0 {
		err := &Error{Type: t, Fields: b.errs}
		cache.Store(t, err)
		return nil, err
	}
	for bt, bs := range b.built { // every type reached is described now
		if bt != t {
			cache.LoadOrStore(bt, bs)
		}
	}
	v, _ := cache.LoadOrStore(t, s)
	return v.(*Struct), nil
}

// builder describes the struct types one type reaches, each once.
type builder struct {
	built  map[reflect.Type]*Struct
	inline map[reflect.Type]bool // structs being flattened, to refuse an inline cycle
	errs   []*FieldError
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[bson.Marshaler]()
	valueMarsh    = reflect.TypeFor[bson.ValueMarshaler]()
)

// describe returns t's description, building it (and those of the structs
// its fields hold) when it is new. A type met again while it is being
// built is returned as is, still filling: that is what ends recursion.
func (b *builder) describe(t reflect.Type) *Struct {
	if s, ok := b.built[t]; ok {
		return s
	}
	if v, ok := cache.Load(t); ok {
		if s, ok := v.(*Struct); ok {
			return s
		}
	}
	s := &Struct{Type: t, byName: map[string]int{}}
	b.built[t] = s
	var fields []scoped
	b.inline[t] = true
	b.fields(s, t, nil, "", 0, &fields)
	delete(b.inline, t)
	for _, f := range dominant(fields) {
		s.byName[f.Path] = len(s.Fields)
		s.Fields = append(s.Fields, f.Field)
	}
	for _, f := range fields {
		if f.dup {
			b.fail(t, f.GoPath, f.Tag, fmt.Sprintf("two fields have the bson name %q (%s)", f.Path, f.other))
		}
		if i, ok := s.byName[f.Path]; ok && f.depth > 0 && s.Fields[i].GoPath != f.GoPath && !f.dup {
			s.Shadowed = append(s.Shadowed, f.Field)
		}
	}
	return s
}

// scoped is a field with the depth of ,inline structs it comes from.
type scoped struct {
	Field
	depth int
	dup   bool
	other string
}

// fields appends t's fields to out, flattening ,inline structs: index and
// goPath lead from the described struct to t, depth counts the ,inline
// structs on the way.
func (b *builder) fields(s *Struct, t reflect.Type, index []int, goPath string, depth int, out *[]scoped) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		fieldIndex := append(append([]int(nil), index...), i)
		goName := join(goPath, sf.Name)
		tag := ParseBSONTag(sf)
		if !sf.IsExported() || tag.Skip {
			s.Skipped = append(s.Skipped, Field{GoPath: goName, Tag: sf.Tag, Type: sf.Type, Index: fieldIndex})
			continue
		}
		if tag.Inline {
			b.inlined(s, t, sf, fieldIndex, goName, depth, out)
			continue
		}
		if msg := checkName(tag.Name); msg != "" {
			b.fail(t, sf.Name, sf.Tag, msg)
			continue
		}
		f := Field{Path: tag.Name, GoPath: goName, Tag: sf.Tag, Type: sf.Type, OmitEmpty: tag.OmitEmpty, Index: fieldIndex}
		elem, direct := leafType(sf.Type)
		f.Nested = arrayDepth(sf.Type) > 1
		switch {
		case isOpen(elem):
			f.Open = true
		case isDocument(elem):
			f.Struct = b.describe(elem)
			f.direct = direct
		}
		*out = append(*out, scoped{Field: f, depth: depth})
	}
}

// inlined flattens an ,inline field into the fields of s.
func (b *builder) inlined(s *Struct, t reflect.Type, sf reflect.StructField, index []int, goPath string, depth int, out *[]scoped) {
	ft := deref(sf.Type)
	switch {
	case ft.Kind() == reflect.Map:
		s.Open = true
	case ft.Kind() == reflect.Struct:
		if b.inline[ft] {
			b.fail(t, sf.Name, sf.Tag, fmt.Sprintf(",inline struct %v contains itself", ft))
			return
		}
		b.inline[ft] = true
		b.fields(s, ft, index, goPath, depth+1, out)
		delete(b.inline, ft)
	default:
		b.fail(t, sf.Name, sf.Tag, fmt.Sprintf(",inline needs a struct, a struct pointer or a map, not %v", sf.Type))
	}
}

func (b *builder) fail(t reflect.Type, field string, tag reflect.StructTag, msg string) {
	b.errs = append(b.errs, &FieldError{Type: t, Field: field, Tag: tag, Message: msg})
}

// checkName refuses bson names that make document paths ambiguous.
func checkName(name string) string {
	switch {
	case strings.ContainsRune(name, 0):
		return fmt.Sprintf("bson name %q contains a NUL byte, which a BSON key cannot hold", name)
	case !utf8.ValidString(name):
		return fmt.Sprintf("bson name %q is not valid UTF-8, which the server refuses in a key", name)
	case strings.Contains(name, "."):
		return fmt.Sprintf("bson name %q contains '.', which dotted paths cannot tell from a nested field", name)
	case strings.HasPrefix(name, "$"):
		return fmt.Sprintf("bson name %q starts with '$', which MongoDB reads as an operator", name)
	}
	return ""
}

// dominant keeps, for each document key, the field Go's embedding rules
// make visible: the shallowest; the bson codec does the same. Several
// fields of one key at the shallowest depth are all marked dup.
func dominant(fields []scoped) []scoped {
	shallowest := map[string]int{}
	for _, f := range fields {
		if d, ok := shallowest[f.Path]; !ok || f.depth < d {
			shallowest[f.Path] = f.depth
		}
	}
	first := map[string]int{}
	for i, f := range fields {
		if f.depth != shallowest[f.Path] {
			continue
		}
		if j, ok := first[f.Path]; ok {
			fields[i].dup = true
			fields[i].other = "and " + fields[j].GoPath
			continue
		}
		first[f.Path] = i
	}
	out := fields[:0:0]
	for i, f := range fields {
		if j, ok := first[f.Path]; ok && i == j {
			out = append(out, f)
		}
	}
	return out
}

// isDocument reports a struct the codec writes as a subdocument of fields.
func isDocument(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType && !implementsMarshaler(t)
}

// leafType strips pointers, slices and arrays: MongoDB paths reach through
// arrays into their elements. direct reports that no slice or array was
// stripped.
func leafType(t reflect.Type) (reflect.Type, bool) {
	direct := true
	for {
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 { // []byte is binary data
				return t, direct
			}
			if t == reflect.TypeFor[bson.D]() {
				return t, direct
			}
			t = t.Elem()
			direct = false
		default:
			return t, direct
		}
	}
}

// arrayDepth counts the arrays (slices or arrays other than []byte and
// bson.D) a value of type t is nested in, through pointers.
func arrayDepth(t reflect.Type) int {
	n := 0
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8 && t != reflect.TypeFor[bson.D]():
			t = t.Elem()
			n++
		default:
			return n
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

// implementsMarshaler reports a type with its own bson marshaller.
func implementsMarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(marshalerType) || t.Implements(valueMarsh) || p.Implements(marshalerType) || p.Implements(valueMarsh)
}

// ImplementsMarshaler reports a type with its own bson marshaller, whose
// BSON form the Go type does not fix.
func ImplementsMarshaler(t reflect.Type) bool { return implementsMarshaler(t) }

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

// BSONTag is a struct field's bson tag, as the driver reads it.
type BSONTag struct {
	Name      string // the key: the tag's first part, else the field's name in lower case
	Skip      bool   // the tag is exactly "-"
	Inline    bool
	OmitEmpty bool
	MinSize   bool
	Truncate  bool
}

// ParseBSONTag mirrors the driver's default struct tag parser: the "bson"
// key, or the whole tag when it has no key at all; the lowercased field name
// when no name is given.
func ParseBSONTag(sf reflect.StructField) BSONTag {
	tag, ok := sf.Tag.Lookup("bson")
	if !ok && !strings.Contains(string(sf.Tag), ":") && len(sf.Tag) > 0 {
		tag = string(sf.Tag)
	}
	out := BSONTag{Name: strings.ToLower(sf.Name)}
	if tag == "-" {
		out.Skip = true
		return out
	}
	for i, part := range strings.Split(tag, ",") {
		if i == 0 && part != "" {
			out.Name = part
		}
		switch part {
		case "inline":
			out.Inline = true
		case "omitempty":
			out.OmitEmpty = true
		case "minsize":
			out.MinSize = true
		case "truncate":
			out.Truncate = true
		}
	}
	return out
}

// ErrTooMany is returned by Walk when more fields match than its limit.
var ErrTooMany = errors.New("reflectx: more matching fields than the limit")

// Forget drops every cached description, so that the next Describe of a
// type starts afresh; for measuring first descriptions.
func Forget() { cache.Clear() }
