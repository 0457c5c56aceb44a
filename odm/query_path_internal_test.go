package odm

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testmodels"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// pathOpen keeps unknown top-level fields in an ",inline" map.
type pathOpen struct {
	ID    bson.ObjectID          `bson:"_id,omitempty"`
	Kind  string                 `bson:"kind"`
	Inner testmodels.PathAddress `bson:"inner"`
	Rest  bson.M                 `bson:",inline"`
}

// pathPython names fields another service writes beside the struct's.
type pathPython struct {
	ID   bson.ObjectID `bson:"_id,omitempty"`
	Name string        `bson:"name"`
}

func (pathPython) ExtraPaths() []string { return []string{"py_flags", "legacy.owner"} }

func TestPathCheckFilters(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	cases := []struct {
		name   string
		filter any
		want   string // a substring of the error; empty when accepted
	}{
		{"a field", bson.D{{Key: "status", Value: "x"}}, ""},
		{"_id", bson.D{{Key: "_id", Value: 1}}, ""},
		{"a typo", bson.D{{Key: "stauts", Value: "x"}}, "filter: stauts: no such field in testmodels.PathOrder; did you mean status?"},
		{"a typo in a bson.M", bson.M{"status": 1, "staus": 2}, "staus: no such field in testmodels.PathOrder; did you mean status?"},
		{"into a struct pointer", bson.D{{Key: "address.city", Value: "x"}}, ""},
		{"a typo into a struct", bson.D{{Key: "address.cty", Value: "x"}}, "no field cty in testmodels.PathAddress (at address of testmodels.PathOrder); did you mean address.city?"},
		{"array elements' fields", bson.D{{Key: "items.sku", Value: "x"}}, ""},
		{"an array index", bson.D{{Key: "items.0.sku", Value: "x"}}, ""},
		{"an index of scalars", bson.D{{Key: "scores.2", Value: 1}}, ""},
		{"an index of nested arrays", bson.D{{Key: "matrix.1.0", Value: 1}}, ""},
		{"scalars in a nested array element", bson.D{{Key: "items.notes.0", Value: "x"}}, ""},
		{"a field below a string", bson.D{{Key: "status.code", Value: 1}}, "status is a string in testmodels.PathOrder, which has no field code"},
		{"a field below a time", bson.D{{Key: "created_at.day", Value: 1}}, "created_at is a time.Time"},
		{"a field below bytes", bson.D{{Key: "blob.x", Value: 1}}, "blob is a []uint8"},
		{"a key under a map of structs", bson.D{{Key: "by_region.eu.city", Value: "x"}}, ""},
		{"a typo under a map of structs", bson.D{{Key: "by_region.eu.citty", Value: "x"}}, "did you mean by_region.eu.city?"},
		{"a key under a map of strings", bson.D{{Key: "labels.team", Value: "x"}}, ""},
		{"below a map of strings", bson.D{{Key: "labels.team.lead", Value: "x"}}, "labels.team is a string"},
		{"below bson.M", bson.D{{Key: "extra.a.b.c", Value: 1}}, ""},
		{"below an interface", bson.D{{Key: "any.a", Value: 1}}, ""},
		{"below bson.Raw", bson.D{{Key: "raw.a", Value: 1}}, ""},
		{"an inline struct's field", bson.D{{Key: "source", Value: "x"}}, ""},
		{"a recursive type, deep", bson.D{{Key: "tree.children.children.children.name", Value: "x"}}, ""},
		{"a recursive type, a typo deep", bson.D{{Key: "tree.children.children.nme", Value: "x"}}, "did you mean tree.children.children.name?"},
		{"an empty key", bson.D{{Key: "address..city", Value: "x"}}, "an empty key"},
		{"$and", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "status", Value: 1}}, bson.D{{Key: "stats", Value: 2}}}}}, "stats: no such field"},
		{"$or of bson.M", bson.D{{Key: "$or", Value: []bson.M{{"status": 1}, {"items.sku": 2}}}}, ""},
		{"$nor nested in $or", bson.M{"$or": bson.A{bson.M{"$nor": bson.A{bson.M{"adress.city": 1}}}}}, "adress.city: no field adress in testmodels.PathOrder; did you mean address?"},
		{"an operator document", bson.D{{Key: "scores", Value: bson.D{{Key: "$gt", Value: 1}, {Key: "$lt", Value: 5}}}}, ""},
		{"$elemMatch on fields", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: "a"}, {Key: "qty", Value: bson.D{{Key: "$gt", Value: 1}}}}}}}}, ""},
		{"$elemMatch on a typo", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "qyt", Value: 1}}}}}}, "items.qyt: no field qyt in testmodels.PathItem (at items of testmodels.PathOrder); did you mean items.qty?"},
		{"$elemMatch on scalars", bson.D{{Key: "scores", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$gte", Value: 80}}}}}}, ""},
		{"$elemMatch with $or inside", bson.D{{Key: "items", Value: bson.M{"$elemMatch": bson.M{"$or": bson.A{bson.M{"sku": 1}, bson.M{"skus": 2}}}}}}, "items.skus"},
		{"$not with $elemMatch", bson.D{{Key: "items", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sk", Value: 1}}}}}}}}, "items.sk"},
		{"$all of $elemMatch", bson.D{{Key: "items", Value: bson.D{{Key: "$all", Value: bson.A{bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "qty", Value: 1}}}}, bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "qtx", Value: 1}}}}}}}}}, "items.qtx"},
		{"equality to a document", bson.D{{Key: "address", Value: bson.D{{Key: "anything", Value: 1}}}}, ""},
		{"$expr is not read", bson.D{{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$nothing", 1}}}}}, ""},
		{"a struct filter", struct {
			Status string `bson:"status"`
			Oops   int    `bson:"oops"`
		}{}, "oops: no such field"},
		{"a raw filter", mustRaw(t, bson.D{{Key: "items.sku", Value: 1}, {Key: "itms", Value: 1}}), "itms: no such field in testmodels.PathOrder; did you mean items?"},
		{"not a document", "status", "a string where a document was expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := orders.checkQuery("find", c.filter, pathcheck.Parts{})
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "odm: find on path_orders: filter: "), err.Error())
			var pe *query.PathError
			assert.True(t, errors.As(err, &pe))
			// Asked again, the cached answer is the same.
			_, again := orders.checkQuery("find", c.filter, pathcheck.Parts{})
			assert.Equal(t, err, again)
		})
	}
}

