// Package memo remembers what is costly to work out again for the same
// models: Collect's descriptions of a list of models. It is an
// optimisation only (BenchmarkSteadyInit measures Init with it, and
// BenchmarkDescribeShapes' Validate without it): without it every answer
// is the same, computed afresh.
package memo

import (
	"reflect"
	"strconv"
	"sync"

	"github.com/tagodm/tagodm/odm/internal/modelcache"
	"github.com/tagodm/tagodm/odm/schema"
)

// collected caches Collect's answers by the models it was given.
var collected = &collectCache{entries: map[string][]*schema.Declared{}}

// maxCollected bounds the cache: a service gives Init one list of models;
// tests and fuzzing give many, which must not grow without end.
const maxCollected = 256

type collectCache struct {
	mu      sync.Mutex
	entries map[string][]*schema.Declared
}

func (c *collectCache) get(key string) ([]*schema.Declared, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cols, ok := c.entries[key]
	return cols, ok
}

func (c *collectCache) put(key string, cols []*schema.Declared) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCollected {
		clear(c.entries)
	}
	c.entries[key] = cols
}

// Collect is schema.Collect, remembered per list of models: the same
// models, given again, get the same *schema.Declared values, which every
// caller only reads. A process that runs Init many times (tests, a
// database per tenant) describes and checks its models once.
func Collect(models []any) ([]*schema.Declared, error) {
	key, ok := collectKey(models)
	if ok {
		if cols, hit := collected.get(key); hit {
			return cols, nil
		}
	}
	cols, err := schema.Collect(models)
	if err == nil && ok {
		collected.put(key, cols)
	}
	return cols, err
}

// Forget drops every cached description and Collect answer, so that the
// next call reads each model afresh: for benchmarks of the first
// description.
func Forget() {
	modelcache.Clear()
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
		if bm, ok := m.(schema.BoundModel); ok {
			m, bound = bm.Model, bm.Collection()
		}
		if _, ok := m.(*schema.ValidationError); ok {
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
