// Package registry is where feature teams add their models, each from its
// own package, so that start-up code hands odm.Init one stable list:
//
//	func init() { registry.MustRegister(Order{}) }
//
//	report, err := odm.Init(ctx, db, registry.All())
//
// A Registry refuses a model registered twice, an invalid model, and a
// model whose declarations conflict with those of a model already
// registered on the same collection, so mistakes surface at registration,
// long before a server is involved.
package registry

import (
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// Registry holds models. The zero value is ready to use; it is safe for
// concurrent use.
type Registry struct {
	mu     sync.Mutex
	models []entry
}

type entry struct {
	model      any
	typ        reflect.Type
	collection string
}

// A *Registry given to odm.Init, Plan, Validate or Declared stands for its
// models, as All() does.
var _ schema.ModelSource = (*Registry)(nil)

// New returns an empty registry.
func New() *Registry { return &Registry{} }

// Register adds models, all or none: it returns an error, and adds nothing,
// if any model is invalid (*odm.ValidationError), registered already, or in
// conflict with a registered model on the same collection.
func (r *Registry) Register(models ...any) error {
	if len(models) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	added := make([]entry, 0, len(models))
	for _, m := range models {
		desc, err := schema.Describe(m)
		if err != nil {
			return err
		}
		for _, e := range append(r.models, added...) {
			if e.typ == desc.Type && e.collection == desc.Collection {
				return fmt.Errorf("registry: model %v is registered twice (collection %s)", desc.Type, desc.Collection)
			}
		}
		added = append(added, entry{model: m, typ: desc.Type, collection: desc.Collection})
	}
	all := make([]any, 0, len(r.models)+len(added))
	for _, e := range append(r.models, added...) {
		all = append(all, e.model)
	}
	if err := odm.Validate(all...); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	r.models = append(r.models, added...)
	return nil
}

// MustRegister is Register that panics on error, for use in init functions
// where a bad declaration is a programming error.
func (r *Registry) MustRegister(models ...any) {
	if err := r.Register(models...); err != nil {
		panic(err)
	}
}

// All returns the registered models sorted by collection, then by Go type
// name: the same order whatever order packages registered them in.
func (r *Registry) All() []any {
	r.mu.Lock()
	entries := append([]entry(nil), r.models...)
	r.mu.Unlock()
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].collection != entries[j].collection {
			return entries[i].collection < entries[j].collection
		}
		return entries[i].typ.PkgPath()+"."+entries[i].typ.Name() < entries[j].typ.PkgPath()+"."+entries[j].typ.Name()
	})
	out := make([]any, len(entries))
	for i, e := range entries {
		out[i] = e.model
	}
	return out
}

// Len is the number of registered models.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.models)
}

// Default is the registry the package-level functions use.
var Default = New()

// Register adds models to the Default registry.
func Register(models ...any) error { return Default.Register(models...) }

// MustRegister adds models to the Default registry, panicking on error.
func MustRegister(models ...any) { Default.MustRegister(models...) }

// All returns the Default registry's models in a stable order.
func All() []any { return Default.All() }