func mustRaw(t *testing.T, v any) bson.Raw {
	raw, err := bson.Marshal(v)
	require.NoError(t, err)
	return raw
}

func TestPathCheckSortProjectionField(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	cases := []struct {
		name  string
		parts pathcheck.Parts
		want  string
	}{
		{"sort", pathcheck.Parts{Sort: bson.D{{Key: "status", Value: 1}, {Key: "items.qty", Value: -1}}}, ""},
		{"sort typo", pathcheck.Parts{Sort: bson.D{{Key: "created", Value: -1}}}, "sort: created: no such field in testmodels.PathOrder; did you mean created_at?"},
		{"sort by text score", pathcheck.Parts{Sort: bson.D{{Key: "score", Value: bson.D{{Key: "$meta", Value: "textScore"}}}}}, ""},
		{"projection", pathcheck.Parts{Projection: bson.D{{Key: "status", Value: 1}, {Key: "items.sku", Value: true}}}, ""},
		{"projection typo", pathcheck.Parts{Projection: bson.M{"status": 1, "item": 1}}, "projection: item: no such field in testmodels.PathOrder; did you mean items?"},
		{"positional projection", pathcheck.Parts{Projection: bson.D{{Key: "items.$", Value: 1}}}, ""},
		{"$slice and $elemMatch", pathcheck.Parts{Projection: bson.D{{Key: "scores", Value: bson.D{{Key: "$slice", Value: 2}}}, {Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "qt", Value: 1}}}}}}}, "items.qt"},
		{"nested projection", pathcheck.Parts{Projection: bson.D{{Key: "address", Value: bson.D{{Key: "cit", Value: 1}}}}}, "address.cit"},
		{"computed field", pathcheck.Parts{Projection: bson.D{{Key: "renamed", Value: "$status"}}}, ""},
		{"Distinct's field", pathcheck.Parts{Field: "items.sku"}, ""},
		{"Distinct's field typo", pathcheck.Parts{Field: "item.sku"}, "field: item.sku: no field item in testmodels.PathOrder; did you mean items?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := orders.checkQuery("find", bson.D{}, c.parts)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestPathCheckUpdates(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	cases := []struct {
		name   string
		update any
		want   string
	}{
		{"$set", bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "x"}, {Key: "address.zip", Value: "1"}}}}, ""},
		{"$set typo", bson.D{{Key: "$set", Value: bson.D{{Key: "stat", Value: "x"}}}}, "update: stat: no such field in testmodels.PathOrder; did you mean status?"},
		{"$unset typo under a struct", bson.M{"$unset": bson.M{"address.zipp": ""}}, "did you mean address.zip?"},
		{"positional $", bson.D{{Key: "$set", Value: bson.D{{Key: "items.$.qty", Value: 1}}}}, ""},
		{"all positional", bson.D{{Key: "$inc", Value: bson.D{{Key: "items.$[].qty", Value: 1}}}}, ""},
		{"filtered positional", bson.D{{Key: "$set", Value: bson.D{{Key: "items.$[big].sku", Value: "x"}}}}, ""},
		{"filtered positional, typo after", bson.D{{Key: "$set", Value: bson.D{{Key: "items.$[big].skew", Value: "x"}}}}, "did you mean items.$[big].sku?"},
		{"positional on a scalar", bson.D{{Key: "$set", Value: bson.D{{Key: "status.$", Value: 1}}}}, "status is a string"},
		{"a bad identifier", bson.D{{Key: "$set", Value: bson.D{{Key: "items.$[Big].sku", Value: 1}}}}, "items.$[Big]"},
		{"$rename target", bson.D{{Key: "$rename", Value: bson.D{{Key: "status", Value: "stat"}}}}, "stat: no such field"},
		{"$pull condition", bson.D{{Key: "$pull", Value: bson.D{{Key: "items", Value: bson.D{{Key: "sku", Value: "a"}}}}}}, ""},
		{"$pull condition typo", bson.D{{Key: "$pull", Value: bson.D{{Key: "items", Value: bson.D{{Key: "skuu", Value: "a"}}}}}}, "update: items.skuu: no field skuu in testmodels.PathItem"},
		{"$pull of scalars", bson.D{{Key: "$pull", Value: bson.D{{Key: "scores", Value: bson.D{{Key: "$gte", Value: 6}}}}}}, ""},
		{"$push with $sort", bson.D{{Key: "$push", Value: bson.D{{Key: "items", Value: bson.D{{Key: "$each", Value: bson.A{}}, {Key: "$sort", Value: bson.D{{Key: "qyt", Value: 1}}}}}}}}, "items.qyt"},
		{"a map key", bson.D{{Key: "$set", Value: bson.D{{Key: "labels.anything", Value: "x"}}}}, ""},
		{"a typed patch", bson.D{{Key: "$set", Value: struct {
			Status string `bson:"status"`
			Nope   string `bson:"nope"`
		}{}}}, "nope: no such field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := orders.prepareUpdate("update", nil, c.update, false)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestPathCheckOpenModels(t *testing.T) {
	open := offline[pathOpen](t)
	_, err := open.checkQuery("find", bson.D{{Key: "anything", Value: 1}, {Key: "kind", Value: "x"}, {Key: "deep.below.it", Value: 1}}, pathcheck.Parts{})
	assert.NoError(t, err, "an inline map holds any top-level key")
	_, err = open.checkQuery("find", bson.D{{Key: "inner.cityy", Value: 1}}, pathcheck.Parts{})
	assert.ErrorContains(t, err, "did you mean inner.city?", "a declared struct field stays checked")

	py := offline[pathPython](t)
	for _, ok := range []string{"name", "py_flags", "py_flags.a", "legacy.owner", "legacy.owner.id"} {
		_, err := py.checkQuery("find", bson.D{{Key: ok, Value: 1}}, pathcheck.Parts{})
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"legacy", "legacy.other", "py_flag"} {
		_, err := py.checkQuery("find", bson.D{{Key: bad, Value: 1}}, pathcheck.Parts{})
		assert.Error(t, err, bad)
	}
}

