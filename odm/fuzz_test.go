package odm

import (
	"reflect"
	"testing"

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
