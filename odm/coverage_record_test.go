package odm_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
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

	rec := query.RecordQueries()
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

// recorded lists the shapes a recorder holds, one line each.
func recorded(rec *query.Recorder) []string {
	var out []string
	for _, q := range rec.Queries() {
		out = append(out, q.String())
	}
	return out
}

// TestQueryRecordersNest: every running recorder records every query,
// and a stopped one none, whichever of two stops first.
func TestQueryRecordersNest(t *testing.T) {
	ctx := context.Background()
	members := odm.MustCollection[member](testrig.Database(t, nil))
	find := func(key string) {
		t.Helper()
		_, err := members.Find(ctx, bson.D{{Key: key, Value: "x"}})
		require.NoError(t, err)
	}
	const byEmail, byTeam, byAge = "members find {email: $eq}: email_1 (1 key)", "members find {team: $eq}: team_1 (1 key)", "members find {age: $eq}: collection scan"

	t.Run("stopped out of order", func(t *testing.T) {
		a := query.RecordQueries()
		b := query.RecordQueries()
		find("email")
		a.Stop()
		find("team")
		b.Stop()
		find("age")
		assert.Equal(t, []string{byEmail}, recorded(a), "a stopped first records nothing more")
		assert.Equal(t, []string{byEmail, byTeam}, recorded(b), "b records on after a stops, then nothing")
	})
	t.Run("nested", func(t *testing.T) {
		a := query.RecordQueries()
		find("email")
		b := query.RecordQueries()
		find("team")
		b.Stop()
		find("age")
		a.Stop()
		find("email")
		assert.Equal(t, []string{byEmail, byTeam, byAge}, recorded(a), "the outer one sees the inner one's queries too")
		assert.Equal(t, []string{byTeam}, recorded(b))
	})
	t.Run("stopped twice", func(t *testing.T) {
		a := query.RecordQueries()
		b := query.RecordQueries()
		b.Stop()
		b.Stop()
		find("team")
		a.Stop()
		assert.Equal(t, []string{byTeam}, recorded(a))
		assert.Empty(t, recorded(b))
	})
}

// TestQueryRecordersConcurrent starts and stops recorders from several
// goroutines while they run queries (run with -race), each on a
// collection of its own: each recorder holds the query its goroutine ran
// while it recorded, and not the one run after its Stop.
func TestQueryRecordersConcurrent(t *testing.T) {
	ctx := context.Background()
	db := testrig.Database(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 4 {
				coll := odm.MustCollectionIn[member](db, fmt.Sprintf("members_%d_%d", g, i))
				rec := query.RecordQueries()
				if _, err := coll.Find(ctx, bson.D{{Key: "email", Value: "x"}}); err != nil {
					errs <- err
				}
				rec.Stop()
				if _, err := coll.Find(ctx, bson.D{{Key: "team", Value: "x"}}); err != nil {
					errs <- err
				}
				var during, after bool
				for _, q := range rec.Queries() {
					if q.Collection == coll.Name() {
						during = during || q.Shape.Conditions[0].Path == "email"
						after = after || q.Shape.Conditions[0].Path == "team"
					}
				}
				if !during || after {
					errs <- fmt.Errorf("recorder of %s: holds its query: %v, the one after Stop: %v", coll.Name(), during, after)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
