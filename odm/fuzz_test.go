package odm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// FuzzDiff: no listing, however malformed, panics the diff, and a listing
// it accepts yields one action per declared index. Read as choices, the
// same bytes also make a random spec: listed the way a server may write
// it, it compares unchanged, and a random one-thing change of it is
// reported with the field that changed.
func FuzzDiff(f *testing.F) {
	for _, seed := range []string{
		`{"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}`,
		`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "t", "weights": {"a": 1}, "default_language": "english"}`,
		`{"v": 2, "key": {"n": 1}, "name": "n_1", "collation": {"locale": "fr", "strength": 2, "version": "57.1"}}`,
		`{"v": 2, "key": {"p": "2d"}, "name": "p_2d", "bits": 26}`,
		`{"v": 2, "key": {"a": {"$numberLong": "-1"}}, "name": "x", "expireAfterSeconds": 1.5}`,
		`{"key": {}, "name": ""}`,
	} {
		var raw bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(seed), false, &raw); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(raw))
	}
	// Choice seeds for the generated specs: wildcard, text, 2d, and a
	// compound index with a filter and a collation.
	for _, seed := range [][]byte{{0, 2, 1, 0, 1}, {1, 0, 9, 1, 1, 3}, {2, 1, 3}, {3, 3, 0, 1, 1, 2, 1, 1, 1, 1, 1, 5, 1, 1, 2, 1, 2, 1, 1, 1, 7}} {
		f.Add(seed)
	}
	declared := []schema.IndexSpec{
		{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true},
		{Name: "t", Keys: []schema.IndexKey{schema.Text("a")}},
		{Keys: []schema.IndexKey{schema.Geo2D("p")}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkListedAsDeclared(t, data)
		raw := bson.Raw(data)
		if raw.Validate() != nil {
			return
		}
		changes, err := diff.Diff(declared, []bson.Raw{raw})
		if err != nil {
			return
		}
		if len(changes) < len(declared) {
			t.Fatalf("%d changes for %d declared indexes", len(changes), len(declared))
		}
		for i, c := range changes[:len(declared)] {
			if c.Name != declared[i].IndexName() {
				t.Fatalf("change %d is for %q, not %q", i, c.Name, declared[i].IndexName())
			}
		}
	})
}

// FuzzModelTypes: struct types built at run time from the input, with
// random field types (maps, arrays of arrays, inline and shadowed
// embeddings, types with their own marshallers), nesting and tags, go
// through Validate, Declared, GenerateSchema, Describe and the binding
// NewCollection and NewCollectionIn make, without a panic and in bounded
// time; a model Validate accepts is one Declared, Describe and
// NewCollectionIn accept too, and its indexes and schema marshal. On the
// test server, Init creates an accepted model's collection and a document
// generated for it goes in: neither may fail because of the declaration.
// shape drives the types, tags holds tag texts separated by newlines.
func FuzzModelTypes(f *testing.F) {
	tags := strings.Join([]string{
		`bson:"a" odm:"index"`, `bson:",inline"`, `odm:"index,ttl:60"`, `bson:"b" odm:"index:c,priority:1"`,
		`bson:"-" odm:"index"`, `odm:"required;enum:a|b"`, `odm:"revision"`, `bson:"a.b"`, `odm:"index,type:2dsphere"`,
		`odm:"index:t,type:text,weight:3"`, ` `, `bson:"x"`, `bson:"x,omitempty" odm:"uniqueIndex;min:1"`, `odm:"pattern:[a-z"`,
		`bson:"$x"`, `odm:"index,sort:desc,sort:asc"`, `odm:"index,type:2d"`, `odm:"index,type:hashed"`,
		`bson:"a" odm:"uniqueIndex"`, `odm:"index,ttl:3600"`, `bson:"f0" odm:"index"`,
	}, "\n")
	for _, shape := range []string{"", "\x03\x00\x05\x07", "\x04\x10\x02\x00\x01\x12\x01\x05", "\x05\x11\x03\x10\x02\x16\x0f\x05\x09", "\x02\x12\x01\x12\x01\x12\x01\x00"} {
		f.Add([]byte(shape), tags)
	}
	f.Add([]byte("\x05\x00\x01\x02\x03\x04"), "")
	// maps, arrays of arrays, inline and shadowed embeddings, marshallers
	f.Add([]byte("\x04\x14\x03\x00\x15\x16\x17\x12\x02\x18\x19"), tags)
	f.Add([]byte("\x03\x13\x02\x01\x05\x1a\x1b\x1c"), tags)
	f.Add([]byte("\x05\x15\x02\x05\x00\x10\x01\x11\x01\x14\x01\x02"), "bson:\"f0\" odm:\"uniqueIndex\"\nodm:\"index\"")
	f.Add([]byte("\x08\x00\x01"), "bson:\"f0\"\nbson:\"at\"") // an embedded struct, its fields shadowed
	f.Add([]byte("\x0e\x16\x07\x02"), "odm:\"index\"")
	f.Fuzz(func(t *testing.T, shape []byte, tags string) {
		done := make(chan struct{})
		var typ reflect.Type
		var accepted bool
		go func() {
			defer close(done)
			b := &typeBuilder{data: shape, tags: strings.Split(tags, "\n")}
			typ = b.structType(0)
			accepted = checkModelType(t, typ)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("shape %x, tags %q: building and describing the model did not end", shape, tags)
		}
		if accepted {
			insertGenerated(t, typ)
		}
	})
}

