package modelcache

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStoreKeepsTheFirstUntilClear(t *testing.T) {
	type a struct{}
	typ := reflect.TypeFor[a]()
	_, ok := Load(typ)
	assert.False(t, ok)
	assert.Equal(t, "first", Store(typ, "first"))
	assert.Equal(t, "first", Store(typ, "second"), "a later store keeps the first value")
	v, ok := Load(typ)
	assert.True(t, ok)
	assert.Equal(t, "first", v)
	Clear()
	_, ok = Load(typ)
	assert.False(t, ok, "Clear drops every value")
	assert.Equal(t, "second", Store(typ, "second"))
}