// pathStrict keeps unknown top-level fields in an ",inline" map, and
// declares those its queries name: the path check is strict.
type pathStrict struct {
	ID    bson.ObjectID          `bson:"_id,omitempty"`
	Kind  string                 `bson:"kind"`
	Inner testmodels.PathAddress `bson:"inner"`
	Items []pathOpen             `bson:"items"`
	Rest  bson.M                 `bson:",inline"`
}

func (pathStrict) CollectionName() string { return "path_strict" }

func (pathStrict) ExtraPaths() []string { return []string{"pod_name", "resource.usage", ""} }

func (pathStrict) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("node_name")}, Sparse: true, OutsideStruct: true}}
}

// pathStrictNone has an ",inline" map and declares that its queries name
// no field beyond the struct's.
type pathStrictNone struct {
	Kind string `bson:"kind"`
	Rest bson.M `bson:",inline"`
}

func (*pathStrictNone) ExtraPaths() []string { return nil }

// TestPathCheckStrictInlineModels: a model with an ",inline" map that
// declares ExtraPaths accepts its declared fields, the extra paths and
// what lies below them, and its OutsideStruct index keys, in every part
// of a query, and refuses any other key with the nearest of all of them;
// the inline maps of the structs it holds are strict too.
func TestPathCheckStrictInlineModels(t *testing.T) {
	strict := offline[pathStrict](t)
	parts := map[string]func(path string) error{
		"filter": func(p string) error {
			_, err := strict.checkQuery("find", bson.D{{Key: p, Value: 1}}, pathcheck.Parts{})
			return err
		},
		"filter under $or": func(p string) error {
			_, err := strict.checkQuery("find", bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "kind", Value: 1}}, bson.M{p: bson.M{"$exists": true}}}}}, pathcheck.Parts{})
			return err
		},
		"sort": func(p string) error {
			_, err := strict.checkQuery("find", bson.D{}, pathcheck.Parts{Sort: bson.D{{Key: p, Value: -1}}})
			return err
		},
		"projection": func(p string) error {
			_, err := strict.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.D{{Key: p, Value: 1}}})
			return err
		},
		"field": func(p string) error {
			_, err := strict.checkQuery("distinct", bson.D{}, pathcheck.Parts{Field: p})
			return err
		},
		"update": func(p string) error {
			_, err := strict.prepareUpdate("update", nil, bson.D{{Key: "$set", Value: bson.D{{Key: p, Value: 1}}}}, false)
			return err
		},
	}
	accepted := []string{"kind", "_id", "inner.city", "items.kind", "items.0.inner.zip", "pod_name", "pod_name.below", "resource.usage", "resource.usage.cpu", "node_name"}
	refused := []struct{ path, problem, nearest string }{
		{"knid", "no such field in odm.pathStrict or its ExtraPaths", "kind"},
		{"pod_nme", "no such field in odm.pathStrict or its ExtraPaths", "pod_name"},
		{"nod_name", "no such field in odm.pathStrict or its ExtraPaths", "node_name"},
		{"resource.usag", "no field resource in odm.pathStrict or its ExtraPaths", "resource.usage"},
		{"resource", "no such field in odm.pathStrict or its ExtraPaths", ""},
		{"anything", "no such field in odm.pathStrict or its ExtraPaths", ""},
		{"inner.cty", "no field cty in testmodels.PathAddress (at inner of odm.pathStrict)", "inner.city"},
		{"items.kindd", "no field kindd in odm.pathOpen (at items of odm.pathStrict) or its ExtraPaths", "items.kind"},
		{"items.1.extra", "no field extra in odm.pathOpen (at items.1 of odm.pathStrict) or its ExtraPaths", ""},
	}
	for part, check := range parts {
		t.Run(part, func(t *testing.T) {
			for _, p := range accepted {
				assert.NoError(t, check(p), p)
			}
			for _, c := range refused {
				for range 2 { // the second answer is the cached one
					err := check(c.path)
					var pe *query.PathError
					require.ErrorAs(t, err, &pe, c.path)
					assert.Equal(t, c.path, pe.Path)
					assert.Equal(t, c.problem, pe.Problem, c.path)
					assert.Equal(t, c.nearest, pe.Nearest, c.path)
					wantPart := strings.Fields(part)[0]
					assert.Equal(t, wantPart, pe.Part, c.path)
				}
			}
		})
	}

	none := offline[pathStrictNone](t)
	_, err := none.checkQuery("find", bson.D{{Key: "kind", Value: 1}}, pathcheck.Parts{})
	assert.NoError(t, err)
	_, err = none.checkQuery("find", bson.D{{Key: "kinds", Value: 1}}, pathcheck.Parts{})
	assert.ErrorContains(t, err, "filter: kinds: no such field in odm.pathStrictNone or its ExtraPaths; did you mean kind?",
		"ExtraPaths declared on the pointer, as none: every key beside the struct's is refused")
}

