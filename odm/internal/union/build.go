package union

import (
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Entry is one entry of a union's list: a variant, or the fallback.
type Entry struct {
	T        reflect.Type
	Fallback bool
	// Decoder decodes a variant's documents (see Decoder).
	Decoder func(reg *bson.Registry, ptr bool) func(bson.Raw) (any, error)
}

// Built is a union's list checked.
type Built struct {
	Table *Table // nil when the union has problems
	// Types are the variants' types, as models for Init.
	Types []any
	// Entries are the indexes in the list of the table's variants.
	Entries []int
	// Fallback is the index in the list of the fallback; -1 for the
	// default one. FallbackPtr: the pointer implements the interface.
	Fallback    int
	FallbackPtr bool
	// Own are the union's own problems (Init's Collect finds the
	// others); Err has them all, a *ValidationError.
	Own []schema.Problem
	Err error
}

// Build checks a union's list against its interface iT. embedsUnknown
// reports a type that embeds the library's Unknown, whose type is
// unknown: the default fallback.
func Build(name string, iT reflect.Type, list []Entry, unknown reflect.Type, embedsUnknown func(reflect.Type) bool) Built {
	b := Built{Fallback: -2}
	problem := func(t reflect.Type, format string, args ...any) {
		b.Own = append(b.Own, schema.Problem{GoType: fmt.Sprint(t), Message: fmt.Sprintf(format, args...)})
	}
	if iT.Kind() != reflect.Interface {
		problem(iT, "%s needs an interface type, the one its variants share; %v is a %v", name, iT, iT.Kind())
		iT = reflect.TypeFor[any]()
	}
	var vs []Variant
	for i, e := range list {
		ptr := !e.T.Implements(iT)
		switch {
		case ptr && !reflect.PointerTo(e.T).Implements(iT):
			problem(e.T, "%v is listed in %s and neither it nor *%v implements %v", e.T, name, e.T, iT)
		case e.Fallback && b.Fallback != -2:
			problem(e.T, "%s is given two fallbacks", name)
		case e.Fallback && !embedsUnknown(e.T):
			problem(e.T, "the fallback of %s must embed odm.Unknown; %v does not", name, e.T)
		case e.Fallback:
			b.Fallback, b.FallbackPtr = i, ptr
		default:
			b.Types = append(b.Types, e.T)
			if m, err := schema.Describe(e.T); err == nil { // else Collect reports it
				vs, b.Entries = append(vs, Variant{Model: m, Decode: e.Decoder(m.Codecs, ptr)}), append(b.Entries, i)
			}
		}
	}
	if b.Fallback == -2 {
		b.Fallback, b.FallbackPtr = -1, !unknown.Implements(iT)
		if b.FallbackPtr && !reflect.PointerTo(unknown).Implements(iT) {
			problem(iT, "%s has no fallback and odm.Unknown does not implement %v: give odm.Fallback[F]() with an F that embeds odm.Unknown and implements %v", name, iT, iT)
		}
	}
	var ps []schema.Problem
	if b.Table, ps = New(name, vs); len(vs) > 0 || len(b.Types) == 0 {
		b.Own = append(b.Own, ps...)
	}
	problems := append([]schema.Problem(nil), b.Own...)
	if _, err := schema.Collect(b.Types); err != nil && len(b.Types) > 0 {
		problems = append(problems, err.(*schema.ValidationError).Problems...)
	}
	if len(problems) > 0 {
		b.Err, b.Table = &schema.ValidationError{Problems: problems}, nil
	}
	return b
}
