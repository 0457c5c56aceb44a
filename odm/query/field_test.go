package query_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/odm/query"
)

var (
	orderStatus  = query.F(func(o *testmodels.RefOrder) *string { return &o.Status })
	orderTotal   = query.F(func(o *testmodels.RefOrder) *float64 { return &o.Total })
	orderLines   = query.F(func(o *testmodels.RefOrder) *[]testmodels.RefLine { return &o.Lines })
	orderTags    = query.F(func(o *testmodels.RefOrder) *[]string { return &o.Tags })
	orderShip    = query.F(func(o *testmodels.RefOrder) **testmodels.RefAddress { return &o.Ship })
	orderCity    = query.F(func(o *testmodels.RefOrder) *string { return &o.Ship.City })
	orderBill    = query.F(func(o *testmodels.RefOrder) *testmodels.RefAddress { return &o.Bill })
	orderBillCty = query.F(func(o *testmodels.RefOrder) *string { return &o.Bill.City })
	orderCreated = query.F(func(o *testmodels.RefOrder) *time.Time { return &o.CreatedAt })
	lineSKU      = query.F(func(l *testmodels.RefLine) *string { return &l.SKU })
	lineQty      = query.F(func(l *testmodels.RefLine) *int { return &l.Qty })
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

	secret := query.F(func(o *testmodels.RefOrder) *string { return &o.Secret })
	assert.ErrorContains(t, secret.Err(), "no stored field of type string")
	elem := query.F(func(o *testmodels.RefOrder) *string { return &o.Lines[0].SKU })
	assert.ErrorContains(t, elem.Err(), "the selector panicked on a scratch value")
	outside := query.F(func(o *testmodels.RefOrder) *string { s := ""; return &s })
	assert.ErrorContains(t, outside.Err(), "the address of no stored field")
	none := query.F[testmodels.RefOrder, string](nil)
	assert.ErrorContains(t, none.Err(), "the selector is nil")
	nilp := query.F(func(o *testmodels.RefOrder) *string { return nil })
	assert.ErrorContains(t, nilp.Err(), "returned nil")
	notStruct := query.F(func(s *string) *string { return s })
	assert.ErrorContains(t, notStruct.Err(), "needs a struct model type")
}

func TestFieldBuilders(t *testing.T) {
	doc := func(v interface{ Document() (bson.D, error) }) bson.D {
		d, err := v.Document()
		require.NoError(t, err)
		return d
	}
	assert.Equal(t, bson.D{{Key: "status", Value: "open"}}, doc(query.Eq(orderStatus, "open")))
	assert.Equal(t, bson.D{{Key: "total", Value: bson.D{{Key: "$gte", Value: 10.0}}}}, doc(query.Gte(orderTotal, 10)))
	assert.Equal(t, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}}, doc(query.OneOf(orderStatus, "a", "b")))
	assert.Equal(t, bson.D{{Key: "ship.city", Value: bson.D{{Key: "$exists", Value: true}}}}, doc(query.Exists(orderCity, true)))
	assert.Equal(t, bson.D{{Key: "tags", Value: "x"}}, doc(query.Contains(orderTags, "x")))
	assert.Equal(t, bson.D{{Key: "lines", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: "k"}, {Key: "qty", Value: bson.D{{Key: "$gt", Value: 2}}}}}}}},
		doc(query.ElemMatch(orderLines, query.Eq(lineSKU, "k"), query.Gt(lineQty, 2))))
	assert.Equal(t, bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "status", Value: "a"}}, bson.D{{Key: "total", Value: bson.D{{Key: "$lt", Value: 1.0}}}}}}},
		doc(query.Or(query.Eq(orderStatus, "a"), query.Lt(orderTotal, 1))))
	assert.Equal(t, bson.D{}, doc(query.And[testmodels.RefOrder]()))
	_, err := query.Or[testmodels.RefOrder]().Document()
	assert.ErrorContains(t, err, "$or of testmodels.RefOrder needs at least one condition")

	assert.Equal(t, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: "paid"}, {Key: "bill.city", Value: "Oslo"}}},
		{Key: "$inc", Value: bson.D{{Key: "total", Value: 2.5}}},
		{Key: "$push", Value: bson.D{{Key: "tags", Value: "paid"}}},
	}, doc(query.Updates(query.Set(orderStatus, "paid"), query.Inc(orderTotal, 2.5), query.Set(orderBillCty, "Oslo"), query.Push(orderTags, "paid"))))
	assert.Equal(t, bson.D{{Key: "created_at", Value: -1}, {Key: "status", Value: 1}}, doc(query.SortBy(query.ByDesc(orderCreated), query.By(orderStatus))))

	secret := query.F(func(o *testmodels.RefOrder) *string { return &o.Secret })
	_, err = query.And(query.Eq(orderStatus, "a"), query.Eq(secret, "x")).Document()
	assert.Error(t, err, "a bad reference spoils what is built from it")
	_, err = query.Updates(query.Set(secret, "x")).Document()
	assert.Error(t, err)
	_, err = query.SortBy(query.By(secret)).Document()
	assert.Error(t, err)
	_, err = query.Updates[testmodels.RefOrder]().Document()
	assert.ErrorContains(t, err, "no operation")
}
