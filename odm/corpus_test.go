package odm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// listingFixture is one file of testdata/listings: a real listing with
// where it comes from (see testdata/listings/README.md).
type listingFixture struct {
	Source      string            `json:"source"`
	Server      string            `json:"server"`
	CreatedWith string            `json:"created_with"`
	Listed      []json.RawMessage `json:"listed"`
	Collection  json.RawMessage   `json:"collection"`
}

// corpusDecl is a fixture declared as a user would write it.
type corpusDecl struct {
	specs      []schema.IndexSpec
	undeclared []string                  // listed indexes no declaration can express: Drops
	options    *schema.CollectionOptions // the collection's declared options, if any
	inherit    bool                      // pass the collection's collation (CollectionCollation)
}

var (
	enUS      = &options.Collation{Locale: "en_US"}
	frCA      = &options.Collation{Locale: "fr_CA"}
	simple    = &options.Collation{Locale: "simple"}
	studentIx = map[string]schema.IndexSpec{
		"student":  schema.Index(schema.Asc("student")),
		"products": schema.Index(schema.Asc("products")),
		"score":    schema.Index(schema.Geo2DSphere("score")),
		"text":     {Name: "class_id_text_index", Keys: []schema.IndexKey{schema.Text("class_id")}, DefaultLanguage: "english"},
		"multikey": schema.Index(schema.Asc("class_id")).Named("class_id_multikey_index"),
		"hashed":   schema.Index(schema.Hashed("class_id")).Named("class_id_hashed_index"),
		"wild":     schema.Index(schema.Wildcard("fieldName")).Named("wildcard_index"),
	}
)

func students(names ...string) []schema.IndexSpec {
	out := make([]schema.IndexSpec, len(names))
	for i, n := range names {
		out[i] = studentIx[n]
	}
	return out
}

func pf(v float64) *float64 { return &v }
func pi(v int32) *int32     { return &v }

func timeSeries(meta, granularity string, coll *options.Collation, ttl *time.Duration) *schema.CollectionOptions {
	return &schema.CollectionOptions{TimeSeries: &schema.TimeSeriesOptions{TimeField: "time", MetaField: meta, Granularity: granularity, ExpireAfter: ttl},
		Collation: coll}
}

// Indexes with numeric key values other than 1 and -1 ({class_id: 551}):
// MongoDB accepts them, a declaration cannot state them.
var numericKeyed = []string{"class_id_551", "student_id_223344", "student_id_777777_class_id_551"}

