package repo

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/tagodm/tagodm/odm/schema"
)

// viewWrites holds, by model type, the source of the view it declares
// ("" for a collection's model). Found once per type, so a write pays a
// map read.
var viewWrites sync.Map

// viewWrite is the error a write of kind k returns when T declares a
// view (wrapping readOnly, odm.ErrReadOnlyView); nil otherwise.
func viewWrite[T any](k Kind, readOnly error) error {
	t := reflect.TypeFor[T]()
	v, ok := viewWrites.Load(t)
	if !ok {
		source := ""
		if m, err := schema.Describe(t); err == nil && m.View != nil {
			source = m.View.Source
		}
		v, _ = viewWrites.LoadOrStore(t, source)
	}
	if source := v.(string); source != "" {
		return fmt.Errorf("odm: %v.%s: %v declares a view of %s: %w; write to %s instead", t, k, t, source, readOnly, source)
	}
	return nil
}