// TestPathCheckNearestExtraPath: the nearest of a refused path may be an
// extra path, on any model that declares them.
func TestPathCheckNearestExtraPath(t *testing.T) {
	py := offline[pathPython](t)
	for path, nearest := range map[string]string{
		"py_flag":       "py_flags",
		"legacy.other":  "legacy.owner",
		"legacy.ownr.x": "legacy.owner",
		"nme":           "name",
		"zzzzzzzz":      "",
	} {
		_, err := py.checkQuery("find", bson.D{{Key: path, Value: 1}}, pathcheck.Parts{})
		var pe *query.PathError
		require.ErrorAs(t, err, &pe, path)
		assert.Equal(t, nearest, pe.Nearest, path)
	}
}

func TestPathCheckNilFilters(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	for _, f := range []any{nil, bson.D(nil), bson.M(nil), map[string]any(nil), (*struct{})(nil)} {
		got, err := orders.checkQuery("find", f, pathcheck.Parts{})
		require.NoError(t, err)
		assert.Equal(t, bson.D{}, got, "%T: every document", f)
		err = orders.checkWriteFilter("delete", f, pathcheck.Parts{})
		assert.ErrorContains(t, err, "the filter is nil; pass bson.D{} to match every document", "%T", f)
	}
}

func TestPathCheckMapOrderOneShape(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	pc, err := pathcheck.For(orders.model())
	require.NoError(t, err)
	for range 50 {
		_, err := orders.checkQuery("count", bson.M{"status": 1, "scores": 2, "address.city": 3, "items.sku": 4}, pathcheck.Parts{})
		require.NoError(t, err)
	}
	pc.Mu.RLock()
	defer pc.Mu.RUnlock()
	n := 0
	for k := range pc.Shapes {
		if strings.Contains(k, "address.city") && strings.Contains(k, "scores") && !strings.Contains(k, "tree") {
			n++
		}
	}
	assert.Equal(t, 1, n, "a bson.M's shape does not depend on map order")
}

