package odm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func TestUnsupportedErrorNamesTheServersOptionFirst(t *testing.T) {
	spec := IndexSpec{Keys: []IndexKey{Asc("a")}, Hidden: true, ExpireAfter: TTL(0)}
	err := &IndexError{Err: mongo.CommandError{Code: 238, Message: `Index option "hidden" is not implemented yet`}}
	ue := unsupportedError("c", spec, err, spec.features())
	assert.Equal(t, []string{"hidden", "expireAfterSeconds"}, ue.Options)
	assert.Equal(t, "c", ue.Collection)
	assert.Equal(t, "a_1", ue.Index)
	var ce mongo.CommandError
	assert.ErrorAs(t, ue, &ce)
}
