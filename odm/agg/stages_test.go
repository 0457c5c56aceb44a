package agg_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/agg"
	"github.com/tagodm/tagodm/odm/query"
)

// order is a model with a field of each shape the stages treat apart.
type order struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	Customer string        `bson:"customer"`
	Status   string        `bson:"status"`
	Qty      int           `bson:"qty"`
	Price    float64       `bson:"price"`
	Tags     []string      `bson:"tags"`
	SKU      string        `bson:"sku"`
	Placed   time.Time     `bson:"placed"`
	Shipped  *time.Time    `bson:"shipped"`
	Address  struct {
		City string `bson:"city"`
	} `bson:"address"`
	secret string
}

// byCustomer is a $group's output over orders.
type byCustomer struct {
	Customer string    `bson:"_id"`
	Orders   int       `bson:"orders"`
	Qty      int       `bson:"qty"`
	AvgPrice float64   `bson:"avg_price"`
	First    time.Time `bson:"first"`
	Last     time.Time `bson:"last"`
	MinQty   int       `bson:"min_qty"`
	MaxQty   int       `bson:"max_qty"`
	SKUs     []string  `bson:"skus"`
	Statuses []string  `bson:"statuses"`
	Nested   struct {
		N int `bson:"n"`
	} `bson:"nested"`
}

// orderTag is an order with its tags unwound.
type orderTag struct {
	Customer string `bson:"customer"`
	Tags     string `bson:"tags"`
	Other    string `bson:"other"`
}

// item is the model of the collection an order looks up.
type item struct {
	SKU  string `bson:"sku"`
	Name string `bson:"name"`
}

// orderItems is an order with its items joined.
type orderItems struct {
	Customer string `bson:"customer"`
	Items    []item `bson:"items"`
}

// card is a $project's output.
type card struct {
	ID    string `bson:"_id"`
	Who   string `bson:"who"`
	City  string `bson:"city"`
	Total int    `bson:"total"`
	Day   string `bson:"day"`
	Took  int64  `bson:"took"`
}

// total is a $count's output.
type total struct {
	N     int `bson:"n"`
	Inner struct {
		N int `bson:"n"`
	} `bson:"inner"`
}

// facets is a $facet's output.
type facets struct {
	Top   []byCustomer `bson:"top"`
	Total []total      `bson:"total"`
	All   []order      `bson:"all"`
}

// key is a compound $group key.
type key struct {
	Customer string `bson:"customer"`
	Status   string `bson:"status"`
}

var (
	oID       = query.F(func(o *order) *bson.ObjectID { return &o.ID })
	oCustomer = query.F(func(o *order) *string { return &o.Customer })
	oStatus   = query.F(func(o *order) *string { return &o.Status })
	oQty      = query.F(func(o *order) *int { return &o.Qty })
	oPrice    = query.F(func(o *order) *float64 { return &o.Price })
	oTags     = query.F(func(o *order) *[]string { return &o.Tags })
	oSKU      = query.F(func(o *order) *string { return &o.SKU })
	oPlaced   = query.F(func(o *order) *time.Time { return &o.Placed })
	oShipped  = query.F(func(o *order) **time.Time { return &o.Shipped })
	oCity     = query.F(func(o *order) *string { return &o.Address.City })
	// oSecret is a reference to a field the codec does not store.
	oSecret = query.F(func(o *order) *string { return &o.secret })

	bcOrders   = query.F(func(b *byCustomer) *int { return &b.Orders })
	bcQty      = query.F(func(b *byCustomer) *int { return &b.Qty })
	bcAvgPrice = query.F(func(b *byCustomer) *float64 { return &b.AvgPrice })
	bcFirst    = query.F(func(b *byCustomer) *time.Time { return &b.First })
	bcLast     = query.F(func(b *byCustomer) *time.Time { return &b.Last })
	bcMinQty   = query.F(func(b *byCustomer) *int { return &b.MinQty })
	bcMaxQty   = query.F(func(b *byCustomer) *int { return &b.MaxQty })
	bcSKUs     = query.F(func(b *byCustomer) *[]string { return &b.SKUs })
	bcStatuses = query.F(func(b *byCustomer) *[]string { return &b.Statuses })
	bcID       = query.F(func(b *byCustomer) *string { return &b.Customer })
	bcNested   = query.F(func(b *byCustomer) *int { return &b.Nested.N })

	otTags  = query.F(func(o *orderTag) *string { return &o.Tags })
	otOther = query.F(func(o *orderTag) *string { return &o.Other })

	itSKU   = query.F(func(i *item) *string { return &i.SKU })
	oiItems = query.F(func(o *orderItems) *[]item { return &o.Items })

	cardID    = query.F(func(c *card) *string { return &c.ID })
	cardWho   = query.F(func(c *card) *string { return &c.Who })
	cardCity  = query.F(func(c *card) *string { return &c.City })
	cardTotal = query.F(func(c *card) *int { return &c.Total })
	cardDay   = query.F(func(c *card) *string { return &c.Day })
	cardTook  = query.F(func(c *card) *int64 { return &c.Took })

	totN      = query.F(func(t *total) *int { return &t.N })
	totInnerN = query.F(func(t *total) *int { return &t.Inner.N })

	fTop   = query.F(func(f *facets) *[]byCustomer { return &f.Top })
	fTotal = query.F(func(f *facets) *[]total { return &f.Total })
	fAll   = query.F(func(f *facets) *[]order { return &f.All })

	kCustomer = query.F(func(k *key) *string { return &k.Customer })
	kStatus   = query.F(func(k *key) *string { return &k.Status })
)

