package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestTemporarySpec: the temporary index takes the declared keys and _id,
// keeps what shapes the queries it serves, and enforces nothing.
func TestTemporarySpec(t *testing.T) {
	uniqueTTL := schema.Index(schema.Asc("a"), schema.Desc("b")).Named("ab")
	uniqueTTL.Unique, uniqueTTL.Sparse, uniqueTTL.ExpireAfter = true, true, schema.TTL(time.Hour)
	uniqueTTL.PartialFilter = bson.D{{Key: "a", Value: bson.D{{Key: "$gt", Value: 1}}}}
	for _, tt := range []struct {
		name string
		spec schema.IndexSpec
		ok   bool
		want string
	}{
		{name: "plain keys", spec: uniqueTTL, ok: true,
			want: `{"key": {"a": 1, "b": -1, "_id": 1}, "name": "ab.odm-rebuild", "sparse": true, "partialFilterExpression": {"a": {"$gt": 1}}}`},
		{name: "text", spec: schema.Index(schema.Text("s"))},
		{name: "hashed", spec: schema.Index(schema.Hashed("s"))},
		{name: "wildcard", spec: schema.Index(schema.Wildcard(""))},
		{name: "already on _id", spec: schema.Index(schema.Asc("a"), schema.Asc("_id"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp, ok := temporarySpec(tt.spec)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			var want bson.D
			require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.want), false, &want))
			gotJSON, err := bson.MarshalExtJSON(tmp.Document(), false, false)
			require.NoError(t, err)
			wantJSON, err := bson.MarshalExtJSON(want, false, false)
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(gotJSON))
			base, ours := temporaryBase(tmp.Name)
			assert.True(t, ours)
			assert.Equal(t, tt.spec.IndexName(), base)
		})
	}
}

// TestTemporaryBase: only a name with a base before the suffix is a
// temporary index's.
func TestTemporaryBase(t *testing.T) {
	for name, want := range map[string]string{"a_1.odm-rebuild": "a_1", "x.odm-rebuild.odm-rebuild": "x.odm-rebuild"} {
		base, ok := temporaryBase(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, base, name)
	}
	for _, name := range []string{".odm-rebuild", "a_1", "a_1.odm-rebuild.x"} {
		_, ok := temporaryBase(name)
		assert.False(t, ok, name)
	}
}

// TestOrderedTemporaryAndListedHidden: a rebuild goes behind a temporary
// index only when the keys under the declared name differ; a listed index
// is hidden only when it says so.
func TestOrderedTemporaryAndListedHidden(t *testing.T) {
	changes := func(t *testing.T, spec schema.IndexSpec, listed string) []diff.IndexChange {
		t.Helper()
		var raw bson.Raw
		require.NoError(t, bson.UnmarshalExtJSON([]byte(listed), false, &raw))
		ch, err := diff.Diff([]schema.IndexSpec{spec}, []bson.Raw{raw})
		require.NoError(t, err)
		return ch
	}
	a := schema.Index(schema.Asc("a")).Named("a_1")
	otherKeys := changes(t, a, `{"key": {"a": -1}, "name": "a_1", "hidden": true}`)
	require.Len(t, otherKeys, 1)
	require.Equal(t, diff.Conflict, otherKeys[0].Action)
	tmp, ok := orderedTemporary(otherKeys[0])
	require.True(t, ok)
	assert.Equal(t, "a_1.odm-rebuild", tmp.Name)
	assert.True(t, listedHidden(otherKeys[0]))

	unique := a
	unique.Unique = true
	sameKeys := changes(t, unique, `{"key": {"a": 1}, "name": "a_1"}`)
	require.Len(t, sameKeys, 1)
	require.NotEqual(t, diff.Unchanged, sameKeys[0].Action)
	_, ok = orderedTemporary(sameKeys[0])
	assert.False(t, ok, "the same keys leave no room for a temporary index")
	assert.False(t, listedHidden(sameKeys[0]))

	undeclared := changes(t, schema.Index(schema.Asc("b")), `{"key": {"z": 1}, "name": "z_1"}`)
	require.Len(t, undeclared, 2)
	_, ok = orderedTemporary(undeclared[1])
	assert.False(t, ok, "a drop has no declaration")
}
