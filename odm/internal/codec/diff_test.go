package codec_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/internal/codec"
	"github.com/tagodm/tagodm/registry"
)

var replaySeed = flag.Uint64("codec.seed", 0, "replay one seed of TestDecodeAgainstTheDriver")

const (
	randomTypes = 300  // seeds of TestDecodeAgainstTheDriver
	docsPerType = 20   // documents per seed, each decoded into a zero and a pre-filled value
	modelDocs   = 20   // documents per reference model
	typeSpace   = 4096 // distinct types the fuzz target builds: reflect and the registry cache each forever
)

// decodeDriver decodes as the driver does; a panic comes back as an error.
func decodeDriver(reg *bson.Registry, doc []byte, ptr any) (err error) {
	defer catch(&err)
	dec := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(doc)))
	dec.SetRegistry(reg)
	return dec.Decode(ptr)
}

func decodeCodec(c *codec.Codec, doc []byte, ptr any) (err error) {
	defer catch(&err)
	return c.Decode(doc, ptr)
}

func compile(t reflect.Type) (c *codec.Codec, err error) {
	defer catch(&err)
	return codec.Compile(nil, t), nil
}

func catch(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("panic: %v", p)
	}
}

// compare decodes doc with the driver (registry reg) and with c into fresh values of t,
// each pre-filled with a copy of pre when it is valid; it describes the
// first difference, "" when none.
func compare(reg *bson.Registry, c *codec.Codec, t reflect.Type, doc []byte, pre reflect.Value) string {
	a, b := reflect.New(t), reflect.New(t)
	if pre.IsValid() {
		a.Elem().Set(deepCopy(pre))
		b.Elem().Set(deepCopy(pre))
	}
	d := &differ{a: storageMap{}, b: storageMap{}}
	storage(a.Elem(), "v", d.a)
	storage(b.Elem(), "v", d.b)
	errA, errB := decodeDriver(reg, doc, a.Interface()), decodeCodec(c, doc, b.Interface())
	// Bytes that are not BSON (a truncated document) fail on both sides,
	// but the driver words the failure by where its streaming read stopped,
	// which depends on the value it decodes into: only the failing is
	// compared then.
	invalid := bson.Raw(doc).Validate() != nil
	switch {
	case errA == nil && errB == nil:
	case invalid && errA != nil && errB != nil:
		return ""
	case errA == nil || errB == nil || errA.Error() != errB.Error():
		return fmt.Sprintf("errors differ\ndriver: %v\ncodec:  %v", errA, errB)
	default:
		return ""
	}
	if msg := d.diff(a.Elem(), b.Elem(), "v"); msg != "" {
		return fmt.Sprintf("%s\ndriver: %#v\ncodec:  %#v", msg, a.Elem().Interface(), b.Elem().Interface())
	}
	return ""
}

// checkDocs compares doc(i) for i < n, decoded into a zero value and into
// a random pre-filled one; it reports the first difference with how to
// replay it.
func checkDocs(seed uint64, t reflect.Type, n int, doc func(r *rand.Rand) []byte) string {
	c, err := compile(t)
	if err != nil {
		return fmt.Sprintf("seed %d: Compile(%v): %v", seed, t, err)
	}
	reg := bson.NewRegistry() // as Compile(nil, t) has its own: the driver's caches change what it does
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)+1))
		d := doc(r)
		if r.IntN(40) == 0 {
			d = d[:r.IntN(len(d))]
		}
		pre := randomValue(r, t, 3)
		for _, p := range []reflect.Value{{}, pre} {
			if msg := compare(reg, c, t, d, p); msg != "" {
				return fmt.Sprintf("seed %d (replay: -codec.seed=%d), doc %d, pre-filled %v\ntype %v\ndoc %s (%x)\n"+
					"pre-filled with %#v\n%s\n%s", seed, seed, i, p.IsValid(), t, docString(d), d,
					pre.Interface(), msg, fallbacks(c))
			}
		}
	}
	return ""
}

// fallbacks summarises c.Fallbacks(): how many, and the first few, cut short.
func fallbacks(c *codec.Codec) string {
	fb := c.Fallbacks()
	out := fmt.Sprintf("%d fallbacks", len(fb))
	for i, f := range fb[:min(len(fb), 4)] {
		out += fmt.Sprintf("\n  %d: %.160s", i, f)
	}
	return out
}