// TestPathCheckValidQueriesPass: queries MongoDB accepts whose keys are not
// all paths of the model (a natural-order sort, computed text scores,
// projection operators, positional projections) are never refused.
func TestPathCheckValidQueriesPass(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	meta := bson.D{{Key: "$meta", Value: "textScore"}}
	cases := []struct {
		name  string
		parts pathcheck.Parts
	}{
		{"sort $natural descending", pathcheck.Parts{Sort: bson.D{{Key: "$natural", Value: -1}}}},
		{"sort $natural ascending", pathcheck.Parts{Sort: bson.D{{Key: "$natural", Value: 1}}}},
		{"sort $natural in a bson.M", pathcheck.Parts{Sort: bson.M{"$natural": -1}}},
		{"sort by text score", pathcheck.Parts{Sort: bson.D{{Key: "score", Value: meta}, {Key: "status", Value: 1}}}},
		{"sort by text score in a bson.M", pathcheck.Parts{Sort: bson.M{"score": bson.M{"$meta": "textScore"}}}},
		{"projection of the text score", pathcheck.Parts{Projection: bson.D{{Key: "score", Value: meta}, {Key: "status", Value: 1}}}},
		{"projection of the text score in a bson.M", pathcheck.Parts{Projection: bson.M{"score": bson.M{"$meta": "textScore"}}}},
		{"text score projected and sorted", pathcheck.Parts{Projection: bson.D{{Key: "score", Value: meta}}, Sort: bson.D{{Key: "score", Value: meta}}}},
		{"$slice of a count", pathcheck.Parts{Projection: bson.D{{Key: "scores", Value: bson.D{{Key: "$slice", Value: 3}}}}}},
		{"$slice of a skip and a count", pathcheck.Parts{Projection: bson.D{{Key: "items", Value: bson.D{{Key: "$slice", Value: bson.A{1, 2}}}}}}},
		{"$elemMatch projection", pathcheck.Parts{Projection: bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: "a"}, {Key: "qty", Value: bson.D{{Key: "$gt", Value: 1}}}}}}}}}},
		{"$elemMatch projection with $or", pathcheck.Parts{Projection: bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "sku", Value: "a"}}, bson.D{{Key: "qty", Value: 2}}}}}}}}}}},
		{"$elemMatch projection on scalars", pathcheck.Parts{Projection: bson.D{{Key: "scores", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$gte", Value: 80}}}}}}}},
		{"positional projection", pathcheck.Parts{Projection: bson.D{{Key: "items.$", Value: 1}}}},
		{"positional projection of scalars", pathcheck.Parts{Projection: bson.M{"scores.$": true}}},
		{"an expression projection", pathcheck.Parts{Projection: bson.D{{Key: "label", Value: bson.D{{Key: "$concat", Value: bson.A{"$status", "!"}}}}}}},
		{"a literal projection", pathcheck.Parts{Projection: bson.D{{Key: "flag", Value: bson.D{{Key: "$literal", Value: 1}}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := orders.checkQuery("find", bson.D{{Key: "items.sku", Value: "a"}}, c.parts)
			assert.NoError(t, err)
		})
	}
}

// TestPathCheckProjectionOperatorsChecked: the paths a projection operator
// applies to, and the fields of an $elemMatch projection's filter, are
// still checked.
func TestPathCheckProjectionOperatorsChecked(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	cases := []struct {
		name       string
		projection any
		want       string
	}{
		{"$slice of a typo", bson.D{{Key: "scors", Value: bson.D{{Key: "$slice", Value: 3}}}}, "projection: scors: no such field in testmodels.PathOrder; did you mean scores?"},
		{"$elemMatch of a typo", bson.D{{Key: "itms", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: 1}}}}}}, "projection: itms: no such field"},
		{"$elemMatch on a typo'd element field", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "skuu", Value: 1}}}}}}, "projection: items.skuu: no field skuu in testmodels.PathItem (at items of testmodels.PathOrder); did you mean items.sku?"},
		{"$elemMatch's $or on a typo'd element field", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "sku", Value: 1}}, bson.D{{Key: "qyt", Value: 1}}}}}}}}}, "projection: items.qyt: no field qyt in testmodels.PathItem (at items of testmodels.PathOrder); did you mean items.qty?"},
		{"positional projection of a typo", bson.D{{Key: "itemz.$", Value: 1}}, "did you mean items?"},
		{"sort-like key in a projection", bson.D{{Key: "$natural", Value: 1}}, "projection: $natural"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: c.projection})
			var pe *query.PathError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestPathCheckNULKey: a key holding a NUL byte, wherever it stands, is a
