package codec_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// Named types of the field pool: the driver decodes them by kind.
type (
	myString  string
	myInt     int32
	myBytes   []byte
	myFloat   float64
	myBool    bool
	myUint    uint16
	myStrings []string
)

// unmarshaler implements bson.Unmarshaler: it keeps the value's bytes and
// refuses a boolean false, so that its errors reach the caller too.
type unmarshaler struct {
	Data []byte
}

func (u *unmarshaler) UnmarshalBSON(b []byte) error {
	if len(b) == 1 && b[0] == 0 {
		return errors.New("unmarshaler: false refused")
	}
	u.Data = append(u.Data[:0], b...)
	return nil
}

var (
	tString      = reflect.TypeFor[string]()
	tTime        = reflect.TypeFor[time.Time]()
	tUnmarshaler = reflect.TypeFor[unmarshaler]()
)

// scalarTypes is the pool of leaf field types.
var scalarTypes = []reflect.Type{
	reflect.TypeFor[bool](), reflect.TypeFor[int](), reflect.TypeFor[int8](), reflect.TypeFor[int16](),
	reflect.TypeFor[int32](), reflect.TypeFor[int64](), reflect.TypeFor[uint](), reflect.TypeFor[uint8](),
	reflect.TypeFor[uint16](), reflect.TypeFor[uint32](), reflect.TypeFor[uint64](), reflect.TypeFor[float32](),
	reflect.TypeFor[float64](), tString, tString, reflect.TypeFor[myString](), reflect.TypeFor[myInt](),
	reflect.TypeFor[myBytes](), reflect.TypeFor[myFloat](), reflect.TypeFor[myBool](), reflect.TypeFor[myUint](),
	reflect.TypeFor[myStrings](), reflect.TypeFor[[]byte](), reflect.TypeFor[bson.ObjectID](),
	reflect.TypeFor[bson.DateTime](), tTime, reflect.TypeFor[bson.Binary](), reflect.TypeFor[bson.Decimal128](),
	reflect.TypeFor[bson.Timestamp](), reflect.TypeFor[bson.Regex](), reflect.TypeFor[any](), reflect.TypeFor[any](),
	reflect.TypeFor[bson.M](), reflect.TypeFor[bson.D](), reflect.TypeFor[bson.A](), reflect.TypeFor[bson.Raw](),
	reflect.TypeFor[bson.RawValue](), tUnmarshaler, reflect.TypeFor[bson.JavaScript](), reflect.TypeFor[bson.Symbol](),
	reflect.TypeFor[bson.CodeWithScope](), reflect.TypeFor[bson.DBPointer](), reflect.TypeFor[bson.MinKey](),
	reflect.TypeFor[bson.MaxKey](), reflect.TypeFor[bson.Null](), reflect.TypeFor[bson.Undefined](),
	reflect.TypeFor[bson.RawArray](),
}

// typeGen builds one random struct type tree: field names are unique in the
// tree, so that keys collide only where the generator means them to.
type typeGen struct {
	r    *rand.Rand
	next int
	keys []string
}

// randomType is a random struct type; depth bounds its nesting.
func randomType(r *rand.Rand, depth int) reflect.Type {
	return (&typeGen{r: r}).structType(depth)
}

func (g *typeGen) structType(depth int) reflect.Type {
	n := 1 + g.r.IntN(7)
	fields := make([]reflect.StructField, 0, n)
	inlineMaps := 0
	for range n {
		fields = append(fields, g.field(depth, &inlineMaps))
	}
	return reflect.StructOf(fields)
}

func (g *typeGen) maybePtr(t reflect.Type) reflect.Type {
	if g.r.IntN(3) == 0 {
		return reflect.PointerTo(t)
	}
	return t
}

func (g *typeGen) field(depth int, inlineMaps *int) reflect.StructField {
	f := reflect.StructField{Name: fmt.Sprintf("F%d", g.next)}
	g.next++
	p := g.r.IntN(100)
	switch {
	case depth > 0 && p < 6: // an inlined struct or *struct
		f.Type, f.Tag = g.maybePtr(g.structType(depth-1)), `bson:",inline"`
	case depth > 0 && p < 11: // an embedded struct, inlined or not
		f.Type, f.Anonymous = g.maybePtr(g.structType(depth-1)), true
		f.Tag = `bson:",inline"`
		if g.r.IntN(2) == 0 {
			f.Tag = g.tag(f.Name)
		}
	case p < 14 && (*inlineMaps == 0 || g.r.IntN(10) == 0): // an inline map, rarely a second one
		*inlineMaps++
		f.Type, f.Tag = reflect.MapOf(tString, g.fieldType(depth-1)), `bson:",inline"`
		if g.r.IntN(20) == 0 { // refused: not a string key
			f.Type = reflect.TypeFor[map[int]string]()
		}
	case p == 14 && g.r.IntN(4) == 0: // refused: inline on a scalar
		f.Type, f.Tag = g.fieldType(0), `bson:"x,inline"`
	default:
		f.Type, f.Tag = g.fieldType(depth), g.tag(f.Name)
	}
	return f
}

