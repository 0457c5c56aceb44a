package union

import (
	"reflect"
	"slices"

	"github.com/tagodm/tagodm/odm/schema"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Scope is filter narrowed to the documents whose field holds value: a
// variant's repository sends it for every read, update and delete. A
// bson.D filter that does not name the field gets the field first, as an
// equality an upsert copies into the document it inserts; any other is
// joined to it with $and.
func Scope(filter any, field, value string) any {
	own := bson.E{Key: field, Value: value}
	if d, ok := filter.(bson.D); ok && !slices.ContainsFunc(d, func(e bson.E) bool { return e.Key == field }) {
		return append(bson.D{own}, d...)
	}
	return bson.D{{Key: "$and", Value: bson.A{bson.D{own}, filter}}}
}

// ScopePipeline is pipeline with a first stage that narrows it to the
// documents whose field holds value. A pipeline that is no list of
// stages is returned as given, for the driver to refuse.
func ScopePipeline(pipeline any, field, value string) any {
	v := reflect.ValueOf(pipeline)
	if !v.IsValid() || v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return pipeline
	}
	out := make(bson.A, 0, v.Len()+1)
	out = append(out, bson.D{{Key: "$match", Value: bson.D{{Key: field, Value: value}}}})
	for i := range v.Len() {
		out = append(out, v.Index(i).Interface())
	}
	return out
}

// Stamp sets the string field at index in the struct doc to value; a
// field behind a nil embedded pointer is left alone (the struct cannot
// hold it).
func Stamp(doc reflect.Value, index []int, value string) {
	if f, err := doc.FieldByIndexErr(index); err == nil && f.CanSet() {
		f.SetString(value)
	}
}

// ScopeOf is filter narrowed to the variant of model m (Scope); filter
// itself for a model that is no variant, or for a union's repository of
// a variant (all), which reaches every variant's documents.
func ScopeOf(m *schema.Model, all bool, filter any) any {
	if m.Variant == "" || all {
		return filter
	}
	return Scope(filter, m.Discriminator, m.Variant)
}

// ScopePipelineOf is ScopePipeline for the variant of model m, as ScopeOf.
func ScopePipelineOf(m *schema.Model, all bool, pipeline any) any {
	if m.Variant == "" || all {
		return pipeline
	}
	return ScopePipeline(pipeline, m.Discriminator, m.Variant)
}

// StampOf sets the discriminator field of doc, a pointer to a struct of
// model m, to m's variant.
func StampOf(m *schema.Model, doc any) {
	if v := reflect.ValueOf(doc); m.Variant != "" && v.Kind() == reflect.Pointer && !v.IsNil() {
		Stamp(v.Elem(), m.DiscriminatorIndex, m.Variant)
	}
}
