package odm

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ErrShardKeyChange is the error, wrapped with the collection and the
// fields, of a write that would change a document's shard key values
// outside a transaction.
var ErrShardKeyChange = errors.New("a shard key value changes only in a transaction (ctx carrying a session whose transaction is running), with the stored values in the filter")

// shardKeyed narrows a single-document write to the shard key values of
// the document it writes, for a model with a shard key; filter as it is
// for one without. doc is the document as encoded; loaded, when given, is
// the stored document it was read from, whose values the filter gets
// instead (Modify). A write that would change the values is refused
// outside a transaction.
func (c *Collection[T]) shardKeyed(ctx context.Context, op string, filter any, loaded, doc bson.Raw) (any, error) {
	k := c.model.ShardKey
	if k == nil {
		return filter, nil
	}
	if ctx == nil { // the session's lookup below would panic on it
		return nil, c.noContext(op)
	}
	out, changed := querydoc.ShardKeyed(k, filter, loaded, doc)
	if len(changed) > 0 {
		if s := mongo.SessionFromContext(ctx); s == nil || !s.TransactionRunning() {
			return nil, fmt.Errorf("odm: %s on %s: the write changes the shard key field(s) %v of %v: %w", op, c.Name(), changed, c.model.Type, ErrShardKeyChange)
		}
	}
	return out, nil
}

// keyedElsewhere explains a replace of a sharded model that matched
// nothing while filter, without the key, matches a document: its stored
// key values differ from the ones the replacement holds. nil otherwise.
func (c *Collection[T]) keyedElsewhere(ctx context.Context, op string, filter any) error {
	n, err := c.coll.CountDocuments(ctx, filter, options.Count().SetLimit(1))
	if err != nil {
		return c.wrap(op, err, nil)
	} else if n == 0 {
		return nil
	}
	return fmt.Errorf("odm: %s on %s: the filter matches a stored document with other shard key values than the document's: "+
		"to change them, name the stored values in the filter: %w", op, c.Name(), ErrShardKeyChange)
}
