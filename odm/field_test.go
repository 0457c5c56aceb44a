package odm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

var (
	orderStatus = query.F(func(o *testmodels.RefOrder) *string { return &o.Status })
	orderTotal  = query.F(func(o *testmodels.RefOrder) *float64 { return &o.Total })
	orderLines  = query.F(func(o *testmodels.RefOrder) *[]testmodels.RefLine { return &o.Lines })
	orderTags   = query.F(func(o *testmodels.RefOrder) *[]string { return &o.Tags })
	lineSKU     = query.F(func(l *testmodels.RefLine) *string { return &l.SKU })
	lineQty     = query.F(func(l *testmodels.RefLine) *int { return &l.Qty })
)

// TestFieldsThroughRepositories: typed filters, updates and sorts go
// where bson.D goes; a bad reference is refused before any command.
func TestFieldsThroughRepositories(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	orders := odm.MustCollection[testmodels.RefOrder](testrig.Database(t, c))
	_, err := orders.InsertMany(ctx, []testmodels.RefOrder{
		{Status: "open", Total: 5, Tags: []string{"a"}, Lines: []testmodels.RefLine{{SKU: "k", Qty: 3}}},
		{Status: "open", Total: 9, Tags: []string{"b"}},
		{Status: "paid", Total: 1},
	})
	require.NoError(t, err)

	open, err := orders.Query(query.Eq(orderStatus, "open")).Sort(query.SortBy(query.ByDesc(orderTotal))).All(ctx)
	require.NoError(t, err)
	require.Len(t, open, 2)
	assert.Equal(t, 9.0, open[0].Total)

	t.Run("ElemMatch", func(t *testing.T) {
		if testrig.IsFerretDB() {
			t.Skip("FerretDB v1 matches no document by $elemMatch on the fields of array elements, so the typed $elemMatch cannot be shown on " + testrig.Server())
		}
		n, err := orders.CountDocuments(ctx, query.ElemMatch(orderLines, query.Eq(lineSKU, "k"), query.Gte(lineQty, 3)))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		n, err = orders.CountDocuments(ctx, query.ElemMatch(orderLines, query.Eq(lineSKU, "k"), query.Gte(lineQty, 4)))
		require.NoError(t, err)
		assert.Equal(t, int64(0), n)
	})
	res, err := orders.UpdateMany(ctx, query.And(query.Contains(orderTags, "a"), query.Gte(orderTotal, 5)),
		query.Updates(query.Set(orderStatus, "picked"), query.Inc(orderTotal, 1), query.AddToSet(orderTags, "picked")))
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.ModifiedCount)
	n, err := orders.CountDocuments(ctx, query.And(query.Eq(orderStatus, "picked"), query.Contains(orderTags, "picked"), query.Eq(orderTotal, 6)))
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)

	rec.Reset()
	secret := query.F(func(o *testmodels.RefOrder) *string { return &o.Secret })
	_, err = orders.Find(ctx, query.Eq(secret, "x"))
	assert.ErrorContains(t, err, "odm: find on ref_order: filter: a field reference of testmodels.RefOrder")
	_, err = orders.Query(nil).Sort(query.SortBy(query.By(secret))).All(ctx)
	assert.Error(t, err)
	_, err = orders.UpdateMany(ctx, query.Eq(orderStatus, "open"), query.Set(secret, "x"))
	assert.Error(t, err)
	assert.Empty(t, rec.Commands(), "nothing reaches the server")
}
