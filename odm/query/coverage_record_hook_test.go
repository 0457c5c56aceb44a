package query

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/internal/recording"
	"github.com/tagodm/tagodm/odm/schema"
)

type hookDoc struct {
	UserID string `bson:"user_id"`
}

// A recorder installs the repositories' hook while it runs, every running
// recorder hears each query through it, and the hook is gone once the
// last one stops: a repository call then pays one load and nothing more.
func TestRecordersInstallTheHook(t *testing.T) {
	require.Nil(t, recording.Active(), "no recorder runs before the test")
	m := &schema.Model{Type: reflect.TypeFor[hookDoc](), Collection: "hook_docs"}
	run := func(op string) {
		t.Helper()
		record := recording.Active()
		require.NotNil(t, record, "a running recorder installs the hook")
		record(recording.Query{Model: m, Collection: m.Collection, Op: op, Filter: bson.D{{Key: "user_id", Value: "u1"}}})
	}

	outer := RecordQueries()
	run("find")
	inner := RecordQueries()
	run("count")
	outer.Stop()
	run("delete") // inner still runs
	inner.Stop()
	assert.Nil(t, recording.Active(), "the hook is removed with the last recorder")

	ops := func(r *Recorder) []string {
		var out []string
		for _, q := range r.Queries() {
			out = append(out, q.Op+" "+q.Collection+" "+q.GoType)
		}
		return out
	}
	assert.Equal(t, []string{"find hook_docs query.hookDoc", "count hook_docs query.hookDoc"}, ops(outer))
	assert.Equal(t, []string{"count hook_docs query.hookDoc", "delete hook_docs query.hookDoc"}, ops(inner))
	require.Len(t, inner.Queries(), 2)
	assert.Equal(t, []Condition{{Path: "user_id", Op: "$eq", Value: "u1"}}, inner.Queries()[1].Shape.Conditions)
}
