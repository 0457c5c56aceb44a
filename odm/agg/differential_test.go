package agg_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/agg"
	"github.com/tagodm/tagodm/odm/query"
)

// generatedOrders is n orders drawn from seed: few customers, statuses
// and SKUs, so that groups have several members.
func generatedOrders(seed uint64, n int) []order {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	out := make([]order, n)
	for i := range out {
		o := &out[i]
		o.ID = bson.NewObjectID()
		o.Customer = pick("ada", "alan", "grace", "edsger")
		o.Status = pick("open", "paid", "shipped")
		o.Qty = 1 + r.IntN(9)
		o.Price = float64(r.IntN(10000)) / 100
		o.SKU = pick("a-1", "b-2", "c-3", "d-4")
		o.Placed = base.Add(time.Duration(r.IntN(72*60)) * time.Minute)
		o.Address.City = pick("Paris", "Oslo")
		for range r.IntN(4) {
			o.Tags = append(o.Tags, pick("gift", "rush", "fragile"))
		}
	}
	return out
}

// Typed pipelines and the raw pipelines MongoDB's manual writes for them
// give the same results on generated orders.
func TestTypedAndRawPipelinesAgreeOnGeneratedData(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	db := testrig.Database(t, nil)
	orders := seededIn(t, db, generatedOrders(seed, 200))
	_, err := odm.MustCollectionIn[item](db, "items").InsertMany(context.Background(), []item{{SKU: "a-1", Name: "anvil"}, {SKU: "b-2", Name: "bolt"}, {SKU: "c-3", Name: "cog"}})
	require.NoError(t, err)
	open := agg.New[order]().Match(query.And(query.Eq(oStatus, "open"), query.Gte(oQty, 3)))
	rawOpen := d("$match", bson.D{{Key: "$and", Value: bson.A{d("status", "open"), d("qty", d("$gte", 3))}}})

	t.Run("match sort skip limit", func(t *testing.T) {
		sameOnServer(t, orders, open.SortBy(query.ByDesc(oPrice), query.By(oSKU), query.By(oID)).Skip(2).Limit(10), bson.A{
			rawOpen, d("$sort", bson.D{{Key: "price", Value: -1}, {Key: "sku", Value: 1}, {Key: "_id", Value: 1}}), d("$skip", 2), d("$limit", 10),
		})
	})
	t.Run("group with sum count min max first last", func(t *testing.T) {
		p := agg.Group(open.SortBy(query.By(oPlaced), query.By(oID)), agg.Ref(oCustomer),
			agg.Count[order](bcOrders), agg.Sum(bcQty, agg.Ref(oQty)),
			agg.Min(bcMinQty, agg.Ref(oQty)), agg.Max(bcMaxQty, agg.Ref(oQty)),
			agg.First(bcFirst, agg.Ref(oPlaced)), agg.Last(bcLast, agg.Ref(oPlaced))).SortBy(query.By(bcID))
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$sort", bson.D{{Key: "placed", Value: 1}, {Key: "_id", Value: 1}}), d("$group", bson.D{
			{Key: "_id", Value: "$customer"}, {Key: "orders", Value: d("$sum", 1)}, {Key: "qty", Value: d("$sum", "$qty")},
			{Key: "min_qty", Value: d("$min", "$qty")}, {Key: "max_qty", Value: d("$max", "$qty")},
			{Key: "first", Value: d("$first", "$placed")}, {Key: "last", Value: d("$last", "$placed")},
		}), d("$sort", d("_id", 1))})
	})
	t.Run("group with avg push addToSet", func(t *testing.T) {
		p := agg.Group(open.SortBy(query.By(oPlaced), query.By(oSKU), query.By(oID)), agg.Ref(oCustomer),
			agg.Avg(bcAvgPrice, agg.Ref(oPrice)), agg.Push(bcSKUs, agg.Ref(oSKU)), agg.AddToSet(bcStatuses, agg.Ref(oStatus))).SortBy(query.By(bcID))
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$sort", bson.D{{Key: "placed", Value: 1}, {Key: "sku", Value: 1}, {Key: "_id", Value: 1}}), d("$group", bson.D{
			{Key: "_id", Value: "$customer"}, {Key: "avg_price", Value: d("$avg", "$price")},
			{Key: "skus", Value: d("$push", "$sku")}, {Key: "statuses", Value: d("$addToSet", "$status")},
		}), d("$sort", d("_id", 1))})
	})
	t.Run("project", func(t *testing.T) {
		skipUnlessProjectComputes(t, orders)
		p := agg.Project(open.SortBy(query.By(oPlaced), query.By(oSKU), query.By(oID)),
			agg.Set(cardWho, agg.Ref(oCustomer)), agg.Set(cardCity, agg.Ref(oCity)), agg.Set(cardTotal, agg.Ref(oQty)))
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$sort", bson.D{{Key: "placed", Value: 1}, {Key: "sku", Value: 1}, {Key: "_id", Value: 1}}), d("$project", bson.D{
			{Key: "_id", Value: 0}, {Key: "who", Value: "$customer"}, {Key: "city", Value: "$address.city"}, {Key: "total", Value: "$qty"},
		})})
	})
	t.Run("unwind", func(t *testing.T) {
		p := agg.Unwind(open.SortBy(query.By(oPlaced), query.By(oSKU), query.By(oID)), oTags, otTags)
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$sort", bson.D{{Key: "placed", Value: 1}, {Key: "sku", Value: 1}, {Key: "_id", Value: 1}}), d("$unwind", "$tags")})
	})
	t.Run("count", func(t *testing.T) {
		sameOnServer(t, orders, agg.CountDocs(open, totN), bson.A{rawOpen, d("$count", "n")})
	})
	t.Run("lookup", func(t *testing.T) {
		p := agg.Lookup(open.SortBy(query.By(oPlaced), query.By(oSKU), query.By(oID)), "items", oSKU, itSKU, oiItems)
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$sort", bson.D{{Key: "placed", Value: 1}, {Key: "sku", Value: 1}, {Key: "_id", Value: 1}}), d("$lookup", bson.D{
			{Key: "from", Value: "items"}, {Key: "localField", Value: "sku"}, {Key: "foreignField", Value: "sku"}, {Key: "as", Value: "items"},
		})})
	})
	t.Run("facet", func(t *testing.T) {
		p := agg.Facet(open,
			agg.Into(fTop, agg.Group(agg.New[order](), agg.Ref(oCustomer), agg.Count[order](bcOrders)).SortBy(query.ByDesc(bcOrders), query.By(bcID)).Limit(2)),
			agg.Into(fTotal, agg.CountDocs(agg.New[order](), totN)))
		sameOnServer(t, orders, p, bson.A{rawOpen, d("$facet", bson.D{
			{Key: "top", Value: bson.A{d("$group", bson.D{{Key: "_id", Value: "$customer"}, {Key: "orders", Value: d("$sum", 1)}}),
				d("$sort", bson.D{{Key: "orders", Value: -1}, {Key: "_id", Value: 1}}), d("$limit", 2)}},
			{Key: "total", Value: bson.A{d("$count", "n")}},
		})})
	})
}

