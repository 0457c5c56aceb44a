package servererr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestCodeAndMessage: the code and message are found through wrapping;
// an error that carries none gives false and its own text.
func TestCodeAndMessage(t *testing.T) {
	cmd := fmt.Errorf("odm: listIndexes: %w", mongo.CommandError{Code: CodeNamespaceNotFound, Message: "ns does not exist"})
	code, ok := Code(cmd)
	assert.True(t, ok)
	assert.EqualValues(t, CodeNamespaceNotFound, code)
	assert.Equal(t, "ns does not exist", Message(cmd))

	wce := mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 64, Message: "waiting for replication timed out"}}
	code, ok = Code(fmt.Errorf("wrapped: %w", wce))
	assert.True(t, ok)
	assert.EqualValues(t, 64, code)

	_, ok = Code(mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000}}})
	assert.False(t, ok, "a write error is not a command's refusal")

	plain := errors.New("connection reset")
	_, ok = Code(plain)
	assert.False(t, ok)
	assert.Equal(t, "connection reset", Message(plain))
}
