package servererr

import (
	"errors"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// What the repositories read of a server's replies to document writes.

const (
	CodeDocumentValidationFailure = 121
	CodeDuplicateKey              = 11000
)

// WriteError is the code and message of a write's first write error, or
// of the command's error.
func WriteError(err error) (int, string, bool) {
	var we mongo.WriteException
	if errors.As(err, &we) && len(we.WriteErrors) > 0 {
		return we.WriteErrors[0].Code, we.WriteErrors[0].Message, true
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		return bwe.WriteErrors[0].Code, bwe.WriteErrors[0].Message, true
	}
	if code, ok := Code(err); ok {
		return int(code), Message(err), true
	}
	return 0, "", false
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

// DuplicateIndex reads the index name from a duplicate key message on
// collection; empty when the message does not name one.
func DuplicateIndex(collection, msg string) string {
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
