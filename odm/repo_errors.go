package odm

import (
	"errors"
	"fmt"
	"time"

	"github.com/tagodm/tagodm/odm/internal/repo"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ErrShardKeyChange is the error, wrapped with the collection and the
// fields, of a write that would change a document's shard key values
// outside a transaction.
var ErrShardKeyChange = errors.New("a shard key value changes only in a transaction (ctx carrying a session whose transaction is running), with the stored values in the filter")

// ErrReadOnlyView is what every write of a repository of a view model
// wraps (schema.ViewDeclarer): a view is read-only, so the write is
// refused before any command.
var ErrReadOnlyView = errors.New("a view is read-only")

// public builds the errors the repositories return, as this package's
// types.
var public = &repo.Public{
	Duplicate: func(collection string, err error) error {
		if dup := duplicateError(collection, err); dup != nil {
			return dup
		}
		return nil
	},
	Rejected: func(collection string, id any, err error) error {
		return &DocumentRejectedError{Collection: collection, ID: id, Err: err}
	},
	Stale: func(collection string, id, expected any) error {
		e := &StaleRevisionError{Collection: collection, ID: id}
		switch v := expected.(type) {
		case schema.UUID:
			e.RevisionID = v
		case int64:
			e.Revision = v
		}
		return e
	},
	IsStale: func(err error) bool {
		var stale *StaleRevisionError
		return errors.As(err, &stale)
	},
	ShardKeyChange: ErrShardKeyChange,
	ReadOnlyView:   ErrReadOnlyView,
	NotRun:         ErrNotRun,
	Timestamps: func(doc any) (created, updated *time.Time) {
		ts := doc.(stamped).timestamps()
		return &ts.CreatedAt, &ts.UpdatedAt
	},
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
	msg := serverprofile.DuplicateWriteMessage(err)
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
