package schema

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"

	"github.com/tagodm/tagodm/internal/reflectx"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// VariantDeclarer is implemented by a variant of a polymorphic collection:
// a struct that embeds the collection's base struct inline, whose field
// tagged odm:"discriminator" tells the variants apart, and declares the
// value that field holds in its documents. Variant is called on the zero
// value and must have a value receiver.
type VariantDeclarer interface {
	Variant() string
}

var variantDeclarerT = reflect.TypeFor[VariantDeclarer]()

// describeVariant finds the field tagged odm:"discriminator" and the
// value Variant() declares.
func describeVariant(t reflect.Type, tagged []reflectx.Field, m *Model, problem func(Problem)) {
	for _, f := range tagged {
		ft, _ := parseTag(string(f.Tag))
		if !ft.discriminator {
			continue
		}
		tagText := f.Tag.Get(TagKey)
		switch {
		case m.Discriminator != "":
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: fmt.Sprintf("a model has one discriminator field; %s is one already", m.Discriminator)})
		case f.Type.Kind() != reflect.String:
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: fmt.Sprintf("the discriminator field must be a string, not %v", f.Type)})
		case f.Path == "_id" || f.Index == nil:
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: "the discriminator field must be a field of the document itself, not _id nor one inside an array or map"})
		default:
			m.Discriminator, m.DiscriminatorIndex = f.Path, f.Index
		}
	}
	if !reflect.PointerTo(t).Implements(variantDeclarerT) {
		return
	}
	if !t.Implements(variantDeclarerT) {
		problem(Problem{Field: "Variant()", Message: fmt.Sprintf("Variant has a pointer receiver; declare it on %v, as a variant is decoded and compared by value", t)})
		return
	}
	if err := callUser(func() { m.Variant = reflect.Zero(t).Interface().(VariantDeclarer).Variant() }); err != nil {
		problem(Problem{Field: "Variant()", Message: err.Error()})
		return
	}
	switch {
	case m.Variant == "":
		problem(Problem{Field: "Variant()", Message: "Variant returns an empty string; a variant's documents need a value that names it"})
	case m.Discriminator == "":
		problem(Problem{Field: "Variant()", Message: fmt.Sprintf("Variant returns %q, and the model has no field tagged odm:\"discriminator\" to hold it (the base struct declares it, as in EventType string `bson:\"event_type\" odm:\"discriminator\"`)", m.Variant)})
	}
}

// variantShape is the shape a variant's model gives its collection c:
// its validator checks each document by the schema of the document's own
// variant (anyOf the variants' schemas so far, each branch requiring its
// discriminator value), and the shape c holds already is widened to the
// same schema, so that variants differing in their generated schemas
// alone declare one validator. Variants whose schemas are all the same (a
// base struct's explicit Validator, promoted to every variant) declare
// that schema as it is, as the collection's other writers keep it. Any
// other model's shape is shape.
func (c *Declared) variantShape(m *Model, shape *CollectionShape) *CollectionShape {
	if m.Variant == "" || m.Validator == nil {
		return shape
	}
	c.variantSchemas = append(c.variantSchemas, bson.D{{Key: "allOf", Value: bson.A{
		bson.D{{Key: "required", Value: bson.A{m.Discriminator}}, {Key: "properties", Value: bson.D{{Key: m.Discriminator, Value: bson.D{{Key: "enum", Value: bson.A{m.Variant}}}}}}},
		m.Validator.Schema,
	}}})
	if enc := mustMarshal(m.Validator.Schema); c.variantFirst == nil {
		c.variantFirst = enc
	} else if !bytes.Equal(enc, c.variantFirst) {
		c.variantsDiffer = true
	}
	merged := m.Validator.Schema
	if c.variantsDiffer {
		merged = bson.D{{Key: "anyOf", Value: slices.Clone(c.variantSchemas)}}
	}
	if c.Shape != nil && c.Shape.Validator != nil && len(c.variantSchemas) > 1 {
		prev := *c.Shape.Validator
		prev.Schema = merged
		c.Shape = &CollectionShape{Options: c.Shape.Options, Validator: &prev, Origin: c.Shape.Origin}
	}
	v := *m.Validator
	v.Schema = merged
	return &CollectionShape{Options: shape.Options, Validator: &v, Origin: shape.Origin}
}