func docString(d []byte) (s string) {
	defer func() { _ = recover() }()
	return bson.Raw(d).String()
}

// checkSeed compares the random documents of the random type seed derives.
func checkSeed(seed uint64, docs int) string {
	t := randomType(rand.New(rand.NewPCG(seed%typeSpace, 0)), 3)
	return checkDocs(seed, t, docs, func(r *rand.Rand) []byte { return randomDoc(r, t) })
}

func TestDecodeAgainstTheDriver(t *testing.T) {
	n := checkRandomSeeds(t, func(seed uint64) string { return checkSeed(seed, docsPerType) })
	t.Logf("%d types, %d documents each, %d decodes each by the driver and the codec",
		n, docsPerType, 2*docsPerType*n)
}

// checkRandomSeeds runs check on the random types' seeds (or the one
// -codec.seed names), reporting each difference and stopping after five;
// it returns how many seeds it ran.
func checkRandomSeeds(t *testing.T, check func(seed uint64) string) int {
	t.Helper()
	seeds := make([]uint64, randomTypes)
	for i := range seeds {
		seeds[i] = uint64(i)
	}
	if *replaySeed != 0 {
		seeds = []uint64{*replaySeed}
	}
	failed := 0
	for _, seed := range seeds {
		if msg := check(seed); msg != "" {
			t.Error(msg)
			if failed++; failed == 5 {
				t.Fatal("stopping after 5 failing seeds")
			}
		}
	}
	return len(seeds)
}

func FuzzDecodeAgainstTheDriver(f *testing.F) {
	for _, seed := range []uint64{1, 7, 42, 299, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		if msg := checkSeed(seed, 4); msg != "" {
			t.Fatal(msg)
		}
	})
}

func TestDecodeModelsAgainstTheDriver(t *testing.T) {
	types := modelTypes()
	if len(types) < 20 {
		t.Fatalf("only %d reference model types", len(types))
	}
	for i, mt := range types {
		seed := uint64(i + 1)
		if *replaySeed != 0 && seed != *replaySeed {
			continue
		}
		msg := checkDocs(seed, mt, modelDocs, func(r *rand.Rand) []byte { return modelDoc(r, mt) })
		if msg != "" {
			t.Errorf("model %v: %s", mt, msg)
		}
	}
	t.Logf("%d model types, %d documents each", len(types), modelDocs)
}

// testModels is every exported struct type of internal/testmodels;
// TestTestModelsListed keeps it complete.
var testModels = []any{
	testmodels.PathItem{}, testmodels.PathAddress{}, testmodels.PathMeta{}, testmodels.PathNode{},
	testmodels.PathOrder{}, testmodels.RefLine{}, testmodels.RefAddress{}, testmodels.RefAudit{},
	testmodels.RefOrder{}, testmodels.TreeNode{}, testmodels.ListNode{}, testmodels.MutualA{}, testmodels.MutualB{},
}

// modelTypes is the struct types of registry.All() (unions expanded),
// models.EventTypes() and testModels, once each.
func modelTypes() []reflect.Type {
	var out []reflect.Type
	var add func(m any)
	add = func(m any) {
		if src, ok := m.(interface{ All() []any }); ok {
			for _, v := range src.All() {
				add(v)
			}
			return
		}
		t := reflect.TypeOf(m)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, list := range [][]any{registry.All(), models.EventTypes(), testModels} {
		for _, m := range list {
			add(m)
		}
	}
	return out
}

func TestTestModelsListed(t *testing.T) {
	const dir = "../../../internal/testmodels"
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources in %s: %v", dir, err)
	}
	var listed []string
	for _, m := range testModels {
		listed = append(listed, reflect.TypeOf(m).Name())
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.IsExported() && !slices.Contains(listed, ts.Name.Name) {
				if _, isStruct := ts.Type.(*ast.StructType); isStruct {
					t.Errorf("testmodels.%s is not in testModels", ts.Name.Name)
				}
			}
			return true
		})
	}
}

// modelDoc is what the driver writes for a random value of t, mutated.
func modelDoc(r *rand.Rand, t reflect.Type) []byte {
	doc, err := bson.Marshal(randomValue(r, t, 3).Interface())
	if err != nil {
		return randomDoc(r, t)
	}
	return mutate(&docGen{r: r, mis: 20}, doc, t, 2)
}