var tagOptions = []string{"", "", "", ",omitempty", ",minsize", ",truncate", ",omitempty,truncate", ",minsize,omitempty"}

// tag is a random bson tag for a field, recording the key it gives.
func (g *typeGen) tag(name string) reflect.StructTag {
	key := ""
	switch p := g.r.IntN(100); {
	case p < 25:
		g.keys = append(g.keys, strings.ToLower(name))
		return ""
	case p < 30:
		return `bson:"-"`
	case p < 35 && len(g.keys) > 0: // differs only in case from another field's key
		key = flipCase(g.keys[g.r.IntN(len(g.keys))])
	case p < 36 && len(g.keys) > 0: // the same key again: a duplicate, on purpose
		key = g.keys[g.r.IntN(len(g.keys))]
	case p < 39:
		key = []string{"_id", "-", "a.b", "$x", "ü", "Key"}[g.r.IntN(6)]
	case p < 45: // default key, with options
		key = ""
	default:
		key = caseStyle(g.r, fmt.Sprintf("key%d", g.next))
		g.next++
	}
	if key == "" {
		g.keys = append(g.keys, strings.ToLower(name))
	} else {
		g.keys = append(g.keys, key)
	}
	opts := tagOptions[g.r.IntN(len(tagOptions))]
	switch g.r.IntN(20) {
	case 0: // a bare tag, which the driver reads as the bson tag
		return reflect.StructTag(key + opts)
	case 1:
		return reflect.StructTag(`json:"j" bson:"` + key + opts + `"`)
	}
	return reflect.StructTag(`bson:"` + key + opts + `"`)
}

func flipCase(k string) string {
	if strings.ToLower(k) == k {
		return strings.ToUpper(k)
	}
	return strings.ToLower(k)
}

func caseStyle(r *rand.Rand, k string) string {
	switch r.IntN(4) {
	case 0:
		return strings.ToUpper(k)
	case 1:
		return strings.ToUpper(k[:1]) + k[1:]
	}
	return k
}

// fieldType is a random field type: a leaf of the pool or, while depth
// allows, a pointer, slice, array, map or nested struct.
func (g *typeGen) fieldType(depth int) reflect.Type {
	if g.r.IntN(100) == 0 { // no decoder in the driver's registry
		return []reflect.Type{reflect.TypeFor[complex128](), reflect.TypeFor[fmt.Stringer]()}[g.r.IntN(2)]
	}
	if depth <= 0 || g.r.IntN(100) < 55 {
		return scalarTypes[g.r.IntN(len(scalarTypes))]
	}
	switch g.r.IntN(9) {
	case 0, 1:
		// Not to a type without a decoder: the driver's pointer codec
		// caches the failed look-up as nil, and panics on the next one.
		if e := g.fieldType(depth - 1); e.Kind() != reflect.Complex128 && (e.Kind() != reflect.Interface || e.NumMethod() == 0) {
			return reflect.PointerTo(e)
		}
		return reflect.TypeFor[*any]()
	case 2:
		return reflect.SliceOf(g.fieldType(depth - 1))
	case 3:
		return reflect.ArrayOf(3, g.fieldType(depth-1))
	case 4:
		return reflect.MapOf(tString, g.fieldType(depth-1))
	case 5:
		return []reflect.Type{reflect.TypeFor[map[int]string](), reflect.TypeFor[map[myString]int64]()}[g.r.IntN(2)]
	case 6:
		return reflect.SliceOf(g.maybePtr(g.structType(depth - 1)))
	}
	return g.maybePtr(g.structType(depth - 1))
}

// keyInfo is a key the driver reads for a struct and the Go type it fills.
type keyInfo struct {
	key string
	typ reflect.Type
}

