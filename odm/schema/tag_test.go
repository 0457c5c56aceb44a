package schema

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/jsonschema"
)

func ptr[T any](v T) *T { return &v }

func TestParseTagValue(t *testing.T) {
	tests := []struct {
		tag  string
		want []indexClause
	}{
		{"index", []indexClause{{keyType: KeyAscending, text: "index"}}},
		{"index:idx_a", []indexClause{{Name: "idx_a", keyType: KeyAscending, text: "index:idx_a"}}},
		{"index,unique", []indexClause{{keyType: KeyAscending, unique: true, text: "index,unique"}}},
		{"uniqueIndex", []indexClause{{keyType: KeyAscending, unique: true, text: "uniqueIndex"}}},
		{"uniqueIndex:u", []indexClause{{Name: "u", keyType: KeyAscending, unique: true, text: "uniqueIndex:u"}}},
		{"index,sort:desc", []indexClause{{keyType: KeyDescending, sortSet: true, text: "index,sort:desc"}}},
		{"index,sort:asc", []indexClause{{keyType: KeyAscending, sortSet: true, text: "index,sort:asc"}}},
		{"index,sparse,hidden", []indexClause{{keyType: KeyAscending, sparse: true, hidden: true, text: "index,sparse,hidden"}}},
		{"index:c,priority:2", []indexClause{{Name: "c", keyType: KeyAscending, priority: ptr(2), text: "index:c,priority:2"}}},
		{"index,ttl:0", []indexClause{{keyType: KeyAscending, ttl: ptr(time.Duration(0)), text: "index,ttl:0"}}},
		{"index,ttl:3600", []indexClause{{keyType: KeyAscending, ttl: ptr(time.Hour), text: "index,ttl:3600"}}},
		{"index,ttl:168h", []indexClause{{keyType: KeyAscending, ttl: ptr(168 * time.Hour), text: "index,ttl:168h"}}},
		{"index:t,type:text,weight:5", []indexClause{{Name: "t", keyType: KeyText, typeSet: true, weight: ptr(int32(5)), text: "index:t,type:text,weight:5"}}},
		{"index,type:2dsphere", []indexClause{{keyType: KeyGeo2DSphere, typeSet: true, text: "index,type:2dsphere"}}},
		{"index,type:2d", []indexClause{{keyType: KeyGeo2D, typeSet: true, text: "index,type:2d"}}},
		{"index,type:hashed", []indexClause{{keyType: KeyHashed, typeSet: true, text: "index,type:hashed"}}},
		{"index; index:b,priority:1", []indexClause{
			{keyType: KeyAscending, text: "index"},
			{Name: "b", keyType: KeyAscending, priority: ptr(1), text: "index:b,priority:1"},
		}},
		{" index , unique ", []indexClause{{keyType: KeyAscending, unique: true, text: "index , unique"}}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			got, problems := parseTagValue(tt.tag)
			require.Empty(t, problems)
			assert.Equal(t, tt.want, got.Indexes)
		})
	}
}

func TestParseTagValueProblems(t *testing.T) {
	tests := []struct{ tag, problem string }{
		{"idx", `unknown clause "idx" (want index, uniqueIndex, required`},
		{"index,uniq", `unknown option "uniq"`},
		{"index,sort:up", `sort must be asc or desc, not "up"`},
		{"index,type:btree", `type must be text, 2dsphere, 2d or hashed, not "btree"`},
		{"index,priority:x", `priority must be a non-negative whole number`},
		{"index,priority:-1", `priority must be a non-negative whole number`},
		{"index,ttl:-5", `ttl must be from 0 to`},
		{"index,ttl:1.5s", `whole number of seconds`},
		{"index,ttl:soon", `ttl must be whole seconds or a duration`},
		{"index,ttl:-1h", `cannot be negative`},
		{"index,weight:3", `weight applies to text keys only`},
		{"index,type:text,weight:0", `weight must be a whole number from 1 to 99999`},
		{"index,type:text,sort:desc", `sort and type exclude each other`},
		{"index:", `empty index name`},
		{"index,unique:yes", `option unique takes no value`},
		{"index,,unique", `empty option`},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			got, problems := parseTagValue(tt.tag)
			assert.Empty(t, got.Indexes, "a clause with a problem is left out")
			require.NotEmpty(t, problems)
			assert.Contains(t, problems[0], tt.problem)
			assert.Contains(t, problems[0], tt.tag, "the problem quotes the clause")
		})
	}
}

func TestParseTagMalformed(t *testing.T) {
	_, problems := parseTag(`bson:"a" odm:"index`)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "malformed struct tag")

	declared, problems := parseTag(`bson:"a" json:"a"`)
	assert.Equal(t, fieldTag{}, declared)
	assert.Empty(t, problems)
}

