package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func TestUnsupportedErrorNamesTheServersOptionFirst(t *testing.T) {
	spec := schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true, ExpireAfter: schema.TTL(0)}
	err := &outcome.IndexError{Err: mongo.CommandError{Code: 238, Message: `Index option "hidden" is not implemented yet`}}
	ue := unsupportedError("c", spec, err, spec.Features())
	assert.Equal(t, []string{"hidden", "expireAfterSeconds"}, ue.Options)
	assert.Equal(t, "c", ue.Collection)
	assert.Equal(t, "a_1", ue.Index)
	var ce mongo.CommandError
	assert.ErrorAs(t, ue, &ce)
}