// structKeys lists t's keys, inlined structs flattened, and the element
// type of its inline map (nil without one).
func structKeys(t reflect.Type) (keys []keyInfo, inline reflect.Type) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, ok := sf.Tag.Lookup("bson")
		if !ok && !strings.Contains(string(sf.Tag), ":") {
			tag = string(sf.Tag)
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		ft := sf.Type
		if strings.Contains(","+opts+",", ",inline,") {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Struct:
				k, in := structKeys(ft)
				keys = append(keys, k...)
				if inline == nil {
					inline = in
				}
				continue
			case reflect.Map:
				inline = ft.Elem()
				continue
			}
		}
		keys = append(keys, keyInfo{name, sf.Type})
	}
	return keys, inline
}

// docGen writes random BSON for Go types; mis is the percentage of values
// of another BSON type than the Go type's.
type docGen struct {
	r   *rand.Rand
	mis int
}

// randomDoc is a random document for struct type t: mostly its keys, with
// values mostly of the BSON type the field expects.
func randomDoc(r *rand.Rand, t reflect.Type) []byte {
	return (&docGen{r: r, mis: []int{0, 5, 20, 30}[r.IntN(4)]}).doc(t, 3)
}

func (g *docGen) doc(t reflect.Type, depth int) []byte {
	keys, inline := structKeys(t)
	idx, d := bsoncore.AppendDocumentStart(nil)
	var used []keyInfo
	for range g.r.IntN(len(keys) + 3) {
		k := g.pickKey(keys, inline, used)
		used = append(used, k)
		d = appendElem(d, k.key, g.value(k.typ, depth))
	}
	d, _ = bsoncore.AppendDocumentEnd(d, idx)
	return d
}

func (g *docGen) pickKey(keys []keyInfo, inline reflect.Type, used []keyInfo) keyInfo {
	p := g.r.IntN(100)
	switch {
	case p < 75 && len(keys) > 0:
		k := keys[g.r.IntN(len(keys))]
		if g.r.IntN(8) == 0 {
			k.key = caseStyle(g.r, flipCase(k.key))
		}
		return k
	case p < 85 && len(used) > 0: // the same key twice
		return used[g.r.IntN(len(used))]
	}
	return keyInfo{fmt.Sprintf("zz%d", g.r.IntN(3)), inline}
}

func appendElem(d []byte, key string, v bsoncore.Value) []byte {
	return append(bsoncore.AppendHeader(d, v.Type, key), v.Data...)
}

func val(t bsoncore.Type, data []byte) bsoncore.Value { return bsoncore.Value{Type: t, Data: data} }

// value is a BSON value for Go type t, of any BSON type mis times in 100.
func (g *docGen) value(t reflect.Type, depth int) bsoncore.Value {
	if t == nil || depth < 0 || g.r.IntN(100) < g.mis {
		return g.anyValue(depth - 1)
	}
	if v, ok := g.special(t, depth); ok {
		return v
	}
	switch t.Kind() {
	case reflect.Bool:
		return val(bsoncore.TypeBoolean, bsoncore.AppendBoolean(nil, g.r.IntN(2) == 0))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return g.number(g.r.IntN(4))
	case reflect.Float32, reflect.Float64:
		return g.number(1 + g.r.IntN(3))
	case reflect.String:
		return g.scalar([]int{2, 2, 2, 2, 2, 2, 7, 14, 13}[g.r.IntN(9)])
	case reflect.Pointer:
		if g.r.IntN(6) == 0 {
			return val(bsoncore.TypeNull, nil)
		}
		return g.value(t.Elem(), depth)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && g.r.IntN(2) == 0 {
			return g.scalar([]int{5, 5, 2}[g.r.IntN(3)])
		}
		return g.array(t.Elem(), depth-1, 3)
	case reflect.Map:
		return g.mapDoc(t, depth-1)
	case reflect.Struct:
		return val(bsoncore.TypeEmbeddedDocument, g.doc(t, depth-1))
	}
	return g.anyValue(depth - 1)
}

// specialKinds are the BSON types (numbered as in scalar) written for the
// driver's types that have their own codecs.
var specialKinds = map[reflect.Type][]int{
	tTime: {9, 9, 18, 17, 2}, reflect.TypeFor[bson.ObjectID](): {7, 7, 2}, reflect.TypeFor[bson.DateTime](): {9},
	reflect.TypeFor[bson.Binary](): {5}, reflect.TypeFor[bson.Decimal128](): {19}, reflect.TypeFor[bson.Timestamp](): {17},
	reflect.TypeFor[bson.Regex](): {11}, reflect.TypeFor[bson.JavaScript](): {13}, reflect.TypeFor[bson.Symbol](): {14},
	reflect.TypeFor[bson.CodeWithScope](): {15}, reflect.TypeFor[bson.DBPointer](): {12},
	reflect.TypeFor[bson.MinKey](): {20, 21, 10, 6}, reflect.TypeFor[bson.MaxKey](): {21, 20, 10, 6},
	reflect.TypeFor[bson.Null](): {10, 6, 20}, reflect.TypeFor[bson.Undefined](): {6, 10, 21},
	reflect.TypeFor[bson.D](): {3}, reflect.TypeFor[bson.M](): {3}, reflect.TypeFor[bson.Raw](): {3},
	reflect.TypeFor[bson.A](): {4}, reflect.TypeFor[bson.RawArray](): {4},
	reflect.TypeFor[bson.RawValue](): nil, tUnmarshaler: nil, // anything
}

