package odm_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
)

// BenchmarkDiffSearch compares a full-text and a vector index with their
// listings, unchanged: the steady-state cost per collection.
func BenchmarkDiffSearch(b *testing.B) {
	declared, err := odm.DeclaredSearch(searchMovie{})
	if err != nil {
		b.Fatal(err)
	}
	specs := declared["search_movies"]
	var listed []bson.Raw
	for _, s := range specs {
		raw, err := bson.Marshal(bson.D{{Key: "name", Value: s.IndexName()}, {Key: "type", Value: string(s.IndexType())},
			{Key: "status", Value: "READY"}, {Key: "queryable", Value: true}, {Key: "latestDefinition", Value: s.DefinitionDocument()}})
		if err != nil {
			b.Fatal(err)
		}
		listed = append(listed, raw)
	}
	b.ReportAllocs()
	for b.Loop() {
		changes, err := diff.DiffSearch(specs, listed)
		if err != nil || changes[0].Action != diff.Unchanged || changes[1].Action != diff.Unchanged {
			b.Fatalf("%v %v", changes, err)
		}
	}
}
