package odm

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// mutation is a declaration changed in one thing that Diff must report.
type mutation struct {
	what  string
	field string // the Difference it must show
	spec  schema.IndexSpec
}

// specMutations returns every one-thing change of s that applies to it.
// The name stays the listed one, so each compares with the same index.
func specMutations(s schema.IndexSpec) []mutation {
	var out []mutation
	add := func(what, field string, change func(m *schema.IndexSpec)) {
		m := cloneSpec(s)
		m.Name = s.IndexName()
		change(&m)
		out = append(out, mutation{what, field, m})
	}
	if i := slices.IndexFunc(s.Keys, func(k schema.IndexKey) bool {
		return !k.Type.Special() && !strings.HasSuffix(k.Field, "$**")
	}); i >= 0 {
		add("direction", "key", func(m *schema.IndexSpec) {
			if m.Keys[i].Type == schema.KeyAscending {
				m.Keys[i].Type = schema.KeyDescending
			} else {
				m.Keys[i].Type = schema.KeyAscending
			}
		})
	}
	if len(s.Keys) > 1 && s.Keys[0].Type != schema.KeyText && s.Keys[1].Type != schema.KeyText {
		add("key order", "key", func(m *schema.IndexSpec) { m.Keys[0], m.Keys[1] = m.Keys[1], m.Keys[0] })
	}
	add("unique", "unique", func(m *schema.IndexSpec) { m.Unique = !m.Unique })
	add("hidden", "hidden", func(m *schema.IndexSpec) { m.Hidden = !m.Hidden })
	add("sparse", "sparse", func(m *schema.IndexSpec) { m.Sparse = !m.Sparse })
	if s.ExpireAfter != nil {
		add("ttl", "expireAfterSeconds", func(m *schema.IndexSpec) { m.ExpireAfter = schema.TTL(*s.ExpireAfter + time.Second) })
	}
	if s.PartialFilter != nil {
		add("filter value type", "partialFilterExpression", func(m *schema.IndexSpec) { m.PartialFilter = retypeFirstLeaf(s.PartialFilter) })
	}
	if s.Collation != nil && s.Collation.Locale != "simple" {
		add("collation locale", "collation", func(m *schema.IndexSpec) { c := *s.Collation; c.Locale = otherLocale(c.Locale); m.Collation = &c })
		add("collation strength", "collation", func(m *schema.IndexSpec) { c := *s.Collation; c.Strength = c.Strength%5 + 1; m.Collation = &c })
	}
	if f := textField(s); f != "" {
		add("weight", "weights", func(m *schema.IndexSpec) {
			w := int32(1)
			if v, ok := s.Weights[f]; ok {
				w = v
			}
			m.Weights[f] = w + 1
		})
		add("language", "default_language", func(m *schema.IndexSpec) {
			m.DefaultLanguage = "french"
			if s.DefaultLanguage == "french" {
				m.DefaultLanguage = "german"
			}
		})
	}
	if s.WildcardProjection != nil {
		add("projection path", "wildcardProjection", func(m *schema.IndexSpec) {
			m.WildcardProjection = append(m.WildcardProjection, bson.E{Key: "added", Value: 1})
		})
		add("projection exclusion", "wildcardProjection", func(m *schema.IndexSpec) {
			for i := range m.WildcardProjection {
				m.WildcardProjection[i].Value = 0
			}
		})
	}
	if s.Bits != nil {
		add("2d bits", "bits", func(m *schema.IndexSpec) { b := *s.Bits + 1; m.Bits = &b })
	}
	return out
}

func otherLocale(l string) string {
	if l == "de" {
		return "fr"
	}
	return "de"
}

func cloneSpec(s schema.IndexSpec) schema.IndexSpec {
	s.Keys = slices.Clone(s.Keys)
	s.Weights = maps.Clone(s.Weights)
	if s.Weights == nil {
		s.Weights = map[string]int32{}
	}
	s.WildcardProjection = slices.Clone(s.WildcardProjection)
	return s
}

func textField(s schema.IndexSpec) string {
	for _, k := range s.Keys {
		if k.Type == schema.KeyText {
			return k.Field
		}
	}
	return ""
}

// retypeFirstLeaf returns d with its first scalar changed to another BSON
// type of the same text: a number to its string, a string or bool to 1.
func retypeFirstLeaf(d bson.D) bson.D {
	out := slices.Clone(d)
	for i, e := range out {
		switch v := e.Value.(type) {
		case bson.D:
			out[i].Value = retypeFirstLeaf(v)
		case int:
			out[i].Value = strconv.Itoa(v)
		case int32:
			out[i].Value = strconv.Itoa(int(v))
		case int64:
			out[i].Value = strconv.FormatInt(v, 10)
		case float64:
			out[i].Value = strconv.FormatFloat(v, 'g', -1, 64)
		case string, bool:
			out[i].Value = 1
		default:
			continue
		}
		return out
	}
	return out
}

type optionMutation struct {
	what    string
	options schema.CollectionOptions
}

// optionMutations returns one-thing changes of collection options.
func optionMutations(o schema.CollectionOptions) []optionMutation {
	var out []optionMutation
	add := func(what string, change func(m *schema.CollectionOptions)) {
		m := o
		change(&m)
		out = append(out, optionMutation{what, m})
	}
	add("pre- and post-images", func(m *schema.CollectionOptions) { m.ChangeStreamPreAndPostImages = !m.ChangeStreamPreAndPostImages })
	if o.TimeSeries != nil {
		add("granularity", func(m *schema.CollectionOptions) {
			ts := *o.TimeSeries
			ts.Granularity = "hours"
			m.TimeSeries = &ts
		})
		add("time series expiry", func(m *schema.CollectionOptions) {
			ts := *o.TimeSeries
			ts.ExpireAfter = schema.TTL(time.Hour)
			if o.TimeSeries.ExpireAfter != nil {
				ts.ExpireAfter = schema.TTL(*o.TimeSeries.ExpireAfter + time.Second)
			}
			m.TimeSeries = &ts
		})
	}
	if o.Capped != nil {
		add("capped size", func(m *schema.CollectionOptions) {
			m.Capped = &schema.CappedOptions{Size: o.Capped.Size + 1, Max: o.Capped.Max}
		})
	}
	if o.Collation != nil {
		add("collation locale", func(m *schema.CollectionOptions) {
			c := *o.Collation
			c.Locale = otherLocale(c.Locale)
			m.Collation = &c
		})
	} else {
		add("collation added", func(m *schema.CollectionOptions) { m.Collation = &options.Collation{Locale: "de"} })
	}
	if o.ClusteredIndex {
		add("clustered", func(m *schema.CollectionOptions) { m.ClusteredIndex = false })
	}
	return out
}
