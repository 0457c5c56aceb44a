package odm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// ranked has sort keys that can be null: a pointer, and a field with
// omitempty whose zero value is stored as missing.
type ranked struct {
	ID      bson.ObjectID `bson:"_id,omitempty"`
	Name    string        `bson:"name"`
	Rank    *int          `bson:"rank"`
	Score   int           `bson:"score,omitempty"`
	Created time.Time     `bson:"created_at"`
	Tags    []string      `bson:"tags"`
	Extra   any           `bson:"extra"`
}

func rankedFixture(t *testing.T) *odm.Collection[ranked] {
	t.Helper()
	c, _ := testrig.MonitoredClient(t)
	coll := odm.MustCollection[ranked](testrig.Database(t, c))
	docs := make([]ranked, 10)
	for i := range docs {
		docs[i] = ranked{Name: fmt.Sprintf("n%d", i), Created: time.Unix(int64(1000+i%3), 0).UTC(), Score: i % 4}
		if i%5 != 1 && i%5 != 3 { // 4 of 10 are null
			r := i % 3
			docs[i].Rank = &r
		}
	}
	_, err := coll.InsertMany(context.Background(), docs)
	require.NoError(t, err)
	return coll
}

// pageThrough reads q page by page with After, n at a time.
func pageThrough(t *testing.T, q odm.Query[ranked], n int64) []ranked {
	t.Helper()
	ctx := context.Background()
	var out []ranked
	page, err := q.After(nil).Limit(n).All(ctx)
	require.NoError(t, err)
	for len(page) > 0 {
		out = append(out, page...)
		require.LessOrEqual(t, len(out), 100, "the pages do not end")
		page, err = q.After(&page[len(page)-1]).Limit(n).All(ctx)
		require.NoError(t, err)
	}
	return out
}

func names(rs []ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// Keyset pages over a key that can be null hold every document exactly
// once, in the server's own order, ascending and descending.
func TestKeysetOverNullableKeys(t *testing.T) {
	ctx := context.Background()
	coll := rankedFixture(t)
	for _, sort := range []bson.D{
		{{Key: "rank", Value: 1}},
		{{Key: "rank", Value: -1}},
		{{Key: "score", Value: 1}},
		{{Key: "score", Value: -1}},
		{{Key: "rank", Value: -1}, {Key: "score", Value: 1}},
		{{Key: "score", Value: 1}, {Key: "rank", Value: -1}, {Key: "_id", Value: -1}},
		{{Key: "created_at", Value: -1}, {Key: "rank", Value: 1}},
	} {
		t.Run(fmt.Sprint(sort), func(t *testing.T) {
			total := append(append(bson.D(nil), sort...), bson.E{Key: "_id", Value: 1})
			if sort[len(sort)-1].Key == "_id" {
				total = sort
			}
			whole, err := coll.Query(nil).Sort(total).All(ctx)
			require.NoError(t, err)
			require.Len(t, whole, 10)
			for _, n := range []int64{1, 3, 4} {
				assert.Equal(t, names(whole), names(pageThrough(t, coll.Query(nil).Sort(sort), n)), "pages of %d", n)
			}
		})
	}
}

// What keyset pages cannot continue correctly is refused before any
// command, naming the key and why.
func TestKeysetRefuses(t *testing.T) {
	ctx := context.Background()
	coll := rankedFixture(t)
	last := &ranked{ID: bson.NewObjectID()}
	for _, tc := range []struct {
		name string
		q    odm.Query[ranked]
		want string
	}{
		{"a map sort of two keys", coll.Query(nil).Sort(bson.M{"name": 1, "rank": -1}), "the sort is a bson.M of 2 keys, whose order Go does not keep"},
		{"an array key", coll.Query(nil).Sort(bson.D{{Key: "tags", Value: 1}}), "the sort key tags holds an array"},
		{"an interface key", coll.Query(nil).Sort(bson.D{{Key: "extra", Value: 1}}), "the sort key extra has the Go type interface {}"},
		{"$natural", coll.Query(nil).Sort(bson.D{{Key: "$natural", Value: 1}}), "the sort key $natural orders by no field"},
		{"$meta", coll.Query(nil).Sort(bson.D{{Key: "score", Value: bson.D{{Key: "$meta", Value: "textScore"}}}}), `the sort key score is {"$meta":"textScore"}, not 1 or -1`},
		{"a key twice", coll.Query(nil).Sort(bson.D{{Key: "name", Value: 1}, {Key: "name", Value: -1}}), "names name twice"},
		{"a field the model lacks", coll.Query(nil).Sort(bson.D{{Key: "nmae", Value: 1}}), "the sort key nmae is no field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.q.After(last).All(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = tc.q.After(nil).All(ctx)
			require.Error(t, err, "the first page is refused too")
		})
	}
}

