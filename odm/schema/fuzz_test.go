package schema_test

import (
	"reflect"
	"testing"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
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
		declared, problems := schema.ParseTagValue(value)
		if len(problems) > 0 {
			return
		}
		for _, c := range declared.Indexes {
			spec, errs := schema.Assemble("fuzzModel", c.Name, []schema.Member{{Field: field, Clause: c}})
			if len(errs) > 0 || len(schema.CheckSpec(spec, st)) > 0 {
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
			changes, err := diff.Diff([]schema.IndexSpec{spec}, []bson.Raw{listed})
			if err != nil {
				t.Fatalf("%q: %v", value, err)
			}
			if len(changes) != 1 || changes[0].Action != diff.Unchanged {
				t.Fatalf("%q: an index listed exactly as declared is not unchanged: %+v", value, changes)
			}
			_ = odm.IndexModel(spec)
		}
	})
}

// FuzzSearchClause: no vector or vectorFilter clause panics the parser,
// and every vector index a clause declares that validation accepts is a
// definition that marshals and compares unchanged with itself listed back.
func FuzzSearchClause(f *testing.F) {
	for _, seed := range []string{
		"vector:1536,cosine", "vector:3,euclidean,scalar", "vector:8,dotProduct,binary,name:v",
		"vector:0,cosine", "vector:8193,cosine", "vector:3", "vector:3,cosine,cosine", "vectorFilter",
		"vectorFilter:v", "vectorFilter:", "vector:,", "vector:3,name:",
	} {
		f.Add(seed)
	}
	type model struct {
		V []float32 `bson:"v"`
	}
	st, err := reflectx.Describe(reflect.TypeFor[model]())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string) {
		declared, problems := schema.ParseTagValue(value)
		if len(problems) > 0 {
			return
		}
		for _, c := range declared.Search {
			if c.Filter {
				continue
			}
			spec := schema.SearchIndexSpec{Name: c.Index, Type: schema.VectorSearch,
				Vectors: []schema.VectorField{{Path: "v", Dimensions: c.Dims, Similarity: c.Similarity, Quantization: c.Quantization}}}
			if len(schema.CheckSearchSpec(spec, st)) > 0 {
				continue
			}
			def, err := bson.Marshal(spec.DefinitionDocument())
			if err != nil {
				t.Fatalf("%q: accepted definition does not marshal: %v", value, err)
			}
			listed, err := bson.Marshal(bson.D{{Key: "name", Value: spec.IndexName()}, {Key: "type", Value: "vectorSearch"}, {Key: "latestDefinition", Value: bson.Raw(def)}})
			if err != nil {
				t.Fatal(err)
			}
			changes, err := diff.DiffSearch([]schema.SearchIndexSpec{spec}, []bson.Raw{listed})
			if err != nil || len(changes) != 1 || changes[0].Action != diff.Unchanged {
				t.Fatalf("%q: listed back as %v, %v", value, changes, err)
			}
		}
	})
}
