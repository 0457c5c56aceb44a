package schema

import (
	"encoding/json"
	"net/url"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// What the driver writes: the BSON type a value of a Go type is stored
// as, read from the driver's default registry in its lookup order (type
// encoders, then the marshaller interfaces, then kinds). The schema
// generator and the key type checks share it, so that a validator never
// refuses what the driver writes and a key check never trusts a Go kind
// the driver overrides (url.URL is a string, bson.Vector binary data).

var (
	urlT           = reflect.TypeFor[url.URL]()
	jsonNumberT    = reflect.TypeFor[json.Number]()
	emptyIfaceT    = reflect.TypeFor[any]()
	marshalerT     = reflect.TypeFor[interface{ MarshalBSON() ([]byte, error) }]()
	valueMarshalT  = reflect.TypeFor[interface{ MarshalBSONValue() (byte, []byte, error) }]()
	textMarshalerT = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// codecTypes are the BSON types of Go types the driver encodes with a
// codec of their own, whatever their kind.
var codecTypes = map[reflect.Type][]string{
	timeT: {"date"}, dateTimeT: {"date"}, objectIDT: {"objectId"}, decimalT: {"decimal"},
	jsonNumberT: {"long", "double"}, urlT: {"string"}, javascriptT: {"javascript"}, symbolT: {"symbol"},
	binaryT: {"binData"}, bsonVectorType: {"binData"}, timestampT: {"timestamp"}, regexT: {"regex"},
	bsonRawT: {"object"}, bsonAT: {"array"},
	reflect.TypeFor[[]byte]():                              {"binData"}, uuidType: // odm.UUID's MarshalBSONValue writes binary subtype 4, or null when zero.
	{"binData", "null"}, reflect.TypeFor[bson.Undefined](): {"undefined"}, reflect.TypeFor[bson.Null](): {"null"},
	reflect.TypeFor[bson.DBPointer](): {"dbPointer"}, reflect.TypeFor[bson.MinKey](): {"minKey"},
	reflect.TypeFor[bson.MaxKey](): {"maxKey"}, reflect.TypeFor[bson.CodeWithScope](): {"javascriptWithScope"},
}

// storedAs is what the driver writes for a value of type t, pointers
// removed (a nil pointer is written as null): the BSON type names, or
// anyType when the Go type does not fix it (an interface, bson.RawValue,
// a type with its own MarshalBSONValue). ok is false for a type the
// driver cannot encode (a channel, a function, a map with keys it cannot
// turn into strings).
func storedAs(t reflect.Type) (types []string, anyType, ok bool) {
	t = derefType(t)
	if ts, found := codecTypes[t]; found {
		return ts, false, true
	}
	switch {
	case t == rawValueT || t == emptyIfaceT || t.Kind() == reflect.Interface:
		return nil, true, true
	case t.Implements(valueMarshalT) || reflect.PointerTo(t).Implements(valueMarshalT):
		return nil, true, true // its own BSON type, any
	case t.Implements(marshalerT):
		return []string{"object"}, false, true // MarshalBSON writes a document
	case reflect.PointerTo(t).Implements(marshalerT):
		return nil, true, true // a document when addressable, else the kind's form
	}
	switch t.Kind() {
	case reflect.String:
		return []string{"string"}, false, true
	case reflect.Bool:
		return []string{"bool"}, false, true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16:
		return []string{"int"}, false, true
	case reflect.Int64, reflect.Uint32, reflect.Uint64:
		return []string{"long"}, false, true
	case reflect.Int, reflect.Uint:
		return []string{"int", "long"}, false, true
	case reflect.Float32, reflect.Float64:
		return []string{"double"}, false, true
	case reflect.Struct:
		return []string{"object"}, false, true
	case reflect.Map:
		if !mapKeyEncodes(t.Key()) {
			return nil, false, false
		}
		return []string{"object"}, false, true
	case reflect.Slice, reflect.Array:
		switch {
		case t.Elem() == reflect.TypeFor[byte]():
			return []string{"binData"}, false, true
		case t.Kind() == reflect.Slice && t.ConvertibleTo(bsonDT):
			return []string{"object"}, false, true
		}
		return []string{"array"}, false, true
	}
	return nil, false, false
}

// mapKeyEncodes reports a map key type the driver turns into a document
// key: strings, integers, and types that marshal themselves to text.
func mapKeyEncodes(k reflect.Type) bool {
	switch k.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return k.Implements(textMarshalerT) || k.Implements(reflect.TypeFor[interface{ MarshalKey() (string, error) }]())
}

// elemType is the element type of an array the driver writes for t (a
// slice or an array other than binary data and bson.D), pointers
// removed; ok is false when t is stored as no array.
func elemType(t reflect.Type) (reflect.Type, bool) { return driverTypes.ElemType(t) }

// storesOnly reports that every value of type t is stored as one of the
// given BSON types, or as an array of them; a type whose BSON form is not
// fixed may hold them too.
func storesOnly(t reflect.Type, want ...string) bool {
	if e, ok := elemType(t); ok {
		t = e
	}
	types, anyType, _ := storedAs(t)
	if anyType {
		return true
	}
	for _, have := range types {
		for _, w := range want {
			if have == w {
				return true
			}
		}
	}
	return false
}

// CodecsDeclarer is implemented by a model whose documents are encoded
// with a registry of its own, holding codecs for some of its field types:
// the model's repositories read and write with that registry, and the
// validator generated for it takes each field's BSON type from it, so
// that the validator accepts what the repositories write. A custom codec
// set on the client instead is seen by the driver only.
type CodecsDeclarer interface {
	Codecs() *bson.Registry
}
