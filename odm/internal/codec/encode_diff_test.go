package codec_test

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/tagodm/tagodm/odm/internal/codec"
)

const (
	valuesPerType = 8  // values per seed of TestEncodeAgainstTheDriver, each encoded with both options
	modelValues   = 20 // values per reference model
)

var encodeOptions = []codec.EncodeOptions{{}, {NilSliceAsEmpty: true, NilMapAsEmpty: true}}

// encodeDriver encodes ptr as the driver does; a panic comes back as an error.
func encodeDriver(reg *bson.Registry, ptr any, opts codec.EncodeOptions) (out []byte, err error) {
	defer catch(&err)
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.SetRegistry(reg)
	if opts.NilSliceAsEmpty {
		enc.NilSliceAsEmpty()
	}
	if opts.NilMapAsEmpty {
		enc.NilMapAsEmpty()
	}
	if err := enc.Encode(ptr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeCodec(c *codec.Codec, dst []byte, ptr any, opts codec.EncodeOptions) (out []byte, err error) {
	defer catch(&err)
	return c.Append(dst, ptr, opts)
}

// pointerTo is a pointer to a copy of v, so that no side sees the other's changes.
func pointerTo(v reflect.Value) any {
	p := reflect.New(v.Type())
	p.Elem().Set(deepCopy(v))
	return p.Interface()
}

// compareEncode encodes v with the driver (registry reg) and with c, the
// codec's output appended to a prefix; it describes the first difference,
// "" when none.
func compareEncode(reg *bson.Registry, c *codec.Codec, v reflect.Value, opts codec.EncodeOptions, prefix []byte) string {
	want, errA := encodeDriver(reg, pointerTo(v), opts)
	out, errB := encodeCodec(c, slices.Clip(prefix), pointerTo(v), opts)
	unordered := holdsMultiEntryMap(v)
	switch {
	case errA != nil || errB != nil:
		if errA == nil || errB == nil || (errA.Error() != errB.Error() && !(unordered && driverCanFail(reg, v, opts, errB))) {
			return fmt.Sprintf("errors differ\ndriver: %v\ncodec:  %v", errA, errB)
		}
		return ""
	case !bytes.Equal(out[:min(len(out), len(prefix))], prefix):
		return fmt.Sprintf("the codec changed the %d bytes it appends to: %x", len(prefix), out)
	}
	got := out[len(prefix):]
	if bytes.Equal(want, got) {
		return ""
	}
	if unordered {
		nw, errW := normalise(want, true)
		ng, errG := normalise(got, true)
		if errW == nil && errG == nil && bytes.Equal(nw, ng) {
			return ""
		}
	}
	return fmt.Sprintf("outputs differ (map entries unordered: %v)\ndriver: %s\n        %x\ncodec:  %s\n        %x",
		unordered, docString(want), want, docString(got), got)
}

// driverCanFail tells whether the driver, encoding v again, fails as err
// says: with a map of more entries than one, which entry fails first, and
// so the error's words, depend on Go's random map order.
func driverCanFail(reg *bson.Registry, v reflect.Value, opts codec.EncodeOptions, err error) bool {
	for range 64 {
		if _, e := encodeDriver(reg, pointerTo(v), opts); e != nil && e.Error() == err.Error() {
			return true
		}
	}
	return false
}

// holdsMultiEntryMap tells whether v holds a map of entries Go orders at random.
func holdsMultiEntryMap(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Map && v.Len() > 1 {
			return true
		}
		for _, e := range v.Seq2() {
			if holdsMultiEntryMap(e) {
				return true
			}
		}
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holdsMultiEntryMap(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsMultiEntryMap(v.Field(i)) {
				return true
			}
		}
	}
	return false
}

// normalise sorts the elements of every document in doc by key, stably;
// arrays keep their order. The bytes do not tell which documents come from
// Go maps (an inline map shares the struct's document; an interface may
// hold a bson.M), so all are sorted. It works on the bytes, not on a
// bson.D, so that all other values are still compared byte for byte.
func normalise(doc []byte, sortKeys bool) ([]byte, error) {
	elems, err := bsoncore.Document(doc).Elements()
	if err != nil {
		return nil, err
	}
	for i, e := range elems {
		if v := e.Value(); v.Type == bsoncore.TypeEmbeddedDocument || v.Type == bsoncore.TypeArray {
			if v.Data, err = normalise(v.Data, v.Type == bsoncore.TypeEmbeddedDocument); err != nil {
				return nil, err
			}
			elems[i] = appendElem(nil, e.Key(), v)
		}
	}
	if sortKeys {
		slices.SortStableFunc(elems, func(a, b bsoncore.Element) int { return cmp.Compare(a.Key(), b.Key()) })
	}
	idx, out := bsoncore.AppendDocumentStart(nil)
	for _, e := range elems {
		out = append(out, e...)
	}
	return bsoncore.AppendDocumentEnd(out, idx)
}

var (
	tRaw, tRawArray, tRawValue = reflect.TypeFor[bson.Raw](), reflect.TypeFor[bson.RawArray](), reflect.TypeFor[bson.RawValue]()

	// stringers fill fmt.Stringer fields; empty ones among them.
	stringers = []fmt.Stringer{nil, time.Duration(0), time.Duration(7), time.Time{}, (*time.Time)(nil), time.Unix(1, 5)}
	zones     = []*time.Location{time.FixedZone("W", -(5*3600 + 1800)), time.FixedZone("E", 13*3600+45*60), time.UTC, time.Local}
	intLimits = []int64{math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1, math.MaxInt64,
		math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	uintLimits = []uint64{1 << 63, math.MaxUint64, math.MaxInt64, math.MaxInt32, math.MaxInt32 + 1, math.MaxUint32, 1<<63 + 1}
)

// tweak mixes into v, a settable randomValue, what matters to encoding:
// zero and far times, in other locations, with nanoseconds; integers at
// the int32 and int64 limits; uint64s past MaxInt64; empty strings;
// Stringers; now and then a map key with a NUL or an inline map key that
// is also a field's.
func tweak(r *rand.Rand, v reflect.Value) {
	switch v.Type() {
	case tTime:
		tweakTime(r, v)
		return
	case tRaw, tRawArray, tRawValue: // kept valid
		return
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if r.IntN(4) == 0 {
			v.SetInt(intLimits[r.IntN(len(intLimits))])
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if r.IntN(4) == 0 {
			v.SetUint(uintLimits[r.IntN(len(uintLimits))])
		}
	case reflect.String:
		if r.IntN(6) == 0 {
			v.SetString("")
		}
	case reflect.Pointer:
		if !v.IsNil() {
			tweak(r, v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			tweak(r, v.Index(i))
		}
	case reflect.Map:
		tweakMap(r, v)
	case reflect.Interface: // randomValue leaves those with methods nil
		if s := stringers[r.IntN(len(stringers))]; s != nil && v.NumMethod() > 0 && reflect.TypeOf(s).Implements(v.Type()) {
			v.Set(reflect.ValueOf(s))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				tweak(r, v.Field(i))
			}
		}
		collideInline(r, v)
	}
}

func tweakTime(r *rand.Rand, v reflect.Value) {
	zone := zones[r.IntN(len(zones))]
	switch r.IntN(6) {
	case 0:
		v.Set(reflect.ValueOf(time.Time{}))
	case 1:
		v.Set(reflect.ValueOf(time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9)).In(zone)))
	case 2: // far from now, before year 1 and after 9999
		v.Set(reflect.ValueOf(time.Date([]int{-3000, 1, 1969, 9999, 12000}[r.IntN(5)], 12, 31, 23, 59, 59, 999999999, zone)))
	}
}

// tweakMap tweaks a map's values and, for string keys, now and then adds
// a key holding a NUL byte.
func tweakMap(r *rand.Rand, v reflect.Value) {
	t := v.Type()
	for _, k := range v.MapKeys() {
		e := reflect.New(t.Elem()).Elem()
		e.Set(v.MapIndex(k))
		tweak(r, e)
		v.SetMapIndex(k, e)
	}
	if t.Key().Kind() == reflect.String && !v.IsNil() && r.IntN(40) == 0 {
		v.SetMapIndex(reflect.ValueOf("n\x00ul").Convert(t.Key()), randomValue(r, t.Elem(), 1))
	}
}

// collideInline gives, now and then, an inline map of the struct v an
// entry whose key is one of the struct's fields'.
func collideInline(r *rand.Rand, v reflect.Value) {
	keys, _ := structKeys(v.Type())
	if len(keys) == 0 || r.IntN(10) != 0 {
		return
	}
	for i := range v.NumField() {
		sf, f := v.Type().Field(i), v.Field(i)
		if f.Kind() != reflect.Map || f.Type().Key().Kind() != reflect.String || !f.CanSet() ||
			!strings.Contains(sf.Tag.Get("bson"), "inline") {
			continue
		}
		if f.IsNil() {
			f.Set(reflect.MakeMap(f.Type()))
		}
		key := reflect.ValueOf(keys[r.IntN(len(keys))].key).Convert(f.Type().Key())
		f.SetMapIndex(key, randomValue(r, f.Type().Elem(), 1))
	}
}

// checkEncode compares the encoding of n random values of t with both
// options; it reports the first difference with how to replay it.
func checkEncode(seed uint64, t reflect.Type, n int) string {
	c, err := compile(t)
	if err != nil {
		return fmt.Sprintf("seed %d: Compile(%v): %v", seed, t, err)
	}
	reg := bson.NewRegistry() // as Compile(nil, t) has its own: the driver's caches change what it does
	for i := range n {
		r := rand.New(rand.NewPCG(seed, 0x656e63+uint64(i))) // a stream apart from the decode tests'
		v := randomValue(r, t, 3)
		tweak(r, v)
		var prefix []byte
		if r.IntN(4) == 0 {
			prefix = []byte("prefix")
		}
		for _, opts := range encodeOptions {
			if msg := compareEncode(reg, c, v, opts, prefix); msg != "" {
				return fmt.Sprintf("seed %d (replay: -codec.seed=%d), value %d, options %+v\ntype %v\nvalue %#v\n%s\n%s",
					seed, seed, i, opts, t, v.Interface(), msg, encodeFallbacks(c))
			}
		}
	}
	return ""
}

// encodeFallbacks lists what of c.Fallbacks() bears on encoding: the whole
// type left to the driver, or a value encoded by it; of each line its tail
// (the path and why), as its head repeats the type.
func encodeFallbacks(c *codec.Codec) string {
	out := fmt.Sprintf("%d fallbacks; of encoding:", len(c.Fallbacks()))
	for _, f := range c.Fallbacks() {
		if strings.Contains(f, "encoded by the driver") || strings.HasPrefix(f, c.Type().String()+": ") {
			out += "\n  ..." + f[max(0, len(f)-160):]
		}
	}
	return out
}

// encodeType is the random type of seed, of typeSpace types.
func encodeType(seed uint64) reflect.Type {
	return randomType(rand.New(rand.NewPCG(seed%typeSpace, 0)), 3)
}

func TestEncodeAgainstTheDriver(t *testing.T) {
	checkTypes(t, encodeTypes, 1e6, valuesPerType) // seeds apart from the random types'
	n := checkRandomSeeds(t, func(seed uint64) string { return checkEncode(seed, encodeType(seed), valuesPerType) })
	t.Logf("%d random and %d chosen types, %d values each, with both options", n, len(encodeTypes), valuesPerType)
}

// checkTypes compares n values of each of types, seeded first on.
func checkTypes(t *testing.T, types []reflect.Type, first uint64, n int) {
	for i, typ := range types {
		seed := first + uint64(i)
		if *replaySeed != 0 && seed != *replaySeed {
			continue
		}
		if msg := checkEncode(seed, typ, n); msg != "" {
			t.Error(msg)
		}
	}
}

// Marshalers by pointer and by value: the driver calls a pointer's method
// only on an addressable value (a field, a slice element; not a map entry).
type (
	ptrMarshaler      struct{ A int32 }
	ptrValueMarshaler struct{ A int32 }
	valueMarshaler    struct{ A int32 }
)

func (m *ptrMarshaler) MarshalBSON() ([]byte, error)  { return bson.Marshal(bson.M{"pm": m.A}) }
func (m valueMarshaler) MarshalBSON() ([]byte, error) { return bson.Marshal(bson.M{"vm": m.A}) }
func (m *ptrValueMarshaler) MarshalBSONValue() (byte, []byte, error) {
	return byte(bson.TypeString), bsoncore.AppendString(nil, fmt.Sprint("pvm", m.A)), nil
}

// Chosen types the random ones seldom or never are.
type (
	marshalers struct {
		P ptrMarshaler
		S []ptrValueMarshaler
		V map[string]valueMarshaler
	}
	marshalersInMaps struct {
		M map[string]ptrMarshaler
		A map[string][1]ptrValueMarshaler
		F map[string]struct{ P ptrMarshaler }
	}
	marshalersInline struct {
		M map[string]ptrValueMarshaler `bson:",inline"`
	}
	emptyStringer struct {
		S fmt.Stringer `bson:",omitempty"`
	}
	emptyComplex struct {
		C complex128 `bson:",omitempty"`
	}
	stringerPointer struct{ P *fmt.Stringer }
)

var encodeTypes = []reflect.Type{reflect.TypeFor[marshalers](), reflect.TypeFor[marshalersInMaps](),
	reflect.TypeFor[marshalersInline](), reflect.TypeFor[emptyStringer](), reflect.TypeFor[emptyComplex](),
	reflect.TypeFor[stringerPointer]()}

func TestEncodeModelsAgainstTheDriver(t *testing.T) {
	types := modelTypes()
	if len(types) < 20 {
		t.Fatalf("only %d reference model types", len(types))
	}
	checkTypes(t, types, 1, modelValues)
	t.Logf("%d model types, %d values each", len(types), modelValues)
}

func FuzzEncodeAgainstTheDriver(f *testing.F) {
	for _, seed := range []uint64{1, 7, 42, 299, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		if msg := checkEncode(seed, encodeType(seed), 4); msg != "" {
			t.Fatal(msg)
		}
	})
}
