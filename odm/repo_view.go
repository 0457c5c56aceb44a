package odm

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/tagodm/tagodm/odm/schema"
)

// ErrReadOnlyView is what every write of a repository of a view model
// wraps (schema.ViewDeclarer): a view is read-only, so the write is
// refused before any command.
var ErrReadOnlyView = errors.New("a view is read-only")

// viewWrites holds, by model type, the source of the view it declares
// ("" for a collection's model). Found once per type, so a write pays a
// map read.
var viewWrites sync.Map

// viewWrite is the error a write of kind k returns when T declares a
// view; nil otherwise.
func viewWrite[T any](k writeKind) error {
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
		return fmt.Errorf("odm: %v.%s: %v declares a view of %s: %w; write to %s instead", t, k, t, source, ErrReadOnlyView, source)
	}
	return nil
}