// *PathError naming the key, before any command; it used to split the
// shape's buffer and panic.
func TestPathCheckNULKey(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	nul := bson.D{{Key: "name\x00", Value: "x"}}
	cases := []struct {
		name  string
		query func() error
		path  string
		part  string
	}{
		{"filter", func() error { _, err := orders.checkQuery("find", nul, pathcheck.Parts{}); return err }, "name\x00", "filter"},
		{"filter, NUL first", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "\x00", Value: 1}}, pathcheck.Parts{})
			return err
		}, "\x00", "filter"},
		{"filter in a bson.M", func() error {
			_, err := orders.checkQuery("find", bson.M{"status": 1, "st\x00atus": 1}, pathcheck.Parts{})
			return err
		}, "st\x00atus", "filter"},
		{"under $and", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "status", Value: 1}}, nul}}}, pathcheck.Parts{})
			return err
		}, "name\x00", "filter"},
		{"under $elemMatch", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku\x00", Value: 1}}}}}}, pathcheck.Parts{})
			return err
		}, "items.sku\x00", "filter"},
		{"under $not of $elemMatch", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "items", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$elemMatch", Value: bson.M{"a\x00b": 1}}}}}}}, pathcheck.Parts{})
			return err
		}, "items.a\x00b", "filter"},
		{"an array path holding NUL, then $elemMatch", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "it\x00ems", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "sku", Value: 1}}}}}}, pathcheck.Parts{})
			return err
		}, "it\x00ems", "filter"},
		{"an unknown operator", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "$zz\x00", Value: 1}}, pathcheck.Parts{})
			return err
		}, "$zz\x00", "filter"},
		{"an operator of a condition", func() error {
			_, err := orders.checkQuery("find", bson.D{{Key: "status", Value: bson.D{{Key: "$g\x00t", Value: 1}}}}, pathcheck.Parts{})
			return err
		}, "status.$g\x00t", "filter"},
		{"sort", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Sort: bson.D{{Key: "status", Value: 1}, {Key: "created\x00", Value: -1}}})
			return err
		}, "created\x00", "sort"},
		{"projection", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.M{"\x00status": 1}})
			return err
		}, "\x00status", "projection"},
		{"sort by a computed value", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Sort: bson.D{{Key: "sc\x00ore", Value: bson.D{{Key: "$meta", Value: "textScore"}}}}})
			return err
		}, "sc\x00ore", "sort"},
		{"a computed projection field", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.D{{Key: "label\x00", Value: "$status"}}})
			return err
		}, "label\x00", "projection"},
		{"nested projection", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.D{{Key: "address", Value: bson.D{{Key: "ci\x00ty", Value: 1}}}}})
			return err
		}, "address.ci\x00ty", "projection"},
		{"an operator of a nested projection", func() error { // found by FuzzPathCheck
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.D{{Key: "address", Value: bson.D{{Key: "$000\x00", Value: 0}}}}})
			return err
		}, "address.$000\x00", "projection"},
		{"$elemMatch projection", func() error {
			_, err := orders.checkQuery("find", bson.D{}, pathcheck.Parts{Projection: bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: nul}}}}})
			return err
		}, "items.name\x00", "projection"},
		{"Distinct's field", func() error {
			_, err := orders.checkQuery("distinct", bson.D{}, pathcheck.Parts{Field: "status\x00"})
			return err
		}, "status\x00", "field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 2 { // the second answer comes from the cache, when cached
				var err error
				require.NotPanics(t, func() { err = c.query() })
				var pe *query.PathError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, c.path, pe.Path)
				assert.Equal(t, c.part, pe.Part)
				assert.Equal(t, "testmodels.PathOrder", pe.GoType)
				assert.Contains(t, err.Error(), ": "+c.part+": "+strconv.Quote(c.path)+": the key holds a NUL byte, which no BSON key can hold")
				assert.NotContains(t, err.Error(), "\x00", "the message shows the byte quoted")
			}
		})
	}
}

