package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestListsUnstatedCollation: the collection's collation is asked for only
// when a listed index carries a collation its declaration does not state.
func TestListsUnstatedCollation(t *testing.T) {
	fr := `{"locale": "fr", "strength": 2, "version": "57.1"}`
	plain := schema.Index(schema.Asc("name"))
	collated := schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: &options.Collation{Locale: "fr", Strength: 2}}
	tests := []struct {
		name     string
		declared []schema.IndexSpec
		listed   []string
		want     bool
	}{
		{"nothing listed", []schema.IndexSpec{plain}, nil, false},
		{"no listed index has a collation", []schema.IndexSpec{plain, schema.Index(schema.Asc("a"))},
			[]string{`{"v": 2, "key": {"_id": 1}, "name": "_id_"}`, `{"v": 2, "key": {"name": 1}, "name": "name_1"}`}, false},
		{"a collation the declaration states", []schema.IndexSpec{collated},
			[]string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": ` + fr + `}`}, false},
		{"a collation the declaration does not state", []schema.IndexSpec{plain},
			[]string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": ` + fr + `}`}, true},
		{"a simple collation is none", []schema.IndexSpec{plain},
			[]string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": {"locale": "simple"}}`}, false},
		{"the same keys under another name", []schema.IndexSpec{plain},
			[]string{`{"v": 2, "key": {"name": 1}, "name": "by_name", "collation": ` + fr + `}`}, true},
		{"an undeclared index of other keys", []schema.IndexSpec{plain},
			[]string{`{"v": 2, "key": {"other": 1}, "name": "other_1", "collation": ` + fr + `}`}, false},
		{"an undeclared index, nothing declared", nil,
			[]string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": ` + fr + `}`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var listed []bson.Raw
			for _, d := range tt.listed {
				listed = append(listed, rawDoc(t, d))
			}
			changes, err := diff.Diff(tt.declared, listed)
			require.NoError(t, err)
			assert.Equal(t, tt.want, diff.ListsUnstatedCollation(changes))
		})
	}
}

// TestNonNumericTTLIsSetByCollMod: a listed expireAfterSeconds that is not
// a number (older tools stored strings; the TTL monitor skips such an
// index) is changed in place: collMod sets the declared number, as an
// int, in the format MongoDB documents. No server here can list such an
// index (modern servers refuse it at creation), so the change comes from
// the listing and the command is checked as sent.
func TestNonNumericTTLIsSetByCollMod(t *testing.T) {
	spec := schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(time.Hour)}
	changes, err := diff.Diff([]schema.IndexSpec{spec}, []bson.Raw{rawDoc(t, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": "3600"}`)})
	require.NoError(t, err)
	require.Len(t, changes, 1)
	require.Equal(t, diff.ModifyInPlace, changes[0].Action)

	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	ctx := context.Background()
	_, err = db.Collection("expiring").Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "at", Value: 1}}})
	require.NoError(t, err)
	rec.Reset()
	x := newExecutor(Defaults(), db, &schema.Declared{Collection: "expiring", Specs: []schema.IndexSpec{spec}}, &ServerInfo{DB: db})
	_, modErr := collModStep{change: changes[0]}.run(ctx, x)

	sent := rec.Commands("collMod")
	require.Len(t, sent, 1)
	body := sent[0].Body
	assert.Equal(t, "expiring", body.Lookup("collMod").StringValue())
	index := body.Lookup("index").Document()
	assert.Equal(t, "at_1", index.Lookup("name").StringValue())
	ttl := index.Lookup("expireAfterSeconds")
	assert.Equal(t, bson.TypeInt32, ttl.Type, "a number, not the listed string")
	assert.Equal(t, int32(3600), ttl.Int32())
	if modErr != nil {
		t.Skipf("%s refuses collMod (%v); the command was checked", testrig.Server(), modErr)
	}
	got := testrig.ListIndexes(t, db.Name(), "expiring")["at_1"]
	assert.Equal(t, "3600", got.Options["expireAfterSeconds"])
}