// special is a value for the driver's types that have their own codecs.
func (g *docGen) special(t reflect.Type, depth int) (bsoncore.Value, bool) {
	kinds, ok := specialKinds[t]
	switch {
	case !ok:
		return bsoncore.Value{}, false
	case kinds == nil:
		return g.anyValue(depth - 1), true
	}
	k := kinds[g.r.IntN(len(kinds))]
	if k == 3 || k == 4 {
		return g.nested(k, depth-1), true
	}
	return g.scalar(k), true
}

// anyValue is a value of any BSON type; documents and arrays only while
// depth allows.
func (g *docGen) anyValue(depth int) bsoncore.Value {
	k := 1 + g.r.IntN(21)
	if k == 3 || k == 4 {
		if depth < 0 {
			return val(bsoncore.TypeNull, nil)
		}
		return g.nested(k, depth)
	}
	if k == 15 && depth >= 0 {
		return g.codeWithScope(depth)
	}
	return g.scalar(k)
}

func (g *docGen) nested(k, depth int) bsoncore.Value {
	if k == 4 {
		return g.array(nil, depth, 4)
	}
	idx, d := bsoncore.AppendDocumentStart(nil)
	for i := range g.r.IntN(4) {
		d = appendElem(d, []string{"a", "b", "A", "1"}[(i+g.r.IntN(2))%4], g.anyValue(depth-1))
	}
	d, _ = bsoncore.AppendDocumentEnd(d, idx)
	return val(bsoncore.TypeEmbeddedDocument, d)
}

func (g *docGen) codeWithScope(depth int) bsoncore.Value {
	scope := g.nested(3, depth-1).Data
	return val(bsoncore.TypeCodeWithScope, bsoncore.AppendCodeWithScope(nil, "function(){}", scope))
}

// array is an array of about n values for elem (any type when nil).
func (g *docGen) array(elem reflect.Type, depth, n int) bsoncore.Value {
	if g.r.IntN(12) == 0 && elem != nil { // a document where an array belongs
		return g.nested(3, depth)
	}
	idx, d := bsoncore.AppendArrayStart(nil)
	count := g.r.IntN(n + 1)
	if g.r.IntN(2) == 0 {
		count = n
	}
	for i := range count {
		d = appendElem(d, fmt.Sprint(i), g.value(elem, depth))
	}
	d, _ = bsoncore.AppendArrayEnd(d, idx)
	return val(bsoncore.TypeArray, d)
}

func (g *docGen) mapDoc(t reflect.Type, depth int) bsoncore.Value {
	if g.r.IntN(12) == 0 { // an array where a document belongs
		return g.array(t.Elem(), depth, 2)
	}
	idx, d := bsoncore.AppendDocumentStart(nil)
	for range g.r.IntN(4) {
		key := []string{"a", "b", "B", "", "1", "-2", "3.5", "99999999999999999999"}[g.r.IntN(8)]
		d = appendElem(d, key, g.value(t.Elem(), depth))
	}
	d, _ = bsoncore.AppendDocumentEnd(d, idx)
	return val(bsoncore.TypeEmbeddedDocument, d)
}

var (
	intEdges = []int64{0, 1, -1, 127, 128, -129, 255, 256, 32767, -32769, 65535, 65536, math.MaxInt32,
		math.MaxInt32 + 1, math.MinInt32, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64, math.MinInt64}
	floatEdges = []float64{0, math.Copysign(0, -1), 1, -1, 1.5, -2.5, 255, 256.25, math.NaN(), math.Inf(1),
		math.Inf(-1), 1e300, -1e300, 3.5e38, 1 << 53, 1<<63 - 1024, 0.1, 1e-45, 127, -129, 65536}
	stringEdges = []string{"", "x", "héllo", "5f0c1e2d3c4b5a6978879695", "twelve bytes", "2024-01-02T03:04:05Z",
		"2024-01-02T03:04:05.123+02:00", "12", "-3", "true", "ZZZZZZZZZZZZZZZZZZZZZZZZ", "a\x00b"}
)

