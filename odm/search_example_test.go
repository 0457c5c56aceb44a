package odm_test

import (
	"fmt"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type exampleArticle struct {
	Title     string    `bson:"title"`
	Embedding []float32 `bson:"embedding" odm:"vector:3,cosine"`
	Lang      string    `bson:"lang" odm:"vectorFilter"`
}

func (exampleArticle) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Fields: []schema.SearchField{{Path: "title", Type: "string", Analyzer: "lucene.english"}}}}
}

// Search indexes come from vector tags and from SearchIndexes(); each
// prints with its name, type and definition.
func ExampleSearchIndexSpec() {
	declared, err := odm.DeclaredSearch(exampleArticle{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range declared["example_article"] {
		fmt.Println(s)
	}
	// Output:
	// vector_index (vectorSearch) {"fields":[{"type":"vector","path":"embedding","numDimensions":3,"similarity":"cosine"},{"type":"filter","path":"lang"}]}
	// default (search) {"mappings":{"dynamic":false,"fields":{"title":{"type":"string","analyzer":"lucene.english"}}}}
}

type exampleBadVector struct {
	Embedding string `bson:"embedding" odm:"vector:1536,cosine"`
}

// Validation names the type, the field, the tag, the index and the
// problem, before anything is sent.
func ExampleValidate_vector() {
	fmt.Println(odm.Validate(exampleBadVector{}))
	// Output:
	// odm: invalid declaration: odm_test.exampleBadVector.Embedding `odm:"vector:1536,cosine"` [collection example_bad_vector, index vector_index]: vector embedding: the field holds string; a vector is a slice of numbers ([]float32, []float64) or a bson.Vector
}