var corpusDecls = map[string]corpusDecl{
	"spec-clustered-index":            {options: &schema.CollectionOptions{ClusteredIndex: true}},
	"manual-listindexes-contacts":     {specs: []schema.IndexSpec{schema.Index(schema.Asc("a"))}},
	"manual-getindexes-status-points": {specs: []schema.IndexSpec{schema.Index(schema.Asc("status")), schema.Index(schema.Asc("points"))}},
	"manual-hidden-borough":           {specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("borough")}, Hidden: true}}},
	"manual-wildcard-signature-books": {specs: []schema.IndexSpec{
		{Name: "authorWildcard", Keys: []schema.IndexKey{schema.Wildcard("")}, WildcardProjection: bson.D{{Key: "author.name", Value: 1}, {Key: "author.website", Value: 1}}},
		{Name: "publisherWildcard", Keys: []schema.IndexKey{schema.Wildcard("")}, WildcardProjection: bson.D{{Key: "publisher.name", Value: 1}}},
	}},
	"mongoose-9373-text-spanish": {specs: []schema.IndexSpec{{
		Keys:    []schema.IndexKey{schema.Text("kicker"), schema.Text("title"), schema.Text("deck"), schema.Text("bodyText")},
		Weights: map[string]int32{"kicker": 2, "title": 5, "deck": 3}, DefaultLanguage: "spanish",
	}}},
	"mongoose-9912-firstname": {specs: []schema.IndexSpec{schema.Index(schema.Asc("firstName"))}},
	"documentdb-tools-189-collation": {specs: []schema.IndexSpec{
		{Name: "field1_1_insensitive", Keys: []schema.IndexKey{schema.Asc("field1")}, Collation: &options.Collation{Locale: "en_US", Strength: 1}},
		{Name: "field2_1_insensitive", Keys: []schema.IndexKey{schema.Asc("field2")}, Collation: &options.Collation{Locale: "en_US", Strength: 1}},
	}},
	"riptutorial-transactions":   {specs: []schema.IndexSpec{schema.Index(schema.Asc("cr_dr")), schema.Index(schema.Desc("cr_dr")).Named("index on cr_dr desc")}},
	"miriyala7-student-text":     {specs: students("student", "score", "text"), undeclared: numericKeyed[:2]},
	"miriyala7-student-hashed":   {specs: students("student", "score", "text", "multikey", "hashed"), undeclared: numericKeyed[:2]},
	"miriyala7-student-wildcard": {specs: students("student", "score", "text", "multikey", "hashed", "wild"), undeclared: numericKeyed[:2]},
	"yathisha-student-text":      {specs: students("hashed", "multikey", "text")},
	"yathisha-student-wildcard":  {specs: students("hashed", "multikey", "text", "wild")},
	"yathisha-student-multikey":  {specs: students("student"), undeclared: numericKeyed},
	"yathisha-student-compound":  {undeclared: numericKeyed},
	"yathisha-student-geo":       {specs: students("student", "products", "score"), undeclared: numericKeyed},
	"yathisha-student-single":    {undeclared: numericKeyed[:1]},
	"tejaswitaw-persons-unique": {specs: []schema.IndexSpec{
		{Keys: []schema.IndexKey{schema.Asc("index")}, Unique: true}, {Keys: []schema.IndexKey{schema.Asc("name")}, Unique: true},
	}},
	"tejaswitaw-dump-persons": {},
	"bookcars-97-text":        {specs: []schema.IndexSpec{schema.Index(schema.Text("value"))}},
	"jstest-collation-inherited": {inherit: true, options: &schema.CollectionOptions{Collation: frCA}, specs: []schema.IndexSpec{
		schema.Index(schema.Asc("a")),
		{Keys: []schema.IndexKey{schema.Asc("b")}, Collation: enUS},
		{Keys: []schema.IndexKey{schema.Asc("d")}, Collation: simple},
		{Keys: []schema.IndexKey{schema.Asc("c")}, Collation: simple},
	}},
	"jstest-collation-explicit": {specs: []schema.IndexSpec{
		{Keys: []schema.IndexKey{schema.Asc("a")}, Collation: enUS}, {Keys: []schema.IndexKey{schema.Asc("b")}, Collation: enUS},
		{Keys: []schema.IndexKey{schema.Asc("c")}, Collation: frCA}, {Keys: []schema.IndexKey{schema.Asc("d")}, Collation: frCA},
		schema.Index(schema.Asc("e")),
	}},
	"jstest-ddl-hidden-partial-ttl": {specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true, ExpireAfter: schema.TTL(24 * time.Hour),
		PartialFilter: bson.D{{Key: "a", Value: bson.D{{Key: "$gte", Value: 0}}}}}}},
	"jstest-ddl-collation":        {specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("e")}, Collation: enUS}}},
	"jstest-ddl-wildcard":         {specs: []schema.IndexSpec{{Name: "wi", Keys: []schema.IndexKey{schema.Wildcard("")}, WildcardProjection: bson.D{{Key: "a", Value: 1}, {Key: "b", Value: 1}}}}},
	"jstest-ddl-text":             {specs: []schema.IndexSpec{{Name: "text", Keys: []schema.IndexKey{schema.Text("e")}, DefaultLanguage: "english", LanguageOverride: "language"}}},
	"jstest-ddl-2d":               {specs: []schema.IndexSpec{{Name: "2d", Keys: []schema.IndexKey{schema.Geo2D("f")}, Min: pf(-150), Max: pf(150), Bits: pi(26)}}},
	"jstest-ddl-2dsphere":         {specs: []schema.IndexSpec{schema.Index(schema.Geo2DSphere("f")).Named("2dsphere")}},
	"jstest-ddl-sparse-compound":  {specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Asc("b"), schema.Desc("c")}, Sparse: true}}},
	"jstest-ddl-sparse-hashed":    {specs: []schema.IndexSpec{{Keys: []schema.IndexKey{schema.Hashed("d")}, Sparse: true}}},
	"manual-collinfos-products":   {options: &schema.CollectionOptions{}},
	"manual-collinfos-mylogs":     {options: &schema.CollectionOptions{Capped: &schema.CappedOptions{Size: 256}}},
	"jstest-timeseries-time":      {options: timeSeries("", "", nil, nil)},
	"jstest-timeseries-meta":      {options: timeSeries("meta", "seconds", nil, nil)},
	"jstest-timeseries-minutes":   {options: timeSeries("", "minutes", nil, nil)},
	"jstest-timeseries-collation": {options: timeSeries("", "", &options.Collation{Locale: "ja"}, nil)},
	"jstest-timeseries-expire":    {options: timeSeries("", "", nil, schema.TTL(100*time.Second))},
	"jstest-timeseries-all":       {options: timeSeries("meta", "minutes", &options.Collation{Locale: "ja"}, schema.TTL(100*time.Second))},
}

func loadListings(t *testing.T) map[string]listingFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "listings", "*.json"))
	require.NoError(t, err)
	out := map[string]listingFixture{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx listingFixture
		require.NoError(t, json.Unmarshal(data, &fx), f)
		require.NotEmpty(t, fx.Source, f)
		require.NotEmpty(t, fx.Server, f)
		require.NotEmpty(t, fx.CreatedWith, f)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
}

