package views

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestPipelineForms(t *testing.T) {
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "a", Value: 1}}}}
	for _, ok := range []any{nil, []bson.D{match}, bson.A{match}, []bson.D{}} {
		v, err := Pipeline(ok)
		require.NoError(t, err, "%#v", ok)
		assert.Equal(t, bson.TypeArray, v.Type)
	}
	for p, want := range map[string]any{
		"not an array of stages":         match,
		"stage 0 is of BSON type string": bson.A{"$match"},
		"stage 0 has 2 keys":             []bson.D{{{Key: "$match", Value: 1}, {Key: "$limit", Value: 1}}},
		"stage 0 has 0 keys":             []bson.D{{}},
		`stage 1 is named "limit"`:       []bson.D{match, {{Key: "limit", Value: 1}}},
		"stage 0 is $out":                []bson.D{{{Key: "$out", Value: "x"}}},
		"stage 0 is $merge":              []bson.D{{{Key: "$merge", Value: "x"}}},
		"does not encode as BSON":        func() {},
	} {
		_, err := Pipeline(want)
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), p)
	}
}

func def(source string, pipeline any) bson.D {
	p, err := Pipeline(pipeline)
	if err != nil {
		panic(err)
	}
	return bson.D{{Key: "viewOn", Value: source}, {Key: "pipeline", Value: p}}
}

func raw(d bson.D) bson.Raw {
	b, err := bson.Marshal(d)
	if err != nil {
		panic(err)
	}
	return b
}

// TestCompare: numbers compare by value, key order and types otherwise
// matter, and a collection, a changed source or pipeline, and a
// collation each tell their state.
func TestCompare(t *testing.T) {
	want := def("src", bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: int32(1)}}}}, bson.D{{Key: "$sort", Value: bson.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}}}}})
	same := def("src", bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: 1.0}}}}, bson.D{{Key: "$sort", Value: bson.D{{Key: "a", Value: int64(1)}, {Key: "b", Value: -1}}}}})
	cases := []struct {
		name   string
		exists bool
		kind   string
		listed bson.Raw
		state  State
	}{
		{"missing", false, "", nil, Missing},
		{"numbers by value", true, "view", raw(same), Same},
		{"a collection", true, "collection", raw(bson.D{}), NotAView},
		{"another source", true, "view", raw(def("other", want[1].Value)), Differs},
		{"sort keys swapped", true, "view", raw(def("src", bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: 1}}}}, bson.D{{Key: "$sort", Value: bson.D{{Key: "b", Value: -1}, {Key: "a", Value: 1}}}}})), Differs},
		{"a string for a number", true, "view", raw(def("src", bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: "1"}}}}, bson.D{{Key: "$sort", Value: bson.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}}}}})), Differs},
		{"a listed collation", true, "view", raw(append(same, bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}})), NotAView},
		{"the simple collation", true, "view", raw(append(same, bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "simple"}}})), Same},
	}
	for _, c := range cases {
		s, declared, listed := Compare(want, c.exists, c.kind, c.listed)
		assert.Equal(t, c.state, s, "%s: declared %s, listed %s", c.name, declared, listed)
	}
	withCollation := append(def("src", nil), bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}, {Key: "strength", Value: int32(2)}}})
	listed := append(def("src", nil), bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}, {Key: "caseLevel", Value: false}, {Key: "strength", Value: int32(2)}}})
	s, _, _ := Compare(withCollation, true, "view", raw(listed))
	assert.Equal(t, Same, s, "the server lists a collation's defaults too")
	listed[2].Value = bson.D{{Key: "locale", Value: "de"}, {Key: "strength", Value: int32(2)}}
	s, declared, l := Compare(withCollation, true, "view", raw(listed))
	assert.Equal(t, NotAView, s)
	assert.Contains(t, declared, `"fr"`)
	assert.Contains(t, l, `"de"`)
}

func TestCommands(t *testing.T) {
	want := append(def("src", nil), bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}})
	create := Create("v", want)
	assert.Equal(t, []string{"create", "viewOn", "pipeline", "collation"}, keys(create))
	mod := CollMod("v", want)
	assert.Equal(t, []string{"collMod", "viewOn", "pipeline"}, keys(mod))
	assert.Equal(t, "v", mod[0].Value)
}

func keys(d bson.D) []string {
	var out []string
	for _, e := range d {
		out = append(out, e.Key)
	}
	return out
}

// TestWaves: collections first, then each view after what it reads from;
// an undeclared source is no wait; a ring comes last, named.
func TestWaves(t *testing.T) {
	names := []string{"v2", "v1", "c", "ext", "r1", "r2"}
	sources := []string{"v1", "c", "", "elsewhere", "r2", "r1"}
	waves, cycle := Waves(names, sources)
	assert.Equal(t, [][]int{{2, 3}, {1}, {0}, {4, 5}}, waves)
	assert.Equal(t, []string{"r1", "r2"}, cycle)
	waves, cycle = Waves([]string{"a", "b"}, []string{"", ""})
	assert.Equal(t, [][]int{{0, 1}}, waves)
	assert.Empty(t, cycle)
	waves, _ = Waves(nil, nil)
	assert.Empty(t, waves)
}