// dlqNoReason references a field through a nil pointer: no stored field.
var dlqNoReason = query.F(func(m *models.DLQMessage) *string { return m.DiscardReason })

// A bad reference is RunPipeline's and the cursor form's error before any
// command; a raw $match at the head naming no field is a *PathError.
func TestRunPipelineRefusesBadReferencesBeforeAnyCommand(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	dlq := odm.MustCollection[models.DLQMessage](testrig.Database(t, c))
	ctx := context.Background()
	bad := agg.Group(agg.New[models.DLQMessage](), agg.Ref(dlqNoReason), agg.Count[models.DLQMessage](qsCount))

	_, err := odm.RunPipeline(ctx, dlq, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "odm: a field reference of models.DLQMessage: the selector returned nil")
	_, err = dlq.Aggregate(ctx, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the selector returned nil")

	_, err = odm.RunPipeline(ctx, dlq, agg.New[models.DLQMessage]().Raw(d("$match", d("stauts", "pending"))))
	var pe *query.PathError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Equal(t, "stauts", pe.Path)
	assert.Equal(t, "status", pe.Nearest)
	assert.Zero(t, rec.Count("aggregate"), "no command sent")
}

// A typed pipeline's head is recorded as a find's, and the cursor form
// reads what RunPipeline reads.
func TestTypedPipelineHeadIsRecorded(t *testing.T) {
	dlq := seeded(t, dlqFixture())
	ctx := context.Background()
	qr := query.RecordQueries()
	got, err := odm.RunPipeline(ctx, dlq, dlqQueueSizes().SortBy(query.By(qsCount)))
	qr.Stop()
	require.NoError(t, err)
	var lines []string
	for _, q := range qr.Queries() {
		lines = append(lines, q.String())
	}
	require.Len(t, lines, 1)
	assert.True(t, strings.HasPrefix(lines[0], "dlq_messages aggregate {status: $in}: "), lines[0])

	cur, err := dlq.Aggregate(ctx, dlqQueueSizes().SortBy(query.By(qsCount)))
	require.NoError(t, err)
	var viaCursor []queueSize
	require.NoError(t, cur.All(ctx, &viaCursor))
	assert.Equal(t, fmt.Sprint(got), fmt.Sprint(viaCursor))
}

// skipUnlessProjectComputes skips on a server whose $project gives a
// field path ("$qty") as the string itself instead of the field's value.
func skipUnlessProjectComputes(t *testing.T, c *odm.Collection[order]) {
	t.Helper()
	rows, err := odm.Aggregate[bson.M](context.Background(), c, bson.A{d("$limit", 1), d("$project", d("x", "$qty"))})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	if s, ok := rows[0]["x"].(string); ok && s == "$qty" {
		t.Skipf("%s's $project gives the field path %q as a string, not the field's value", testrig.Server(), s)
	}
}
