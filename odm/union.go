package odm

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/tagodm/tagodm/odm/internal/union"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Union declares a polymorphic collection: the variants, Go structs that
// embed one base struct inline, share one collection and an interface I,
// and a document's variant is read from the base's field tagged
// odm:"discriminator", which holds the variant's Variant() value (see
// docs/polymorphic.md). A Union is a model for Init, Plan and Validate:
// it stands for its variants, whose indexes, options and validators
// merge onto the collection. NewUnionCollection reads and writes it.
type Union[I any] struct {
	name     string
	list     []UnionVariant
	built    union.Built
	fallback func(value string, raw bson.Raw) I
}

// UnionVariant is one entry of NewUnion's list: Variant[V]() or
// Fallback[F]().
type UnionVariant struct {
	entry    union.Entry
	writer   func(*mongo.Database) (union.Writer, error)
	fallback func(Unknown) (value, pointer any)
}

// Variant is variant struct V of a union. V embeds the union's base
// struct inline and declares its discriminator value with a Variant()
// string method on the value. A union returns V where V implements its
// interface, *V where only *V does.
func Variant[V any]() UnionVariant {
	return UnionVariant{entry: union.Entry{T: reflect.TypeFor[V](), Decoder: union.Decoder[V]}, writer: func(db *mongo.Database) (union.Writer, error) {
		c, err := NewCollection[V](db)
		if err != nil {
			return nil, err
		}
		c.core().SetAnyVariant() // the union reaches every variant's documents
		return union.WriterOf[V](c), nil
	}}
}

// Fallback makes F what a union returns for a document whose
// discriminator names none of its variants, or that has none: F embeds
// Unknown and F or *F implements the union's interface. Without a
// Fallback the union returns Unknown itself, which must then implement
// the interface.
func Fallback[F any]() UnionVariant {
	return UnionVariant{entry: union.Entry{T: reflect.TypeFor[F](), Fallback: true}, fallback: func(u Unknown) (any, any) {
		f := new(F)
		any(f).(interface{ setUnknown(Unknown) }).setUnknown(u)
		return *f, f
	}}
}

// Unknown is a document of a union's collection whose discriminator names
// none of the union's variants, or that has none. It keeps the document
// as stored, and a union repository writes it back as exactly its bytes.
type Unknown struct {
	// Value is the document's discriminator; "" when it has none.
	Value string
	// Raw is the document as stored.
	Raw bson.Raw
}

// Variant is the document's discriminator value.
func (u Unknown) Variant() string { return u.Value }

func (u Unknown) unknownDocument() Unknown { return u }

func (u *Unknown) setUnknown(v Unknown) { *u = v }

// NewUnion declares the union of interface I over its variants. Its
// problems (a variant that does not implement I, lacks the discriminator
// field or repeats another's value; variants naming different
// collections, storing one path with two BSON types or declaring
// conflicting indexes) are in Err, a *ValidationError, and Init, Plan and
// Validate report them.
func NewUnion[I any](variants ...UnionVariant) *Union[I] {
	u := &Union[I]{name: fmt.Sprintf("Union[%v]", reflect.TypeFor[I]()), list: variants}
	entries := make([]union.Entry, 0, len(variants))
	for _, v := range variants {
		if v.entry.T == nil {
			v = Fallback[struct{}]() // a zero UnionVariant: refused as a fallback embedding no Unknown
		}
		entries = append(entries, v.entry)
	}
	embeds := func(t reflect.Type) bool {
		_, ok := reflect.New(t).Interface().(interface{ setUnknown(Unknown) })
		return ok
	}
	u.built = union.Build(u.name, reflect.TypeFor[I](), entries, reflect.TypeFor[Unknown](), embeds)
	fb := Fallback[Unknown]()
	if u.built.Fallback >= 0 {
		fb = variants[u.built.Fallback]
	}
	u.fallback = func(value string, raw bson.Raw) I {
		v, p := fb.fallback(Unknown{Value: value, Raw: raw})
		if u.built.FallbackPtr {
			return p.(I)
		}
		return v.(I)
	}
	return u
}

// Err is the union's *ValidationError; nil when it is sound.
func (u *Union[I]) Err() error { return u.built.Err }

// All is the union's variants, as models for Init, Plan and Validate,
// with the union's own problems: a Union is a schema.ModelSource.
func (u *Union[I]) All() []any {
	out := slices.Clone(u.built.Types)
	if len(u.built.Own) > 0 {
		out = append(out, &schema.ValidationError{Problems: u.built.Own})
	}
	return out
}