// insertGenerated creates the collection of a model Validate accepted,
// with Init, and inserts a document generated for it: a refusal of
// either is a declaration Validate should have refused. A value the
// driver cannot encode (a channel, say) is no declaration's fault.
func insertGenerated(t *testing.T, typ reflect.Type) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db := testrig.Database(t, nil)
	if _, err := Init(ctx, db, schema.In("fuzz", typ), SkipUnsupported()); err != nil {
		var ce mongo.CommandError
		if testrig.IsFerretDB() && errors.As(err, &ce) && ce.Code == 1 {
			// FerretDB's storage engine failing (its SQL, say), not a
			// rule of MongoDB's: InternalError is no answer to a declaration.
			t.Logf("%v: the server failed: %v", typ, err)
			return
		}
		t.Fatalf("%v: Validate accepts it, the server refuses it: %v", typ, err)
	}
	doc := reflect.New(typ)
	fillValue(doc.Elem(), 0)
	if _, err := bson.Marshal(doc.Interface()); err != nil {
		return // the driver cannot encode the value, whatever the declaration
	}
	if _, err := db.Collection("fuzz").InsertOne(ctx, doc.Interface()); err != nil {
		if _, perr := db.Collection("fuzz_plain").InsertOne(ctx, doc.Interface()); perr != nil {
			return // refused without any declaration too: the server's limit, not the declaration's
		}
		t.Fatalf("%v: a generated document does not go in: %v", typ, err)
	}
}

