package schema_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

// Amount writes itself as a BSON string, whatever its Go kind.
type Amount int64

func (a Amount) MarshalBSONValue() (byte, []byte, error) {
	typ, data, err := bson.MarshalValue(time.Duration(a).String())
	return byte(typ), data, err
}

// Level is a map key the driver writes as text.
type Level int

func (l Level) MarshalText() ([]byte, error) { return []byte(strings.Repeat("l", int(l)+1)), nil }

type codecPoint struct {
	X float64 `bson:"x"`
	Y float64 `bson:"y"`
}

// Stamp writes itself as a document, whatever its Go kind.
type Stamp time.Time

func (s Stamp) MarshalBSON() ([]byte, error) {
	return bson.Marshal(bson.D{{Key: "at", Value: time.Time(s)}})
}

// Title writes itself as a document.
type Title string

func (t Title) MarshalBSON() ([]byte, error) {
	return bson.Marshal(bson.D{{Key: "v", Value: string(t)}})
}

type codecBytes []byte

// TestGeneratedSchemaHoldsWhatTheDriverWrites: for each Go type, a value
// marshalled by the driver is stored as a BSON type the generated schema
// allows; a type whose BSON form its Go type does not fix has no bsonType
// at all. The schema of a field of each type is generated from a struct
// built at run time, so the table is the whole input.
func TestGeneratedSchemaHoldsWhatTheDriverWrites(t *testing.T) {
	u, err := url.Parse("https://example.com/a?b=c")
	require.NoError(t, err)
	n := 7
	d, err := bson.ParseDecimal128("1.5")
	require.NoError(t, err)
	raw, err := bson.Marshal(bson.D{{Key: "a", Value: 1}})
	require.NoError(t, err)
	tests := []struct {
		value any
		// anyType: the schema gives no bsonType; stored is what the
		// driver writes either way
		anyType bool
	}{
		{value: "s"},
		{value: true},
		{value: int(3)},
		{value: int(1 << 40)},
		{value: int8(3)},
		{value: int16(3)},
		{value: int32(3)},
		{value: int64(3)},
		{value: uint(3)},
		{value: uint8(3)},
		{value: uint16(3)},
		{value: uint32(3)},
		{value: uint64(3)},
		{value: float32(1.5)},
		{value: 1.5},
		{value: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{value: bson.DateTime(1_700_000_000_000)},
		{value: time.Duration(5 * time.Second)},
		{value: bson.NewObjectID()},
		{value: d},
		{value: *u},
		{value: u},
		{value: json.Number("42")},
		{value: json.Number("4.2")},
		{value: bson.NewVector([]float32{1, 2, 3})},
		{value: bson.Raw(raw)},
		{value: bson.M{"a": 1}},
		{value: bson.D{{Key: "a", Value: 1}}},
		{value: bson.A{1, "x"}},
		{value: map[int]string{1: "a"}},
		{value: map[string]int{"a": 1}},
		{value: map[Level]int{2: 1}},
		{value: []byte("xy")},
		{value: codecBytes("xy")},
		{value: [4]byte{1, 2, 3, 4}},
		{value: schema.UUID{1, 2, 3}},
		{value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}},
		{value: bson.Timestamp{T: 1, I: 2}},
		{value: bson.Regex{Pattern: "^a", Options: "i"}},
		{value: bson.JavaScript("x()")},
		{value: bson.Symbol("sym")},
		{value: bson.CodeWithScope{Code: "x()", Scope: bson.D{{Key: "a", Value: 1}}}},
		{value: bson.MinKey{}},
		{value: bson.MaxKey{}},
		{value: bson.Null{}},
		{value: bson.Undefined{}},
		{value: bson.DBPointer{DB: "db.c", Pointer: bson.NewObjectID()}},
		{value: []string{"a"}},
		{value: [2]float64{1, 2}},
		{value: [][]int{{1}}},
		{value: codecPoint{1, 2}},
		{value: &n},
		{value: (*int)(nil)},
		{value: []string(nil)},
		{value: Stamp(time.Now())},
		{value: Title("t")},
		{value: Amount(3), anyType: true},
		{value: bson.RawValue{Type: bson.TypeInt32, Value: []byte{1, 0, 0, 0}}, anyType: true},
		{value: any(3), anyType: true},
	}
	for _, tt := range tests {
		goType := reflect.TypeOf(tt.value)
		if _, isAny := tt.value.(int); isAny && tt.anyType {
			goType = reflect.TypeFor[any]()
		}
		name := goType.String()
		t.Run(name, func(t *testing.T) {
			typ := reflect.StructOf([]reflect.StructField{{Name: "V", Type: goType, Tag: `bson:"v"`}})
			doc := reflect.New(typ).Elem()
			doc.Field(0).Set(reflect.ValueOf(tt.value))
			stored, err := bson.Marshal(doc.Interface())
			require.NoError(t, err)
			got := bsonTypeName(bson.Raw(stored).Lookup("v").Type)

			schema, err := schema.GenerateSchema(typ)
			require.NoError(t, err, "a type the driver writes has a schema")
			var prop bson.D
			for _, e := range schema {
				if e.Key == "properties" {
					prop = e.Value.(bson.D)[0].Value.(bson.D)
				}
			}
			var allowed []string
			for _, e := range prop {
				if e.Key != "bsonType" {
					continue
				}
				switch v := e.Value.(type) {
				case string:
					allowed = []string{v}
				case bson.A:
					for _, x := range v {
						allowed = append(allowed, x.(string))
					}
				}
			}
			if tt.anyType {
				assert.Empty(t, allowed, "%v may hold any BSON type", goType)
				return
			}
			assert.Contains(t, allowed, got, "the driver stores %v as %s; the schema allows %v", goType, got, allowed)
		})
	}
	assert.GreaterOrEqual(t, len(tests), 25)
}

// bsonTypeName is the $jsonSchema bsonType alias of a BSON type.
func bsonTypeName(t bson.Type) string {
	return map[bson.Type]string{
		bson.TypeDouble: "double", bson.TypeString: "string", bson.TypeEmbeddedDocument: "object", bson.TypeArray: "array",
		bson.TypeBinary: "binData", bson.TypeUndefined: "undefined", bson.TypeObjectID: "objectId", bson.TypeBoolean: "bool",
		bson.TypeDateTime: "date", bson.TypeNull: "null", bson.TypeRegex: "regex", bson.TypeDBPointer: "dbPointer",
		bson.TypeJavaScript: "javascript", bson.TypeSymbol: "symbol", bson.TypeCodeWithScope: "javascriptWithScope",
		bson.TypeInt32: "int", bson.TypeTimestamp: "timestamp", bson.TypeInt64: "long", bson.TypeDecimal128: "decimal",
		bson.TypeMinKey: "minKey", bson.TypeMaxKey: "maxKey",
	}[t]
}
