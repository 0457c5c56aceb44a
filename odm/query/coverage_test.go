package query_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

// covDoc has the fields of the manual's examples: a, b, c, d (numbers),
// strings, arrays.
type covDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	A            int           `bson:"a"`
	B            int           `bson:"b"`
	C            int           `bson:"c"`
	D            int           `bson:"d"`
	Item         string        `bson:"item"`
	Location     string        `bson:"location"`
	Stock        int           `bson:"stock"`
	Manufacturer string        `bson:"manufacturer"`
	Model        string        `bson:"model"`
	Cost         int           `bson:"cost"`
	Ratings      []int         `bson:"ratings"`
	Cuisine      string        `bson:"cuisine"`
	Name         string        `bson:"name"`
	Rating       int           `bson:"rating"`
	Score        int           `bson:"score"`
	Price        float64       `bson:"price"`
	Category     string        `bson:"category"`
	Created      time.Time     `bson:"created_at"`
	Addr         []struct {
		Zip string `bson:"zip"`
	} `bson:"addr"`
}

func eq(path string, v any) query.Condition { return query.Condition{Path: path, Op: "$eq", Value: v} }
func op(path, o string, v any) query.Condition {
	return query.Condition{Path: path, Op: o, Value: v}
}
func asc(p string) query.SortKey  { return query.SortKey{Path: p} }
func desc(p string) query.SortKey { return query.SortKey{Path: p, Desc: true} }

func model(ix ...schema.IndexSpec) *schema.Model {
	return &schema.Model{Type: reflect.TypeFor[covDoc](), Collection: "cov", Indexes: ix}
}

func keys(name string, k ...schema.IndexKey) schema.IndexSpec {
	return schema.IndexSpec{Name: name, Keys: k}
}

var fr = &options.Collation{Locale: "fr"}

