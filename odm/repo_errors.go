package odm

import (
	"fmt"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// wrap turns the driver's write errors into the library's typed errors,
// keeping the driver's error reachable.
func (c *Collection[T]) wrap(op string, err error, id any) error {
	if dup := duplicateError(c.Name(), err); dup != nil {
		return dup
	}
	if code, msg, ok := servererr.WriteError(err); ok && (code == servererr.CodeDocumentValidationFailure || engine.RejectedWrite(int32(code), msg)) {
		return &DocumentRejectedError{Collection: c.Name(), ID: id, Err: err}
	}
	return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
}

// isDuplicate reports a write a unique index refused: MongoDB's codes
// (mongo.IsDuplicateKeyError: 11000, 11001, 12582, in write errors and
// write concern errors alike), or a server's storage-engine message (the
// profiles' duplicateWrites).
func isDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	return engine.DuplicateWriteMessage(err) != ""
}

// duplicateError is err as a *DuplicateKeyError, or nil when it is not a
// duplicate key. A server that reports one in its storage engine's words
// gets a mongo.CommandError with code 11000 (DuplicateKey) in the chain,
// wrapping its own error, so that mongo.IsDuplicateKeyError holds there
// too.
func duplicateError(collection string, err error) *DuplicateKeyError {
	if err == nil {
		return nil
	}
	if mongo.IsDuplicateKeyError(err) {
		return &DuplicateKeyError{Collection: collection, Index: servererr.DuplicateIndex(collection, err.Error()), Err: err}
	}
	msg := engine.DuplicateWriteMessage(err)
	if msg == "" {
		return nil
	}
	typed := mongo.CommandError{Code: servererr.CodeDuplicateKey, Name: "DuplicateKey", Message: msg, Wrapped: err}
	return &DuplicateKeyError{Collection: collection, Index: servererr.DuplicateIndex(collection, msg), Err: typed}
}

// DuplicateKeyError is a write a unique index refused, on any write path
// (insert, update, replace, find-and-modify, upsert). Index is the index's
// name when the server's message gives it. mongo.IsDuplicateKeyError holds
// for it, also on servers that report a duplicate key with another code.
type DuplicateKeyError struct {
	Collection string
	Index      string
	Err        error
}

// Error implements the error interface.
func (e *DuplicateKeyError) Error() string {
	index := e.Index
	if index == "" {
		index = "a unique index"
	}
	return fmt.Sprintf("odm: collection %s: duplicate key refused by %s: %v", e.Collection, index, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *DuplicateKeyError) Unwrap() error { return e.Err }

// DocumentRejectedError is a write the collection's validator refused
// (validationAction error).
type DocumentRejectedError struct {
	Collection string
	// ID is the document's _id, when known.
	ID  any
	Err error
}

// Error implements the error interface.
func (e *DocumentRejectedError) Error() string {
	return fmt.Sprintf("odm: collection %s: document %v rejected by the validator: %v", e.Collection, e.ID, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *DocumentRejectedError) Unwrap() error { return e.Err }

// StaleRevisionError is a write of a revisioned document whose stored
// revision has moved on since it was read. Nothing was written.
type StaleRevisionError struct {
	Collection string
	// ID is the document's _id, when known.
	ID any
	// Revision is the revision the write expected, for a counter revision.
	Revision int64
	// RevisionID is the revision the write expected, for an odm.UUID
	// revision (zero: the document was read without one).
	RevisionID schema.UUID
}

// Error implements the error interface.
func (e *StaleRevisionError) Error() string {
	id := ""
	if e.ID != nil {
		id = fmt.Sprintf(" %v", e.ID)
	}
	rev := fmt.Sprint(e.Revision)
	if !e.RevisionID.IsZero() {
		rev = e.RevisionID.String()
	} else if e.Revision == 0 {
		rev = "none"
	}
	return fmt.Sprintf("odm: collection %s: document%s changed since revision %s was read; nothing was written", e.Collection, id, rev)
}
