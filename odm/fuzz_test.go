package odm

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/reflectx"
)

type fuzzModel struct {
	F string `bson:"f"`
}

// FuzzTagGrammar: no tag value panics the parser, and every index a tag
// value declares that validation accepts is a spec the server can take and
// that compares unchanged with itself listed back.
func FuzzTagGrammar(f *testing.F) {
	for _, seed := range []string{
		"index", "uniqueIndex", "index:idx,unique,sparse", "index,sort:desc", "index,ttl:3600",
		"index,ttl:168h", "index:t,type:text,weight:5", "index,type:2dsphere", "index,type:hashed",
		"index:c,priority:2", "index;uniqueIndex:u,priority:1", "required;enum:a|b;min:0;max:9",
		"pattern:^[a-z]{1,3}$", "revision", "index,hidden", "index,ttl:0", "index:,", ";;", "index,type:2d",
	} {
		f.Add(seed)
	}
	st, err := reflectx.Describe(reflect.TypeFor[fuzzModel]())
	if err != nil {
		f.Fatal(err)
	}
	field, _ := st.Field("f")
	f.Fuzz(func(t *testing.T, value string) {
		declared, problems := parseTagValue(value)
		if len(problems) > 0 {
			return
		}
		for _, c := range declared.indexes {
			spec, errs := assemble("fuzzModel", c.name, []member{{field: field, clause: c}})
			if len(errs) > 0 || len(checkSpec(spec, st)) > 0 {
				continue
			}
			if spec.IndexName() == "" {
				t.Fatalf("%q: accepted spec without a name", value)
			}
			raw, err := bson.Marshal(spec.Document())
			if err != nil {
				t.Fatalf("%q: accepted spec does not marshal: %v", value, err)
			}
			listed := append(bson.Raw(nil), raw...)
			changes, err := Diff([]IndexSpec{spec}, []bson.Raw{listed})
			if err != nil {
				t.Fatalf("%q: %v", value, err)
			}
			if len(changes) != 1 || changes[0].Action != Unchanged {
				t.Fatalf("%q: an index listed exactly as declared is not unchanged: %+v", value, changes)
			}
			_ = spec.Model()
		}
	})
}

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
	declared := []IndexSpec{
		{Keys: []IndexKey{Asc("a")}, Unique: true},
		{Name: "t", Keys: []IndexKey{TextKey("a")}},
		{Keys: []IndexKey{Flat("p")}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkListedAsDeclared(t, data)
		raw := bson.Raw(data)
		if raw.Validate() != nil {
			return
		}
		changes, err := Diff(declared, []bson.Raw{raw})
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
// random field types, nesting and tags, go through Validate, Declared,
// GenerateSchema, Describe and the binding NewCollection and
// NewCollectionIn make, without a panic and in bounded time; a model
// Validate accepts is one Declared, Describe and NewCollectionIn accept
// too, and its indexes and schema marshal.
// shape drives the types, tags holds tag texts separated by newlines.
func FuzzModelTypes(f *testing.F) {
	tags := strings.Join([]string{
		`bson:"a" odm:"index"`, `bson:",inline"`, `odm:"index,ttl:60"`, `bson:"b" odm:"index:c,priority:1"`,
		`bson:"-" odm:"index"`, `odm:"required;enum:a|b"`, `odm:"revision"`, `bson:"a.b"`, `odm:"index,type:2dsphere"`,
		`odm:"index:t,type:text,weight:3"`, ` `, `bson:"x"`, `bson:"x,omitempty" odm:"uniqueIndex;min:1"`, `odm:"pattern:[a-z"`,
		`bson:"$x"`, `odm:"index,sort:desc,sort:asc"`, `odm:"index,type:2d"`, `odm:"index,type:hashed"`,
	}, "\n")
	for _, shape := range []string{"", "\x03\x00\x05\x07", "\x04\x10\x02\x00\x01\x12\x01\x05", "\x05\x11\x03\x10\x02\x16\x0f\x05\x09", "\x02\x12\x01\x12\x01\x12\x01\x00"} {
		f.Add([]byte(shape), tags)
	}
	f.Add([]byte("\x05\x00\x01\x02\x03\x04"), "")
	f.Fuzz(func(t *testing.T, shape []byte, tags string) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			b := &typeBuilder{data: shape, tags: strings.Split(tags, "\n")}
			checkModelType(t, b.structType(0))
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("shape %x, tags %q: building and describing the model did not end", shape, tags)
		}
	})
}

