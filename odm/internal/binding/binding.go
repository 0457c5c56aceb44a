// Package binding checks a repository's model type, without a server,
// and reads what its repositories need of it: the model's description,
// its revision, its _id field, its own top-level fields and its hooks.
package binding

import (
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/hooks"
	"github.com/tagodm/tagodm/odm/internal/write"
	"github.com/tagodm/tagodm/odm/schema"
)

// Binding is what a repository knows of its model type.
type Binding struct {
	Model *schema.Model
	Rev   write.RevisionKind
	ID    write.IDField
	Owned []string // the top-level fields of the struct, but _id
	Hooks hooks.Set
}

// Types are the library's types a model type is checked against: the
// Defaulter interface, and the timestamps a model embeds.
type Types struct {
	Defaulter, Stamped, Timestamps reflect.Type
}

// Bind checks model type t (bound to the named collection when name is
// given): everything NewCollection checks, for any type, generic or built
// at run time. noDB reports a nil database, refused after the model's
// own problems.
func Bind(t reflect.Type, name *string, noDB bool, types Types) (*Binding, error) {
	what := fmt.Sprintf("Collection[%v]", t)
	if name != nil {
		what = fmt.Sprintf("Collection[%v] in %q", t, *name)
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("odm: %s: a repository needs a struct model type", what)
	}
	var model any = t
	if name != nil {
		model = schema.In(*name, t)
	}
	m, err := schema.Describe(model)
	if err != nil {
		return nil, fmt.Errorf("odm: %s: %w", what, odmerr.Inner(err))
	}
	if noDB {
		return nil, fmt.Errorf("odm: %s: a database is needed, got nil", what)
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return nil, fmt.Errorf("odm: %s: %w", what, odmerr.Inner(err))
	}
	if t.Implements(types.Defaulter) {
		return nil, fmt.Errorf("odm: %s: %v's SetDefaults has a value receiver, so it would change a copy and the stored document would lack its defaults; declare it on *%v", what, t, t)
	}
	hs, problem := hooks.Of(t, types.Stamped, types.Timestamps)
	if problem != "" {
		return nil, fmt.Errorf("odm: %s: %v%s", what, t, problem)
	}
	if m.Revision != "" && len(m.RevisionIndex) == 0 {
		return nil, fmt.Errorf("odm: %s: the revision field %s cannot be reached in the struct", what, m.Revision)
	}
	var owned []string
	for _, f := range st.Fields {
		if f.Path != "_id" {
			owned = append(owned, f.Path)
		}
	}
	return &Binding{Model: m, Rev: write.RevisionKindOf(t, m.Revision, m.RevisionIndex), ID: write.FindIDField(st), Owned: owned, Hooks: hs}, nil
}
