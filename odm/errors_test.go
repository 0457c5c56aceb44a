package odm

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

type poolCleared struct{}

func (poolCleared) Error() string   { return "connection pool was cleared" }
func (poolCleared) Retryable() bool { return true }

func TestRetryable(t *testing.T) {
	assert.True(t, retryable(fmt.Errorf("wrapped: %w", poolCleared{})))
	assert.True(t, retryable(mongo.CommandError{Code: 6, Labels: []string{"NetworkError"}}))
	assert.True(t, retryable(mongo.CommandError{Code: 91, Labels: []string{"RetryableWriteError"}}))
	assert.True(t, retryable(&IndexError{Err: mongo.CommandError{Code: 285, Name: "IndexBuildAlreadyInProgress"}}))
	assert.True(t, retryable(mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}))
	assert.False(t, retryable(mongo.CommandError{Code: 85, Name: "IndexOptionsConflict"}))
	assert.False(t, retryable(errors.New("boom")))
}

func TestUnsupported(t *testing.T) {
	plain := Index(Asc("a"))
	text := Index(TextKey("a"))
	for _, tt := range []struct {
		code int32
		spec IndexSpec
		want bool
	}{
		{codeNotImplemented, plain, true},
		{codeCommandNotFound, plain, true},
		{codeCannotCreateIndex, plain, true},
		{codeInvalidIndexSpecOption, plain, true},
		{codeIndexNotFound, text, true},
		{codeIndexNotFound, plain, false}, // not a key type the server lacks
		{85, plain, false},
		{86, plain, false},
	} {
		err := &IndexError{Err: mongo.CommandError{Code: tt.code}}
		assert.Equal(t, tt.want, unsupported(err, tt.spec), "code %d", tt.code)
	}
	assert.False(t, unsupported(errors.New("boom"), plain))
}

func TestUnsupportedErrorNamesTheServersOptionFirst(t *testing.T) {
	spec := IndexSpec{Keys: []IndexKey{Asc("a")}, Hidden: true, ExpireAfter: TTL(0)}
	err := &IndexError{Err: mongo.CommandError{Code: codeNotImplemented, Message: `Index option "hidden" is not implemented yet`}}
	ue := unsupportedError("c", spec, err, spec.features())
	assert.Equal(t, []string{"hidden", "expireAfterSeconds"}, ue.Options)
	assert.Equal(t, "c", ue.Collection)
	assert.Equal(t, "a_1", ue.Index)
	var ce mongo.CommandError
	assert.ErrorAs(t, ue, &ce)
}
