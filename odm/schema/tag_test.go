package schema

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestParseTagValue(t *testing.T) {
	tests := []struct {
		tag  string
		want []indexClause
	}{
		{"index", []indexClause{{keyType: Ascending, text: "index"}}},
		{"index:idx_a", []indexClause{{Name: "idx_a", keyType: Ascending, text: "index:idx_a"}}},
		{"index,unique", []indexClause{{keyType: Ascending, unique: true, text: "index,unique"}}},
		{"uniqueIndex", []indexClause{{keyType: Ascending, unique: true, text: "uniqueIndex"}}},
		{"uniqueIndex:u", []indexClause{{Name: "u", keyType: Ascending, unique: true, text: "uniqueIndex:u"}}},
		{"index,sort:desc", []indexClause{{keyType: Descending, sortSet: true, text: "index,sort:desc"}}},
		{"index,sort:asc", []indexClause{{keyType: Ascending, sortSet: true, text: "index,sort:asc"}}},
		{"index,sparse,hidden", []indexClause{{keyType: Ascending, sparse: true, hidden: true, text: "index,sparse,hidden"}}},
		{"index:c,priority:2", []indexClause{{Name: "c", keyType: Ascending, priority: ptr(2), text: "index:c,priority:2"}}},
		{"index,ttl:0", []indexClause{{keyType: Ascending, ttl: ptr(time.Duration(0)), text: "index,ttl:0"}}},
		{"index,ttl:3600", []indexClause{{keyType: Ascending, ttl: ptr(time.Hour), text: "index,ttl:3600"}}},
		{"index,ttl:168h", []indexClause{{keyType: Ascending, ttl: ptr(168 * time.Hour), text: "index,ttl:168h"}}},
		{"index:t,type:text,weight:5", []indexClause{{Name: "t", keyType: Text, typeSet: true, weight: ptr(int32(5)), text: "index:t,type:text,weight:5"}}},
		{"index,type:2dsphere", []indexClause{{keyType: Geo2DSphere, typeSet: true, text: "index,type:2dsphere"}}},
		{"index,type:2d", []indexClause{{keyType: Geo2D, typeSet: true, text: "index,type:2d"}}},
		{"index,type:hashed", []indexClause{{keyType: Hashed, typeSet: true, text: "index,type:hashed"}}},
		{"index; index:b,priority:1", []indexClause{
			{keyType: Ascending, text: "index"},
			{Name: "b", keyType: Ascending, priority: ptr(1), text: "index:b,priority:1"},
		}},
		{" index , unique ", []indexClause{{keyType: Ascending, unique: true, text: "index , unique"}}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			got, problems := ParseTagValue(tt.tag)
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
			got, problems := ParseTagValue(tt.tag)
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
	got, problems := ParseTagValue(`index;required;enum:open|closed;min:0;max:10.5;pattern:^\d+\.\d+$`)
	require.Empty(t, problems)
	assert.Len(t, got.Indexes, 1)
	assert.Equal(t, fieldRules{required: true, enum: []string{"open", "closed"}, pattern: `^\d+\.\d+$`,
		minimum: ptr(0.0), maximum: ptr(10.5)}, got.rules)

	got, problems = ParseTagValue(`pattern:^[a-z]{1,3}$`)
	require.Empty(t, problems)
	assert.Equal(t, `^[a-z]{1,3}$`, got.rules.pattern, "a pattern keeps its commas")

	got, problems = ParseTagValue("revision")
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
		_, problems := ParseTagValue(tag)
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
		{[]IndexKey{TextKey("title"), TextKey("body")}, "title_text_body_text"},
		{[]IndexKey{Asc("metadata.user_id")}, "metadata.user_id_1"},
		{[]IndexKey{Sphere("loc")}, "loc_2dsphere"},
		{[]IndexKey{Flat("pos")}, "pos_2d"},
		{[]IndexKey{HashedKey("shard")}, "shard_hashed"},
		{[]IndexKey{Wildcard("")}, "$**_1"},
		{[]IndexKey{Wildcard("attrs")}, "attrs.$**_1"},
		{[]IndexKey{Asc("a"), TextKey("b"), Desc("c")}, "a_1_b_text_c_-1"},
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
		_, problems := ParseTagValue("pattern:" + p)
		assert.Equal(t, bad, len(problems) > 0, "%s: %v", p, problems)
	}
}
