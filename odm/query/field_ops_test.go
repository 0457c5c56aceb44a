package query_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm/query"
)

// gadget is a model with a field of each shape the typed builders treat
// apart: scalars, a pointer, arrays of scalars, times.
type gadget struct {
	ID     bson.ObjectID  `bson:"_id,omitempty"`
	Name   string         `bson:"name"`
	Tags   []string       `bson:"tags"`
	Scores []int          `bson:"scores"`
	Rank   *int           `bson:"rank"`
	Count  int64          `bson:"count"`
	Alias  string         `bson:"alias"`
	Seen   time.Time      `bson:"seen"`
	SeenAt *time.Time     `bson:"seen_at"`
	Stamp  bson.Timestamp `bson:"stamp"`
	Extra  any            `bson:"extra"`
}

var (
	gName   = query.F(func(g *gadget) *string { return &g.Name })
	gTags   = query.F(func(g *gadget) *[]string { return &g.Tags })
	gScores = query.F(func(g *gadget) *[]int { return &g.Scores })
	gRank   = query.F(func(g *gadget) **int { return &g.Rank })
	gCount  = query.F(func(g *gadget) *int64 { return &g.Count })
	gAlias  = query.F(func(g *gadget) *string { return &g.Alias })
	gSeen   = query.F(func(g *gadget) *time.Time { return &g.Seen })
	gSeenAt = query.F(func(g *gadget) **time.Time { return &g.SeenAt })
	gStamp  = query.F(func(g *gadget) *bson.Timestamp { return &g.Stamp })
	gExtra  = query.F(func(g *gadget) *any { return &g.Extra })
)

type document interface{ Document() (bson.D, error) }

