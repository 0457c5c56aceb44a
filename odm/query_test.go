package odm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// memberCard is a projection of member: two of its fields.
type memberCard struct {
	Email string `bson:"email"`
	Age   int    `bson:"age"`
}

// memberTypo names a field member does not have.
type memberTypo struct {
	Email string `bson:"email"`
	Teem  string `bson:"teem"`
}

func membersFixture(t *testing.T, n int) (*odm.Collection[member], *testrig.Recorder) {
	t.Helper()
	c, rec := testrig.MonitoredClient(t)
	members := odm.MustCollection[member](testrig.Database(t, c))
	docs := make([]member, n)
	for i := range docs {
		docs[i] = member{Email: fmt.Sprintf("m%02d@x", i), Team: fmt.Sprintf("t%d", i%3), Age: i}
	}
	_, err := members.InsertMany(context.Background(), docs)
	require.NoError(t, err)
	rec.Reset()
	return members, rec
}

func TestQueryValue(t *testing.T) {
	ctx := context.Background()
	members, rec := membersFixture(t, 10)
	team0 := members.Query(bson.D{{Key: "team", Value: "t0"}}) // ages 0, 3, 6, 9
	byAge := team0.Sort(bson.D{{Key: "age", Value: -1}})

	all, err := byAge.All(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{9, 6, 3, 0}, ages(all))

	page, err := byAge.Skip(1).Limit(2).All(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{6, 3}, ages(page))

	again, err := byAge.All(ctx)
	require.NoError(t, err)
	assert.Len(t, again, 4, "refining a query leaves it as it was")

	first, err := byAge.First(ctx)
	require.NoError(t, err)
	require.NotNil(t, first)
	assert.Equal(t, 9, first.Age)

	none, err := members.Query(bson.D{{Key: "team", Value: "nobody"}}).First(ctx)
	require.NoError(t, err, "nothing found is not an error")
	assert.Nil(t, none)

	n, err := team0.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
	n, err = team0.Skip(1).Limit(2).Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "skip and limit apply to Count")

	ok, err := team0.Exists(ctx)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = members.Query(bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: 100}}}}).Exists(ctx)
	require.NoError(t, err)
	assert.False(t, ok)

	p, err := byAge.Skip(2).Limit(2).Page(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 0}, ages(p.Items))
	assert.Equal(t, int64(4), p.Total)
	assert.False(t, p.HasMore())
	p, err = byAge.Limit(3).Page(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(4), p.Total)
	assert.True(t, p.HasMore())

	everyone, err := members.Query(nil).Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(10), everyone, "a nil filter is every document")

	only, err := byAge.Project(bson.D{{Key: "age", Value: 1}}).First(ctx)
	require.NoError(t, err)
	assert.Equal(t, member{ID: only.ID, Age: 9}, *only, "the other fields are not read")

	rec.Reset()
	_, err = byAge.Sort(bson.D{{Key: "aeg", Value: 1}}).All(ctx)
	assert.ErrorContains(t, err, "odm: find on members: sort: aeg: no such field in odm_test.member; did you mean age?")
	_, err = members.Query(bson.D{{Key: "teams", Value: 1}}).Count(ctx)
	assert.ErrorContains(t, err, "odm: count on members: filter: teams: no such field in odm_test.member; did you mean team?")
	_, err = team0.Skip(-1).All(ctx)
	assert.ErrorContains(t, err, "cannot be negative")
	var zero odm.Query[member]
	_, err = zero.All(ctx)
	assert.ErrorContains(t, err, "Query[odm_test.member] is the zero value, with no repository: start it with Collection.Query")
	assert.Empty(t, rec.Commands(), "refused queries send nothing")
}

func TestQueryProjectionType(t *testing.T) {
	ctx := context.Background()
	members, rec := membersFixture(t, 6)
	q := members.Query(bson.D{{Key: "team", Value: "t1"}}).Sort(bson.D{{Key: "age", Value: 1}})

	cards, err := odm.Project[memberCard](q).All(ctx)
	require.NoError(t, err)
	assert.Equal(t, []memberCard{{Email: "m01@x", Age: 1}, {Email: "m04@x", Age: 4}}, cards)
	finds := rec.Commands("find")
	require.NotEmpty(t, finds)
	proj, err := finds[len(finds)-1].Body.LookupErr("projection")
	require.NoError(t, err, "only R's fields are asked for")
	assert.Equal(t, `{"email": {"$numberInt":"1"},"age": {"$numberInt":"1"},"_id": {"$numberInt":"0"}}`, proj.String())

	card, err := odm.Project[memberCard](q.Skip(1)).First(ctx)
	require.NoError(t, err)
	assert.Equal(t, &memberCard{Email: "m04@x", Age: 4}, card)
	none, err := odm.Project[memberCard](members.Query(bson.D{{Key: "team", Value: "x"}})).First(ctx)
	require.NoError(t, err)
	assert.Nil(t, none)

	page, err := odm.Project[memberCard](q.Limit(1)).Page(ctx)
	require.NoError(t, err)
	assert.Equal(t, []memberCard{{Email: "m01@x", Age: 1}}, page.Items)
	assert.Equal(t, int64(2), page.Total)

	rec.Reset()
	_, err = odm.Project[memberTypo](q).All(ctx)
	var pe *query.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "projection type", pe.Part)
	assert.Equal(t, "teem", pe.Path)
	assert.Equal(t, "team", pe.Nearest)
	assert.Contains(t, err.Error(), "field Teem of odm_test.memberTypo")
	_, err = odm.Project[struct{}](q).All(ctx)
	assert.ErrorContains(t, err, "has no stored field")
	assert.Empty(t, rec.Commands(), "a projection type T lacks sends nothing")
}

func ages(ms []member) []int {
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.Age
	}
	return out
}

// TestQueryAfter: keyset pages, each after the last document of the page
// before, give every document once, in the order of one sorted read,
// whatever the ties in the sort key.
func TestQueryAfter(t *testing.T) {
	ctx := context.Background()
	members, _ := membersFixture(t, 10)
	for _, sort := range []bson.D{
		{{Key: "team", Value: 1}},
		{{Key: "team", Value: -1}, {Key: "age", Value: 1}},
		{{Key: "age", Value: -1}},
	} {
		q := members.Query(bson.D{{Key: "age", Value: bson.D{{Key: "$gte", Value: 1}}}}).Sort(sort)
		whole, err := q.Sort(append(append(bson.D(nil), sort...), bson.E{Key: "_id", Value: 1})).All(ctx)
		require.NoError(t, err)
		require.Len(t, whole, 9)
		var paged []member
		page, err := q.After(nil).Limit(4).All(ctx)
		require.NoError(t, err)
		for len(page) > 0 {
			paged = append(paged, page...)
			page, err = q.After(&page[len(page)-1]).Limit(4).All(ctx)
			require.NoError(t, err)
		}
		assert.Equal(t, whole, paged, "sort %v", sort)
	}

	_, err := members.Query(nil).Sort(bson.D{{Key: "team", Value: "up"}}).After(&member{}).All(ctx)
	assert.ErrorContains(t, err, "odm: a query of odm_test.member after a document: the sort key team is up, not 1 or -1")
	_, err = members.Query(nil).Sort(bson.D{{Key: "teem", Value: 1}}).After(&member{}).All(ctx)
	assert.ErrorContains(t, err, "the sort key teem is no field of odm_test.member")
}