func (fx listingFixture) docs(t *testing.T) []bson.Raw {
	t.Helper()
	out := make([]bson.Raw, len(fx.Listed))
	for i, d := range fx.Listed {
		require.NoError(t, bson.UnmarshalExtJSON(d, true, &out[i]), string(d))
	}
	return out
}

// collection is the listCollections entry's options; exists is false
// when the fixture has none.
func (fx listingFixture) collection(t *testing.T) (opts bson.Raw, kind string, exists bool) {
	t.Helper()
	if fx.Collection == nil {
		return nil, "", false
	}
	var entry bson.Raw
	require.NoError(t, bson.UnmarshalExtJSON(fx.Collection, true, &entry))
	o, _ := entry.Lookup("options").DocumentOK()
	k, _ := entry.Lookup("type").StringValueOK()
	return o, k, true
}

func (d corpusDecl) diffOptions(t *testing.T, fx listingFixture) []diff.Option {
	opts, kind, ok := fx.collection(t)
	if !ok {
		return nil
	}
	info := &engine.CollectionInfo{Exists: true, Kind: kind, Options: opts}
	var out []diff.Option
	if ts := info.TimeSeries(); ts != nil {
		out = append(out, ts)
	}
	if c, ok := opts.Lookup("collation").DocumentOK(); ok && d.inherit {
		out = append(out, diff.CollectionCollation(c))
	}
	return out
}

// TestCorpusListingsCompareUnchanged: every real listing, declared as a
// user would write it, compares unchanged; only indexes no declaration can
// express are left over, as drops.
func TestCorpusListingsCompareUnchanged(t *testing.T) {
	fixtures := loadListings(t)
	require.GreaterOrEqual(t, len(fixtures), 30)
	for name := range fixtures {
		require.Contains(t, corpusDecls, name, "every fixture is declared")
	}
	for name, d := range corpusDecls {
		t.Run(name, func(t *testing.T) {
			fx, ok := fixtures[name]
			require.True(t, ok, "fixture file for %s", name)
			changes, err := diff.Diff(d.specs, fx.docs(t), d.diffOptions(t, fx)...)
			require.NoError(t, err)
			var drops []string
			for i, c := range changes {
				if c.Action == diff.Drop {
					drops = append(drops, c.Name)
					continue
				}
				assert.Equal(t, diff.Unchanged, c.Action, "%s: %s", c.Name, c.Summary())
				assert.Equal(t, d.specs[i].IndexName(), c.Name)
			}
			sort.Strings(drops)
			want := slices.Clone(d.undeclared)
			sort.Strings(want)
			assert.Equal(t, want, drops, "listed indexes no declaration states")
			if opts, _, ok := fx.collection(t); ok && d.options != nil {
				shape := &schema.CollectionShape{Options: d.options}
				assert.Empty(t, diff.DiffCollection(shape, opts, true), "collection options")
			}
		})
	}
}

// TestCorpusMutationsAreReported: each one-thing change to a declaration
// of the corpus (direction, key order, unique, TTL, filter value type,
// collation, weight, language, projection, ...) is reported.
func TestCorpusMutationsAreReported(t *testing.T) {
	fixtures := loadListings(t)
	total := 0
	for name, d := range corpusDecls {
		fx := fixtures[name]
		listed := fx.docs(t)
		opts := d.diffOptions(t, fx)
		n := 0
		for i := range d.specs {
			for _, m := range specMutations(d.specs[i]) {
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", name, d.specs[i].IndexName(), m.what), func(t *testing.T) {
					specs := slices.Clone(d.specs)
					specs[i] = m.spec
					changes, err := diff.Diff(specs, listed, opts...)
					require.NoError(t, err)
					var fields []string
					for _, d := range changes[i].Differences {
						fields = append(fields, d.Field)
					}
					assert.Contains(t, fields, m.field, "mutated %s: %s", m.what, m.spec)
				})
			}
		}
		if opts, _, ok := fx.collection(t); ok && d.options != nil {
			for _, m := range optionMutations(*d.options) {
				n++
				t.Run(fmt.Sprintf("%s/collection/%s", name, m.what), func(t *testing.T) {
					assert.NotEmpty(t, diff.DiffCollection(&schema.CollectionShape{Options: &m.options}, opts, true))
				})
			}
		}
		if len(d.specs) == 0 {
			// Nothing declared: declaring one more index is the change.
			n++
			t.Run(name+"/added", func(t *testing.T) {
				changes, err := diff.Diff([]schema.IndexSpec{schema.Index(schema.Asc("added"))}, listed, opts...)
				require.NoError(t, err)
				assert.Equal(t, diff.Create, changes[0].Action)
			})
		}
		assert.Positive(t, n, "%s has a mutation", name)
		total += n
	}
	t.Logf("%d fixtures, %d mutations", len(corpusDecls), total)
}
