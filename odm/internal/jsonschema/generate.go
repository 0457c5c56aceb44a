package jsonschema

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/codecprobe"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// FieldRules constrain a field's value, as a field's tag declares them.
type FieldRules struct {
	Required bool
	Enum     []string // as written; read as the field's type holds it
	Pattern  string
	Minimum  *float64
	Maximum  *float64
}

// Empty reports rules that constrain nothing.
func (r FieldRules) Empty() bool {
	return !r.Required && r.Enum == nil && r.Pattern == "" && r.Minimum == nil && r.Maximum == nil
}

// Rule constrains a field as a model's Validator method declares it; where
// it sets a constraint, it wins over the tag's.
type Rule struct {
	Enum             []any
	Pattern          string
	Minimum, Maximum *float64
}

// Types is what the driver writes for a Go type.
type Types struct {
	// StoredAs gives the BSON type names of a value of type t, pointers
	// removed; anyType when the Go type does not fix them; ok false when
	// the driver cannot encode t.
	StoredAs func(t reflect.Type) (types []string, anyType, ok bool)
	// OwnCodec reports a struct type the driver encodes with a codec of
	// its own (time.Time, a marshaler): not expanded field by field.
	OwnCodec func(t reflect.Type) bool
}

// ElemType is the element type of an array the driver writes for t (a
// slice or an array other than binary data and bson.D), pointers removed;
// ok is false when t is stored as no array.
func (ts Types) ElemType(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	types, _, _ := ts.StoredAs(t)
	if len(types) != 1 || types[0] != "array" || t == bsonAT {
		return nil, false
	}
	return t.Elem(), true
}

var bsonAT = reflect.TypeFor[bson.A]()

// Input is what a schema is generated from.
type Input struct {
	Root  reflect.Type
	Rules map[string]FieldRules // the tags' rules, by document path
	Extra map[string]Rule       // the Validator method's rules, by path
	// Codecs is the model's own registry, nil for none.
	Codecs *bson.Registry
	Types  Types
}

// Generate returns the $jsonSchema of in.Root. A struct type is expanded
// once per generation: where it recurs within itself, the field is a
// permissive {bsonType: "object"} (or an array of them), so that the
// schema is finite. A rule whose path the schema has no place for is an
// error.
func Generate(in Input) (bson.D, error) {
	st, err := reflectx.Describe(in.Root)
	if err != nil {
		return nil, err
	}
	g := generator{Input: in, used: map[string]bool{}, ruled: map[string]bool{},
		memo: map[reflect.Type]bson.D{}, open: map[reflect.Type]bool{}}
	for path := range in.Rules {
		g.markRuled(path)
	}
	for path := range in.Extra {
		g.markRuled(path)
	}
	g.open[st.Type] = true
	schema, err := g.object(st, "")
	if err != nil {
		return nil, err
	}
	for path := range in.Rules {
		if !g.used[path] {
			return nil, g.unused(st, "a validation rule", path)
		}
	}
	for path := range in.Extra {
		if !g.used[path] {
			return nil, g.unused(st, "Validator().Rules", path)
		}
	}
	return schema, nil
}

// unused explains a rule whose path the schema has no place for.
func (g *generator) unused(st *reflectx.Struct, what, path string) error {
	if st.Lookup(path) {
		return fmt.Errorf("%v: %s names %q, which lies inside a recursive type where the generated schema is a permissive object", g.Root, what, path)
	}
	return fmt.Errorf("%v: %s names %q, which is no field of the struct", g.Root, what, path)
}

// generator generates a schema. Each struct type's schema is generated
// once and shared wherever no rule lies below the path; a struct type met
// again within its own schema (a recursive type) is a permissive object.
type generator struct {
	Input
	used  map[string]bool
	ruled map[string]bool // paths with a rule at or below them
	memo  map[reflect.Type]bson.D
	open  map[reflect.Type]bool // struct types being generated
}

