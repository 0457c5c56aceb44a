package repo

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// shardKeyed narrows a single-document write to the shard key values of
// the document it writes, for a model with a shard key; filter as it is
// for one without. doc is the document as encoded; loaded, when given, is
// the stored document it was read from, whose values the filter gets
// instead (Modify). A write that would change the values is refused
// outside a transaction.
func (c *Core[T]) shardKeyed(ctx context.Context, op string, filter any, loaded, doc bson.Raw) (any, error) {
	k := c.model.ShardKey
	if k == nil {
		return filter, nil
	}
	if ctx == nil { // the session's lookup below would panic on it
		return nil, c.NoContext(op)
	}
	out, changed := querydoc.ShardKeyed(k, filter, loaded, doc)
	if len(changed) > 0 {
		if s := mongo.SessionFromContext(ctx); s == nil || !s.TransactionRunning() {
			return nil, fmt.Errorf("odm: %s on %s: the write changes the shard key field(s) %v of %v: %w", op, c.Name(), changed, c.model.Type, c.pub.ShardKeyChange)
		}
	}
	return out, nil
}

// keyedElsewhere explains a replace of a sharded model that matched
// nothing while filter, without the key, matches a document: its stored
// key values differ from the ones the replacement holds. nil otherwise.
func (c *Core[T]) keyedElsewhere(ctx context.Context, op string, filter any) error {
	n, err := c.coll.CountDocuments(ctx, filter, options.Count().SetLimit(1))
	if err != nil {
		return c.Wrap(op, err, nil)
	} else if n == 0 {
		return nil
	}
	return fmt.Errorf("odm: %s on %s: the filter matches a stored document with other shard key values than the document's: "+
		"to change them, name the stored values in the filter: %w", op, c.Name(), c.pub.ShardKeyChange)
}