func TestParseValidationClauses(t *testing.T) {
	got, problems := parseTagValue(`index;required;enum:open|closed;min:0;max:10.5;pattern:^\d+\.\d+$`)
	require.Empty(t, problems)
	assert.Len(t, got.Indexes, 1)
	assert.Equal(t, jsonschema.FieldRules{Required: true, Enum: []string{"open", "closed"}, Pattern: `^\d+\.\d+$`,
		Minimum: ptr(0.0), Maximum: ptr(10.5)}, got.rules)

	got, problems = parseTagValue(`pattern:^[a-z]{1,3}$`)
	require.Empty(t, problems)
	assert.Equal(t, `^[a-z]{1,3}$`, got.rules.Pattern, "a pattern keeps its commas")

	got, problems = parseTagValue("revision")
	require.Empty(t, problems)
	assert.True(t, got.revision)

	for tag, problem := range map[string]string{
		"required:yes": "required takes no value",
		"enum:":        "enum needs values",
		"pattern:":     "pattern needs a regular expression",
		"min:low":      `min needs a number, not "low"`,
		"max:NaN":      `max needs a number`,
		"revision:1":   "revision takes no value",
	} {
		_, problems := parseTagValue(tag)
		require.Len(t, problems, 1, tag)
		assert.Contains(t, problems[0], problem, tag)
	}
}

func TestParseTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "1": time.Second, "3600": time.Hour, "1h": time.Hour, "90s": 90 * time.Second,
		"168h": 7 * 24 * time.Hour, "2147483647": 2147483647 * time.Second,
	} {
		got, err := ParseTTL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"-1", "2147483648", "1500ms", "1.5", "", "h", "-2s"} {
		_, err := ParseTTL(in)
		assert.Error(t, err, in)
	}
}

func TestDefaultName(t *testing.T) {
	tests := []struct {
		keys []IndexKey
		want string
	}{
		{[]IndexKey{Asc("event_id")}, "event_id_1"},
		{[]IndexKey{Desc("failed_at")}, "failed_at_-1"},
		{[]IndexKey{Asc("user_id"), Desc("created_at")}, "user_id_1_created_at_-1"},
		{[]IndexKey{Text("title"), Text("body")}, "title_text_body_text"},
		{[]IndexKey{Asc("metadata.user_id")}, "metadata.user_id_1"},
		{[]IndexKey{Geo2DSphere("loc")}, "loc_2dsphere"},
		{[]IndexKey{Geo2D("pos")}, "pos_2d"},
		{[]IndexKey{Hashed("shard")}, "shard_hashed"},
		{[]IndexKey{Wildcard("")}, "$**_1"},
		{[]IndexKey{Wildcard("attrs")}, "attrs.$**_1"},
		{[]IndexKey{Asc("a"), Text("b"), Desc("c")}, "a_1_b_text_c_-1"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DefaultName(tt.keys))
		assert.Equal(t, tt.want, IndexSpec{Keys: tt.keys}.IndexName())
	}
	assert.Equal(t, "custom", IndexSpec{Name: "custom", Keys: []IndexKey{Asc("a")}}.IndexName())
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"User": "user", "UserSettings": "user_settings", "DLQMessage": "dlq_message",
		"AuditLogEntry": "audit_log_entry", "HTTPServerURL": "http_server_url", "V2Event": "v2_event",
		"event": "event",
	} {
		assert.Equal(t, want, snakeCase(in), in)
	}
}

