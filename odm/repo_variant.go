package odm

import (
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/union"
)

// A repository of a variant (a model with a Variant method, see
// NewUnion) sees only its variant's documents: its reads, updates and
// deletes add {<discriminator>: <value>} to their filter, and its inserts
// and replaces set the discriminator field.

// scoped is filter narrowed to T's variant; filter itself for a model
// that is no variant.
func (c *Collection[T]) scoped(filter any) any {
	if c.model.Variant == "" || c.anyVariant {
		return filter
	}
	return union.Scope(filter, c.model.Discriminator, c.model.Variant)
}

// stampVariant sets doc's discriminator field to T's variant.
func (c *Collection[T]) stampVariant(doc *T) {
	if c.model.Variant != "" && doc != nil {
		union.Stamp(reflect.ValueOf(doc).Elem(), c.model.DiscriminatorIndex, c.model.Variant)
	}
}

// scopedPipeline is pipeline with a first $match on T's variant.
func (c *Collection[T]) scopedPipeline(pipeline any) any {
	if c.model.Variant == "" || c.anyVariant {
		return pipeline
	}
	return union.ScopePipeline(pipeline, c.model.Discriminator, c.model.Variant)
}