func d(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }

// sameBSON compares documents by their encoding, so a []bson.D and a
// bson.A holding the same stages compare equal.
func sameBSON(t *testing.T, want, got any) {
	t.Helper()
	w, err := bson.MarshalExtJSON(d("v", want), true, false)
	require.NoError(t, err)
	g, err := bson.MarshalExtJSON(d("v", got), true, false)
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(g))
}

type staged interface{ Stages() ([]bson.D, error) }

// Each stage builder writes the stage document MongoDB's manual gives
// for it, written out by hand here.
func TestStagesAreTheManualsDocuments(t *testing.T) {
	orders := agg.New[order]()
	d1 := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  staged
		want bson.D
	}{
		{"match", orders.Match(query.And(query.Eq(oStatus, "open"), query.Gte(oPlaced, d1))),
			d("$match", bson.D{{Key: "$and", Value: bson.A{d("status", "open"), d("placed", d("$gte", d1))}}})},
		{"sort", orders.Sort(query.SortBy(query.ByDesc(oQty), query.By(oCustomer))),
			d("$sort", bson.D{{Key: "qty", Value: -1}, {Key: "customer", Value: 1}})},
		{"sort by orders", orders.SortBy(query.By(oCity)), d("$sort", d("address.city", 1))},
		{"limit", orders.Limit(5), d("$limit", int64(5))},
		{"skip", orders.Skip(10), d("$skip", int64(10))},
		{"raw", orders.Raw(d("$sample", d("size", 3))), d("$sample", d("size", 3))},
		{"group with every accumulator", agg.Group(orders, agg.Ref(oCustomer),
			agg.Count[order](bcOrders),
			agg.Sum(bcQty, agg.Ref(oQty)),
			agg.Avg(bcAvgPrice, agg.Ref(oPrice)),
			agg.First(bcFirst, agg.Ref(oPlaced)),
			agg.Last(bcLast, agg.Ref(oPlaced)),
			agg.Min(bcMinQty, agg.Ref(oQty)),
			agg.Max(bcMaxQty, agg.Ref(oQty)),
			agg.Push(bcSKUs, agg.Ref(oSKU)),
			agg.AddToSet(bcStatuses, agg.Ref(oStatus))),
			d("$group", bson.D{
				{Key: "_id", Value: "$customer"},
				{Key: "orders", Value: d("$sum", 1)},
				{Key: "qty", Value: d("$sum", "$qty")},
				{Key: "avg_price", Value: d("$avg", "$price")},
				{Key: "first", Value: d("$first", "$placed")},
				{Key: "last", Value: d("$last", "$placed")},
				{Key: "min_qty", Value: d("$min", "$qty")},
				{Key: "max_qty", Value: d("$max", "$qty")},
				{Key: "skus", Value: d("$push", "$sku")},
				{Key: "statuses", Value: d("$addToSet", "$status")},
			})},
		{"group all", agg.GroupAll(orders, agg.Sum(bcQty, agg.Ref(oQty))),
			d("$group", bson.D{{Key: "_id", Value: nil}, {Key: "qty", Value: d("$sum", "$qty")}})},
		{"group by a compound key", agg.Group(orders, agg.Doc(agg.Set(kCustomer, agg.Ref(oCustomer)), agg.Set(kStatus, agg.Ref(oStatus))), agg.Count[order](bcOrders)),
			d("$group", bson.D{{Key: "_id", Value: bson.D{{Key: "customer", Value: "$customer"}, {Key: "status", Value: "$status"}}}, {Key: "orders", Value: d("$sum", 1)}})},
		{"group by a constant", agg.Group(orders, agg.Lit[order]("$all"), agg.Count[order](bcOrders)),
			d("$group", bson.D{{Key: "_id", Value: d("$literal", "$all")}, {Key: "orders", Value: d("$sum", 1)}})},
		{"project", agg.Project(orders,
			agg.Set(cardWho, agg.Ref(oCustomer)),
			agg.Set(cardCity, agg.Ref(oCity)),
			agg.Set(cardTotal, agg.Op[int]("$multiply", agg.Ref(oQty), agg.Lit[order](2))),
			agg.Set(cardDay, agg.DateToString("%Y-%m-%d", agg.Ref(oPlaced)))),
			d("$project", bson.D{
				{Key: "_id", Value: 0},
				{Key: "who", Value: "$customer"},
				{Key: "city", Value: "$address.city"},
				{Key: "total", Value: d("$multiply", bson.A{"$qty", 2})},
				{Key: "day", Value: d("$dateToString", bson.D{{Key: "format", Value: "%Y-%m-%d"}, {Key: "date", Value: "$placed"}})},
			})},
		{"project keeping _id", agg.Project(orders, agg.Set(cardID, agg.Ref(oSKU))), d("$project", d("_id", "$sku"))},
		{"unwind", agg.Unwind(orders, oTags, otTags), d("$unwind", "$tags")},
		{"lookup", agg.Lookup(orders, "items", oSKU, itSKU, oiItems),
			d("$lookup", bson.D{{Key: "from", Value: "items"}, {Key: "localField", Value: "sku"}, {Key: "foreignField", Value: "sku"}, {Key: "as", Value: "items"}})},
		{"facet", agg.Facet(orders,
			agg.Into(fTop, agg.Group(agg.New[order](), agg.Ref(oCustomer), agg.Count[order](bcOrders)).SortBy(query.ByDesc(bcOrders)).Limit(3)),
			agg.Into(fTotal, agg.CountDocs(agg.New[order](), totN))),
			d("$facet", bson.D{
				{Key: "top", Value: bson.A{
					d("$group", bson.D{{Key: "_id", Value: "$customer"}, {Key: "orders", Value: d("$sum", 1)}}),
					d("$sort", d("orders", -1)),
					d("$limit", int64(3)),
				}},
				{Key: "total", Value: bson.A{d("$count", "n")}},
			})},
		{"count", agg.CountDocs(orders, totN), d("$count", "n")},
		{"then", agg.Then[card](orders, d("$replaceWith", d("who", "$customer"))), d("$replaceWith", d("who", "$customer"))},
		{"millis", agg.Project(orders, agg.Set(cardTook, agg.Millis(agg.Ref(oShipped), agg.Ref(oPlaced)))),
			d("$project", bson.D{{Key: "_id", Value: 0}, {Key: "took", Value: d("$subtract", bson.A{"$shipped", "$placed"})}})},
		{"expression by hand", agg.Project(orders, agg.Set(cardTotal, agg.Expression[int, order](d("$size", "$tags")))),
			d("$project", bson.D{{Key: "_id", Value: 0}, {Key: "total", Value: d("$size", "$tags")}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stages, err := tc.got.Stages()
			require.NoError(t, err)
			require.Len(t, stages, 1)
			sameBSON(t, tc.want, stages[0])
		})
	}
}