// A projection that leaves out a sort key is refused: the pages would
// never end, each starting again from a zero value.
func TestKeysetProjectionKeepsTheSortKeys(t *testing.T) {
	ctx := context.Background()
	coll := rankedFixture(t)
	byCreated := coll.Query(nil).Sort(bson.D{{Key: "created_at", Value: 1}})
	for _, proj := range []bson.D{
		{{Key: "name", Value: 1}},
		{{Key: "created_at", Value: 0}},
		{{Key: "name", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 0}},
	} {
		_, err := byCreated.Project(proj).After(nil).Limit(3).All(ctx)
		assert.ErrorContains(t, err, "the projection leaves out the sort key", "projection %v", proj)
	}
	kept, err := byCreated.Project(bson.D{{Key: "name", Value: 1}, {Key: "created_at", Value: 1}}).After(nil).Limit(3).All(ctx)
	require.NoError(t, err)
	require.Len(t, kept, 3)
	next, err := byCreated.Project(bson.D{{Key: "name", Value: 1}, {Key: "created_at", Value: 1}}).After(&kept[2]).Limit(3).All(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, names(kept), names(next), "the second page is not the first again")
	_, err = byCreated.Project(bson.D{{Key: "tags", Value: 0}}).After(nil).All(ctx)
	assert.NoError(t, err, "an exclusion that keeps the sort keys")
}

// Page.Total is what the filter matches, whatever the keyset boundary;
// HasMore says whether a document follows the page.
func TestKeysetPageTotal(t *testing.T) {
	ctx := context.Background()
	coll := rankedFixture(t)
	q := coll.Query(bson.D{{Key: "rank", Value: bson.D{{Key: "$ne", Value: nil}}}}).Sort(bson.D{{Key: "rank", Value: 1}})
	first, err := q.After(nil).Limit(4).Page(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(6), first.Total)
	assert.Len(t, first.Items, 4)
	assert.True(t, first.HasMore())
	second, err := q.After(&first.Items[3]).Limit(4).Page(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(6), second.Total, "the total does not shrink after a boundary")
	assert.Len(t, second.Items, 2)
	assert.False(t, second.HasMore())
	left, err := q.After(&first.Items[3]).Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), left, "Count counts what is left after the boundary")
	exact, err := q.After(nil).Limit(6).Page(ctx)
	require.NoError(t, err)
	assert.False(t, exact.HasMore(), "a page that ends exactly at the last document")
}

// A typed sort of no orders is no sort, and Sort after After is an
// error rather than pages of another order.
func TestQueryEmptyTypedSortAndSortAfterAfter(t *testing.T) {
	ctx := context.Background()
	coll := rankedFixture(t)
	all, err := coll.Query(nil).Sort(query.SortBy[ranked]()).All(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 10)
	all, err = coll.Query(nil).Sort(query.Sort[ranked]{}).All(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 10)
	paged := pageThrough(t, coll.Query(nil).Sort(query.SortBy[ranked]()), 4)
	assert.Len(t, paged, 10)
	_, err = coll.Query(nil).After(nil).Sort(bson.D{{Key: "name", Value: 1}}).All(ctx)
	assert.ErrorContains(t, err, "Sort after After")
}