// fillValue sets v to a value of its type that is not zero where the
// type allows it: one element per slice and map, set pointers, and the
// values the driver's own codecs need (a document for bson.Raw, digits
// for json.Number).
func fillValue(v reflect.Value, depth int) {
	if !v.CanSet() || depth > 8 {
		return
	}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		return
	case reflect.TypeFor[bson.Raw]():
		raw, _ := bson.Marshal(bson.D{{Key: "k", Value: "v"}})
		v.Set(reflect.ValueOf(bson.Raw(raw)))
		return
	case reflect.TypeFor[json.Number]():
		v.SetString("12")
		return
	case reflect.TypeFor[bson.Vector]():
		v.Set(reflect.ValueOf(bson.NewVector([]float32{1, 2})))
		return
	case reflect.TypeFor[bson.ObjectID]():
		v.Set(reflect.ValueOf(bson.NewObjectID()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(2)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(2)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillValue(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillValue(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fillValue(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fillValue(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fillValue(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		if v.NumMethod() == 0 {
			v.Set(reflect.ValueOf("x"))
		}
	}
}

// checkModelType reports whether Validate accepts the model.
func checkModelType(t *testing.T, typ reflect.Type) bool {
	model := schema.In("fuzz", typ)
	verr := Validate(model)
	decl, derr := Declared(model, schema.In("fuzz_ptr", reflect.PointerTo(typ)))
	if (verr == nil) != (derr == nil) {
		t.Errorf("%v: Validate says %v, Declared says %v", typ, verr, derr)
		return false
	}
	m, err := schema.Describe(model)
	if (verr == nil) != (err == nil) {
		t.Errorf("%v: Validate says %v, Describe says %v", typ, verr, err)
		return false
	}
	// What NewCollection and NewCollectionIn do with the type, short of
	// the database: they must refuse it or bind it, never panic.
	_, _ = bindRepository(typ, nil, false)
	name := "fuzz"
	if _, err := bindRepository(typ, &name, false); (err == nil) != (verr == nil) && typ.Kind() == reflect.Struct {
		t.Errorf("%v: Validate says %v, NewCollectionIn says %v", typ, verr, err)
	}
	generated, serr := schema.GenerateSchema(typ)
	if serr == nil {
		if _, err := bson.Marshal(generated); err != nil {
			t.Errorf("%v: the generated schema does not marshal: %v", typ, err)
		}
	}
	if verr != nil {
		return false
	}
	for _, s := range append(m.Indexes, decl["fuzz"]...) {
		if _, err := bson.Marshal(s.Document()); err != nil {
			t.Errorf("%v: accepted index %s does not marshal: %v", typ, s, err)
		}
	}
	return !t.Failed()
}

// typeBuilder reads struct types from fuzz input: a byte for each
// choice, 0 once the input runs out.
type typeBuilder struct {
	data   []byte
	tags   []string
	next   int // next tag
	fields int // fields built, bounded to keep each input cheap
}

func (b *typeBuilder) take() byte {
	if len(b.data) == 0 {
		return 0
	}
	c := b.data[0]
	b.data = b.data[1:]
	return c
}

// FuzzEmbedded is embedded in generated structs (Go embedding, with or
// without ",inline"), so that their own fields may shadow its tagged ones.
type FuzzEmbedded struct {
	F0 string    `bson:"f0" odm:"uniqueIndex"`
	At time.Time `bson:"at" odm:"index,ttl:60"`
}

func (b *typeBuilder) structType(depth int) reflect.Type {
	c := int(b.take())
	n := c % 6
	fields := make([]reflect.StructField, 0, n+1)
	switch c / 6 % 8 {
	case 1:
		fields = append(fields, reflect.StructField{Name: "FuzzEmbedded", Type: reflect.TypeFor[FuzzEmbedded](), Anonymous: true, Tag: `bson:",inline"`})
	case 2:
		fields = append(fields, reflect.StructField{Name: "FuzzEmbedded", Type: reflect.TypeFor[*FuzzEmbedded](), Anonymous: true})
	}
	for i := 0; i < n && b.fields < 64; i++ {
		b.fields++
		tag := b.tags[b.next%len(b.tags)]
		b.next++
		ft, inline := b.fieldType(depth)
		if inline {
			tag = `bson:",inline"`
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: ft, Tag: reflect.StructTag(tag)})
	}
	return reflect.StructOf(fields)
}

// fuzzDoc writes itself as a document (MarshalBSON), whatever its kind.
type fuzzDoc string

func (d fuzzDoc) MarshalBSON() ([]byte, error) {
	return bson.Marshal(bson.D{{Key: "d", Value: string(d)}})
}

// fuzzCode writes itself as a string (MarshalBSONValue).
type fuzzCode int

func (c fuzzCode) MarshalBSONValue() (byte, []byte, error) {
	typ, data, err := bson.MarshalValue(fmt.Sprintf("c%d", int(c)))
	return byte(typ), data, err
}

var fuzzLeaves = []reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[int64](), reflect.TypeFor[float64](),
	reflect.TypeFor[bool](), reflect.TypeFor[time.Time](), reflect.TypeFor[*time.Time](), reflect.TypeFor[[]string](),
	reflect.TypeFor[[]time.Time](), reflect.TypeFor[map[string]any](), reflect.TypeFor[any](), reflect.TypeFor[bson.D](),
	reflect.TypeFor[bson.ObjectID](), reflect.TypeFor[[]byte](), reflect.TypeFor[[2]float64](), reflect.TypeFor[chan int](),
	reflect.TypeFor[bson.DateTime](), reflect.TypeFor[map[int]string](), reflect.TypeFor[bson.Decimal128](), reflect.TypeFor[[]any](),
	reflect.TypeFor[fuzzDoc](), reflect.TypeFor[fuzzCode](), reflect.TypeFor[url.URL](), reflect.TypeFor[json.Number](),
	reflect.TypeFor[bson.Vector](), reflect.TypeFor[bson.Raw](), reflect.TypeFor[bson.M](), reflect.TypeFor[[][]float64](),
	reflect.TypeFor[[][][]float64](), reflect.TypeFor[[]fuzzDoc](), reflect.TypeFor[map[string][]string](),
}

// fieldType is a leaf type, or a struct built below: held directly, by
// pointer, in a slice, in a slice of slices, in a map, or inline (then
// inline is true, and its fields may shadow the outer struct's).
func (b *typeBuilder) fieldType(depth int) (t reflect.Type, inline bool) {
	c := int(b.take())
	if c < 0x10 || depth >= 4 {
		return fuzzLeaves[c%len(fuzzLeaves)], false
	}
	inner := b.structType(depth + 1)
	switch c % 6 {
	case 0:
		return reflect.PointerTo(inner), false
	case 1:
		return reflect.SliceOf(inner), false
	case 2:
		return reflect.MapOf(reflect.TypeFor[string](), inner), false
	case 3:
		return reflect.SliceOf(reflect.SliceOf(inner)), false
	case 4:
		return inner, true
	}
	return inner, false
}

// checkListedAsDeclared: the two properties of a spec made from data.
func checkListedAsDeclared(t *testing.T, data []byte) {
	b := &fuzzBytes{data: data}
	spec := randomSpec(b)
	listing, err := bson.Marshal(serverListing(spec, b))
	if err != nil {
		t.Fatalf("listing of %s: %v", spec, err)
	}
	changes, err := diff.Diff([]schema.IndexSpec{spec}, []bson.Raw{listing})
	if err != nil || len(changes) != 1 || changes[0].Action != diff.Unchanged {
		t.Fatalf("%s listed as %s: %v %+v", spec, bson.Raw(listing), err, changes)
	}
	muts := specMutations(spec)
	if len(muts) == 0 {
		return
	}
	m := muts[b.pick(len(muts))]
	changes, err = diff.Diff([]schema.IndexSpec{m.spec}, []bson.Raw{listing})
	if err != nil || len(changes) != 1 {
		t.Fatalf("mutated %s: %v %+v", m.what, err, changes)
	}
	for _, d := range changes[0].Differences {
		if d.Field == m.field {
			return
		}
	}
	t.Fatalf("%s changed (%s) against %s: not reported as %s: %+v", spec, m.what, bson.Raw(listing), m.field, changes[0])
}
