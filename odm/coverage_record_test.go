package odm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

// fakeT records what Check says.
type fakeT struct{ errors, logs []string }

func (f *fakeT) Helper() {}
func (f *fakeT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

// TestQueryRecorder: the recorder sees the shape of every repository
// query run while it records, judges each by the model's indexes (member:
// a unique index on email, an index on team), and reports the scans and
// in-memory sorts.
func TestQueryRecorder(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	members := odm.MustCollection[member](db)
	_, err := members.InsertMany(ctx, []member{{Email: "a@x", Team: "t", Age: 3}, {Email: "b@x", Team: "t", Age: 4}})
	require.NoError(t, err)

	rec := odm.RecordQueries()
	for range 3 {
		_, err = members.FindOne(ctx, bson.D{{Key: "email", Value: "a@x"}})
		require.NoError(t, err)
	}
	_, err = members.Find(ctx, bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: 1}}}})
	require.NoError(t, err)
	_, err = members.Find(ctx, bson.D{{Key: "team", Value: "t"}}, options.Find().SetSort(bson.D{{Key: "age", Value: -1}}))
	require.NoError(t, err)
	_, err = members.CountDocuments(ctx, bson.D{{Key: "team", Value: "t"}})
	require.NoError(t, err)
	_, err = members.UpdateMany(ctx, bson.D{{Key: "age", Value: 3}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "age", Value: 1}}}})
	require.NoError(t, err)
	_, err = members.Find(ctx, bson.D{{Key: "nope", Value: 1}})
	require.Error(t, err, "a refused query")
	rec.Stop()
	_, err = members.Find(ctx, bson.D{{Key: "age", Value: 99}})
	require.NoError(t, err, "after Stop: not recorded")

	qs := rec.Queries()
	var lines []string
	for _, q := range qs {
		lines = append(lines, q.String())
	}
	assert.Equal(t, []string{
		"members find {email: $eq}: email_1 (1 key)",
		"members find {age: $gt}: collection scan",
		"members find {team: $eq} sort {age: -1}: team_1 (1 key), sort in memory",
		"members count {team: $eq}: team_1 (1 key)",
		"members update {age: $eq}: collection scan",
	}, lines)
	assert.Equal(t, 3, qs[0].Count)

	var unserved []string
	for _, q := range rec.Unserved() {
		unserved = append(unserved, q.String())
	}
	assert.Equal(t, []string{lines[1], lines[2], lines[4]}, unserved)

	f := &fakeT{}
	assert.False(t, rec.Check(f, true))
	assert.Len(t, f.errors, 3)
	f = &fakeT{}
	rec.Check(f, false)
	assert.Empty(t, f.errors)
	assert.Len(t, f.logs, 3)

	var b strings.Builder
	require.NoError(t, rec.WriteReport(&b))
	assert.Contains(t, b.String(), "! members find {age: $gt}: collection scan (1×)")
	assert.Contains(t, b.String(), "5 query shapes, 3 not served by an index")
}
