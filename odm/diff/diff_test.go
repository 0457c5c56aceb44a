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

// listing parses listIndexes documents written in extended JSON, as
// MongoDB's manual shows them.
func listing(t *testing.T, docs ...string) []bson.Raw {
	t.Helper()
	out := make([]bson.Raw, len(docs))
	for i, d := range docs {
		require.NoError(t, bson.UnmarshalExtJSON([]byte(d), false, &out[i]), d)
	}
	return out
}

const idIndex = `{"v": 2, "key": {"_id": 1}, "name": "_id_"}`

type want struct {
	name       string
	action     diff.Action
	diffFields []string // the fields of the differences, in order
	listedName string
}

func TestDiff(t *testing.T) {
	fr := &options.Collation{Locale: "fr", Strength: 2}
	tests := []struct {
		name     string
		declared []schema.IndexSpec
		listed   []string
		opts     []diff.Option
		want     []want
	}{
		{
			name:     "unchanged unique index",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true}},
			listed:   []string{idIndex, `{"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}`},
			want:     []want{{"a_1", diff.Unchanged, nil, ""}},
		},
		{
			name:     "missing index is created; _id_ is never dropped",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a"))},
			listed:   []string{idIndex},
			want:     []want{{"a_1", diff.Create, nil, ""}},
		},
		{
			name:     "numbers of any BSON type",
			declared: []schema.IndexSpec{{Name: "ttl", Keys: []schema.IndexKey{schema.Desc("at")}, ExpireAfter: schema.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": {"$numberLong": "-1"}}, "name": "ttl", "expireAfterSeconds": {"$numberDouble": "3600.0"}}`},
			want:     []want{{"ttl", diff.Unchanged, nil, ""}},
		},
		{
			name:     "int64 TTL and double key",
			declared: []schema.IndexSpec{{Name: "ttl", Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(0)}},
			listed:   []string{`{"v": 2, "key": {"at": {"$numberDouble": "1.0"}}, "name": "ttl", "expireAfterSeconds": {"$numberLong": "0"}}`},
			want:     []want{{"ttl", diff.Unchanged, nil, ""}},
		},
		{
			name:     "false flags equal absent; v, ns, background ignored",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a"))},
			listed:   []string{`{"v": 1, "key": {"a": 1}, "name": "a_1", "ns": "db.c", "background": true, "unique": false, "sparse": false, "hidden": false}`},
			want:     []want{{"a_1", diff.Unchanged, nil, ""}},
		},
		{
			name: "text index listed as _fts/_ftsx with weights and defaults",
			declared: []schema.IndexSpec{{
				Keys:    []schema.IndexKey{schema.Text("title"), schema.Text("body")},
				Weights: map[string]int32{"title": 10},
			}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "title_text_body_text",
				"weights": {"body": 1, "title": 10}, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"title_text_body_text", diff.Unchanged, nil, ""}},
		},
		{
			name: "the reference text index, taken over",
			declared: []schema.IndexSpec{{
				Name: "idx_text_search",
				Keys: []schema.IndexKey{schema.Text("event_type"), schema.Text("metadata.service_name"),
					schema.Text("metadata.user_id"), schema.Text("execution_id")},
				DefaultLanguage: "english", LanguageOverride: "none",
			}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "idx_text_search",
				"weights": {"event_type": 1, "execution_id": 1, "metadata.service_name": 1, "metadata.user_id": 1},
				"default_language": "english", "language_override": "none", "textIndexVersion": 3}`},
			want: []want{{"idx_text_search", diff.Unchanged, nil, ""}},
		},
		{
			name:     "compound text index with regular keys before and after",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("tenant"), schema.Text("body"), schema.Desc("at")).Named("t")},
			listed: []string{`{"v": 2, "key": {"tenant": 1, "_fts": "text", "_ftsx": 1, "at": -1}, "name": "t",
				"weights": {"body": 1}, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"t", diff.Unchanged, nil, ""}},
		},
		{
			name:     "text weights changed",
			declared: []schema.IndexSpec{{Name: "t", Keys: []schema.IndexKey{schema.Text("title")}, Weights: map[string]int32{"title": 5}}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "t", "weights": {"title": 1},
				"default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"t", diff.Conflict, []string{"weights"}, ""}},
		},
		{
			name:     "collation with every default filled in and a version",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: fr}},
			listed: []string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": {"locale": "fr", "caseLevel": false,
				"caseFirst": "off", "strength": 2, "numericOrdering": false, "alternate": "non-ignorable",
				"maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}}`},
			want: []want{{"name_1", diff.Unchanged, nil, ""}},
		},
		{
			name:     "collation strength changed",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: fr}},
			listed:   []string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": {"locale": "fr", "strength": 3, "version": "57.1"}}`},
			want:     []want{{"name_1", diff.Conflict, []string{"collation"}, ""}},
		},
		{
			name:     "2dsphere index version ignored",
			declared: []schema.IndexSpec{schema.Index(schema.Geo2DSphere("loc"))},
			listed:   []string{`{"v": 2, "key": {"loc": "2dsphere"}, "name": "loc_2dsphere", "2dsphereIndexVersion": 3}`},
			want:     []want{{"loc_2dsphere", diff.Unchanged, nil, ""}},
		},
		{
			name:     "2d defaults equal absent",
			declared: []schema.IndexSpec{schema.Index(schema.Geo2D("pos"))},
			listed:   []string{`{"v": 2, "key": {"pos": "2d"}, "name": "pos_2d", "bits": 26, "min": -180.0, "max": 180.0}`},
			want:     []want{{"pos_2d", diff.Unchanged, nil, ""}},
		},
		{
			name: "2d bits changed",
			declared: []schema.IndexSpec{func() schema.IndexSpec {
				b := int32(32)
				return schema.IndexSpec{Keys: []schema.IndexKey{schema.Geo2D("pos")}, Bits: &b}
			}()},
			listed: []string{`{"v": 2, "key": {"pos": "2d"}, "name": "pos_2d"}`},
			want:   []want{{"pos_2d", diff.Conflict, []string{"bits"}, ""}},
		},
		{
			name:     "wildcard projection with true for 1",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Wildcard("")}, WildcardProjection: bson.D{{Key: "attrs", Value: 1}}}},
			listed:   []string{`{"v": 2, "key": {"$**": 1}, "name": "$**_1", "wildcardProjection": {"attrs": true}}`},
			want:     []want{{"$**_1", diff.Unchanged, nil, ""}},
		},
		{
			name:     "swapped key order under one name is a conflict",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a"), schema.Asc("b")).Named("idx")},
			listed:   []string{`{"v": 2, "key": {"b": 1, "a": 1}, "name": "idx"}`},
			want:     []want{{"idx", diff.Conflict, []string{"key"}, ""}},
		},
		{
			name:     "swapped key order under default names is another index",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a"), schema.Asc("b"))},
			listed:   []string{`{"v": 2, "key": {"b": 1, "a": 1}, "name": "b_1_a_1"}`},
			want:     []want{{"a_1_b_1", diff.Create, nil, ""}, {"b_1_a_1", diff.Drop, nil, ""}},
		},
		{
			name:     "same keys under another name",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"email": 1}, "name": "custom_email", "unique": true}`},
			want:     []want{{"email_1", diff.Conflict, []string{"name"}, "custom_email"}},
		},
		{
			name:     "same keys under another name, other options",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"email": 1}, "name": "custom_email"}`},
			want:     []want{{"email_1", diff.Conflict, []string{"name", "unique"}, "custom_email"}},
		},
		{
			name:     "TTL changed is modified in place",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(2 * time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`},
			want:     []want{{"at_1", diff.ModifyInPlace, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "TTL added to a single-field index is modified in place",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1"}`},
			want:     []want{{"at_1", diff.ModifyInPlace, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "TTL removed is a conflict",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("at"))},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`},
			want:     []want{{"at_1", diff.Conflict, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "hidden changed is modified in place",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1"}`},
			want:     []want{{"a_1", diff.ModifyInPlace, []string{"hidden"}, ""}},
		},
		{
			name:     "unique added is modified in place",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "prepareUnique": true}`},
			want:     []want{{"a_1", diff.ModifyInPlace, []string{"unique"}, ""}},
		},
		{
			name:     "unique removed is a conflict",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a"))},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}`},
			want:     []want{{"a_1", diff.Conflict, []string{"unique"}, ""}},
		},
		{
			name:     "TTL and sparse changed together is a conflict",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, ExpireAfter: schema.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "sparse": true}`},
			want:     []want{{"a_1", diff.Conflict, []string{"expireAfterSeconds", "sparse"}, ""}},
		},
		{
			name:     "other keys under the declared name",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("a")).Named("idx")},
			listed:   []string{`{"v": 2, "key": {"a": -1}, "name": "idx"}`},
			want:     []want{{"idx", diff.Conflict, []string{"key"}, ""}},
		},
		{
			name: "partial filter changed",
			declared: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")},
				PartialFilter: bson.D{{Key: "a", Value: bson.D{{Key: "$gt", Value: 5}}}}}},
			listed: []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "partialFilterExpression": {"a": {"$gt": 1}}}`},
			want:   []want{{"a_1", diff.Conflict, []string{"partialFilterExpression"}, ""}},
		},
		{
			name:     "undeclared indexes are drops, after the declared ones",
			declared: []schema.IndexSpec{schema.Index(schema.Asc("b")), schema.Index(schema.Asc("a"))},
			listed: []string{`{"v": 2, "key": {"old": 1}, "name": "old_1"}`, idIndex,
				`{"v": 2, "key": {"a": 1}, "name": "a_1"}`},
			want: []want{{"b_1", diff.Create, nil, ""}, {"a_1", diff.Unchanged, nil, ""}, {"old_1", diff.Drop, nil, ""}},
		},
		{
			name:     "a time series collection's own index is not a drop",
			declared: nil,
			listed:   []string{`{"v": 2, "key": {"sensor": 1, "ts": 1}, "name": "sensor_1_ts_1"}`, `{"v": 2, "key": {"x": 1}, "name": "x_1"}`},
			opts:     []diff.Option{diff.TimeSeries("ts", "sensor")},
			want:     []want{{"x_1", diff.Drop, nil, ""}},
		},
		{
			name:   "a clustered collection's index is not a drop",
			listed: []string{`{"v": 2, "key": {"_id": 1}, "name": "by_id", "unique": true, "clustered": true}`},
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := diff.Diff(tt.declared, listing(t, tt.listed...), tt.opts...)
			require.NoError(t, err)
			var got []want
			for _, c := range changes {
				w := want{name: c.Name, action: c.Action, listedName: c.ListedName}
				for _, d := range c.Differences {
					w.diffFields = append(w.diffFields, d.Field)
				}
				got = append(got, w)
				if c.Action != diff.Drop {
					assert.NotEmpty(t, c.Declared)
				}
				if c.Action != diff.Create && c.Action != diff.Unchanged {
					assert.NotEmpty(t, c.Listed)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDiffNamesTheDifference(t *testing.T) {
	changes, err := diff.Diff(
		[]schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("at")}, ExpireAfter: schema.TTL(2 * time.Hour)}},
		listing(t, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`))
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, []diff.Difference{{Field: "expireAfterSeconds", Declared: "7200", Listed: "3600"}}, changes[0].Differences)
	assert.Equal(t, "expireAfterSeconds: declared 7200, listed 3600", changes[0].Differences[0].String())
}

func TestDiffRefusesMalformedListings(t *testing.T) {
	for _, doc := range []string{
		`{"v": 2, "key": {"a": 1}}`,
		`{"v": 2, "name": "a_1"}`,
		`{"v": 2, "key": {}, "name": "a_1"}`,
		`{"v": 2, "key": 1, "name": "a_1"}`,
		`{"v": 2, "key": {"a": 1}, "name": 7}`,
	} {
		_, err := diff.Diff(nil, listing(t, doc))
		assert.Error(t, err, doc)
	}
}
