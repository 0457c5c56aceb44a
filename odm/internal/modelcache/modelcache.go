package modelcache

import (
	"reflect"
	"sync"
)

// descriptions holds one value per reflect.Type, as Store gave it.
var descriptions sync.Map

// Load is the value stored for t, if any.
func Load(t reflect.Type) (any, bool) { return descriptions.Load(t) }

// Store keeps v for t unless a value is there already, and returns the
// value kept: concurrent describers of one type all get the first one.
func Store(t reflect.Type, v any) any {
	kept, _ := descriptions.LoadOrStore(t, v)
	return kept
}

// Clear drops every value, so that the next description of each type is
// made afresh.
func Clear() { descriptions.Clear() }
