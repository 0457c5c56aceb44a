package odm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
)

type refLine struct {
	SKU string `bson:"sku"`
	Qty int    `bson:"qty"`
}

type refAddress struct {
	City string `bson:"city"`
	Zip  string `bson:"zip"`
}

type RefAudit struct {
	CreatedAt time.Time `bson:"created_at"`
}

type refOrder struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	Status   string        `bson:"status"`
	Total    float64       `bson:"total"`
	Lines    []refLine     `bson:"lines"`
	Tags     []string      `bson:"tags"`
	Ship     *refAddress   `bson:"ship"`
	Bill     refAddress    `bson:"bill"`
	Secret   string        `bson:"-"`
	RefAudit `bson:",inline"`
}

var (
	orderStatus  = odm.F(func(o *refOrder) *string { return &o.Status })
	orderTotal   = odm.F(func(o *refOrder) *float64 { return &o.Total })
	orderLines   = odm.F(func(o *refOrder) *[]refLine { return &o.Lines })
	orderTags    = odm.F(func(o *refOrder) *[]string { return &o.Tags })
	orderShip    = odm.F(func(o *refOrder) **refAddress { return &o.Ship })
	orderCity    = odm.F(func(o *refOrder) *string { return &o.Ship.City })
	orderBill    = odm.F(func(o *refOrder) *refAddress { return &o.Bill })
	orderBillCty = odm.F(func(o *refOrder) *string { return &o.Bill.City })
	orderCreated = odm.F(func(o *refOrder) *time.Time { return &o.CreatedAt })
	lineSKU      = odm.F(func(l *refLine) *string { return &l.SKU })
	lineQty      = odm.F(func(l *refLine) *int { return &l.Qty })
)

func TestFieldPaths(t *testing.T) {
	for want, f := range map[string]interface {
		Path() string
		Err() error
	}{
		"status": orderStatus, "total": orderTotal, "lines": orderLines, "tags": orderTags,
		"ship": orderShip, "ship.city": orderCity, "bill": orderBill, "bill.city": orderBillCty,
		"created_at": orderCreated, "sku": lineSKU, "qty": lineQty,
	} {
		require.NoError(t, f.Err(), want)
		assert.Equal(t, want, f.Path())
	}

	secret := odm.F(func(o *refOrder) *string { return &o.Secret })
	assert.ErrorContains(t, secret.Err(), "no stored field of type string")
	elem := odm.F(func(o *refOrder) *string { return &o.Lines[0].SKU })
	assert.ErrorContains(t, elem.Err(), "the selector panicked on a scratch value")
	outside := odm.F(func(o *refOrder) *string { s := ""; return &s })
	assert.ErrorContains(t, outside.Err(), "the address of no stored field")
	none := odm.F[refOrder, string](nil)
	assert.ErrorContains(t, none.Err(), "the selector is nil")
	nilp := odm.F(func(o *refOrder) *string { return nil })
	assert.ErrorContains(t, nilp.Err(), "returned nil")
	notStruct := odm.F(func(s *string) *string { return s })
	assert.ErrorContains(t, notStruct.Err(), "needs a struct model type")
}