// TestCoverManualExamples takes its cases from the MongoDB manual: "Use
// Indexes to Sort Query Results" (sort on a prefix, on a non-prefix after
// equalities, directions), "Compound Indexes" (prefixes), "The ESR
// (Equality, Sort, Range) Guideline", "Multikey Indexes" (sorting on an
// array), "Partial Indexes", "Sparse Indexes" and "Collation" (index use).
func TestCoverManualExamples(t *testing.T) {
	abcd := keys("abcd", schema.Asc("a"), schema.Asc("b"), schema.Asc("c"), schema.Asc("d"))
	ils := keys("ils", schema.Asc("item"), schema.Asc("location"), schema.Asc("stock"))
	cases := []struct {
		name    string
		m       *schema.Model
		q       query.Shape
		index   string // "" for none
		keys    int
		scan    bool
		inMem   bool
		comment string
	}{
		// Sort and index prefix: index { a: 1, b: 1, c: 1, d: 1 }.
		{name: "sort {a:1}", m: model(abcd), q: query.Shape{Sort: []query.SortKey{asc("a")}}, index: "abcd", scan: true},
		{name: "sort {a:-1}", m: model(abcd), q: query.Shape{Sort: []query.SortKey{desc("a")}}, index: "abcd", scan: true},
		{name: "sort {a:1,b:1}", m: model(abcd), q: query.Shape{Sort: []query.SortKey{asc("a"), asc("b")}}, index: "abcd", scan: true},
		{name: "sort {a:-1,b:-1}", m: model(abcd), q: query.Shape{Sort: []query.SortKey{desc("a"), desc("b")}}, index: "abcd", scan: true},
		{name: "sort {a:1,b:1,c:1}", m: model(abcd), q: query.Shape{Sort: []query.SortKey{asc("a"), asc("b"), asc("c")}}, index: "abcd", scan: true},
		{name: "{a:{$gt:4}} sort {a:1,b:1}", m: model(abcd), q: query.Shape{Conditions: []query.Condition{op("a", "$gt", 4)}, Sort: []query.SortKey{asc("a"), asc("b")}}, index: "abcd", keys: 1},
		// Sort and non-prefix subset of an index.
		{name: "{a:5} sort {b:1,c:1}", m: model(abcd), q: query.Shape{Conditions: []query.Condition{eq("a", 5)}, Sort: []query.SortKey{asc("b"), asc("c")}}, index: "abcd", keys: 1},
		{name: "{b:3,a:4} sort {c:1}", m: model(abcd), q: query.Shape{Conditions: []query.Condition{eq("b", 3), eq("a", 4)}, Sort: []query.SortKey{asc("c")}}, index: "abcd", keys: 2},
		{name: "{a:5,b:{$lt:3}} sort {b:1}", m: model(abcd), q: query.Shape{Conditions: []query.Condition{eq("a", 5), op("b", "$lt", 3)}, Sort: []query.SortKey{asc("b")}}, index: "abcd", keys: 2},
		{name: "{a:{$gt:2}} sort {c:1}: not the sort", m: model(abcd), q: query.Shape{Conditions: []query.Condition{op("a", "$gt", 2)}, Sort: []query.SortKey{asc("c")}}, index: "abcd", keys: 1, inMem: true},
		{name: "{c:5} sort {c:1}: not a prefix", m: model(abcd), q: query.Shape{Conditions: []query.Condition{eq("c", 5)}, Sort: []query.SortKey{asc("c")}}, scan: true},
		// Sort order: index { a: 1, b: -1 }.
		{name: "sort {a:1,b:-1}", m: model(keys("ab", schema.Asc("a"), schema.Desc("b"))), q: query.Shape{Sort: []query.SortKey{asc("a"), desc("b")}}, index: "ab", scan: true},
		{name: "sort {a:-1,b:1} reversed", m: model(keys("ab", schema.Asc("a"), schema.Desc("b"))), q: query.Shape{Sort: []query.SortKey{desc("a"), asc("b")}}, index: "ab", scan: true},
		{name: "sort {a:1,b:1}: mixed", m: model(keys("ab", schema.Asc("a"), schema.Desc("b"))), q: query.Shape{Sort: []query.SortKey{asc("a"), asc("b")}}, scan: true, inMem: true},
		// Compound index prefixes: { item: 1, location: 1, stock: 1 }.
		{name: "item", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("item", "x")}}, index: "ils", keys: 1},
		{name: "item, location", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("item", "x"), eq("location", "y")}}, index: "ils", keys: 2},
		{name: "item, location, stock", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("item", "x"), eq("location", "y"), eq("stock", 1)}}, index: "ils", keys: 3},
		{name: "item and stock: the item prefix only", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("item", "x"), eq("stock", 1)}}, index: "ils", keys: 1},
		{name: "location alone", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("location", "y")}}, scan: true},
		{name: "stock alone", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("stock", 1)}}, scan: true},
		{name: "location and stock", m: model(ils), q: query.Shape{Conditions: []query.Condition{eq("location", "y"), eq("stock", 1)}}, scan: true},
		// ESR: cars by manufacturer and model, cost a range, sorted by model.
		{name: "ESR order", m: model(keys("esr", schema.Asc("manufacturer"), schema.Asc("model"), schema.Asc("cost"))),
			q:     query.Shape{Conditions: []query.Condition{eq("manufacturer", "GM"), op("cost", "$gt", 15000), eq("model", "Cordova")}, Sort: []query.SortKey{asc("model")}},
			index: "esr", keys: 3},
		{name: "range before the sort key", m: model(keys("ers", schema.Asc("manufacturer"), schema.Asc("cost"), schema.Asc("model"))),
			q:     query.Shape{Conditions: []query.Condition{eq("manufacturer", "GM"), op("cost", "$gt", 15000)}, Sort: []query.SortKey{asc("model")}},
			index: "ers", keys: 2, inMem: true},
		{name: "$in then sort: merged", m: model(keys("ab", schema.Asc("a"), schema.Asc("b"))),
			q:     query.Shape{Conditions: []query.Condition{op("a", "$in", bson.A{1, 2, 3})}, Sort: []query.SortKey{asc("b")}},
			index: "ab", keys: 1},
		// Multikey: sorting on an array field.
		{name: "multikey sort, unbounded", m: model(keys("r", schema.Asc("ratings"))), q: query.Shape{Sort: []query.SortKey{asc("ratings")}}, index: "r", scan: true},
		{name: "multikey sort, bounded", m: model(keys("r", schema.Asc("ratings"))), q: query.Shape{Conditions: []query.Condition{op("ratings", "$gt", 5)}, Sort: []query.SortKey{asc("ratings")}}, index: "r", keys: 1, inMem: true},
		{name: "multikey path into array documents", m: model(keys("z", schema.Asc("addr.zip"))), q: query.Shape{Conditions: []query.Condition{eq("addr.zip", "10036")}}, index: "z", keys: 1},
		// Partial: { cuisine: 1, name: 1 } where rating > 5.
		{name: "partial implied", m: model(schema.IndexSpec{Name: "p", Keys: []schema.IndexKey{schema.Asc("cuisine"), schema.Asc("name")}, PartialFilter: bson.D{{Key: "rating", Value: bson.D{{Key: "$gt", Value: 5}}}}}),
			q: query.Shape{Conditions: []query.Condition{eq("cuisine", "Italian"), op("rating", "$gte", 8)}}, index: "p", keys: 1},
		{name: "partial not implied by a wider range", m: model(schema.IndexSpec{Name: "p", Keys: []schema.IndexKey{schema.Asc("cuisine"), schema.Asc("name")}, PartialFilter: bson.D{{Key: "rating", Value: bson.D{{Key: "$gt", Value: 5}}}}}),
			q: query.Shape{Conditions: []query.Condition{eq("cuisine", "Italian"), op("rating", "$lt", 8)}}, scan: true},
		{name: "partial not implied without the field", m: model(schema.IndexSpec{Name: "p", Keys: []schema.IndexKey{schema.Asc("cuisine"), schema.Asc("name")}, PartialFilter: bson.D{{Key: "rating", Value: bson.D{{Key: "$gt", Value: 5}}}}}),
			q: query.Shape{Conditions: []query.Condition{eq("cuisine", "Italian")}}, scan: true},
		{name: "partial implied by an equality", m: model(schema.IndexSpec{Name: "p", Keys: []schema.IndexKey{schema.Asc("name")}, PartialFilter: bson.D{{Key: "rating", Value: bson.D{{Key: "$exists", Value: true}}}}}),
			q: query.Shape{Conditions: []query.Condition{eq("name", "x"), eq("rating", 7)}}, index: "p", keys: 1},
		// Sparse: { score: 1 }, sparse.
		{name: "sparse, sort only", m: model(schema.IndexSpec{Name: "s", Keys: []schema.IndexKey{schema.Asc("score")}, Sparse: true}), q: query.Shape{Sort: []query.SortKey{desc("score")}}, scan: true, inMem: true},
		{name: "sparse, a range on it", m: model(schema.IndexSpec{Name: "s", Keys: []schema.IndexKey{schema.Asc("score")}, Sparse: true}), q: query.Shape{Conditions: []query.Condition{op("score", "$lt", 90)}, Sort: []query.SortKey{desc("score")}}, index: "s", keys: 1},
		// Collation: { category: 1 } with locale fr.
		{name: "collation matches", m: model(schema.IndexSpec{Name: "cat", Keys: []schema.IndexKey{schema.Asc("category")}, Collation: fr}), q: query.Shape{Conditions: []query.Condition{eq("category", "cafe")}, Collation: fr}, index: "cat", keys: 1},
		{name: "simple query, fr index", m: model(schema.IndexSpec{Name: "cat", Keys: []schema.IndexKey{schema.Asc("category")}, Collation: fr}), q: query.Shape{Conditions: []query.Condition{eq("category", "cafe")}}, scan: true},
		{name: "fr index, numbers compared", m: model(schema.IndexSpec{Name: "spc", Keys: []schema.IndexKey{schema.Asc("score"), schema.Asc("price"), schema.Asc("category")}, Collation: fr}),
			q: query.Shape{Conditions: []query.Condition{eq("score", 5)}, Sort: []query.SortKey{asc("price")}}, index: "spc", keys: 1},
		{name: "fr index, the score part only", m: model(schema.IndexSpec{Name: "spc", Keys: []schema.IndexKey{schema.Asc("score"), schema.Asc("price"), schema.Asc("category")}, Collation: fr}),
			q: query.Shape{Conditions: []query.Condition{eq("score", 5), eq("price", 1.5), eq("category", "cafe")}}, index: "spc", keys: 2},
		{name: "fr index, a string sort", m: model(schema.IndexSpec{Name: "cat", Keys: []schema.IndexKey{schema.Asc("category")}, Collation: fr}), q: query.Shape{Sort: []query.SortKey{asc("category")}}, scan: true, inMem: true},
		// Hidden and hashed.
		{name: "hidden never", m: model(schema.IndexSpec{Name: "h", Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true}), q: query.Shape{Conditions: []query.Condition{eq("a", 1)}}, scan: true},
		{name: "hashed equality", m: model(keys("hh", schema.Hashed("a"))), q: query.Shape{Conditions: []query.Condition{eq("a", 1)}}, index: "hh", keys: 1},
		{name: "hashed range", m: model(keys("hh", schema.Hashed("a"))), q: query.Shape{Conditions: []query.Condition{op("a", "$gt", 1)}}, scan: true},
		{name: "_id always", m: model(), q: query.Shape{Conditions: []query.Condition{eq("_id", 1)}}, index: "_id_", keys: 1},
		// Best of several: more equalities first, then the sort.
		{name: "more equalities win", m: model(keys("a", schema.Asc("a")), keys("ab", schema.Asc("a"), schema.Asc("b"))),
			q: query.Shape{Conditions: []query.Condition{eq("a", 1), eq("b", 2)}}, index: "ab", keys: 2},
		{name: "the sort decides", m: model(keys("a", schema.Asc("a")), keys("ac", schema.Asc("a"), schema.Desc("created_at"))),
			q: query.Shape{Conditions: []query.Condition{eq("a", 1)}, Sort: []query.SortKey{desc("created_at")}}, index: "ac", keys: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := query.Cover(c.m, c.q)
			assert.Equal(t, c.index, got.Index, "index; %s", got)
			assert.Equal(t, c.keys, got.Keys, "keys; %s", got)
			assert.Equal(t, c.scan, got.Scan, "scan; %s", got)
			assert.Equal(t, c.inMem, got.InMemorySort, "in-memory sort; %s", got)
		})
	}
}

