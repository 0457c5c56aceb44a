package schema

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/codecprobe"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// GenerateSchema returns the $jsonSchema generated for a model's struct:
// bsonType per field from its Go type, nested properties for structs,
// items for slices, null allowed for pointers, slices, maps and omitempty
// fields, and the rules its tags and Validator method declare.
//
// A struct type is expanded once per generation: where it recurs within
// itself (a recursive type, directly or through other types), the field
// is a permissive {bsonType: "object"}, or an array of such objects for a
// slice, so the schema of every type is finite.
func GenerateSchema(model any) (bson.D, error) {
	t, err := modelType(model)
	if err != nil {
		return nil, err
	}
	var v Validator
	var codecs *bson.Registry
	zero := reflect.New(t).Interface()
	if decl, ok := zero.(ValidatorDeclarer); ok {
		if err := callUser(func() { v = decl.Validator() }); err != nil {
			return nil, fmt.Errorf("%v.Validator(): %w", t, err)
		}
	}
	if decl, ok := zero.(CodecsDeclarer); ok {
		if err := callUser(func() { codecs = decl.Codecs() }); err != nil {
			return nil, fmt.Errorf("%v.Codecs(): %w", t, err)
		}
	}
	return generateSchema(t, v, codecs)
}

func generateSchema(t reflect.Type, v Validator, codecs *bson.Registry) (bson.D, error) {
	st, err := reflectx.Describe(t)
	if err != nil {
		return nil, err
	}
	rules, err := tagRules(t, st)
	if err != nil {
		return nil, err
	}
	for _, path := range v.Required {
		r := rules[path]
		r.required = true
		rules[path] = r
	}
	g := schemaGen{root: t, rules: rules, extra: v.Rules, codecs: codecs, used: map[string]bool{},
		ruled: map[string]bool{}, memo: map[reflect.Type]bson.D{}, open: map[reflect.Type]bool{}}
	for path := range rules {
		g.markRuled(path)
	}
	for path := range v.Rules {
		g.markRuled(path)
	}
	g.open[st.Type] = true
	schema, err := g.object(st, "")
	if err != nil {
		return nil, err
	}
	for path := range rules {
		if !g.used[path] {
			return nil, g.unused(st, "a validation rule", path)
		}
	}
	for path := range v.Rules {
		if !g.used[path] {
			return nil, g.unused(st, "Validator().Rules", path)
		}
	}
	return schema, nil
}

// unused explains a rule whose path the schema has no place for.
func (g *schemaGen) unused(st *reflectx.Struct, what, path string) error {
	if st.Lookup(path) {
		return fmt.Errorf("%v: %s names %q, which lies inside a recursive type where the generated schema is a permissive object", g.root, what, path)
	}
	return fmt.Errorf("%v: %s names %q, which is no field of the struct", g.root, what, path)
}

// tagRules collects the validation rules of every field's tag, by path.
func tagRules(t reflect.Type, st *reflectx.Struct) (map[string]fieldRules, error) {
	tagged, err := st.Walk(hasODMTag, maxTagged)
	if err != nil {
		return nil, fmt.Errorf("%v: more than %d fields with an odm tag, counting each path that reaches them", t, maxTagged)
	}
	rules := map[string]fieldRules{}
	for _, f := range tagged {
		ft, problems := parseTag(string(f.Tag))
		if len(problems) > 0 {
			return nil, fmt.Errorf("%v.%s: %s", t, f.GoPath, problems[0])
		}
		if !ft.rules.empty() {
			rules[f.Path] = ft.rules
		}
	}
	return rules, nil
}

// schemaGen generates a schema. Each struct type's schema is generated
// once and shared wherever no rule lies below the path; a struct type met
// again within its own schema (a recursive type) is a permissive object.
type schemaGen struct {
	root  reflect.Type
	rules map[string]fieldRules
	extra map[string]Rule
	used  map[string]bool
	ruled map[string]bool // paths with a rule at or below them
	memo  map[reflect.Type]bson.D
	open  map[reflect.Type]bool // struct types being generated
	// codecs is the model's own registry (CodecsDeclarer), nil for none.
	codecs *bson.Registry
}

