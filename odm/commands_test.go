package odm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
)

type featTTL struct {
	CreatedAt time.Time `bson:"created_at" odm:"index,ttl:1h"`
}

func (featTTL) CollectionName() string { return "feat_ttl" }

type featTTLZero struct {
	ExpiresAt time.Time `bson:"expires_at" odm:"index:idx_expires,ttl:0"`
}

func (featTTLZero) CollectionName() string { return "feat_ttl_zero" }

type featPartial struct {
	Email string `bson:"email"`
}

func (featPartial) CollectionName() string { return "feat_partial" }
func (featPartial) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{
		Keys: []schema.IndexKey{schema.Asc("email")}, Unique: true,
		PartialFilter: bson.D{{Key: "email", Value: bson.D{{Key: "$exists", Value: true}}}},
	}}
}

type featCollation struct {
	Name string `bson:"name"`
}

func (featCollation) CollectionName() string { return "feat_collation" }
func (featCollation) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("name")}, Collation: &options.Collation{Locale: "fr", Strength: 2}}}
}

type featHidden struct {
	Status string `bson:"status" odm:"index,hidden"`
}

func (featHidden) CollectionName() string { return "feat_hidden" }

type featText struct {
	Title string `bson:"title" odm:"index:idx_search,type:text,weight:10"`
	Body  string `bson:"body" odm:"index:idx_search,type:text"`
}

func (featText) CollectionName() string { return "feat_text" }

type featTextOptions struct {
	Title string `bson:"title"`
	Body  string `bson:"body"`
	Lang  string `bson:"lang"`
}

func (featTextOptions) CollectionName() string { return "feat_text_options" }
func (featTextOptions) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{
		Keys:            []schema.IndexKey{schema.Text("title"), schema.Text("body")},
		Weights:         map[string]int32{"title": 10},
		DefaultLanguage: "english", LanguageOverride: "lang",
	}}
}

type featSphere struct {
	Location bson.M `bson:"location" odm:"index,type:2dsphere"`
}

func (featSphere) CollectionName() string { return "feat_2dsphere" }

type featFlat struct {
	Pos []float64 `bson:"pos"`
}

func (featFlat) CollectionName() string { return "feat_2d" }
func (featFlat) Indexes() []schema.IndexSpec {
	bits, lo, hi := int32(26), -500.0, 500.0
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Geo2D("pos")}, Bits: &bits, Min: &lo, Max: &hi}}
}

type featHashed struct {
	Shard string `bson:"shard" odm:"index,type:hashed"`
}

func (featHashed) CollectionName() string { return "feat_hashed" }

type featWildcard struct {
	Attrs map[string]any `bson:"attrs"`
}

func (featWildcard) CollectionName() string { return "feat_wildcard" }
func (featWildcard) Indexes() []schema.IndexSpec {
	return []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Wildcard("")}, WildcardProjection: bson.D{{Key: "attrs", Value: int32(1)}}}}
}

type featSparse struct {
	Nick *string `bson:"nick" odm:"index,sparse"`
}

func (featSparse) CollectionName() string { return "feat_sparse" }

