// Package registry is where feature teams add their models, each from its
// own package, so that start-up code hands odm.Init one stable list:
//
//	func init() { registry.Add(Order{}) }
//
//	report, err := odm.Init(ctx, db, registry.All())
//
// and so that one test catches every team's mistakes before a binary
// ships:
//
//	func TestModels(t *testing.T) {
//		if err := odm.Validate(registry.All()); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// Three ways in, for three places:
//
//   - Add, in init functions. It never fails: a model with a bad tag is
//     kept as given, and odm.Init, Plan and Validate report it, with its Go
//     type, field and tag, in the processes that call them. One team's typo
//     then fails that test and the start-up of the services that use the
//     model, not every binary that links the package (workers, tools, test
//     binaries), before main.
//   - Register, where the caller can handle an error (main, a test): it
//     refuses a model registered twice, an invalid model, and a model whose
//     declarations conflict with those of a model already registered on the
//     same collection, and then adds nothing.
//   - MustRegister is Register that panics. In an init function it stops
//     every binary that imports the package; use it only where that is
//     wanted.
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

// MustRegister is Register that panics on error. In an init function a
// bad declaration then stops every binary that imports the package, before
// main: prefer Add there, and odm.Validate(registry.All()) in a test.
func (r *Registry) MustRegister(models ...any) {
	if err := r.Register(models...); err != nil {
		panic(err)
	}
}

// Add adds models as they are, valid or not, and never fails: the
// registration for init functions. A model's problems (a bad tag, a
// conflict with another model on its collection) are reported by
// odm.Init, Plan and Validate, which read every model of the registry
// again, and by the test that calls odm.Validate(registry.All()). A model
// added again (the same Go type on the same collection) is kept once.
func (r *Registry) Add(models ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
next:
	for _, m := range models {
		e := entry{model: m, typ: reflect.TypeOf(m)}
		if desc, err := schema.Describe(m); err == nil {
			e.typ, e.collection = desc.Type, desc.Collection
			for _, have := range r.models {
				if have.typ == e.typ && have.collection == e.collection {
					continue next
				}
			}
		}
		r.models = append(r.models, e)
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
		return typeName(entries[i].typ) < typeName(entries[j].typ)
	})
	out := make([]any, len(entries))
	for i, e := range entries {
		out[i] = e.model
	}
	return out
}

// typeName is a type's package path and name, "" for no type (a nil
// model given to Add).
func typeName(t reflect.Type) string {
	if t == nil {
		return ""
	}
	return t.PkgPath() + "." + t.Name()
}

// Len is the number of registered models.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.models)
}

// Default is the registry the package-level functions use.
var Default = New()

// Add adds models to the Default registry, as they are: see Registry.Add.
func Add(models ...any) { Default.Add(models...) }

// Register adds models to the Default registry.
func Register(models ...any) error { return Default.Register(models...) }

// MustRegister adds models to the Default registry, panicking on error.
func MustRegister(models ...any) { Default.MustRegister(models...) }

// All returns the Default registry's models in a stable order.
func All() []any { return Default.All() }
