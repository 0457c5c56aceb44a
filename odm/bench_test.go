package odm

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/memo"
	"github.com/tagodm/tagodm/odm/schema"
)

// shapeChain builds levels struct types, each with width fields of the
// next; the innermost has a string and a time. The outermost has an
// indexed field of its own.
func shapeChain(levels, width int) reflect.Type {
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "S", Type: reflect.TypeFor[string](), Tag: `bson:"s"`},
		{Name: "T", Type: reflect.TypeFor[time.Time](), Tag: `bson:"t"`},
	})
	for range levels {
		fields := make([]reflect.StructField, width)
		for i := range fields {
			fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: typ, Tag: reflect.StructTag(fmt.Sprintf(`bson:"f%d"`, i))}
		}
		typ = reflect.StructOf(fields)
	}
	return reflect.StructOf([]reflect.StructField{
		{Name: "Key", Type: reflect.TypeFor[string](), Tag: `bson:"key" odm:"uniqueIndex"`},
		{Name: "Doc", Type: typ, Tag: `bson:"doc"`},
	})
}

// shapeWide builds one struct of n string fields, one in 200 indexed.
func shapeWide(n int) reflect.Type {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		tag := fmt.Sprintf(`bson:"f%d"`, i)
		if i%200 == 0 {
			tag += ` odm:"index"`
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: reflect.TypeFor[string](), Tag: reflect.StructTag(tag)}
	}
	return reflect.StructOf(fields)
}

// shapeModels builds n distinct model types, each bound to its own
// collection with one indexed field.
func shapeModels(n int) []any {
	models := make([]any, n)
	for i := range models {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: fmt.Sprintf("K%d", i), Type: reflect.TypeFor[string](), Tag: `bson:"k" odm:"index"`},
			{Name: "At", Type: reflect.TypeFor[time.Time](), Tag: `bson:"at"`},
		})
		models[i] = schema.In(fmt.Sprintf("c%05d", i), typ)
	}
	return models
}

// BenchmarkDescribeShapes measures a first description (caches dropped
// before each round) of the shapes that used to take exponential time or
// not end: 2^18 nested paths (18 levels of 2 fields of the next type),
// 300 levels, a 10,000-field struct, and 5,000 models. Validate reads and
// checks the models; GenerateSchema builds their $jsonSchema.
func BenchmarkDescribeShapes(b *testing.B) {
	shapes := []struct {
		name  string
		build func() []any
	}{
		{"paths-2e18", func() []any { return []any{schema.In("shape", shapeChain(18, 2))} }},
		{"depth-300", func() []any { return []any{schema.In("shape", shapeChain(300, 1))} }},
		{"fields-10000", func() []any { return []any{schema.In("shape", shapeWide(10000))} }},
		{"models-5000", func() []any { return shapeModels(5000) }},
	}
	for _, s := range shapes {
		var models []any
		b.Run(s.name, func(b *testing.B) {
			if models == nil {
				models = s.build()
			}
			b.Run("Validate", func(b *testing.B) {
				for b.Loop() {
					memo.Forget()
					reflectx.Forget()
					if err := Validate(models...); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("GenerateSchema", func(b *testing.B) {
				for b.Loop() {
					reflectx.Forget()
					for _, m := range models {
						if _, err := schema.GenerateSchema(m.(schema.BoundModel).Model); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		})
	}
}
