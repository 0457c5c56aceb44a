package diff_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/schema"
)

// diffOne diffs one declared index with one listed document and returns
// its action and the fields that differ.
func diffOne(t *testing.T, spec schema.IndexSpec, listed string, opts ...diff.Option) (diff.Action, []string) {
	t.Helper()
	changes, err := diff.Diff([]schema.IndexSpec{spec}, listing(t, listed), opts...)
	require.NoError(t, err)
	require.NotEmpty(t, changes)
	var fields []string
	for _, d := range changes[0].Differences {
		fields = append(fields, d.Field)
	}
	return changes[0].Action, fields
}

func filterSpec(filter bson.D) schema.IndexSpec {
	return schema.IndexSpec{Name: "p", Keys: []schema.IndexKey{schema.Asc("age")}, PartialFilter: filter}
}

func gt(v any) bson.D {
	return bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: v}}}}
}

// TestDiffTypedValues: numbers compare by value across int32, int64,
// double and decimal128; a string never equals a number, a bool or a
// date; nested documents and arrays keep their types.
func TestDiffTypedValues(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		spec   schema.IndexSpec
		listed string
		want   diff.Action
		fields []string
	}{
		{"filter int equals long", filterSpec(gt(50)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": {"$numberLong": "50"}}}}`, diff.Unchanged, nil},
		{"filter int equals double", filterSpec(gt(50)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": 50.0}}}`, diff.Unchanged, nil},
		{"filter int equals decimal", filterSpec(gt(50)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": {"$numberDecimal": "50.00"}}}}`, diff.Unchanged, nil},
		{"filter double equals decimal of the same value", filterSpec(gt(0.5)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": {"$numberDecimal": "0.5"}}}}`, diff.Unchanged, nil},
		{"filter decimal 0.1 is not the double 0.1", filterSpec(gt(0.1)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": {"$numberDecimal": "0.1"}}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter long beyond 2^53 is exact", filterSpec(gt(int64(1<<53 + 1))),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": 9007199254740992.0}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter string is not a number", filterSpec(gt(50)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": "50"}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter string is not a bool", filterSpec(bson.D{{Key: "s", Value: true}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": "true"}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter string is not a date", filterSpec(gt(at)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": "2024-01-02T03:04:05Z"}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter date equals date", filterSpec(gt(at)),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"age": {"$gt": {"$date": "2024-01-02T03:04:05Z"}}}}`, diff.Unchanged, nil},
		{"filter null is not the string null", filterSpec(bson.D{{Key: "s", Value: nil}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": "null"}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter array keeps its types", filterSpec(bson.D{{Key: "s", Value: bson.D{{Key: "$in", Value: bson.A{1, "2"}}}}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": {"$in": [1.0, "2"]}}}`, diff.Unchanged, nil},
		{"filter array element type changed", filterSpec(bson.D{{Key: "s", Value: bson.D{{Key: "$in", Value: bson.A{1, "2"}}}}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": {"$in": [1, 2]}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter nested document keeps its types", filterSpec(bson.D{{Key: "s", Value: bson.D{{Key: "x", Value: bson.D{{Key: "y", Value: 1}}}}}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": {"x": {"y": "1"}}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"filter field order counts", filterSpec(bson.D{{Key: "s", Value: bson.D{{Key: "x", Value: 1}, {Key: "y", Value: 2}}}}),
			`{"v": 2, "key": {"age": 1}, "name": "p", "partialFilterExpression": {"s": {"y": 2, "x": 1}}}`, diff.Conflict, []string{"partialFilterExpression"}},
		{"key value a string 1 is not the number 1", schema.Index(schema.Asc("a")).Named("k"),
			`{"v": 2, "key": {"a": "1"}, "name": "k"}`, diff.Conflict, []string{"key"}},
		{"key value 2 is not 1", schema.Index(schema.Asc("a")).Named("k"),
			`{"v": 2, "key": {"a": 2}, "name": "k"}`, diff.Conflict, []string{"key"}},
		{"key value decimal -1", schema.Index(schema.Desc("a")).Named("k"),
			`{"v": 2, "key": {"a": {"$numberDecimal": "-1"}}, "name": "k"}`, diff.Unchanged, nil},
		{"collation strength as a string", schema.IndexSpec{Name: "c", Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &options.Collation{Locale: "fr", Strength: 2}},
			`{"v": 2, "key": {"a": 1}, "name": "c", "collation": {"locale": "fr", "strength": "2"}}`, diff.Conflict, []string{"collation"}},
		{"collation strength as a double", schema.IndexSpec{Name: "c", Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &options.Collation{Locale: "fr", Strength: 2}},
			`{"v": 2, "key": {"a": 1}, "name": "c", "collation": {"locale": "fr", "strength": 2.0}}`, diff.Unchanged, nil},
		{"collation bool as a string", schema.IndexSpec{Name: "c", Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &options.Collation{Locale: "fr", NumericOrdering: true}},
			`{"v": 2, "key": {"a": 1}, "name": "c", "collation": {"locale": "fr", "numericOrdering": "true"}}`, diff.Conflict, []string{"collation"}},
		{"2d bits as a string", schema.Index(schema.Geo2D("p")).Named("g"),
			`{"v": 2, "key": {"p": "2d"}, "name": "g", "bits": "26"}`, diff.Conflict, []string{"bits"}},
		{"2d min as a long", schema.Index(schema.Geo2D("p")).Named("g"),
			`{"v": 2, "key": {"p": "2d"}, "name": "g", "min": {"$numberLong": "-180"}}`, diff.Unchanged, nil},
		{"default_language a number", schema.IndexSpec{Name: "t", Keys: []schema.IndexKey{schema.Text("a")}},
			`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "t", "weights": {"a": 1}, "default_language": 1}`, diff.Conflict, []string{"default_language"}},
		{"storage engine options keep types", schema.Index(schema.Asc("a")).Named("s"),
			`{"v": 2, "key": {"a": 1}, "name": "s", "storageEngine": {"wiredTiger": {"configString": "block_compressor=zstd"}}}`, diff.Conflict, []string{"storageEngine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, tt.spec, tt.listed)
			assert.Equal(t, tt.want, action)
			assert.Equal(t, tt.fields, fields)
		})
	}
}

// TestDiffShowsWhichSideIsAString: a difference of type alone names the
// string side, quoted.
func TestDiffShowsWhichSideIsAString(t *testing.T) {
	changes, err := diff.Diff([]schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(time.Hour)}},
		listing(t, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": "3600"}`))
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, []diff.Difference{{Field: "expireAfterSeconds", Declared: "3600", Listed: `"3600"`}}, changes[0].Differences)
}

// TestDiffNonNumericTTL: a listed expireAfterSeconds that is not a number
// never expires anything; collMod sets the declared number in place.
func TestDiffNonNumericTTL(t *testing.T) {
	ttl := schema.IndexSpec{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(time.Hour)}
	tests := []struct {
		name   string
		spec   schema.IndexSpec
		listed string
		want   diff.Action
	}{
		{"a string", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": "3600"}`, diff.ModifyInPlace},
		{"a bool", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": true}`, diff.ModifyInPlace},
		{"null", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": null}`, diff.ModifyInPlace},
		{"NaN", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": {"$numberDouble": "NaN"}}`, diff.ModifyInPlace},
		{"a fraction", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600.5}`, diff.ModifyInPlace},
		{"a decimal of the same value", ttl, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": {"$numberDecimal": "3600"}}`, diff.Unchanged},
		{"a string, not declared", schema.Index(schema.Asc("at")), `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": "3600"}`, diff.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, tt.spec, tt.listed)
			assert.Equal(t, tt.want, action)
			if tt.want != diff.Unchanged {
				assert.Equal(t, []string{"expireAfterSeconds"}, fields)
			}
		})
	}
}

const frFull = `{"locale": "fr", "caseLevel": false, "caseFirst": "off", "strength": 3, "numericOrdering": false,
	"alternate": "non-ignorable", "maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}`

// TestDiffInheritedCollation: an index declared without a collation, on a
// collection with a default collation, is listed with that collation.
func TestDiffInheritedCollation(t *testing.T) {
	plain := schema.Index(schema.Asc("name"))
	withColl := func(c *options.Collation) schema.IndexSpec { s := plain; s.Collation = c; return s }
	de := `{"locale": "de", "caseLevel": false, "caseFirst": "off", "strength": 3, "numericOrdering": false,
		"alternate": "non-ignorable", "maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}`
	frStrength1 := `{"locale": "fr", "caseLevel": false, "caseFirst": "off", "strength": 1, "numericOrdering": false,
		"alternate": "non-ignorable", "maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}`
	listedWith := func(c string) string {
		return `{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": ` + c + `}`
	}
	collection := diff.CollectionCollation(rawDoc(t, frFull))
	tests := []struct {
		name   string
		spec   schema.IndexSpec
		listed string
		opts   []diff.Option
		want   diff.Action
	}{
		{"no collation declared, listed with the collection's", plain, listedWith(frFull), []diff.Option{collection}, diff.Unchanged},
		{"no collation declared, listed with another", plain, listedWith(de), []diff.Option{collection}, diff.Conflict},
		{"no collation declared, listed with the same locale and another strength", plain, listedWith(frStrength1), []diff.Option{collection}, diff.Conflict},
		{"no collation declared, listed with none", plain, `{"v": 2, "key": {"name": 1}, "name": "name_1"}`, []diff.Option{collection}, diff.Conflict},
		{"declared the collection's collation", withColl(&options.Collation{Locale: "fr"}), listedWith(frFull), []diff.Option{collection}, diff.Unchanged},
		{"declared another collation than listed", withColl(&options.Collation{Locale: "de"}), listedWith(frFull), []diff.Option{collection}, diff.Conflict},
		{"declared simple, listed with none", withColl(&options.Collation{Locale: "simple"}), `{"v": 2, "key": {"name": 1}, "name": "name_1"}`, []diff.Option{collection}, diff.Unchanged},
		{"without the option, listed with a collation", plain, listedWith(frFull), nil, diff.Conflict},
		{"a simple collection collation is none", plain, listedWith(frFull), []diff.Option{diff.CollectionCollation(rawDoc(t, `{"locale": "simple"}`))}, diff.Conflict},
		{"a simple collection collation, listed with none", plain, `{"v": 2, "key": {"name": 1}, "name": "name_1"}`, []diff.Option{diff.CollectionCollation(rawDoc(t, `{"locale": "simple"}`))}, diff.Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, tt.spec, tt.listed, tt.opts...)
			assert.Equal(t, tt.want, action)
			if tt.want == diff.Conflict {
				assert.Equal(t, []string{"collation"}, fields)
			}
		})
	}
}

// TestDiffInheritedCollationUnderAnotherName: with the collection's
// collation known, the same keys under another name are that index.
func TestDiffInheritedCollationUnderAnotherName(t *testing.T) {
	changes, err := diff.Diff([]schema.IndexSpec{schema.Index(schema.Asc("name"))},
		listing(t, `{"v": 2, "key": {"name": 1}, "name": "by_name", "collation": `+frFull+`}`),
		diff.CollectionCollation(rawDoc(t, frFull)))
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, diff.Conflict, changes[0].Action)
	assert.Equal(t, "by_name", changes[0].ListedName)
	assert.Equal(t, "name", changes[0].Differences[0].Field)
	assert.Len(t, changes[0].Differences, 1, "only the name differs")
}

func TestDiffRefusesAMalformedCollectionCollation(t *testing.T) {
	_, err := diff.Diff(nil, nil, diff.CollectionCollation(bson.Raw{0x0c, 0, 0, 0, 0x02, 'a', 0, 0xff, 0xff, 0xff, 0x7f, 0}))
	assert.Error(t, err)
}

func rawDoc(t *testing.T, ext string) bson.Raw {
	t.Helper()
	var raw bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON([]byte(ext), false, &raw), ext)
	return raw
}

// TestDiffWildcardProjection: servers before 6.3, 6.0.5 and 5.0.16 may
// store a projection normalised: nested, true for 1, _id: false added, in
// another order. A real change is still a difference.
func TestDiffWildcardProjection(t *testing.T) {
	decl := schema.IndexSpec{Name: "w", Keys: []schema.IndexKey{schema.Wildcard("")},
		WildcardProjection: bson.D{{Key: "a.b", Value: 1}, {Key: "a.c", Value: 1}, {Key: "d", Value: 1}}}
	excl := schema.IndexSpec{Name: "w", Keys: []schema.IndexKey{schema.Wildcard("")},
		WildcardProjection: bson.D{{Key: "secret", Value: 0}}}
	listed := func(p string) string {
		return `{"v": 2, "key": {"$**": 1}, "name": "w", "wildcardProjection": ` + p + `}`
	}
	tests := []struct {
		name string
		spec schema.IndexSpec
		proj string
		want diff.Action
	}{
		{"as declared", decl, `{"a.b": 1, "a.c": 1, "d": 1}`, diff.Unchanged},
		{"nested", decl, `{"a": {"b": 1, "c": 1}, "d": 1}`, diff.Unchanged},
		{"true for 1", decl, `{"a.b": true, "a.c": true, "d": true}`, diff.Unchanged},
		{"_id: false added", decl, `{"a.b": 1, "a.c": 1, "d": 1, "_id": false}`, diff.Unchanged},
		{"_id: 0 added", decl, `{"_id": 0, "a.b": 1, "a.c": 1, "d": 1}`, diff.Unchanged},
		{"other order", decl, `{"d": 1, "a.c": 1, "a.b": 1}`, diff.Unchanged},
		{"all at once", decl, `{"_id": false, "d": true, "a": {"c": true, "b": {"$numberLong": "1"}}}`, diff.Unchanged},
		{"exclusion as false", excl, `{"secret": false}`, diff.Unchanged},
		{"a path added", decl, `{"a.b": 1, "a.c": 1, "d": 1, "e": 1}`, diff.Conflict},
		{"a path removed", decl, `{"a": {"b": true}, "d": true}`, diff.Conflict},
		{"inclusion switched to exclusion", decl, `{"a.b": 0, "a.c": 0, "d": 0}`, diff.Conflict},
		{"exclusion switched to inclusion", excl, `{"secret": true}`, diff.Conflict},
		{"_id included", decl, `{"a.b": 1, "a.c": 1, "d": 1, "_id": true}`, diff.Conflict},
		{"a string is no inclusion", decl, `{"a.b": "1", "a.c": 1, "d": 1}`, diff.Conflict},
		{"a nested path moved", decl, `{"a": {"b": 1}, "c": 1, "d": 1}`, diff.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, tt.spec, listed(tt.proj))
			assert.Equal(t, tt.want, action)
			if tt.want == diff.Conflict {
				assert.Equal(t, []string{"wildcardProjection"}, fields)
			}
		})
	}
}

// TestDiffTextWeights: weights compare equal whatever their order and
// whether listed as int or double.
func TestDiffTextWeights(t *testing.T) {
	spec := schema.IndexSpec{Name: "t", Keys: []schema.IndexKey{schema.Text("title"), schema.Text("body"), schema.Text("tags")},
		Weights: map[string]int32{"title": 10, "body": 5}}
	listed := func(w string) string {
		return `{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "t", "weights": ` + w +
			`, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`
	}
	tests := []struct {
		name    string
		weights string
		want    diff.Action
	}{
		{"sorted ints", `{"body": 5, "tags": 1, "title": 10}`, diff.Unchanged},
		{"declaration order, doubles", `{"title": 10.0, "body": 5.0, "tags": 1.0}`, diff.Unchanged},
		{"any order, mixed types", `{"tags": {"$numberLong": "1"}, "title": {"$numberDecimal": "10"}, "body": 5}`, diff.Unchanged},
		{"a weight changed", `{"body": 5, "tags": 1, "title": 9}`, diff.Conflict},
		{"a weight as a string", `{"body": "5", "tags": 1, "title": 10}`, diff.Conflict},
		{"a field missing", `{"body": 5, "title": 10}`, diff.Conflict},
		{"a field added", `{"body": 5, "tags": 1, "title": 10, "x": 1}`, diff.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, spec, listed(tt.weights))
			assert.Equal(t, tt.want, action)
			if tt.want == diff.Conflict {
				assert.Equal(t, []string{"weights"}, fields)
			}
		})
	}
}

// TestDiffCollationComparesOnlyDeclaredFields: a collation compares the
// locale and each field the declaration sets (a non-zero field of
// options.Collation); the fields it leaves out are the server's defaults
// for the locale and never differ. Changing a declared field is reported.
func TestDiffCollationComparesOnlyDeclaredFields(t *testing.T) {
	full := map[string]any{"locale": "fr", "caseLevel": false, "caseFirst": "off", "strength": int32(3),
		"numericOrdering": false, "alternate": "non-ignorable", "maxVariable": "punct", "normalization": false,
		"backwards": false, "version": "57.1"}
	listed := func(change map[string]any) string {
		d := bson.D{}
		for _, k := range []string{"locale", "caseLevel", "caseFirst", "strength", "numericOrdering", "alternate",
			"maxVariable", "normalization", "backwards", "version"} {
			v := full[k]
			if c, ok := change[k]; ok {
				v = c
			}
			d = append(d, bson.E{Key: k, Value: v})
		}
		b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: 2}, {Key: "key", Value: bson.D{{Key: "a", Value: 1}}},
			{Key: "name", Value: "c"}, {Key: "collation", Value: d}}, true, false)
		require.NoError(t, err)
		return string(b)
	}
	spec := func(c options.Collation) schema.IndexSpec {
		return schema.IndexSpec{Name: "c", Keys: []schema.IndexKey{schema.Asc("a")}, Collation: &c}
	}
	tests := []struct {
		name   string
		decl   options.Collation
		change map[string]any
		want   diff.Action
	}{
		{"locale only, listed with defaults", options.Collation{Locale: "fr"}, nil, diff.Unchanged},
		{"locale only, an undeclared field differs from its default", options.Collation{Locale: "fr"}, map[string]any{"strength": int32(1)}, diff.Unchanged},
		{"locale changed", options.Collation{Locale: "fr"}, map[string]any{"locale": "fr_CA"}, diff.Conflict},
		{"strength declared and changed", options.Collation{Locale: "fr", Strength: 3}, map[string]any{"strength": int32(2)}, diff.Conflict},
		{"caseLevel declared and changed", options.Collation{Locale: "fr", CaseLevel: true}, map[string]any{"caseLevel": true}, diff.Unchanged},
		{"caseLevel declared, listed false", options.Collation{Locale: "fr", CaseLevel: true}, nil, diff.Conflict},
		{"caseFirst declared and changed", options.Collation{Locale: "fr", CaseFirst: "upper"}, map[string]any{"caseFirst": "lower"}, diff.Conflict},
		{"numericOrdering declared, listed false", options.Collation{Locale: "fr", NumericOrdering: true}, nil, diff.Conflict},
		{"alternate declared and changed", options.Collation{Locale: "fr", Alternate: "shifted"}, nil, diff.Conflict},
		{"maxVariable declared and changed", options.Collation{Locale: "fr", MaxVariable: "space"}, nil, diff.Conflict},
		{"normalization declared, listed false", options.Collation{Locale: "fr", Normalization: true}, nil, diff.Conflict},
		{"backwards declared, listed false", options.Collation{Locale: "fr", Backwards: true}, nil, diff.Conflict},
		{"backwards declared, listed true", options.Collation{Locale: "fr", Backwards: true}, map[string]any{"backwards": true}, diff.Unchanged},
		{"the version never counts", options.Collation{Locale: "fr", Strength: 3}, map[string]any{"version": "60.2"}, diff.Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, fields := diffOne(t, spec(tt.decl), listed(tt.change))
			assert.Equal(t, tt.want, action)
			if tt.want == diff.Conflict {
				assert.Equal(t, []string{"collation"}, fields)
			}
		})
	}
}