// Each builder compiles to the document MongoDB's manual writes for it.
func TestTypedBuildersCompileToTheManualsDocuments(t *testing.T) {
	d := func(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }
	op := func(path, op string, v any) bson.D { return d(path, d(op, v)) }
	for _, tc := range []struct {
		name string
		got  document
		want bson.D
	}{
		{"OneOf on a scalar", query.OneOf(gName, "a", "b"), op("name", "$in", bson.A{"a", "b"})},
		{"OneOf on an array compares whole arrays", query.OneOf(gTags, []string{"a", "b"}), op("tags", "$in", bson.A{[]string{"a", "b"}})},
		{"ContainsAny", query.ContainsAny(gTags, "a", "b"), op("tags", "$in", bson.A{"a", "b"})},
		{"ContainsNone", query.ContainsNone(gTags, "a"), op("tags", "$nin", bson.A{"a"})},
		{"ContainsAll", query.ContainsAll(gTags, "a", "b"), op("tags", "$all", bson.A{"a", "b"})},
		{"Contains", query.Contains(gTags, "a"), d("tags", "a")},
		{"Size", query.Size(gTags, 2), op("tags", "$size", 2)},
		{"ElemMatch on scalars", query.ElemMatch(gScores, query.Gte(query.Item[int](), 80), query.Lt(query.Item[int](), 85)),
			op("scores", "$elemMatch", bson.D{{Key: "$gte", Value: 80}, {Key: "$lt", Value: 85}})},
		{"ElemMatch on a scalar's equality", query.ElemMatch(gScores, query.Eq(query.Item[int](), 7)), op("scores", "$elemMatch", d("$eq", 7))},
		{"ElemMatch with Not on the element", query.ElemMatch(gScores, query.Not(query.Gt(query.Item[int](), 5))),
			op("scores", "$elemMatch", d("$not", d("$gt", 5)))},
		{"IsNull on a non-pointer field", query.IsNull(gName), d("name", nil)},
		{"IsNull on a pointer", query.IsNull(gRank), d("rank", nil)},
		{"NotNull", query.NotNull(gRank), op("rank", "$ne", nil)},
		{"OfType", query.OfType(gExtra, bson.TypeString, bson.TypeInt32), op("extra", "$type", bson.A{int32(bson.TypeString), int32(bson.TypeInt32)})},
		{"Regex", query.Regex(gName, "^ab", "i"), op("name", "$regex", bson.Regex{Pattern: "^ab", Options: "i"})},
		{"Not of an operator", query.Not(query.Gt(gCount, 5)), op("count", "$not", d("$gt", int64(5)))},
		{"Not of an equality", query.Not(query.Eq(gName, "x")), op("name", "$not", d("$eq", "x"))},
		{"Not of a regex", query.Not(query.Regex(gName, "x", "")), op("name", "$not", d("$regex", bson.Regex{Pattern: "x"}))},
		{"Not of an Or", query.Not(query.Or(query.Eq(gName, "a"), query.Eq(gAlias, "b"))),
			d("$nor", bson.A{d("$or", bson.A{d("name", "a"), d("alias", "b")})})},
		{"Raw in a typed And", query.And(query.Eq(gName, "a"), query.Raw[gadget](bson.D{{Key: "alias", Value: bson.D{{Key: "$exists", Value: true}}}})),
			d("$and", bson.A{d("name", "a"), op("alias", "$exists", true)})},
		{"Raw of a bson.M", query.Raw[gadget](bson.M{"name": "a"}), d("name", "a")},
		{"Min", query.Min(gCount, 3), d("$min", d("count", int64(3)))},
		{"Max", query.Max(gSeen, time.Unix(5, 0).UTC()), d("$max", d("seen", time.Unix(5, 0).UTC()))},
		{"Mul", query.Mul(gCount, 2), d("$mul", d("count", int64(2)))},
		{"Rename", query.Rename(gName, gAlias), d("$rename", d("name", "alias"))},
		{"CurrentDate of a time", query.CurrentDate(gSeen), d("$currentDate", d("seen", true))},
		{"CurrentDate of a *time", query.CurrentDate(gSeenAt), d("$currentDate", d("seen_at", true))},
		{"CurrentDate of a timestamp", query.CurrentDate(gStamp), d("$currentDate", d("stamp", d("$type", "timestamp")))},
		{"PopFirst", query.PopFirst(gTags), d("$pop", d("tags", -1))},
		{"PopLast", query.PopLast(gTags), d("$pop", d("tags", 1))},
		{"PullAll", query.PullAll(gScores, 1, 2), d("$pullAll", d("scores", bson.A{1, 2}))},
		{"Updates merges operators", query.Updates(query.Min(gCount, 1), query.Mul(gCount, 2), query.Max(gSeen, time.Time{})),
			bson.D{{Key: "$min", Value: d("count", int64(1))}, {Key: "$mul", Value: d("count", int64(2))}, {Key: "$max", Value: d("seen", time.Time{})}}},
		{"an empty SortBy is no sort", query.SortBy[gadget](), bson.D{}},
		{"a zero Sort is no sort", query.Sort[gadget]{}, bson.D{}},
		{"a zero Filter is every document", query.Filter[gadget]{}, bson.D{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.got.Document()
			require.NoError(t, err)
			// Compare as BSON: the bytes MongoDB receives.
			want, err := bson.Marshal(tc.want)
			require.NoError(t, err)
			have, err := bson.Marshal(got)
			require.NoError(t, err)
			assert.Equal(t, bson.Raw(want).String(), bson.Raw(have).String())
			// MarshalBSON, which the driver calls, gives the same bytes.
			m, ok := tc.got.(bson.Marshaler)
			require.True(t, ok)
			raw, err := m.MarshalBSON()
			require.NoError(t, err)
			assert.Equal(t, bson.Raw(want).String(), bson.Raw(raw).String())
		})
	}
}

// Builders that cannot say what they look like are errors, never a
// document that means something else.
func TestTypedBuildersRefuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  document
		want string
	}{
		{"a negative size", query.Size(gTags, -1), "cannot be negative"},
		{"a $type of no type", query.OfType(gName), "needs at least one type"},
		{"a regex option Go invents", query.Regex(gName, "a", "g"), `option 'g'`},
		{"CurrentDate of a string", query.CurrentDate(gName), "needs a time.Time, bson.DateTime or bson.Timestamp"},
		{"ElemMatch mixing Item and fields", query.ElemMatch(gScores, query.Gt(query.Item[int](), 1), query.Raw[int](bson.D{{Key: "x", Value: 1}})), "mixes conditions on the element itself"},
		{"Not of nothing", query.Not(query.And[gadget]()), "Not of an empty filter"},
		{"a raw filter that is no document", query.Raw[gadget](42), "a raw filter of query_test.gadget"},
		{"a zero Update", query.Update[gadget]{}, "with no operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.got.Document()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
