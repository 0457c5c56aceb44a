// Package union is the machinery of polymorphic collections: several Go
// types (variants) in one collection, told apart by a discriminator field.
// It checks that a union's variants can share their collection, builds the
// struct type a union's queries are path-checked against, and decodes a
// document into its variant's type from the raw bytes, once.
package union

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Variant is what a union knows of one variant: its model and how its
// documents decode.
type Variant struct {
	Model *schema.Model
	// Decode decodes a document into the variant's type, as the union's
	// interface holds it.
	Decode func(raw bson.Raw) (any, error)
}

// Table is a checked union: its variants by discriminator value.
type Table struct {
	// Name is the union as the errors name it: "Union[pkg.Event]".
	Name     string
	Variants []Variant
	// Path is the discriminator's document path, split at dots.
	Path    []string
	byValue map[string]int
	// Merged is the model a union's queries are path-checked against:
	// every variant's fields in one struct type.
	Merged *schema.Model
}

// New checks the variants of a union and builds its table. Problems name
// the union's variants, their fields and what is wrong; a table with
// problems is not to be used.
func New(name string, variants []Variant) (*Table, []schema.Problem) {
	t := &Table{Name: name, Variants: variants, byValue: map[string]int{}}
	var problems []schema.Problem
	problem := func(m *schema.Model, field, format string, args ...any) {
		problems = append(problems, schema.Problem{GoType: m.Type.String(), Collection: m.Collection, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(variants) == 0 {
		return nil, []schema.Problem{{GoType: name, Message: "a union needs at least one variant"}}
	}
	first := variants[0].Model
	for _, v := range variants {
		m := v.Model
		switch {
		case m.Variant == "":
			problem(m, "Variant()", "a variant of %s declares its discriminator value with a method Variant() string on the value; %v has none", name, m.Type)
			continue
		case m.Discriminator == "":
			problem(m, "Variant()", "a variant of %s needs the field tagged odm:\"discriminator\"; %v has none", name, m.Type)
			continue
		case m.Collection != first.Collection:
			problem(m, "CollectionName()", "the variants of %s share one collection; %v names %q and %v names %q", name, m.Type, m.Collection, first.Type, first.Collection)
		case m.Discriminator != first.Discriminator:
			problem(m, "", "the variants of %s share one discriminator field; %v's is %q and %v's is %q", name, m.Type, m.Discriminator, first.Type, first.Discriminator)
		}
		if i, dup := t.byValue[m.Variant]; dup {
			problem(m, "Variant()", "%v and %v both declare the discriminator value %q; each variant of %s needs its own", variants[i].Model.Type, m.Type, m.Variant, name)
			continue
		}
		t.byValue[m.Variant] = len(t.byValue)
	}
	problems = append(problems, checkFieldTypes(name, variants)...)
	if len(problems) > 0 {
		return nil, problems
	}
	// byValue was filled in order with no gaps, so it indexes Variants.
	t.Path = strings.Split(first.Discriminator, ".")
	merged, err := mergedType(variants)
	if err != nil {
		return nil, []schema.Problem{{GoType: name, Message: err.Error()}}
	}
	t.Merged = &schema.Model{Type: merged, Collection: first.Collection, Indexes: mergedIndexes(variants)}
	return t, nil
}

// Value is the discriminator value of a document, and whether it holds a
// string there.
func (t *Table) Value(raw bson.Raw) (string, bool) {
	v, err := raw.LookupErr(t.Path...)
	if err != nil {
		return "", false
	}
	return v.StringValueOK()
}

// Of is the index of the variant a document belongs to, or -1 when its
// discriminator is missing or names no variant.
func (t *Table) Of(raw bson.Raw) int {
	s, ok := t.Value(raw)
	if !ok {
		return -1
	}
	if i, ok := t.byValue[s]; ok {
		return i
	}
	return -1
}

// Index is the index of the variant of model type rt, or -1.
func (t *Table) Index(rt reflect.Type) int {
	for i, v := range t.Variants {
		if v.Model.Type == rt {
			return i
		}
	}
	return -1
}

// fieldAt is where a path was first seen with its BSON type.
type fieldAt struct {
	class  string
	goType reflect.Type
	model  reflect.Type
	goPath string
}

// checkFieldTypes refuses a document path that two variants store with
// different BSON types: a query or an index on it would match one
// variant's documents only by accident. A pointer is its element (null
// or absent is allowed beside any type).
func checkFieldTypes(name string, variants []Variant) []schema.Problem {
	var problems []schema.Problem
	seen := map[string]fieldAt{}
	for _, v := range variants {
		st, err := reflectx.Describe(v.Model.Type)
		if err != nil {
			continue // the model's own description reports it
		}
		fields, _ := st.Walk(func(reflectx.Field) bool { return true }, 1<<14)
		for _, f := range fields {
			class := bsonClass(f.Type)
			if class == "" {
				continue
			}
			prev, ok := seen[f.Path]
			if !ok {
				seen[f.Path] = fieldAt{class, f.Type, v.Model.Type, f.GoPath}
				continue
			}
			if prev.class != class {
				problems = append(problems, schema.Problem{GoType: v.Model.Type.String(), Collection: v.Model.Collection, Field: f.GoPath, Tag: f.Tag.Get(schema.TagKey),
					Message: fmt.Sprintf("field %q is stored as %s (%v) here and as %s (%v) by %v.%s, another variant of %s; a path holds one BSON type across a collection's variants",
						f.Path, class, f.Type, prev.class, prev.goType, prev.model, prev.goPath, name)})
			}
		}
	}
	return problems
}

var (
	timeT       = reflect.TypeFor[time.Time]()
	objectIDT   = reflect.TypeFor[bson.ObjectID]()
	dateTimeT   = reflect.TypeFor[bson.DateTime]()
	decimalT    = reflect.TypeFor[bson.Decimal128]()
	uuidT       = reflect.TypeFor[schema.UUID]()
	marshalerT  = reflect.TypeFor[bson.Marshaler]()
	valueMarshT = reflect.TypeFor[bson.ValueMarshaler]()
)

// bsonClass is the BSON type the driver's default codecs store a Go type
// as, ints of every size as one; "" for a type that may hold several
// (an interface, a raw value, a type with its own marshaller).
func bsonClass(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeT, dateTimeT:
		return "date"
	case objectIDT:
		return "objectId"
	case decimalT:
		return "decimal"
	case uuidT:
		return "binData"
	}
	if t.Implements(valueMarshT) || reflect.PointerTo(t).Implements(valueMarshT) {
		return ""
	}
	if t.Implements(marshalerT) || reflect.PointerTo(t).Implements(marshalerT) {
		return "object"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "double"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "binData"
		}
		return "array"
	}
	return ""
}

// mergedType is a struct type with every variant's top-level fields, each
// path once (the first variant's field where several declare it), for
// the path check of the union's queries.
func mergedType(variants []Variant) (reflect.Type, error) {
	var fields []reflect.StructField
	seen := map[string]bool{}
	for _, v := range variants {
		st, err := reflectx.Describe(v.Model.Type)
		if err != nil {
			return nil, err
		}
		for _, f := range st.Fields {
			if seen[f.Path] {
				continue
			}
			seen[f.Path] = true
			tag := fmt.Sprintf(`bson:%q`, f.Path)
			fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: f.Type, Tag: reflect.StructTag(tag)})
		}
	}
	return reflect.StructOf(fields), nil
}

// Unmarshal decodes raw into v with reg, the model's own registry, or the
// driver's default when nil.
func Unmarshal(reg *bson.Registry, raw bson.Raw, v any) error {
	if reg == nil {
		return bson.Unmarshal(raw, v)
	}
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(raw)))
	dec.SetRegistry(reg)
	return dec.Decode(v)
}

// mergedIndexes are the indexes the variants declare, each once (by
// name: the union's validation refuses two specs under one name), for the
// coverage of the union's queries.
func mergedIndexes(variants []Variant) []schema.IndexSpec {
	var out []schema.IndexSpec
	seen := map[string]bool{}
	for _, v := range variants {
		for _, s := range v.Model.Indexes {
			if name := s.IndexName(); !seen[name] {
				seen[name] = true
				out = append(out, s)
			}
		}
	}
	return out
}
