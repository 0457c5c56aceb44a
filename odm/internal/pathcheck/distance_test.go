package pathcheck_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
)

func TestEditDistance(t *testing.T) {
	assert.Equal(t, 0, pathcheck.EditDistance("status", "status"))
	assert.Equal(t, 1, pathcheck.EditDistance("stauts", "status"), "a transposition is one edit")
	assert.Equal(t, 1, pathcheck.EditDistance("statu", "status"))
	assert.Equal(t, 3, pathcheck.EditDistance("kitten", "sitting"))
	assert.Equal(t, "", pathcheck.NearestField(mustDescribe(t), "zzzzzzzz"), "nothing close, no suggestion")
}

func mustDescribe(t *testing.T) *reflectx.Struct {
	st, err := reflectx.Describe(reflect.TypeFor[testmodels.PathOrder]())
	require.NoError(t, err)
	return st
}
