package odm

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
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
func (c *Collection[T]) refuseKeyUpdate(ctx context.Context, op string, filter, update any) error {
	k := c.model.ShardKey
	if k == nil || update == nil {
		return nil
	}
	written, err := write.UpdateWrites(c.model.Codecs, update)
	if err != nil {
		return nil // prepareUpdate has said what is wrong with it
	}
	fixed := bson.Raw(nil)
	if filter != nil {
		fixed, _ = write.Encode(c.model.Codecs, filter)
	}
	var changed []string
	for _, key := range k.Keys {
		for _, w := range written {
			if w.Value.Type != 0 && w.Path == key.Field && fixed != nil {
				if v, err := fixed.LookupErr(key.Field); err == nil && !write.IsOperatorValue(v) && v.Equal(w.Value) {
					continue // set to the value the filter fixes
				}
			}
			if w.Path == "" || write.Touches(w.Path, key.Field) || write.Touches(key.Field, w.Path) {
				changed = append(changed, key.Field)
				break
			}
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if s := mongo.SessionFromContext(ctx); s != nil && s.TransactionRunning() {
		return nil
	}
	return fmt.Errorf("odm: %s on %s: the update writes the shard key field(s) %v of %v: %w", op, c.Name(), changed, c.model.Type, ErrShardKeyChange)
}