// Stages compose in order, and a pipeline extended twice leaves the
// prefix the two share as it was.
func TestStagesComposeWithoutSharingTails(t *testing.T) {
	base := agg.New[order]().Match(query.Eq(oStatus, "open"))
	a := base.Limit(1)
	b := base.Skip(2)
	sa, err := a.Stages()
	require.NoError(t, err)
	sb, err := b.Stages()
	require.NoError(t, err)
	sameBSON(t, bson.A{d("$match", d("status", "open")), d("$limit", int64(1))}, sa)
	sameBSON(t, bson.A{d("$match", d("status", "open")), d("$skip", int64(2))}, sb)
	s0, err := base.Stages()
	require.NoError(t, err)
	assert.Len(t, s0, 1)
}

// A reference that names no stored field, and a stage MongoDB would
// refuse for its shape, are the pipeline's error: never a panic, and
// every later stage keeps the first error.
func TestBadReferencesAreErrorsWhenBuilt(t *testing.T) {
	orders := agg.New[order]()
	for _, tc := range []struct {
		name string
		p    staged
		want string
	}{
		{"match on an unstored field", orders.Match(query.Eq(oSecret, "x")).Limit(1), "selector returns the address of no stored field"},
		{"sort on an unstored field", orders.SortBy(query.By(oSecret)), "no stored field"},
		{"empty sort", orders.Sort(query.SortBy[order]()), "$sort of agg_test.order with no order"},
		{"limit 0", orders.Limit(0), "$limit of agg_test.order must be positive"},
		{"negative skip", orders.Skip(-1), "may not be negative"},
		{"raw stage of two keys", orders.Raw(bson.D{{Key: "$limit", Value: 1}, {Key: "$skip", Value: 1}}), "must be one {$operator: ...} document"},
		{"group key on an unstored field", agg.Group(orders, agg.Ref(oSecret), agg.Count[order](bcOrders)), "no stored field"},
		{"accumulator of an unstored field", agg.GroupAll(orders, agg.Push(bcSKUs, agg.Ref(oSecret))), "no stored field"},
		{"accumulator into _id", agg.GroupAll(orders, agg.Push(bcSKUs, agg.Ref(oSKU)), agg.Max(bcID, agg.Ref(oSKU))), "accumulates into _id, which holds the group's key"},
		{"accumulator into a dotted path", agg.GroupAll(orders, agg.Count[order](bcNested)), "accumulates into nested.n, a dotted path"},
		{"two accumulators into one field", agg.GroupAll(orders, agg.Count[order](bcOrders), agg.Count[order](bcOrders)), "accumulates into orders twice"},
		{"zero accumulator", agg.GroupAll(orders, agg.Acc[order, byCustomer]{}), "empty accumulator"},
		{"project of nothing", agg.Project[order, order, card](orders), "sets no field"},
		{"project setting a field twice", agg.Project(orders, agg.Set(cardWho, agg.Ref(oSKU)), agg.Set(cardWho, agg.Ref(oCustomer))), "sets who twice"},
		{"expression of query.Item", agg.Group(agg.New[string](), agg.Ref(query.Item[string]()), agg.Count[string](bcOrders)), "refers to the element itself (query.Item)"},
		{"operator without $", agg.Project(orders, agg.Set(cardTotal, agg.Op[int]("add", agg.Ref(oQty)))), `must start with $, not "add"`},
		{"nil operand", agg.Project(orders, agg.Set(cardTotal, agg.Op[int, order]("$abs", nil))), "nil operand"},
		{"dotted document expression", agg.Group(orders, agg.Doc(agg.Set(totInnerN, agg.Ref(oQty))), agg.Count[order](bcOrders)), "sets inner.n, a dotted path"},
		{"unwind into another path", agg.Unwind(orders, oTags, otOther), "yields its element at tags, not at other"},
		{"lookup from no collection", agg.Lookup(orders, "", oSKU, itSKU, oiItems), "names no collection"},
		{"facet of no branch", agg.Facet[order, order, facets](orders), "has no branch"},
		{"facet branch of a bad raw stage", agg.Facet(orders, agg.Into(fTop, agg.Then[byCustomer](agg.New[order](), nil))), "must be one {$operator"},
		{"facet branch with a bad reference", agg.Facet(orders, agg.Into(fAll, agg.New[order]().Match(query.Eq(oSecret, "x")).Limit(1))), "no stored field"},
		{"facet branch of no stage", agg.Facet(orders, agg.Into(fAll, agg.New[order]())), "the $facet branch all of agg_test.facets has no stage"},
		{"count into a dotted path", agg.CountDocs(orders, totInnerN), "must be top-level and not _id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stages, err := tc.p.Stages()
			require.Error(t, err)
			assert.Nil(t, stages)
			assert.Contains(t, err.Error(), tc.want)
			assert.Regexp(t, `^odm: `, err.Error())
		})
	}
}