func (g *generator) markRuled(path string) {
	for p := path; ; {
		g.ruled[p] = true
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

// object is the schema of a struct: its direct fields as properties.
func (g *generator) object(st *reflectx.Struct, prefix string) (bson.D, error) {
	props := bson.D{}
	var required bson.A
	for _, f := range st.Fields {
		path := join(prefix, f.Path)
		sub, err := g.value(f.Type, path, f.OmitEmpty)
		if err != nil {
			return nil, fmt.Errorf("%v: field %s (%v): %w", g.Root, path, f.Type, err)
		}
		props = append(props, bson.E{Key: f.Path, Value: sub})
		if g.Rules[path].Required {
			required = append(required, f.Path)
		}
	}
	out := bson.D{{Key: "bsonType", Value: "object"}}
	if len(required) > 0 {
		out = append(out, bson.E{Key: "required", Value: required})
	}
	return append(out, bson.E{Key: "properties", Value: props}), nil
}

// nested is the schema of a struct field's value: the struct's schema,
// shared when no rule lies below path, or a permissive object where the
// struct recurs within itself.
func (g *generator) nested(t reflect.Type, path string) (bson.D, error) {
	if g.open[t] {
		return bson.D{{Key: "bsonType", Value: "object"}}, nil
	}
	if d, ok := g.memo[t]; ok && !g.ruled[path] {
		return d, nil
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return nil, err
	}
	g.open[t] = true
	obj, err := g.object(st, path)
	delete(g.open, t)
	if err != nil {
		return nil, err
	}
	if !g.ruled[path] {
		g.memo[t] = obj
	}
	return obj, nil
}

// value is the schema of one field's value: the BSON types the driver
// writes for its Go type, null where a nil pointer, slice or map or
// omitempty leaves it so.
func (g *generator) value(t reflect.Type, path string, omitEmpty bool) (bson.D, error) {
	nullable := omitEmpty
	for t.Kind() == reflect.Pointer {
		nullable = true
		t = t.Elem()
	}
	if own, ok := codecprobe.StoredAs(g.Codecs, t); ok {
		out := bson.D{}
		if err := g.applyRules(&out, t, path); err != nil {
			return nil, err
		}
		var bsonType any = own
		switch {
		case own == "": // any type
			return out, nil
		case nullable:
			bsonType = bson.A{own, "null"}
		}
		return append(bson.D{{Key: "bsonType", Value: bsonType}}, out...), nil
	}
	out := bson.D{}
	types, anyType, ok := g.Types.StoredAs(t)
	switch {
	case !ok && t.Kind() == reflect.Map:
		return nil, fmt.Errorf("the driver cannot write map keys of type %v", t.Key())
	case !ok:
		return nil, fmt.Errorf("a value of Go type %v cannot map to a BSON type", t)
	case anyType:
		types = nil
	}
	nullable = nullable || t.Kind() == reflect.Slice || t.Kind() == reflect.Map
	if e, isArray := g.Types.ElemType(t); isArray {
		items, err := g.value(e, path, false)
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			out = append(out, bson.E{Key: "items", Value: items})
		}
	} else if len(types) == 1 && types[0] == "object" && t.Kind() == reflect.Struct && !g.Types.OwnCodec(t) {
		obj, err := g.nested(t, path)
		if err != nil {
			return nil, err
		}
		out = append(out, obj[1:]...) // required and properties
	}
	if err := g.applyRules(&out, t, path); err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return out, nil
	}
	if nullable {
		types = append(slices.Clip(types), "null")
	}
	var bsonType any = types[0]
	if len(types) > 1 {
		bsonType = toA(types)
	}
	return append(bson.D{{Key: "bsonType", Value: bsonType}}, out...), nil
}

func (g *generator) applyRules(out *bson.D, t reflect.Type, path string) error {
	r, hasTag := g.Rules[path]
	x, hasExtra := g.Extra[path]
	if hasTag || hasExtra {
		g.used[path] = true
	}
	enum := x.Enum
	if enum == nil && r.Enum != nil {
		for _, s := range r.Enum {
			v, err := enumValue(t, s)
			if err != nil {
				return fmt.Errorf("enum value %q: %w", s, err)
			}
			enum = append(enum, v)
		}
	}
	if enum != nil {
		*out = append(*out, bson.E{Key: "enum", Value: bson.A(enum)})
	}
	if p := cmp.Or(x.Pattern, r.Pattern); p != "" {
		*out = append(*out, bson.E{Key: "pattern", Value: p})
	}
	if m := cmp.Or(x.Minimum, r.Minimum); m != nil {
		*out = append(*out, bson.E{Key: "minimum", Value: *m})
	}
	if m := cmp.Or(x.Maximum, r.Maximum); m != nil {
		*out = append(*out, bson.E{Key: "maximum", Value: *m})
	}
	return nil
}

// enumValue reads a tag's enum value as the field's type holds it.
func enumValue(t reflect.Type, s string) (any, error) {
	switch t.Kind() {
	case reflect.String:
		return s, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.ParseInt(s, 10, 64)
	case reflect.Float32, reflect.Float64:
		return strconv.ParseFloat(s, 64)
	case reflect.Bool:
		return strconv.ParseBool(s)
	}
	return nil, fmt.Errorf("enum in a tag needs a string, number or bool field, not %v", t)
}

func toA(s []string) bson.A {
	out := make(bson.A, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// join joins a document path and a field name with a dot.
func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
