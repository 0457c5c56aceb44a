package shard

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func cmdErr(code int32, name, msg string) error {
	return mongo.CommandError{Code: code, Name: name, Message: msg}
}

// TestMismatchMessage: the error names the collection, both keys and the
// reshardCollection command to run by hand.
func TestMismatchMessage(t *testing.T) {
	e := &MismatchError{Namespace: "shop.orders",
		Declared: bson.D{{Key: "tenant", Value: 1}, {Key: "created.at", Value: 1}},
		Listed:   bson.D{{Key: "region", Value: 1.0}}}
	msg := e.Error()
	for _, want := range []string{"shop.orders", `{tenant: 1, "created.at": 1}`, "{region: 1}", "never reshards",
		`db.adminCommand({reshardCollection: "shop.orders", key: {tenant: 1, "created.at": 1}})`} {
		assert.Contains(t, msg, want)
	}
	e = &MismatchError{Namespace: "shop.orders", Declared: bson.D{{Key: "u", Value: "hashed"}},
		Err: cmdErr(23, "AlreadyInitialized", "sharding already enabled for collection shop.orders")}
	assert.Contains(t, e.Error(), "sharded on another key")
	assert.Contains(t, e.Error(), "server: sharding already enabled")
	assert.True(t, strings.HasSuffix(e.ReshardCommand(), `key: {u: "hashed"}})`))
}
