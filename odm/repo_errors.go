package odm

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tagodm/tagodm/odm/internal/outcome"

	"github.com/tagodm/tagodm/odm/internal/engine"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func idOf(doc any) any {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil
	}
	v, err := bson.Raw(raw).LookupErr("_id")
	if err != nil {
		return nil
	}
	return v
}

// wrap turns the driver's write errors into the library's typed errors,
// keeping the driver's error reachable.
func (c *Collection[T]) wrap(op string, err error, id any) error {
	if dup := duplicateError(c.Name(), err); dup != nil {
		return dup
	}
	if code, msg, ok := writeError(err); ok && (code == codeDocumentValidationFailure || engine.RejectedWrite(int32(code), msg)) {
		return &DocumentRejectedError{Collection: c.Name(), ID: id, Err: err}
	}
	return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), err)
}

const (
	codeDocumentValidationFailure = 121
	codeDuplicateKey              = 11000
)

// writeError is the code and message of a write's first write error, or
// of the command's error.
func writeError(err error) (int, string, bool) {
	var we mongo.WriteException
	if errors.As(err, &we) && len(we.WriteErrors) > 0 {
		return we.WriteErrors[0].Code, we.WriteErrors[0].Message, true
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		return bwe.WriteErrors[0].Code, bwe.WriteErrors[0].Message, true
	}
	if code, ok := outcome.ErrorCode(err); ok {
		return int(code), outcome.ErrorMessage(err), true
	}
	return 0, "", false
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
		return &DuplicateKeyError{Collection: collection, Index: duplicateIndex(collection, err.Error()), Err: err}
	}
	msg := engine.DuplicateWriteMessage(err)
	if msg == "" {
		return nil
	}
	typed := mongo.CommandError{Code: codeDuplicateKey, Name: "DuplicateKey", Message: msg, Wrapped: err}
	return &DuplicateKeyError{Collection: collection, Index: duplicateIndex(collection, msg), Err: typed}
}

// Index names in duplicate key messages: MongoDB's "E11000 duplicate key
// error collection: db.c index: email_1 dup key: ...", DocumentDB's
// (FerretDB v2, code 11000) "Duplicate key violation on the requested
// collection: Index 'email_1'", PostgreSQL's `violates unique constraint
// "email_1"`, and SQLite's (FerretDB v1) "UNIQUE constraint failed: index
// 'c_1a2b3c4d_email_1'", whose name is the collection's table (name and
// hash) before the index's name. DocumentDB's exclusion constraint
// ("documents_rum_index_N") is no index name.
var (
	dupIndex = []*regexp.Regexp{
		regexp.MustCompile(`index: (\S+) dup key`),
		regexp.MustCompile(`Duplicate key violation on the requested collection: Index '([^']+)'`),
		regexp.MustCompile(`violates unique constraint "([^"]+)"`),
	}
	sqliteIndex = regexp.MustCompile(`UNIQUE constraint failed: index '([^']+)'`)
	tableHash   = regexp.MustCompile(`^_[0-9a-f]{8}_`)
)

// duplicateIndex reads the index name from a duplicate key message on
// collection; empty when the message does not name one.
func duplicateIndex(collection, msg string) string {
	for _, re := range dupIndex {
		if m := re.FindStringSubmatch(msg); m != nil {
			return m[1]
		}
	}
	m := sqliteIndex.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	rest, ok := strings.CutPrefix(m[1], collection)
	if loc := tableHash.FindStringIndex(rest); ok && loc != nil {
		return rest[loc[1]:]
	}
	return "" // a table name this library does not know how to read
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
	RevisionID UUID
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