func TestFieldBuilders(t *testing.T) {
	doc := func(v interface{ Document() (bson.D, error) }) bson.D {
		d, err := v.Document()
		require.NoError(t, err)
		return d
	}
	assert.Equal(t, bson.D{{Key: "status", Value: "open"}}, doc(odm.Eq(orderStatus, "open")))
	assert.Equal(t, bson.D{{Key: "total", Value: bson.D{{Key: "$gte", Value: 10.0}}}}, doc(odm.Gte(orderTotal, 10)))
	assert.Equal(t, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}}, doc(odm.OneOf(orderStatus, "a", "b")))
	assert.Equal(t, bson.D{{Key: "ship.city", Value: bson.D{{Key: "$exists", Value: true}}}}, doc(odm.Exists(orderCity, true)))
	assert.Equal(t, bson.D{{Key: "tags", Value: "x"}}, doc(odm.Contains(orderTags, "x")))
	assert.Equal(t, bson.D{{Key: "lines", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: "k"}, {Key: "qty", Value: bson.D{{Key: "$gt", Value: 2}}}}}}}},
		doc(odm.ElemMatch(orderLines, odm.Eq(lineSKU, "k"), odm.Gt(lineQty, 2))))
	assert.Equal(t, bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "status", Value: "a"}}, bson.D{{Key: "total", Value: bson.D{{Key: "$lt", Value: 1.0}}}}}}},
		doc(odm.Or(odm.Eq(orderStatus, "a"), odm.Lt(orderTotal, 1))))
	assert.Equal(t, bson.D{}, doc(odm.And[refOrder]()))
	_, err := odm.Or[refOrder]().Document()
	assert.ErrorContains(t, err, "$or of odm_test.refOrder needs at least one condition")

	assert.Equal(t, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: "paid"}, {Key: "bill.city", Value: "Oslo"}}},
		{Key: "$inc", Value: bson.D{{Key: "total", Value: 2.5}}},
		{Key: "$push", Value: bson.D{{Key: "tags", Value: "paid"}}},
	}, doc(odm.Updates(odm.Set(orderStatus, "paid"), odm.Inc(orderTotal, 2.5), odm.Set(orderBillCty, "Oslo"), odm.Push(orderTags, "paid"))))
	assert.Equal(t, bson.D{{Key: "created_at", Value: -1}, {Key: "status", Value: 1}}, doc(odm.SortBy(odm.ByDesc(orderCreated), odm.By(orderStatus))))

	secret := odm.F(func(o *refOrder) *string { return &o.Secret })
	_, err = odm.And(odm.Eq(orderStatus, "a"), odm.Eq(secret, "x")).Document()
	assert.Error(t, err, "a bad reference spoils what is built from it")
	_, err = odm.Updates(odm.Set(secret, "x")).Document()
	assert.Error(t, err)
	_, err = odm.SortBy(odm.By(secret)).Document()
	assert.Error(t, err)
	_, err = odm.Updates[refOrder]().Document()
	assert.ErrorContains(t, err, "no operation")
}

// TestFieldsThroughRepositories: typed filters, updates and sorts go
// where bson.D goes; a bad reference is refused before any command.
func TestFieldsThroughRepositories(t *testing.T) {
	ctx := context.Background()
	c, rec := testrig.MonitoredClient(t)
	orders := odm.MustCollection[refOrder](testrig.Database(t, c))
	_, err := orders.InsertMany(ctx, []refOrder{
		{Status: "open", Total: 5, Tags: []string{"a"}, Lines: []refLine{{SKU: "k", Qty: 3}}},
		{Status: "open", Total: 9, Tags: []string{"b"}},
		{Status: "paid", Total: 1},
	})
	require.NoError(t, err)

	open, err := orders.Query(odm.Eq(orderStatus, "open")).Sort(odm.SortBy(odm.ByDesc(orderTotal))).All(ctx)
	require.NoError(t, err)
	require.Len(t, open, 2)
	assert.Equal(t, 9.0, open[0].Total)

	t.Run("ElemMatch", func(t *testing.T) {
		if testrig.IsFerretDB() {
			t.Skip("FerretDB v1 matches no document by $elemMatch on the fields of array elements, so the typed $elemMatch cannot be shown on " + testrig.Server())
		}
		n, err := orders.CountDocuments(ctx, odm.ElemMatch(orderLines, odm.Eq(lineSKU, "k"), odm.Gte(lineQty, 3)))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		n, err = orders.CountDocuments(ctx, odm.ElemMatch(orderLines, odm.Eq(lineSKU, "k"), odm.Gte(lineQty, 4)))
		require.NoError(t, err)
		assert.Equal(t, int64(0), n)
	})
	res, err := orders.UpdateMany(ctx, odm.And(odm.Contains(orderTags, "a"), odm.Gte(orderTotal, 5)),
		odm.Updates(odm.Set(orderStatus, "picked"), odm.Inc(orderTotal, 1), odm.AddToSet(orderTags, "picked")))
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.ModifiedCount)
	n, err := orders.CountDocuments(ctx, odm.And(odm.Eq(orderStatus, "picked"), odm.Contains(orderTags, "picked"), odm.Eq(orderTotal, 6)))
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)

	rec.Reset()
	secret := odm.F(func(o *refOrder) *string { return &o.Secret })
	_, err = orders.Find(ctx, odm.Eq(secret, "x"))
	assert.ErrorContains(t, err, "odm: find on ref_order: filter: odm: a field reference of odm_test.refOrder")
	_, err = orders.Query(nil).Sort(odm.SortBy(odm.By(secret))).All(ctx)
	assert.Error(t, err)
	_, err = orders.UpdateMany(ctx, odm.Eq(orderStatus, "open"), odm.Set(secret, "x"))
	assert.Error(t, err)
	assert.Empty(t, rec.Commands(), "nothing reaches the server")
}