// TestPathCheckSameAnswerForRaw: a query gets the same answer given as
// Go values or read from BSON; a value that must be a document and is not
// used to be refused as a bson.D and passed as bson.Raw.
func TestPathCheckSameAnswerForRaw(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	cases := []struct {
		name       string
		doc        bson.D
		projection bool // doc is the projection, not the filter
		want       string
	}{
		{"$elemMatch of a number", bson.D{{Key: "scores", Value: bson.D{{Key: "$elemMatch", Value: 1}}}}, false, "where a document was expected"},
		{"$and of a number", bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "status", Value: 1}}, 2}}}, false, "where a document was expected"},
		{"$elemMatch projection of a string", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: "x"}}}}, true, "where a document was expected"},
		{"$elemMatch of a typo", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "skk", Value: 1}}}}}}, false, "items.skk"},
		{"valid", bson.D{{Key: "items", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "sku", Value: 1}}}}}}}}}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, doc := range []any{c.doc, mustRaw(t, c.doc)} {
				filter, parts := doc, pathcheck.Parts{}
				if c.projection {
					filter, parts = bson.D{}, pathcheck.Parts{Projection: doc}
				}
				_, err := orders.checkQuery("find", filter, parts)
				if c.want == "" {
					assert.NoError(t, err, "%T", doc)
					continue
				}
				var pe *query.PathError
				require.ErrorAs(t, err, &pe, "%T", doc)
				assert.Contains(t, err.Error(), c.want, "%T", doc)
			}
		})
	}
}

