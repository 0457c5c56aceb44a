package schema_test

import (
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/schema"
)

// Session declares its indexes in tags: a unique token, and a TTL index
// that removes a session a day after it was last seen.
type Session struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	Token    string        `bson:"token" odm:"uniqueIndex"`
	UserID   string        `bson:"user_id" odm:"index:idx_user_seen,priority:1"`
	LastSeen time.Time     `bson:"last_seen" odm:"index:idx_user_seen,priority:2,sort:desc;index:idx_ttl,ttl:24h"`
}

// Describe reads a model's declarations, checked, without a server.
func ExampleDescribe() {
	m, err := schema.Describe(Session{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Collection)
	for _, ix := range m.Indexes {
		fmt.Println(ix)
	}
	// Output:
	// session
	// token_1 {token: 1} unique
	// idx_user_seen {user_id: 1, last_seen: -1}
	// idx_ttl {last_seen: 1} expireAfterSeconds=86400
}

// An index a tag cannot express is declared in an Indexes method, from
// the key constructors and the spec's fields.
func ExampleIndex() {
	partial := schema.Index(schema.Asc("user_id"), schema.Desc("created_at")).Named("idx_open_by_user")
	partial.PartialFilter = bson.D{{Key: "status", Value: "open"}}
	fmt.Println(partial)
	fmt.Println(schema.Index(schema.Text("title"), schema.Text("body")).IndexName())
	// Output:
	// idx_open_by_user {user_id: 1, created_at: -1} partialFilterExpression={"status":"open"}
	// title_text_body_text
}

// A misspelt tag is refused with the Go type, the field, the tag and the
// nearest word.
func ExampleValidationError() {
	type Order struct {
		Number string `bson:"number" odm:"uniqeIndex"`
	}
	_, err := schema.Describe(Order{})
	fmt.Println(err)
	// Output:
	// odm: invalid declaration: schema_test.Order.Number `odm:"uniqeIndex"` [collection order]: "uniqeIndex": unknown clause "uniqeIndex" (want index, uniqueIndex, required, enum, pattern, min, max, revision, discriminator, shard, vector or vectorFilter); did you mean uniqueIndex?
}