func checkModelType(t *testing.T, typ reflect.Type) {
	model := In("fuzz", typ)
	verr := Validate(model)
	decl, derr := Declared(model, In("fuzz_ptr", reflect.PointerTo(typ)))
	if (verr == nil) != (derr == nil) {
		t.Errorf("%v: Validate says %v, Declared says %v", typ, verr, derr)
		return
	}
	m, err := Describe(model)
	if (verr == nil) != (err == nil) {
		t.Errorf("%v: Validate says %v, Describe says %v", typ, verr, err)
		return
	}
	// What NewCollection and NewCollectionIn do with the type, short of
	// the database: they must refuse it or bind it, never panic.
	_, _ = bindRepository(typ, nil, false)
	name := "fuzz"
	if _, err := bindRepository(typ, &name, false); (err == nil) != (verr == nil) && typ.Kind() == reflect.Struct {
		t.Errorf("%v: Validate says %v, NewCollectionIn says %v", typ, verr, err)
	}
	schema, serr := GenerateSchema(typ)
	if serr == nil {
		if _, err := bson.Marshal(schema); err != nil {
			t.Errorf("%v: the generated schema does not marshal: %v", typ, err)
		}
	}
	if verr != nil {
		return
	}
	for _, s := range append(m.Indexes, decl["fuzz"]...) {
		if _, err := bson.Marshal(s.Document()); err != nil {
			t.Errorf("%v: accepted index %s does not marshal: %v", typ, s, err)
		}
	}
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

func (b *typeBuilder) structType(depth int) reflect.Type {
	n := int(b.take() % 6)
	fields := make([]reflect.StructField, 0, n)
	for i := 0; i < n && b.fields < 64; i++ {
		b.fields++
		tag := b.tags[b.next%len(b.tags)]
		b.next++
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: b.fieldType(depth), Tag: reflect.StructTag(tag)})
	}
	return reflect.StructOf(fields)
}

var fuzzLeaves = []reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[int64](), reflect.TypeFor[float64](),
	reflect.TypeFor[bool](), reflect.TypeFor[time.Time](), reflect.TypeFor[*time.Time](), reflect.TypeFor[[]string](),
	reflect.TypeFor[[]time.Time](), reflect.TypeFor[map[string]any](), reflect.TypeFor[any](), reflect.TypeFor[bson.D](),
	reflect.TypeFor[bson.ObjectID](), reflect.TypeFor[[]byte](), reflect.TypeFor[[2]float64](), reflect.TypeFor[chan int](),
	reflect.TypeFor[bson.DateTime](), reflect.TypeFor[map[int]string](), reflect.TypeFor[bson.Decimal128](), reflect.TypeFor[[]any](),
}

func (b *typeBuilder) fieldType(depth int) reflect.Type {
	c := int(b.take())
	if c < 0x10 || depth >= 4 {
		return fuzzLeaves[c%len(fuzzLeaves)]
	}
	inner := b.structType(depth + 1)
	switch c % 4 {
	case 0:
		return reflect.PointerTo(inner)
	case 1:
		return reflect.SliceOf(inner)
	case 2:
		return reflect.MapOf(reflect.TypeFor[string](), inner)
	}
	return inner
}

// checkListedAsDeclared: the two properties of a spec made from data.
func checkListedAsDeclared(t *testing.T, data []byte) {
	b := &fuzzBytes{data: data}
	spec := randomSpec(b)
	listing, err := bson.Marshal(serverListing(spec, b))
	if err != nil {
		t.Fatalf("listing of %s: %v", spec, err)
	}
	changes, err := Diff([]IndexSpec{spec}, []bson.Raw{listing})
	if err != nil || len(changes) != 1 || changes[0].Action != Unchanged {
		t.Fatalf("%s listed as %s: %v %+v", spec, bson.Raw(listing), err, changes)
	}
	muts := specMutations(spec)
	if len(muts) == 0 {
		return
	}
	m := muts[b.pick(len(muts))]
	changes, err = Diff([]IndexSpec{m.spec}, []bson.Raw{listing})
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
