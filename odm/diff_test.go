package odm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm"
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
	action     odm.Action
	diffFields []string // the fields of the differences, in order
	listedName string
}

func TestDiff(t *testing.T) {
	fr := &options.Collation{Locale: "fr", Strength: 2}
	tests := []struct {
		name     string
		declared []odm.IndexSpec
		listed   []string
		opts     []odm.DiffOption
		want     []want
	}{
		{
			name:     "unchanged unique index",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, Unique: true}},
			listed:   []string{idIndex, `{"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}`},
			want:     []want{{"a_1", odm.Unchanged, nil, ""}},
		},
		{
			name:     "missing index is created; _id_ is never dropped",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a"))},
			listed:   []string{idIndex},
			want:     []want{{"a_1", odm.Create, nil, ""}},
		},
		{
			name:     "numbers of any BSON type",
			declared: []odm.IndexSpec{{Name: "ttl", Keys: []odm.IndexKey{odm.Desc("at")}, ExpireAfter: odm.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": {"$numberLong": "-1"}}, "name": "ttl", "expireAfterSeconds": {"$numberDouble": "3600.0"}}`},
			want:     []want{{"ttl", odm.Unchanged, nil, ""}},
		},
		{
			name:     "int64 TTL and double key",
			declared: []odm.IndexSpec{{Name: "ttl", Keys: []odm.IndexKey{odm.Asc("at")}, ExpireAfter: odm.TTL(0)}},
			listed:   []string{`{"v": 2, "key": {"at": {"$numberDouble": "1.0"}}, "name": "ttl", "expireAfterSeconds": {"$numberLong": "0"}}`},
			want:     []want{{"ttl", odm.Unchanged, nil, ""}},
		},
		{
			name:     "false flags equal absent; v, ns, background ignored",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a"))},
			listed:   []string{`{"v": 1, "key": {"a": 1}, "name": "a_1", "ns": "db.c", "background": true, "unique": false, "sparse": false, "hidden": false}`},
			want:     []want{{"a_1", odm.Unchanged, nil, ""}},
		},
		{
			name: "text index listed as _fts/_ftsx with weights and defaults",
			declared: []odm.IndexSpec{{
				Keys:    []odm.IndexKey{odm.TextKey("title"), odm.TextKey("body")},
				Weights: map[string]int32{"title": 10},
			}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "title_text_body_text",
				"weights": {"body": 1, "title": 10}, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"title_text_body_text", odm.Unchanged, nil, ""}},
		},
		{
			name: "the reference text index, taken over",
			declared: []odm.IndexSpec{{
				Name: "idx_text_search",
				Keys: []odm.IndexKey{odm.TextKey("event_type"), odm.TextKey("metadata.service_name"),
					odm.TextKey("metadata.user_id"), odm.TextKey("execution_id")},
				DefaultLanguage: "english", LanguageOverride: "none",
			}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "idx_text_search",
				"weights": {"event_type": 1, "execution_id": 1, "metadata.service_name": 1, "metadata.user_id": 1},
				"default_language": "english", "language_override": "none", "textIndexVersion": 3}`},
			want: []want{{"idx_text_search", odm.Unchanged, nil, ""}},
		},
		{
			name:     "compound text index with regular keys before and after",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("tenant"), odm.TextKey("body"), odm.Desc("at")).Named("t")},
			listed: []string{`{"v": 2, "key": {"tenant": 1, "_fts": "text", "_ftsx": 1, "at": -1}, "name": "t",
				"weights": {"body": 1}, "default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"t", odm.Unchanged, nil, ""}},
		},
		{
			name:     "text weights changed",
			declared: []odm.IndexSpec{{Name: "t", Keys: []odm.IndexKey{odm.TextKey("title")}, Weights: map[string]int32{"title": 5}}},
			listed: []string{`{"v": 2, "key": {"_fts": "text", "_ftsx": 1}, "name": "t", "weights": {"title": 1},
				"default_language": "english", "language_override": "language", "textIndexVersion": 3}`},
			want: []want{{"t", odm.Conflict, []string{"weights"}, ""}},
		},
		{
			name:     "collation with every default filled in and a version",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("name")}, Collation: fr}},
			listed: []string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": {"locale": "fr", "caseLevel": false,
				"caseFirst": "off", "strength": 2, "numericOrdering": false, "alternate": "non-ignorable",
				"maxVariable": "punct", "normalization": false, "backwards": false, "version": "57.1"}}`},
			want: []want{{"name_1", odm.Unchanged, nil, ""}},
		},
		{
			name:     "collation strength changed",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("name")}, Collation: fr}},
			listed:   []string{`{"v": 2, "key": {"name": 1}, "name": "name_1", "collation": {"locale": "fr", "strength": 3, "version": "57.1"}}`},
			want:     []want{{"name_1", odm.Conflict, []string{"collation"}, ""}},
		},
		{
			name:     "2dsphere index version ignored",
			declared: []odm.IndexSpec{odm.Index(odm.Sphere("loc"))},
			listed:   []string{`{"v": 2, "key": {"loc": "2dsphere"}, "name": "loc_2dsphere", "2dsphereIndexVersion": 3}`},
			want:     []want{{"loc_2dsphere", odm.Unchanged, nil, ""}},
		},
		{
			name:     "2d defaults equal absent",
			declared: []odm.IndexSpec{odm.Index(odm.Flat("pos"))},
			listed:   []string{`{"v": 2, "key": {"pos": "2d"}, "name": "pos_2d", "bits": 26, "min": -180.0, "max": 180.0}`},
			want:     []want{{"pos_2d", odm.Unchanged, nil, ""}},
		},
		{
			name: "2d bits changed",
			declared: []odm.IndexSpec{func() odm.IndexSpec {
				b := int32(32)
				return odm.IndexSpec{Keys: []odm.IndexKey{odm.Flat("pos")}, Bits: &b}
			}()},
			listed: []string{`{"v": 2, "key": {"pos": "2d"}, "name": "pos_2d"}`},
			want:   []want{{"pos_2d", odm.Conflict, []string{"bits"}, ""}},
		},
		{
			name:     "wildcard projection with true for 1",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Wildcard("")}, WildcardProjection: bson.D{{Key: "attrs", Value: 1}}}},
			listed:   []string{`{"v": 2, "key": {"$**": 1}, "name": "$**_1", "wildcardProjection": {"attrs": true}}`},
			want:     []want{{"$**_1", odm.Unchanged, nil, ""}},
		},
		{
			name:     "swapped key order under one name is a conflict",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a"), odm.Asc("b")).Named("idx")},
			listed:   []string{`{"v": 2, "key": {"b": 1, "a": 1}, "name": "idx"}`},
			want:     []want{{"idx", odm.Conflict, []string{"key"}, ""}},
		},
		{
			name:     "swapped key order under default names is another index",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a"), odm.Asc("b"))},
			listed:   []string{`{"v": 2, "key": {"b": 1, "a": 1}, "name": "b_1_a_1"}`},
			want:     []want{{"a_1_b_1", odm.Create, nil, ""}, {"b_1_a_1", odm.Drop, nil, ""}},
		},
		{
			name:     "same keys under another name",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("email")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"email": 1}, "name": "custom_email", "unique": true}`},
			want:     []want{{"email_1", odm.Conflict, []string{"name"}, "custom_email"}},
		},
		{
			name:     "same keys under another name, other options",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("email")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"email": 1}, "name": "custom_email"}`},
			want:     []want{{"email_1", odm.Conflict, []string{"name", "unique"}, "custom_email"}},
		},
		{
			name:     "TTL changed is modified in place",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("at")}, ExpireAfter: odm.TTL(2 * time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`},
			want:     []want{{"at_1", odm.ModifyInPlace, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "TTL added to a single-field index is modified in place",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("at")}, ExpireAfter: odm.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1"}`},
			want:     []want{{"at_1", odm.ModifyInPlace, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "TTL removed is a conflict",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("at"))},
			listed:   []string{`{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`},
			want:     []want{{"at_1", odm.Conflict, []string{"expireAfterSeconds"}, ""}},
		},
		{
			name:     "hidden changed is modified in place",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, Hidden: true}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1"}`},
			want:     []want{{"a_1", odm.ModifyInPlace, []string{"hidden"}, ""}},
		},
		{
			name:     "unique added is modified in place",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, Unique: true}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "prepareUnique": true}`},
			want:     []want{{"a_1", odm.ModifyInPlace, []string{"unique"}, ""}},
		},
		{
			name:     "unique removed is a conflict",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a"))},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}`},
			want:     []want{{"a_1", odm.Conflict, []string{"unique"}, ""}},
		},
		{
			name:     "TTL and sparse changed together is a conflict",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")}, ExpireAfter: odm.TTL(time.Hour)}},
			listed:   []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "sparse": true}`},
			want:     []want{{"a_1", odm.Conflict, []string{"expireAfterSeconds", "sparse"}, ""}},
		},
		{
			name:     "other keys under the declared name",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("a")).Named("idx")},
			listed:   []string{`{"v": 2, "key": {"a": -1}, "name": "idx"}`},
			want:     []want{{"idx", odm.Conflict, []string{"key"}, ""}},
		},
		{
			name: "partial filter changed",
			declared: []odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("a")},
				PartialFilter: bson.D{{Key: "a", Value: bson.D{{Key: "$gt", Value: 5}}}}}},
			listed: []string{`{"v": 2, "key": {"a": 1}, "name": "a_1", "partialFilterExpression": {"a": {"$gt": 1}}}`},
			want:   []want{{"a_1", odm.Conflict, []string{"partialFilterExpression"}, ""}},
		},
		{
			name:     "undeclared indexes are drops, after the declared ones",
			declared: []odm.IndexSpec{odm.Index(odm.Asc("b")), odm.Index(odm.Asc("a"))},
			listed: []string{`{"v": 2, "key": {"old": 1}, "name": "old_1"}`, idIndex,
				`{"v": 2, "key": {"a": 1}, "name": "a_1"}`},
			want: []want{{"b_1", odm.Create, nil, ""}, {"a_1", odm.Unchanged, nil, ""}, {"old_1", odm.Drop, nil, ""}},
		},
		{
			name:     "a time series collection's own index is not a drop",
			declared: nil,
			listed:   []string{`{"v": 2, "key": {"sensor": 1, "ts": 1}, "name": "sensor_1_ts_1"}`, `{"v": 2, "key": {"x": 1}, "name": "x_1"}`},
			opts:     []odm.DiffOption{odm.TimeSeries("ts", "sensor")},
			want:     []want{{"x_1", odm.Drop, nil, ""}},
		},
		{
			name:   "a clustered collection's index is not a drop",
			listed: []string{`{"v": 2, "key": {"_id": 1}, "name": "by_id", "unique": true, "clustered": true}`},
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := odm.Diff(tt.declared, listing(t, tt.listed...), tt.opts...)
			require.NoError(t, err)
			var got []want
			for _, c := range changes {
				w := want{name: c.Name, action: c.Action, listedName: c.ListedName}
				for _, d := range c.Differences {
					w.diffFields = append(w.diffFields, d.Field)
				}
				got = append(got, w)
				if c.Action != odm.Drop {
					assert.NotEmpty(t, c.Declared)
				}
				if c.Action != odm.Create && c.Action != odm.Unchanged {
					assert.NotEmpty(t, c.Listed)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDiffNamesTheDifference(t *testing.T) {
	changes, err := odm.Diff(
		[]odm.IndexSpec{{Keys: []odm.IndexKey{odm.Asc("at")}, ExpireAfter: odm.TTL(2 * time.Hour)}},
		listing(t, `{"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 3600}`))
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, []odm.Difference{{Field: "expireAfterSeconds", Declared: "7200", Listed: "3600"}}, changes[0].Differences)
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
		_, err := odm.Diff(nil, listing(t, doc))
		assert.Error(t, err, doc)
	}
}
