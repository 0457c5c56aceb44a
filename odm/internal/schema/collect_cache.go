package schema

import (
	"reflect"
	"strconv"
	"sync"
)

// collected caches Collect's answers by the models it was given.
var collected = &collectCache{entries: map[string][]*Declared{}}

// maxCollected bounds the cache: a service gives Init one list of models;
// tests and fuzzing give many, which must not grow without end.
const maxCollected = 256

type collectCache struct {
	mu      sync.Mutex
	entries map[string][]*Declared
}

func (c *collectCache) get(key string) ([]*Declared, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cols, ok := c.entries[key]
	return cols, ok
}

func (c *collectCache) put(key string, cols []*Declared) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCollected {
		clear(c.entries)
	}
	c.entries[key] = cols
}

// Forget drops every cached description and Collect answer, so that the
// next call reads each model afresh: for benchmarks of the first
// description.
func Forget() {
	ModelCache.Clear()
	collected.mu.Lock()
	defer collected.mu.Unlock()
	clear(collected.entries)
}

// rtypeType is the dynamic type of a reflect.Type value.
var rtypeType = reflect.TypeOf(reflect.TypeOf(0))

// collectKey identifies a list of models by what their declarations depend
// on: each one's Go type and, for a model bound by In, its collection.
// Argument faults are never cached (false), so that each call reports them.
func collectKey(models []any) (string, bool) {
	b := make([]byte, 0, 16*len(models)) // one allocation for the usual key
	for _, m := range models {
		bound := ""
		if bm, ok := m.(BoundModel); ok {
			m, bound = bm.Model, bm.collection
		}
		if _, ok := m.(ArgProblem); ok {
			return "", false
		}
		// reflect.TypeOf, not a type switch: a switch case on an interface
		// type (reflect.Type) looks up an itab for every model's type.
		t := reflect.TypeOf(m)
		if t == rtypeType {
			t = m.(reflect.Type)
			b = append(b, 'T') // a reflect.Type given as the model, not its value
		}
		if t == nil {
			return "", false
		}
		b = strconv.AppendUint(b, uint64(reflect.ValueOf(t).Pointer()), 36)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(len(bound)), 10)
		b = append(b, ':')
		b = append(b, bound...)
		b = append(b, ';')
	}
	return string(b), true
}
