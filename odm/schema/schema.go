package schema

import (
	"fmt"
	"reflect"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/jsonschema"
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
		r.Required = true
		rules[path] = r
	}
	var extra map[string]jsonschema.Rule
	if len(v.Rules) > 0 {
		extra = make(map[string]jsonschema.Rule, len(v.Rules))
		for path, r := range v.Rules {
			extra[path] = jsonschema.Rule(r)
		}
	}
	return jsonschema.Generate(jsonschema.Input{Root: t, Rules: rules, Extra: extra, Codecs: codecs, Types: driverTypes})
}

// driverTypes is what the driver writes for a Go type, as the generated
// schemas and the key-type checks read it.
var driverTypes = jsonschema.Types{
	StoredAs: storedAs,
	OwnCodec: func(t reflect.Type) bool { return codecTypes[t] != nil || reflectx.ImplementsMarshaler(t) },
}

// tagRules collects the validation rules of every field's tag, by path.
func tagRules(t reflect.Type, st *reflectx.Struct) (map[string]jsonschema.FieldRules, error) {
	tagged, err := st.Walk(hasODMTag, maxTagged)
	if err != nil {
		return nil, fmt.Errorf("%v: more than %d fields with an odm tag, counting each path that reaches them", t, maxTagged)
	}
	rules := map[string]jsonschema.FieldRules{}
	for _, f := range tagged {
		ft, problems := parseTag(string(f.Tag))
		if len(problems) > 0 {
			return nil, fmt.Errorf("%v.%s: %s", t, f.GoPath, problems[0])
		}
		if !ft.rules.Empty() {
			rules[f.Path] = ft.rules
		}
	}
	return rules, nil
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

// join joins a document path and a field name with a dot.
func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
