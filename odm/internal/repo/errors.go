package repo

import (
	"fmt"
	"time"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/internal/serverprofile"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// wrap turns the driver's write errors into the library's typed errors,
// keeping the driver's error reachable.
func (c *Core[T]) Wrap(op string, err error, id any) error {
	if dup := c.pub.Duplicate(c.Name(), err); dup != nil {
		return dup
	}
	if code, msg, ok := servererr.WriteError(err); ok && (code == servererr.CodeDocumentValidationFailure || serverprofile.RejectedWrite(int32(code), msg)) {
		return c.pub.Rejected(c.Name(), id, err)
	}
	return fmt.Errorf("odm: %s on %s: %w", op, c.Name(), odmerr.Inner(err))
}

// IsDuplicate reports a write a unique index refused: MongoDB's codes
// (mongo.IsDuplicateKeyError: 11000, 11001, 12582, in write errors and
// write concern errors alike), or a server's storage-engine message (the
// profiles' duplicateWrites).
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	return serverprofile.DuplicateWriteMessage(err) != ""
}

// Public builds the odm package's error values and reads its types, which
// the repository returns and users match with errors.As.
type Public struct {
	// Duplicate is err as an *odm.DuplicateKeyError; nil when it is not
	// a duplicate key.
	Duplicate func(collection string, err error) error
	// Rejected is an *odm.DocumentRejectedError.
	Rejected func(collection string, id any, err error) error
	// Stale is an *odm.StaleRevisionError for the revision expected.
	Stale func(collection string, id, expected any) error
	// IsStale tells an *odm.StaleRevisionError in err's chain.
	IsStale func(err error) bool
	// ShardKeyChange, ReadOnlyView and NotRun are odm.ErrShardKeyChange,
	// odm.ErrReadOnlyView and odm.ErrNotRun, which errors wrap.
	ShardKeyChange, ReadOnlyView, NotRun error
	// Timestamps are the fields of a document's embedded odm.Timestamps.
	Timestamps func(doc any) (created, updated *time.Time)
}