// mutate drops, replaces, repeats and re-cases some of doc's elements,
// and adds unknown ones, descending into documents of struct fields.
func mutate(g *docGen, doc []byte, t reflect.Type, depth int) []byte {
	keys, inline := structKeys(t)
	types := map[string]reflect.Type{}
	for _, k := range keys {
		types[k.key] = k.typ
	}
	elems, _ := bsoncore.Document(doc).Elements()
	idx, d := bsoncore.AppendDocumentStart(nil)
	for _, e := range elems {
		key, v := e.Key(), e.Value()
		ft := types[key]
		switch p := g.r.IntN(100); {
		case p < 6:
			continue
		case p < 18:
			v = g.value(ft, depth)
		case p < 22:
			d = appendElem(d, key, g.value(ft, depth))
		case p < 25:
			key = flipCase(key)
		case v.Type == bsoncore.TypeEmbeddedDocument && structOf(ft) != nil && depth > 0:
			v.Data = mutate(g, v.Data, structOf(ft), depth-1)
		}
		d = appendElem(d, key, v)
	}
	if g.r.IntN(5) == 0 {
		d = appendElem(d, "zz0", g.value(inline, depth))
	}
	d, _ = bsoncore.AppendDocumentEnd(d, idx)
	return d
}

func structOf(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// randomValue is a random value of t: pointers set or not, slices nil,
// empty or with spare capacity, maps nil or holding entries.
func randomValue(r *rand.Rand, t reflect.Type, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	fill(r, v, depth)
	return v
}

func fill(r *rand.Rand, v reflect.Value, depth int) {
	if r.IntN(8) == 0 || fillSpecial(r, v) {
		return
	}
	switch t := v.Type(); t.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(intEdges[r.IntN(len(intEdges))])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(intEdges[r.IntN(len(intEdges))]))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(floatEdges[r.IntN(len(floatEdges))])
	case reflect.String:
		v.SetString(stringEdges[r.IntN(len(stringEdges))])
	case reflect.Pointer:
		if depth > 0 && r.IntN(3) > 0 {
			v.Set(reflect.New(t.Elem()))
			fill(r, v.Elem(), depth-1)
		}
	case reflect.Slice:
		if n := r.IntN(4); depth > 0 && n > 0 {
			v.Set(reflect.MakeSlice(t, n-1, n-1+r.IntN(3)))
			for i := range v.Len() {
				fill(r, v.Index(i), depth-1)
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(r, v.Index(i), depth)
		}
	case reflect.Map:
		if n := r.IntN(4); depth > 0 && n > 0 {
			v.Set(reflect.MakeMap(t))
			for range n - 1 {
				k := randomValue(r, t.Key(), 0)
				v.SetMapIndex(k, randomValue(r, t.Elem(), depth-1))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fill(r, v.Field(i), depth-1)
			}
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			n := int64(r.IntN(9))
			v.Set(reflect.ValueOf([]any{int32(5), "s", bson.D{{Key: "a", Value: int32(1)}}, &n, bson.M{"b": 2.5},
				1.5, bson.A{"x"}, &bson.D{}}[r.IntN(8)]))
		}
	}
}

// fillSpecial fills the types whose fields random values would not keep
// valid; false for other types.
func fillSpecial(r *rand.Rand, v reflect.Value) bool {
	switch v.Type() {
	case tTime:
		t := time.UnixMilli(r.Int64N(4e12) - 1e12)
		v.Set(reflect.ValueOf([]time.Time{t.UTC(), t.In(time.FixedZone("X", 3600)), t.Local()}[r.IntN(3)]))
	case reflect.TypeFor[bson.Decimal128]():
		v.Set(reflect.ValueOf(bson.NewDecimal128(r.Uint64(), r.Uint64())))
	case reflect.TypeFor[bson.Raw]():
		v.Set(reflect.ValueOf(bson.Raw(bsoncore.NewDocumentBuilder().AppendInt32("p", 1).Build())))
	case reflect.TypeFor[bson.RawArray]():
		v.Set(reflect.ValueOf(bson.RawArray(bsoncore.NewArrayBuilder().AppendString("p").Build())))
	case reflect.TypeFor[bson.RawValue]():
		v.Set(reflect.ValueOf(bson.RawValue{Type: bson.TypeInt32, Value: bsoncore.AppendInt32(nil, 9)}))
	case reflect.TypeFor[bson.CodeWithScope]():
		v.Set(reflect.ValueOf(bson.CodeWithScope{Code: "c", Scope: bson.D{}}))
	default:
		return false
	}
	return true
}