// TestIndexCommands checks each index type and option at the command
// level, against the createIndexes format MongoDB documents, and then on
// the server where the server supports it.
func TestIndexCommands(t *testing.T) {
	tests := []struct {
		model any
		coll  string
		want  string // the createIndexes entry, in extended JSON
	}{
		{featTTL{}, "feat_ttl", `{"key": {"created_at": 1}, "name": "created_at_1", "expireAfterSeconds": 3600}`},
		{featTTLZero{}, "feat_ttl_zero", `{"key": {"expires_at": 1}, "name": "idx_expires", "expireAfterSeconds": 0}`},
		{featPartial{}, "feat_partial", `{"key": {"email": 1}, "name": "email_1", "unique": true, "partialFilterExpression": {"email": {"$exists": true}}}`},
		{featCollation{}, "feat_collation", `{"key": {"name": 1}, "name": "name_1", "collation": {"locale": "fr", "strength": 2}}`},
		{featHidden{}, "feat_hidden", `{"key": {"status": 1}, "name": "status_1", "hidden": true}`},
		{featText{}, "feat_text", `{"key": {"title": "text", "body": "text"}, "name": "idx_search", "weights": {"title": 10}}`},
		{featTextOptions{}, "feat_text_options", `{"key": {"title": "text", "body": "text"}, "name": "title_text_body_text", "weights": {"title": 10}, "default_language": "english", "language_override": "lang"}`},
		{featSphere{}, "feat_2dsphere", `{"key": {"location": "2dsphere"}, "name": "location_2dsphere"}`},
		{featFlat{}, "feat_2d", `{"key": {"pos": "2d"}, "name": "pos_2d", "bits": 26, "min": -500, "max": 500}`},
		{featHashed{}, "feat_hashed", `{"key": {"shard": "hashed"}, "name": "shard_hashed"}`},
		{featWildcard{}, "feat_wildcard", `{"key": {"$**": 1}, "name": "$**_1", "wildcardProjection": {"attrs": 1}}`},
		{featSparse{}, "feat_sparse", `{"key": {"nick": 1}, "name": "nick_1", "sparse": true}`},
	}
	var models []any
	for _, tt := range tests {
		models = append(models, tt.model)
	}
	report, db, rec := initRecorded(t, models...)

	for _, tt := range tests {
		t.Run(tt.coll, func(t *testing.T) {
			var raw bson.Raw
			require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.want), false, &raw))
			want, err := testrig.ParseIndexDoc(raw)
			require.NoError(t, err)

			sent, ok := rec.SentIndexes(t)[tt.coll][want.Name]
			require.True(t, ok, "no createIndexes for %s carried %s", tt.coll, want.Name)
			assert.Equal(t, want.String(), sent.String(), "the createIndexes entry")

			cr, _ := report.Collection(tt.coll)
			got, ok := testrig.ListIndexes(t, db.Name(), tt.coll)[want.Name]
			if !ok {
				require.Equal(t, []string{want.Name}, cr.Names(outcome.Skipped), "neither created nor skipped")
				t.Skipf("%s refuses this index (%s); the createIndexes entry was checked instead", testrig.Server(), cr.Indexes[0].Reason)
			}
			assert.Equal(t, []string{want.Name}, cr.Names(outcome.Created))
			if got.Keys[0] == "_fts:text" { // MongoDB lists text indexes in their own form
				assert.Equal(t, []string{"_fts:text", "_ftsx:1"}, got.Keys)
				assert.Equal(t, "{body:1,title:10}", got.Options["weights"])
				delete(want.Options, "weights")
			} else {
				assert.Equal(t, want.Keys, got.Keys)
			}
			if testrig.IsFerretDB() && want.Options["sparse"] == "true" && got.Options["sparse"] == "" {
				t.Skipf("%s ignores sparse: the index exists, and the command carried sparse: true", testrig.Server())
			}
			// The listed index, as Init compares it: the diff finds
			// nothing to change. Servers may list an option in another
			// form than MongoDB's (a wildcard projection {attrs: 1} as
			// {attrs: true, _id: false}); the diff decides whether it is
			// the same.
			declared, err := odm.Declared(tt.model)
			require.NoError(t, err)
			changes, err := diff.Diff(declared[tt.coll], testrig.ListIndexesRaw(t, db.Name(), tt.coll))
			require.NoError(t, err)
			for _, ch := range changes {
				assert.Equal(t, diff.Unchanged, ch.Action, "%s: %v", ch.Name, ch.Differences)
			}
			for opt, v := range want.Options {
				if opt == "wildcardProjection" && got.Options[opt] != v {
					t.Logf("%s lists %s as %s, the diff's normalised form of %s", testrig.Server(), opt, got.Options[opt], v)
					continue // compared by the diff, above
				}
				if opt == "collation" { // the server fills in every default
					for _, field := range strings.Split(strings.Trim(v, "{}"), ",") {
						assert.Contains(t, got.Options[opt], field)
					}
					continue
				}
				assert.Equal(t, v, got.Options[opt], opt)
			}
		})
	}
}