// TestPatternCheck: a pattern no dialect accepts is refused; what PCRE
// accepts and Go's RE2 does not is left to the server.
func TestPatternCheck(t *testing.T) {
	for p, bad := range map[string]bool{
		`^[a-z]+$`: false, `(?<=a)b`: false, `a(?!b)`: false, `(a)\1`: false, `a*+`: false,
		`\p{Xan}`: false, `[[:word:]]`: false, `x{2000}`: false, `\Z`: false,
		`[a-z`: true, `(ab`: true, `ab)`: true, `*a`: true, `a\`: true, `[z-a]`: true,
	} {
		_, problems := parseTagValue("pattern:" + p)
		assert.Equal(t, bad, len(problems) > 0, "%s: %v", p, problems)
	}
}

// A misspelt word in a tag gets the nearest known one, at every place of
// the grammar where a word is written: a clause's name, an option's name,
// a key type, a direction, a shard key's kind, a vector's similarity or
// quantization. A word near nothing gets no suggestion.
func TestParseTagValueSuggests(t *testing.T) {
	tests := []struct{ tag, want string }{
		// clause names
		{"uniqeIndex", "did you mean uniqueIndex?"},
		{"Index", "did you mean index?"},
		{"indx:idx_a,sparse", "did you mean index:idx_a,sparse?"},
		{"uniqeIndex,spars", "did you mean uniqueIndex,sparse?"},
		{"unique", "did you mean uniqueIndex?"},
		{"requird", "did you mean required?"},
		{"enmu:a|b", "did you mean enum:a|b?"},
		{"patern:^a,b$", "did you mean pattern:^a,b$?"},
		{"revison", "did you mean revision?"},
		{"shrad", "did you mean shard?"},
		{"vectr:3,cosine", "did you mean vector:3,cosine?"},
		{"vectorFiltre", "did you mean vectorFilter?"},
		// an option written as a clause, or with '=' for ':'
		{"ttl=24h,spars", "did you mean index,ttl:24h,sparse?"},
		{"ttl=24h,zz", "did you mean index,ttl:24h,zz?"},
		{"sparse", "did you mean index,sparse?"},
		{"index=by_a", "did you mean index:by_a?"},
		// option names
		{"index,uniqe", `unknown option "uniqe"; did you mean unique?`},
		{"index,spars", "did you mean sparse?"},
		{"index,hiden", "did you mean hidden?"},
		{"index,sotr:desc", "did you mean sort:desc?"},
		{"index,tpye:text", "did you mean type:text?"},
		{"index,priorty:1", "did you mean priority:1?"},
		{"index,ttl=24h", "did you mean ttl:24h?"},
		{"index,tl:60", "did you mean ttl:60?"},
		{"index,type:text,wieght:2", "did you mean weight:2?"},
		// a direction or a key type without its option
		{"index,desc", "did you mean sort:desc?"},
		{"index,hashed", "did you mean type:hashed?"},
		// directions and key types
		{"index,sort:dsc", `sort must be asc or desc, not "dsc"; did you mean sort:desc?`},
		{"index,sort:descending", "did you mean sort:desc?"},
		{"index,sort:ASC", "did you mean sort:asc?"},
		{"index,type:txt", "did you mean type:text?"},
		{"index,type:2dshpere", "did you mean type:2dsphere?"},
		{"index,type:hash", "did you mean type:hashed?"},
		{"index,tpye:hash", "did you mean type:hashed?"},
		// a shard key's kind
		{"shard:hashd", "did you mean shard:hashed?"},
		{"shard=hashed", "did you mean shard:hashed?"},
		// a vector's options
		{"vector:3,cosin", `unknown vector option "cosin"`},
		{"vector:3,cosin", "did you mean cosine?"},
		{"vector:3,dotproduct", "did you mean dotProduct?"},
		{"vector:3,cosine,scaler", "did you mean scalar?"},
		{"vector:3,cosine,nme:v", "did you mean name:v?"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			_, problems := parseTagValue(tt.tag)
			require.Len(t, problems, 1)
			assert.Contains(t, problems[0], tt.want)
			assert.Contains(t, problems[0], tt.tag, "the problem quotes the clause")
			assert.Equal(t, 1, strings.Count(problems[0], "did you mean"))
		})
	}
}

// A word near no known one is refused without a guess.
func TestParseTagValueSuggestsNothingFar(t *testing.T) {
	for _, tag := range []string{
		"idx", "zzzz", "index,bogus", "index,zz:1", "index,sort:up", "index,type:btree",
		"shard:range", "vector:3,zzz", "vector:3,cosine,zz:v", "enum",
	} {
		t.Run(tag, func(t *testing.T) {
			_, problems := parseTagValue(tag)
			require.NotEmpty(t, problems)
			for _, p := range problems {
				assert.NotContains(t, p, "did you mean")
			}
		})
	}
}

// The fixed sets of Go declarations get the nearest word too: a key type
// of Indexes(), a vector's similarity and quantization.
func TestDeclarationsSuggestNearestWord(t *testing.T) {
	type doc struct {
		A string    `bson:"a"`
		V []float64 `bson:"v"`
	}
	st, err := reflectx.Describe(reflect.TypeFor[doc]())
	require.NoError(t, err)
	var msgs []string
	checkKeys(Index(IndexKey{Field: "a", Type: "hashd"}), st, func(f string, a ...any) { msgs = append(msgs, fmt.Sprintf(f, a...)) })
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0], `unknown key type "hashd" (want 1, -1, text, 2dsphere, 2d or hashed); did you mean hashed?`)

	msgs = checkSearchSpec(SearchIndexSpec{Type: VectorSearch, Vectors: []VectorField{{Path: "v", Dimensions: 3, Similarity: "cosin", Quantization: "scaler"}}}, st)
	assert.Contains(t, strings.Join(msgs, "\n"), `unknown similarity "cosin" (want euclidean, cosine or dotProduct); did you mean cosine?`)
	assert.Contains(t, strings.Join(msgs, "\n"), `unknown quantization "scaler" (want none, scalar or binary); did you mean scalar?`)

	msgs = checkSearchSpec(SearchIndexSpec{Type: VectorSearch, Vectors: []VectorField{{Path: "v", Dimensions: 3, Similarity: "manhattan"}}}, st)
	require.NotEmpty(t, msgs)
	assert.NotContains(t, strings.Join(msgs, "\n"), "did you mean", "nothing near manhattan")
}