// deepCopy copies v, sharing no pointer, slice or map with it; slices
// keep their capacity.
func deepCopy(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	copyInto(out, v)
	return out
}

func copyInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			copyInto(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Cap()))
			for i := range src.Len() {
				copyInto(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Map:
		if !src.IsNil() {
			dst.Set(reflect.MakeMap(src.Type()))
			for it := src.MapRange(); it.Next(); {
				dst.SetMapIndex(it.Key(), deepCopy(it.Value()))
			}
		}
	case reflect.Interface:
		if !src.IsNil() {
			dst.Set(deepCopy(src.Elem()))
		}
	case reflect.Array:
		for i := range src.Len() {
			copyInto(dst.Index(i), src.Index(i))
		}
	case reflect.Struct:
		dst.Set(src)
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				copyInto(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// storageMap maps the address of each pointer's target, slice's array and
// map of a pre-filled value to its path, keeping them alive meanwhile.
type storageMap map[uintptr]storageRef

type storageRef struct {
	path string
	keep reflect.Value
}

func storage(v reflect.Value, path string, m storageMap) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if v.IsNil() || (v.Kind() == reflect.Slice && v.Cap() == 0) ||
			(v.Kind() != reflect.Map && v.Type().Elem().Size() == 0) {
			return
		}
		m[v.Pointer()] = storageRef{path, v}
		switch v.Kind() {
		case reflect.Pointer:
			storage(v.Elem(), "(*"+path+")", m)
		case reflect.Slice:
			for i := range v.Len() {
				storage(v.Index(i), fmt.Sprintf("%s[%d]", path, i), m)
			}
		default:
			for it := v.MapRange(); it.Next(); {
				storage(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), m)
			}
		}
	case reflect.Interface:
		storage(v.Elem(), path, m)
	case reflect.Array:
		for i := range v.Len() {
			storage(v.Index(i), fmt.Sprintf("%s[%d]", path, i), m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				storage(v.Field(i), path+"."+v.Type().Field(i).Name, m)
			}
		}
	}
}

// differ compares two decoded values as reflect.DeepEqual does, but with
// NaN equal to NaN, -0 unequal to 0, and a pointer, slice or map reused
// from the pre-filled value on one side only a difference.
type differ struct {
	a, b storageMap
}

func (d *differ) diff(a, b reflect.Value, path string) string {
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() {
		if a.IsValid() || b.IsValid() {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if math.Float64bits(x) != math.Float64bits(y) && !(math.IsNaN(x) && math.IsNaN(y)) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return d.diffRef(a, b, path)
	case reflect.Array:
		for i := range a.Len() {
			if msg := d.diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if msg := d.diff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); msg != "" {
				return msg
			}
		}
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if a.Pointer() != b.Pointer() {
			return fmt.Sprintf("%s: %#x vs %#x", path, a.Pointer(), b.Pointer())
		}
	default:
		if !a.Equal(b) {
			return fmt.Sprintf("%s: %#v vs %#v", path, a, b)
		}
	}
	return ""
}

// diffRef compares pointers, slices, maps and interfaces.
func (d *differ) diffRef(a, b reflect.Value, path string) string {
	if a.IsNil() != b.IsNil() {
		return fmt.Sprintf("%s: nil %v vs nil %v", path, a.IsNil(), b.IsNil())
	}
	if a.IsNil() {
		return ""
	}
	if a.Kind() == reflect.Interface {
		return d.diff(a.Elem(), b.Elem(), path)
	}
	if ra, rb := d.a[a.Pointer()].path, d.b[b.Pointer()].path; ra != rb {
		return fmt.Sprintf("%s: reuses the pre-filled storage of %q in the driver, of %q in the codec", path, ra, rb)
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.Pointer() == b.Pointer() {
			return ""
		}
		return d.diff(a.Elem(), b.Elem(), "(*"+path+")")
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if msg := d.diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
		return ""
	}
	if a.Len() != b.Len() {
		return fmt.Sprintf("%s: %d entries vs %d", path, a.Len(), b.Len())
	}
	for it := a.MapRange(); it.Next(); {
		if msg := d.diff(it.Value(), b.MapIndex(it.Key()), fmt.Sprintf("%s[%v]", path, it.Key())); msg != "" {
			return msg
		}
	}
	return ""
}
