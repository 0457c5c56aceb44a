package repo

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// refuseKeyUpdate refuses, outside a transaction, an update of a model
// with a shard key that writes a key field: with an operator ($set,
// $unset, $rename, $inc, ...; $setOnInsert only inserts) or a pipeline
// stage ($set, $write.AddFields, $unset naming a key field; $replaceWith,
// $replaceRoot and $project, which may rewrite any field). Replaces and
// Modify refuse the same change; a model without a key sends what it
// was given.
//
// A $set of a key field to the value the filter fixes it to by equality
// changes nothing, and passes.
func (c *Core[T]) refuseKeyUpdate(ctx context.Context, op string, filter, update any) error {
	k := c.model.ShardKey
	if k == nil || update == nil {
		return nil
	}
	keys := make([]string, len(k.Keys))
	for i, key := range k.Keys {
		keys[i] = key.Field
	}
	changed := write.KeyFieldsChanged(c.model.Codecs, keys, filter, update)
	if len(changed) == 0 {
		return nil
	}
	if s := mongo.SessionFromContext(ctx); s != nil && s.TransactionRunning() {
		return nil
	}
	return fmt.Errorf("odm: %s on %s: the update writes the shard key field(s) %v of %v: %w", op, c.Name(), changed, c.model.Type, c.pub.ShardKeyChange)
}
