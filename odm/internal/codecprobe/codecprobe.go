// Package codecprobe reads the BSON type a codec registry writes for a Go
// type, by encoding the type's zero value, so that the validators
// generated for a model take the BSON types from the registry its
// repositories write with. It is an implementation detail.
//
// It imports the driver's bson package only.
package codecprobe

import (
	"bytes"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var defaultRegistry = bson.NewRegistry()

// StoredAs is the BSON type ($jsonSchema's name) reg writes for a value
// of type t, when it differs from what the driver's default registry
// writes (a codec of reg's own): the answer for t's zero value, or "" (any type) when
// that is null, which says nothing of the other values. False when reg is
// nil, agrees with the default, or cannot encode t.
func StoredAs(reg *bson.Registry, t reflect.Type) (string, bool) {
	if reg == nil {
		return "", false
	}
	own, ok := zeroStoredAs(reg, t)
	if !ok {
		return "", false
	}
	if def, ok := zeroStoredAs(defaultRegistry, t); ok && def == own {
		return "", false
	}
	if own == "null" {
		return "", true
	}
	return own, true
}

// zeroStoredAs is the BSON type reg writes for t's zero value; false when
// it cannot encode it, or its codec panics.
func zeroStoredAs(reg *bson.Registry, t reflect.Type) (name string, ok bool) {
	defer func() {
		if recover() != nil {
			name, ok = "", false
		}
	}()
	holder := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: `bson:"v"`}}))
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.SetRegistry(reg)
	if err := enc.Encode(holder.Interface()); err != nil {
		return "", false
	}
	name, ok = bsonTypeNames[bson.Raw(buf.Bytes()).Lookup("v").Type]
	return name, ok
}

// bsonTypeNames are the $jsonSchema names of the BSON types.
var bsonTypeNames = map[bson.Type]string{
	bson.TypeDouble: "double", bson.TypeString: "string", bson.TypeEmbeddedDocument: "object",
	bson.TypeArray: "array", bson.TypeBinary: "binData", bson.TypeUndefined: "undefined",
	bson.TypeObjectID: "objectId", bson.TypeBoolean: "bool", bson.TypeDateTime: "date",
	bson.TypeNull: "null", bson.TypeRegex: "regex", bson.TypeDBPointer: "dbPointer",
	bson.TypeJavaScript: "javascript", bson.TypeSymbol: "symbol", bson.TypeCodeWithScope: "javascriptWithScope",
	bson.TypeInt32: "int", bson.TypeTimestamp: "timestamp", bson.TypeInt64: "long",
	bson.TypeDecimal128: "decimal", bson.TypeMinKey: "minKey", bson.TypeMaxKey: "maxKey",
}