func (g *schemaGen) markRuled(path string) {
	for p := path; ; {
		g.ruled[p] = true
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

var (
	timeT       = reflect.TypeFor[time.Time]()
	dateTimeT   = reflect.TypeFor[bson.DateTime]()
	objectIDT   = reflect.TypeFor[bson.ObjectID]()
	decimalT    = reflect.TypeFor[bson.Decimal128]()
	bsonDT      = reflect.TypeFor[bson.D]()
	bsonAT      = reflect.TypeFor[bson.A]()
	bsonRawT    = reflect.TypeFor[bson.Raw]()
	rawValueT   = reflect.TypeFor[bson.RawValue]()
	binaryT     = reflect.TypeFor[bson.Binary]()
	timestampT  = reflect.TypeFor[bson.Timestamp]()
	regexT      = reflect.TypeFor[bson.Regex]()
	javascriptT = reflect.TypeFor[bson.JavaScript]()
	symbolT     = reflect.TypeFor[bson.Symbol]()
)

// object is the schema of a struct: its direct fields as properties.
func (g *schemaGen) object(st *reflectx.Struct, prefix string) (bson.D, error) {
	props := bson.D{}
	var required bson.A
	for _, f := range st.Fields {
		path := join(prefix, f.Path)
		sub, err := g.value(f.Type, path, f.OmitEmpty)
		if err != nil {
			return nil, fmt.Errorf("%v: field %s (%v): %w", g.root, path, f.Type, err)
		}
		props = append(props, bson.E{Key: f.Path, Value: sub})
		if g.rules[path].required {
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
func (g *schemaGen) nested(t reflect.Type, path string) (bson.D, error) {
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
// writes for its Go type (storedAs), null where a nil pointer, slice or
// map or omitempty leaves it so.
func (g *schemaGen) value(t reflect.Type, path string, omitEmpty bool) (bson.D, error) {
	nullable := omitEmpty
	for t.Kind() == reflect.Pointer {
		nullable = true
		t = t.Elem()
	}
	if own, ok := codecprobe.StoredAs(g.codecs, t); ok {
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
	types, anyType, ok := storedAs(t)
	switch {
	case !ok && t.Kind() == reflect.Map:
		return nil, fmt.Errorf("the driver cannot write map keys of type %v", t.Key())
	case !ok:
		return nil, fmt.Errorf("a value of Go type %v cannot map to a BSON type", t)
	case anyType:
		types = nil
	}
	nullable = nullable || t.Kind() == reflect.Slice || t.Kind() == reflect.Map
	if e, isArray := elemType(t); isArray {
		items, err := g.value(e, path, false)
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			out = append(out, bson.E{Key: "items", Value: items})
		}
	} else if len(types) == 1 && types[0] == "object" && t.Kind() == reflect.Struct && codecTypes[t] == nil && !reflectx.ImplementsMarshaler(t) {
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

func (g *schemaGen) applyRules(out *bson.D, t reflect.Type, path string) error {
	r, hasTag := g.rules[path]
	x, hasExtra := g.extra[path]
	if hasTag {
		g.used[path] = true
	}
	if hasExtra {
		g.used[path] = true
	}
	enum := x.Enum
	if enum == nil && r.enum != nil {
		for _, s := range r.enum {
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
	if p := cmp.Or(x.Pattern, r.pattern); p != "" {
		*out = append(*out, bson.E{Key: "pattern", Value: p})
	}
	if m := cmp.Or(x.Minimum, r.minimum); m != nil {
		*out = append(*out, bson.E{Key: "minimum", Value: *m})
	}
	if m := cmp.Or(x.Maximum, r.maximum); m != nil {
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
