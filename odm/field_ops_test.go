package odm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
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
	gName   = odm.F(func(g *gadget) *string { return &g.Name })
	gTags   = odm.F(func(g *gadget) *[]string { return &g.Tags })
	gScores = odm.F(func(g *gadget) *[]int { return &g.Scores })
	gRank   = odm.F(func(g *gadget) **int { return &g.Rank })
	gCount  = odm.F(func(g *gadget) *int64 { return &g.Count })
	gAlias  = odm.F(func(g *gadget) *string { return &g.Alias })
	gSeen   = odm.F(func(g *gadget) *time.Time { return &g.Seen })
	gSeenAt = odm.F(func(g *gadget) **time.Time { return &g.SeenAt })
	gStamp  = odm.F(func(g *gadget) *bson.Timestamp { return &g.Stamp })
	gExtra  = odm.F(func(g *gadget) *any { return &g.Extra })
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
		{"OneOf on a scalar", odm.OneOf(gName, "a", "b"), op("name", "$in", bson.A{"a", "b"})},
		{"OneOf on an array compares whole arrays", odm.OneOf(gTags, []string{"a", "b"}), op("tags", "$in", bson.A{[]string{"a", "b"}})},
		{"ContainsAny", odm.ContainsAny(gTags, "a", "b"), op("tags", "$in", bson.A{"a", "b"})},
		{"ContainsNone", odm.ContainsNone(gTags, "a"), op("tags", "$nin", bson.A{"a"})},
		{"ContainsAll", odm.ContainsAll(gTags, "a", "b"), op("tags", "$all", bson.A{"a", "b"})},
		{"Contains", odm.Contains(gTags, "a"), d("tags", "a")},
		{"Size", odm.Size(gTags, 2), op("tags", "$size", 2)},
		{"ElemMatch on scalars", odm.ElemMatch(gScores, odm.Gte(odm.Item[int](), 80), odm.Lt(odm.Item[int](), 85)),
			op("scores", "$elemMatch", bson.D{{Key: "$gte", Value: 80}, {Key: "$lt", Value: 85}})},
		{"ElemMatch on a scalar's equality", odm.ElemMatch(gScores, odm.Eq(odm.Item[int](), 7)), op("scores", "$elemMatch", d("$eq", 7))},
		{"ElemMatch with Not on the element", odm.ElemMatch(gScores, odm.Not(odm.Gt(odm.Item[int](), 5))),
			op("scores", "$elemMatch", d("$not", d("$gt", 5)))},
		{"IsNull on a non-pointer field", odm.IsNull(gName), d("name", nil)},
		{"IsNull on a pointer", odm.IsNull(gRank), d("rank", nil)},
		{"NotNull", odm.NotNull(gRank), op("rank", "$ne", nil)},
		{"OfType", odm.OfType(gExtra, bson.TypeString, bson.TypeInt32), op("extra", "$type", bson.A{int32(bson.TypeString), int32(bson.TypeInt32)})},
		{"Regex", odm.Regex(gName, "^ab", "i"), op("name", "$regex", bson.Regex{Pattern: "^ab", Options: "i"})},
		{"Not of an operator", odm.Not(odm.Gt(gCount, 5)), op("count", "$not", d("$gt", int64(5)))},
		{"Not of an equality", odm.Not(odm.Eq(gName, "x")), op("name", "$not", d("$eq", "x"))},
		{"Not of a regex", odm.Not(odm.Regex(gName, "x", "")), op("name", "$not", d("$regex", bson.Regex{Pattern: "x"}))},
		{"Not of an Or", odm.Not(odm.Or(odm.Eq(gName, "a"), odm.Eq(gAlias, "b"))),
			d("$nor", bson.A{d("$or", bson.A{d("name", "a"), d("alias", "b")})})},
		{"Raw in a typed And", odm.And(odm.Eq(gName, "a"), odm.Raw[gadget](bson.D{{Key: "alias", Value: bson.D{{Key: "$exists", Value: true}}}})),
			d("$and", bson.A{d("name", "a"), op("alias", "$exists", true)})},
		{"Raw of a bson.M", odm.Raw[gadget](bson.M{"name": "a"}), d("name", "a")},
		{"Min", odm.Min(gCount, 3), d("$min", d("count", int64(3)))},
		{"Max", odm.Max(gSeen, time.Unix(5, 0).UTC()), d("$max", d("seen", time.Unix(5, 0).UTC()))},
		{"Mul", odm.Mul(gCount, 2), d("$mul", d("count", int64(2)))},
		{"Rename", odm.Rename(gName, gAlias), d("$rename", d("name", "alias"))},
		{"CurrentDate of a time", odm.CurrentDate(gSeen), d("$currentDate", d("seen", true))},
		{"CurrentDate of a *time", odm.CurrentDate(gSeenAt), d("$currentDate", d("seen_at", true))},
		{"CurrentDate of a timestamp", odm.CurrentDate(gStamp), d("$currentDate", d("stamp", d("$type", "timestamp")))},
		{"PopFirst", odm.PopFirst(gTags), d("$pop", d("tags", -1))},
		{"PopLast", odm.PopLast(gTags), d("$pop", d("tags", 1))},
		{"PullAll", odm.PullAll(gScores, 1, 2), d("$pullAll", d("scores", bson.A{1, 2}))},
		{"Updates merges operators", odm.Updates(odm.Min(gCount, 1), odm.Mul(gCount, 2), odm.Max(gSeen, time.Time{})),
			bson.D{{Key: "$min", Value: d("count", int64(1))}, {Key: "$mul", Value: d("count", int64(2))}, {Key: "$max", Value: d("seen", time.Time{})}}},
		{"an empty SortBy is no sort", odm.SortBy[gadget](), bson.D{}},
		{"a zero Sort is no sort", odm.Sort[gadget]{}, bson.D{}},
		{"a zero Filter is every document", odm.Filter[gadget]{}, bson.D{}},
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
		{"a negative size", odm.Size(gTags, -1), "cannot be negative"},
		{"a $type of no type", odm.OfType(gName), "needs at least one type"},
		{"a regex option Go invents", odm.Regex(gName, "a", "g"), `option 'g'`},
		{"CurrentDate of a string", odm.CurrentDate(gName), "needs a time.Time, bson.DateTime or bson.Timestamp"},
		{"ElemMatch mixing Item and fields", odm.ElemMatch(gScores, odm.Gt(odm.Item[int](), 1), odm.Raw[int](bson.D{{Key: "x", Value: 1}})), "mixes conditions on the element itself"},
		{"Not of nothing", odm.Not(odm.And[gadget]()), "Not of an empty filter"},
		{"a raw filter that is no document", odm.Raw[gadget](42), "a raw filter of odm_test.gadget"},
		{"a zero Update", odm.Update[gadget]{}, "with no operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.got.Document()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