// number is an int32 (0), int64 (1), double (2) or a double with a fraction
// or out of range (3).
func (g *docGen) number(k int) bsoncore.Value {
	e := int64(g.r.IntN(100))
	if g.r.IntN(2) == 0 {
		e = intEdges[g.r.IntN(len(intEdges))]
	}
	switch k {
	case 0:
		return val(bsoncore.TypeInt32, bsoncore.AppendInt32(nil, int32(e)))
	case 1:
		return val(bsoncore.TypeInt64, bsoncore.AppendInt64(nil, e))
	case 2:
		return val(bsoncore.TypeDouble, bsoncore.AppendDouble(nil, float64(e)))
	}
	return val(bsoncore.TypeDouble, bsoncore.AppendDouble(nil, floatEdges[g.r.IntN(len(floatEdges))]))
}

// scalar is a value of BSON type number k (1 double ... 19 decimal128,
// 20 minKey, 21 maxKey), other than documents and arrays.
func (g *docGen) scalar(k int) bsoncore.Value {
	r := g.r
	var oid [12]byte
	for i := range oid {
		oid[i] = byte(r.IntN(256))
	}
	str := stringEdges[r.IntN(len(stringEdges))]
	switch k {
	case 1:
		return g.number(2 + r.IntN(2))
	case 2:
		return val(bsoncore.TypeString, bsoncore.AppendString(nil, str))
	case 5:
		return g.binary()
	case 6:
		return val(bsoncore.TypeUndefined, nil)
	case 7:
		return val(bsoncore.TypeObjectID, oid[:])
	case 8:
		return val(bsoncore.TypeBoolean, bsoncore.AppendBoolean(nil, r.IntN(2) == 0))
	case 9:
		dt := []int64{0, -1, 1700000000123, -62135596800001, math.MaxInt64, math.MinInt64}[r.IntN(6)]
		return val(bsoncore.TypeDateTime, bsoncore.AppendDateTime(nil, dt))
	case 11:
		return val(bsoncore.TypeRegex, bsoncore.AppendRegex(nil, []string{"", "^a.*", "x"}[r.IntN(3)], []string{"", "i", "ms"}[r.IntN(3)]))
	case 12:
		return val(bsoncore.TypeDBPointer, bsoncore.AppendDBPointer(nil, "db.c", oid))
	case 13:
		return val(bsoncore.TypeJavaScript, bsoncore.AppendJavaScript(nil, str))
	case 14:
		return val(bsoncore.TypeSymbol, bsoncore.AppendSymbol(nil, str))
	case 15:
		return val(bsoncore.TypeCodeWithScope, bsoncore.AppendCodeWithScope(nil, str, []byte{5, 0, 0, 0, 0}))
	case 16:
		return g.number(0)
	case 17:
		return val(bsoncore.TypeTimestamp, bsoncore.AppendTimestamp(nil, r.Uint32(), uint32(r.IntN(3))))
	case 18:
		return g.number(1)
	case 19:
		d := []bson.Decimal128{bson.NewDecimal128(r.Uint64(), r.Uint64()), bson.NewDecimal128(0x3040000000000000, 7)}
		for _, s := range []string{"NaN", "-Inf", "1.5E+3", "-0"} {
			p, _ := bson.ParseDecimal128(s)
			d = append(d, p)
		}
		h, l := d[r.IntN(len(d))].GetBytes()
		return val(bsoncore.TypeDecimal128, bsoncore.AppendDecimal128(nil, h, l))
	case 20:
		return val(bsoncore.TypeMinKey, nil)
	case 21:
		return val(bsoncore.TypeMaxKey, nil)
	}
	return val(bsoncore.TypeNull, nil)
}

// binary is a binary of subtype 0x00, 0x02 (old, with its inner length, or
// short without), 0x04 (16 bytes or not) or another.
func (g *docGen) binary() bsoncore.Value {
	data := []byte("0123456789abcdef")[:g.r.IntN(17)]
	sub := []byte{0x00, 0x00, 0x02, 0x02, 0x04, 0x03, 0x05, 0x80, 0x09}[g.r.IntN(9)]
	if sub == 0x02 && len(data) <= 4 && g.r.IntN(2) == 0 { // subtype 2 without the inner length
		return val(bsoncore.TypeBinary, append(append(bsoncore.AppendInt32(nil, int32(len(data))), 2), data...))
	}
	return val(bsoncore.TypeBinary, bsoncore.AppendBinary(nil, sub, data))
}
