package engine

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/tagodm/tagodm/odm/internal/servererr"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// What the repositories read of a server's replies to document writes,
// through its profile.

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
	if code, ok := servererr.Code(err); ok {
		return int(code), servererr.Message(err), true
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

// atomicity is what is known of a client's server: whether it applies a
// filtered write's filter and write atomically.
type atomicity struct {
	mu    sync.Mutex
	known bool
	lacks bool
	name  string
}

// servers holds an *atomicity per *mongo.Client, looked at once per client.
var servers sync.Map

// LacksAtomicFilteredWrites asks the client's server once (buildInfo) and
// reports whether it is one known not to make a filtered write atomic. A
// failed look is not remembered, so a later write asks again. A nil ctx is
// an error (the session context below would panic on it).
func LacksAtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, string, error) {
	if ctx == nil {
		return false, "", errors.New("a context is needed, got nil")
	}
	v, _ := servers.LoadOrStore(client, &atomicity{})
	a := v.(*atomicity)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known {
		return a.lacks, a.name, nil
	}
	// Outside the caller's session: buildInfo is not allowed in a
	// transaction, and a refused command would abort it.
	noSession := mongo.NewSessionContext(ctx, nil)
	info, err := client.Database("admin").RunCommand(noSession, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, "", err
	}
	a.lacks, a.name = classifyServer(info)
	a.known = true
	return a.lacks, a.name, nil
}

// classifyServer reads buildInfo through the server's profile, whose
// answer is measured (TestFilteredWriteRaces): FerretDB v1 does not apply
// a filtered write's filter and write atomically; MongoDB and FerretDB v2
// on DocumentDB do.
func classifyServer(info bson.Raw) (lacks bool, name string) {
	p := ProfileFromBuildInfo(info)
	if !p.NonAtomicFilteredWrites {
		return false, ""
	}
	return true, p.Name
}