// TestPathCheckNULKeyAfterItsLookalike: a key holding a NUL byte is
// refused even after a valid shape whose paths the same bytes would spell
// if NUL ended a path ("status\x00fitems" beside status and items), which
// a shape seen before answers without reading its paths.
func TestPathCheckNULKeyAfterItsLookalike(t *testing.T) {
	orders := offline[testmodels.PathOrder](t)
	_, err := orders.checkQuery("find", bson.D{{Key: "status", Value: 1}, {Key: "items", Value: 1}}, pathcheck.Parts{})
	require.NoError(t, err)
	for _, key := range []string{"status\x00fitems", "status\x00\x06fitems"} {
		_, err = orders.checkQuery("find", bson.D{{Key: key, Value: 1}}, pathcheck.Parts{})
		var pe *query.PathError
		require.ErrorAs(t, err, &pe, "%q", key)
		assert.Equal(t, key, pe.Path)
		assert.Contains(t, pe.Problem, "NUL byte")
	}
}

// TestShapeWriterNULInUpdate: the update operators' keys, $rename's target
// and a $push's $sort keys are refused with a NUL byte in them. (A
// repository's update is encoded before its shape is written, and the
// encoder refuses such a key first.)
func TestShapeWriterNULInUpdate(t *testing.T) {
	pc, err := pathcheck.For(offline[testmodels.PathOrder](t).model())
	require.NoError(t, err)
	cases := []struct {
		name   string
		update bson.D
		path   string
	}{
		{"$set", bson.D{{Key: "$set", Value: bson.D{{Key: "status\x00", Value: 1}}}}, "status\x00"},
		{"an operator", bson.D{{Key: "$se\x00t", Value: bson.D{{Key: "status", Value: 1}}}}, "$se\x00t"},
		{"$pull's operator condition", bson.D{{Key: "$pull", Value: bson.D{{Key: "matrix", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "s\x00", Value: 1}}}}}}}}, "matrix.s\x00"},
		{"$rename's target", bson.D{{Key: "$rename", Value: bson.D{{Key: "status", Value: "sta\x00tus"}}}}, "sta\x00tus"},
		{"$pull's condition", bson.D{{Key: "$pull", Value: bson.D{{Key: "items", Value: bson.D{{Key: "s\x00ku", Value: 1}}}}}}, "items.s\x00ku"},
		{"$push's $sort", bson.D{{Key: "$push", Value: bson.D{{Key: "items", Value: bson.D{{Key: "$each", Value: bson.A{}}, {Key: "$sort", Value: bson.D{{Key: "qty\x00", Value: 1}}}}}}}}, "items.qty\x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := &pathcheck.ShapeWriter{}
			w.Update(c.update)
			var pe *query.PathError
			require.NotPanics(t, func() { pe = pc.Check(w) })
			require.NotNil(t, pe)
			assert.Equal(t, c.path, pe.Path)
			assert.Equal(t, "update", pe.Part)
			assert.Contains(t, pe.Error(), "holds a NUL byte")
		})
	}
}
