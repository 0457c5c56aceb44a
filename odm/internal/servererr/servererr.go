// Package servererr reads what a server's refusal carries through the
// driver's errors: its code, to branch on, and its message, to quote; for
// a document write, the first write error's code and the index a
// duplicate key message names. Package outcome quotes the message in its
// errors, the engine and the repositories branch on the code; it is an
// implementation detail.
//
// It imports the driver only.
package servererr

import (
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Server error codes the library branches on.
const (
	CodeNamespaceNotFound = 26
	CodeNamespaceExists   = 48
)

// Code is the server error code err carries, from a command error or a
// write exception's write concern error; false when it carries none.
func Code(err error) (int32, bool) {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	var we mongo.WriteException
	if errors.As(err, &we) && we.WriteConcernError != nil {
		return int32(we.WriteConcernError.Code), true
	}
	return 0, false
}

// Message is the server's message in err, or err's text.
func Message(err error) string {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}
