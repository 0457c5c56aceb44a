package odm_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	_ "github.com/tagodm/tagodm/models" // the reference service's 16 collections
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// generatedModels builds n distinct model types, each bound to its own
// collection, with the declarations Validate checks most: a unique key, a
// compound index, a TTL, a text key, keys below a slice of structs and a
// map beside them.
func generatedModels(n int) []any {
	item := reflect.TypeFor[struct {
		SKU string `bson:"sku" odm:"index"`
		Qty int    `bson:"qty"`
	}]()
	models := make([]any, n)
	for i := range models {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: fmt.Sprintf("K%d", i), Type: reflect.TypeFor[string](), Tag: `bson:"k" odm:"uniqueIndex"`},
			{Name: "Owner", Type: reflect.TypeFor[string](), Tag: `bson:"owner" odm:"index:idx_owner_at,priority:1"`},
			{Name: "At", Type: reflect.TypeFor[time.Time](), Tag: `bson:"at" odm:"index:idx_owner_at,priority:2,sort:desc"`},
			{Name: "Expires", Type: reflect.TypeFor[time.Time](), Tag: `bson:"expires" odm:"index,ttl:3600"`},
			{Name: "Body", Type: reflect.TypeFor[string](), Tag: `bson:"body" odm:"index,type:text"`},
			{Name: "Items", Type: reflect.SliceOf(item), Tag: `bson:"items"`},
			{Name: "Attrs", Type: reflect.TypeFor[map[string]string](), Tag: `bson:"attrs"`},
		})
		models[i] = schema.In(fmt.Sprintf("c%05d", i), typ)
	}
	return models
}

// BenchmarkValidateCost measures Validate reading every model afresh
// (descriptions forgotten before each round): the 16 reference models,
// and 5,000 generated ones. Run on two commits, the ratio of the two
// ns/op is what a change costs Validate; cpu-ns/op, the process's CPU
// time per round (garbage collection included), is the steadier figure
// on a machine other work shares.
func BenchmarkValidateCost(b *testing.B) {
	for _, set := range []struct {
		name   string
		models []any
	}{
		{"reference-16", registry.All()},
		{"generated-5000", generatedModels(5000)},
	} {
		b.Run(set.name, func(b *testing.B) {
			if err := odm.Validate(set.models...); err != nil {
				b.Fatal(err)
			}
			cpu := cpuTime()
			for b.Loop() {
				odm.ForgetDescriptions()
				if err := odm.Validate(set.models...); err != nil {
					b.Fatal(err)
				}
			}
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
