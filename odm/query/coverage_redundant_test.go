package query_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

func spec(name string, k ...schema.IndexKey) schema.IndexSpec {
	return schema.IndexSpec{Name: name, Keys: k}
}

func TestRedundantIndexes(t *testing.T) {
	ttl := time.Hour
	cases := []struct {
		name  string
		specs []schema.IndexSpec
		want  []string
	}{
		{"a prefix", []schema.IndexSpec{spec("a", schema.Asc("a")), spec("ab", schema.Asc("a"), schema.Asc("b"))},
			[]string{"redundant: index a is redundant: its keys are a prefix of ab, which serves its queries"}},
		{"a reversed prefix", []schema.IndexSpec{spec("a_desc", schema.Desc("a")), spec("ab", schema.Asc("a"), schema.Desc("b"))},
			[]string{"redundant: index a_desc is redundant: its keys are a prefix of ab, which serves its queries"}},
		{"a prefix of two", []schema.IndexSpec{spec("a", schema.Asc("a")), spec("ab", schema.Asc("a"), schema.Asc("b")), spec("ac", schema.Asc("a"), schema.Desc("c"))},
			[]string{"redundant: index a is redundant: its keys are a prefix of ab, ac, which serve its queries"}},
		{"mixed directions are no prefix", []schema.IndexSpec{spec("ab", schema.Asc("a"), schema.Asc("b")), spec("abc", schema.Asc("a"), schema.Desc("b"), schema.Asc("c"))}, nil},
		{"not a leading subset", []schema.IndexSpec{spec("b", schema.Asc("b")), spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"the same keys in reverse: the later one", []schema.IndexSpec{spec("ab", schema.Asc("a"), schema.Desc("b")), spec("ab_rev", schema.Desc("a"), schema.Asc("b"))},
			[]string{"redundant: index ab_rev is redundant: the same keys in reverse as ab, which serves its queries"}},
		{"unique is never redundant", []schema.IndexSpec{{Name: "a", Keys: []schema.IndexKey{schema.Asc("a")}, Unique: true}, spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"TTL is never redundant", []schema.IndexSpec{{Name: "a", Keys: []schema.IndexKey{schema.Asc("a")}, ExpireAfter: &ttl}, spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"sparse is never redundant", []schema.IndexSpec{{Name: "a", Keys: []schema.IndexKey{schema.Asc("a")}, Sparse: true}, spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"hidden is never redundant", []schema.IndexSpec{{Name: "a", Keys: []schema.IndexKey{schema.Asc("a")}, Hidden: true}, spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"partial is never redundant", []schema.IndexSpec{{Name: "a", Keys: []schema.IndexKey{schema.Asc("a")}, PartialFilter: bson.D{{Key: "b", Value: bson.D{{Key: "$gt", Value: 1}}}}}, spec("ab", schema.Asc("a"), schema.Asc("b"))}, nil},
		{"collation is never redundant", []schema.IndexSpec{{Name: "c", Keys: []schema.IndexKey{schema.Asc("c")}, Collation: &options.Collation{Locale: "fr"}}, spec("ca", schema.Asc("c"), schema.Asc("a"))}, nil},
		{"a partial cover covers nothing", []schema.IndexSpec{spec("a", schema.Asc("a")), {Name: "ab", Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, PartialFilter: bson.D{{Key: "b", Value: bson.D{{Key: "$gt", Value: 1}}}}}}, nil},
		{"a unique cover covers", []schema.IndexSpec{spec("a", schema.Asc("a")), {Name: "ab", Keys: []schema.IndexKey{schema.Asc("a"), schema.Asc("b")}, Unique: true}},
			[]string{"redundant: index a is redundant: its keys are a prefix of ab, which serves its queries"}},
		{"a text index covers nothing", []schema.IndexSpec{spec("c", schema.Asc("c")), spec("ct", schema.Asc("c"), schema.Text("b"))}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := query.Redundant("redundant", c.specs)
			var lines []string
			for _, r := range got {
				lines = append(lines, r.String())
			}
			assert.Equal(t, c.want, lines)
		})
	}
}