func TestShapeOf(t *testing.T) {
	q, err := query.ShapeOf(bson.D{
		{Key: "user_id", Value: "u"},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}},
		{Key: "$and", Value: bson.A{bson.M{"created_at": bson.M{"$gte": 1, "$lt": 5}}}},
		{Key: "$or", Value: bson.A{bson.M{"x": 1}, bson.M{"y": 2}}},
		{Key: "$nor", Value: bson.A{bson.M{"z": 1}}},
		{Key: "items", Value: bson.M{"$elemMatch": bson.M{"sku": "k", "qty": bson.M{"$gt": 2}}}},
		{Key: "name", Value: bson.Regex{Pattern: "^ad"}},
	}, bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []query.Condition{
		eq("user_id", "u"),
		op("status", "$in", bson.A{"a", "b"}),
		op("created_at", "$gte", 1), op("created_at", "$lt", 5),
		op("items.qty", "$gt", 2), eq("items.sku", "k"),
		op("name", "$regex", bson.Regex{Pattern: "^ad"}),
	}, q.Conditions)
	assert.Equal(t, [][]query.Condition{{eq("x", 1)}, {eq("y", 2)}}, q.Or)
	assert.Equal(t, []query.SortKey{desc("created_at"), asc("_id")}, q.Sort)

	// An $or of one branch is that branch, as the planner rewrites it.
	q, err = query.ShapeOf(bson.D{{Key: "a", Value: 1}, {Key: "$or", Value: bson.A{bson.M{"b": 2}}}}, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []query.Condition{eq("a", 1), eq("b", 2)}, q.Conditions)
	assert.Nil(t, q.Or)

	_, err = query.ShapeOf("status", nil, nil)
	assert.ErrorContains(t, err, "the filter")
	q, err = query.ShapeOf(nil, nil, nil)
	require.NoError(t, err)
	assert.Empty(t, q.Conditions)
}
