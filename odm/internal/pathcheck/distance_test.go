package pathcheck_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
)

// The model of package odm's tests of the repositories' path check, for
// NearestField's fields.

type pathItem struct {
	SKU   string   `bson:"sku"`
	Qty   int      `bson:"qty"`
	Notes []string `bson:"notes"`
}

type pathAddress struct {
	City string `bson:"city"`
	Zip  string `bson:"zip"`
}

// PathMeta is inlined into pathOrder.
type PathMeta struct {
	Source string `bson:"source"`
}

type pathNode struct {
	Name     string      `bson:"name"`
	Children []*pathNode `bson:"children"`
}

type pathOrder struct {
	ID       bson.ObjectID          `bson:"_id,omitempty"`
	Status   string                 `bson:"status"`
	Items    []pathItem             `bson:"items"`
	Address  *pathAddress           `bson:"address"`
	Scores   []int                  `bson:"scores"`
	Matrix   [][]int                `bson:"matrix"`
	ByRegion map[string]pathAddress `bson:"by_region"`
	Labels   map[string]string      `bson:"labels"`
	Extra    bson.M                 `bson:"extra"`
	Any      any                    `bson:"any"`
	Raw      bson.Raw               `bson:"raw"`
	Blob     []byte                 `bson:"blob"`
	Created  time.Time              `bson:"created_at"`
	Tree     pathNode               `bson:"tree"`
	PathMeta `bson:",inline"`
}

func TestEditDistance(t *testing.T) {
	assert.Equal(t, 0, pathcheck.EditDistance("status", "status"))
	assert.Equal(t, 1, pathcheck.EditDistance("stauts", "status"), "a transposition is one edit")
	assert.Equal(t, 1, pathcheck.EditDistance("statu", "status"))
	assert.Equal(t, 3, pathcheck.EditDistance("kitten", "sitting"))
	assert.Equal(t, "", pathcheck.NearestField(mustDescribe(t), "zzzzzzzz"), "nothing close, no suggestion")
}

func mustDescribe(t *testing.T) *reflectx.Struct {
	st, err := reflectx.Describe(reflect.TypeFor[pathOrder]())
	require.NoError(t, err)
	return st
}
