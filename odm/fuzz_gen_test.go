package odm

import (
	"strconv"
	"time"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// fuzzBytes hands out the fuzzer's bytes as choices; 0 once spent.
type fuzzBytes struct {
	data []byte
	pos  int
}

func (b *fuzzBytes) next() int {
	if b.pos >= len(b.data) {
		return 0
	}
	b.pos++
	return int(b.data[b.pos-1])
}

func (b *fuzzBytes) bit() bool      { return b.next()%2 == 1 }
func (b *fuzzBytes) pick(n int) int { return b.next() % n }

var fuzzFields = []string{"a", "b", "c.d", "e", "f"}

// randomSpec builds a spec a user could declare from the bytes.
func randomSpec(b *fuzzBytes) schema.IndexSpec {
	var s schema.IndexSpec
	switch b.pick(6) {
	case 0: // wildcard with a projection
		s.Keys = []schema.IndexKey{schema.Wildcard("")}
		for i := 0; i <= b.pick(3); i++ {
			s.WildcardProjection = append(s.WildcardProjection, bson.E{Key: "p" + string(rune('0'+i)) + ".q", Value: 1})
		}
		return s
	case 1: // text, with regular keys around it
		s.Keys = []schema.IndexKey{schema.Asc("a"), schema.Text("b"), schema.Text("e")}[b.pick(2):]
		s.Weights = map[string]int32{"b": int32(1 + b.pick(20))}
		if b.bit() {
			s.DefaultLanguage = []string{"english", "spanish", "none"}[b.pick(3)]
		}
		return s
	case 2:
		s.Keys = []schema.IndexKey{schema.Geo2D("a")}
		if b.bit() {
			bits := int32(20 + b.pick(10))
			s.Bits = &bits
		}
		return s
	}
	used := map[string]bool{}
	for i := 0; i <= b.pick(3); i++ {
		f := fuzzFields[b.pick(len(fuzzFields))]
		if used[f] {
			continue
		}
		used[f] = true
		s.Keys = append(s.Keys, schema.IndexKey{Field: f, Type: []schema.KeyType{schema.KeyAscending, schema.KeyDescending, schema.KeyGeo2DSphere, schema.KeyHashed}[b.pick(4)]})
	}
	s.Unique, s.Sparse, s.Hidden = b.bit(), b.bit(), b.bit()
	if len(s.Keys) == 1 && b.bit() {
		s.ExpireAfter = schema.TTL(time.Duration(b.pick(100000)) * time.Second)
	}
	if b.bit() {
		s.PartialFilter = bson.D{{Key: "a", Value: bson.D{{Key: []string{"$gt", "$eq", "$gte"}[b.pick(3)], Value: randomScalar(b)}}}}
	}
	if b.bit() {
		s.Collation = &options.Collation{Locale: []string{"fr", "en_US", "de"}[b.pick(3)], Strength: b.pick(4),
			CaseLevel: b.bit(), NumericOrdering: b.bit(), Backwards: b.bit()}
	}
	return s
}

func randomScalar(b *fuzzBytes) any {
	switch b.pick(4) {
	case 0:
		return "s" + string(rune('a'+b.pick(26)))
	case 1:
		return b.bit()
	case 2:
		return float64(b.pick(1000)) + 0.5
	}
	return int32(b.pick(1000))
}

// serverListing renders s the way a server may list it: numbers in any
// BSON number type, text keys as _fts/_ftsx with weights (any order, int
// or double) and defaults, collations filled in with a version, 2d and
// 2dsphere defaults, wildcard projections normalised, fields in any order
// and the fields that never count (v, ns, background) added.
func serverListing(s schema.IndexSpec, b *fuzzBytes) bson.D {
	doc := bson.D{{Key: "v", Value: int32(2)}, {Key: "key", Value: serverKeys(s, b)}, {Key: "name", Value: s.IndexName()}}
	opts := bson.D{}
	add := func(k string, v any) { opts = append(opts, bson.E{Key: k, Value: v}) }
	for _, e := range s.Document()[2:] {
		switch e.Key {
		case "partialFilterExpression":
			add(e.Key, retypeNumbers(e.Value.(bson.D), b))
		case "collation":
			add(e.Key, fullCollation(e.Value.(bson.D), b))
		case "weights", "default_language", "language_override":
		case "wildcardProjection":
			add(e.Key, normalisedProjection(e.Value.(bson.D), b))
		default:
			add(e.Key, retypeNumber(e.Value, b))
		}
	}
	if f := textField(s); f != "" {
		w := bson.D{}
		for _, k := range s.Keys {
			if k.Type == schema.KeyText {
				v, ok := s.Weights[k.Field]
				if !ok {
					v = 1
				}
				w = append(w, bson.E{Key: k.Field, Value: retypeNumber(v, b)})
			}
		}
		add("weights", shuffled(w, b))
		add("default_language", orDefault(s.DefaultLanguage, "english"))
		add("language_override", orDefault(s.LanguageOverride, "language"))
		add("textIndexVersion", int32(3))
	}
	for _, k := range s.Keys {
		switch k.Type {
		case schema.KeyGeo2DSphere:
			add("2dsphereIndexVersion", int32(3))
		case schema.KeyGeo2D:
			if s.Bits == nil {
				add("bits", int32(26))
			}
			add("min", -180.0)
			add("max", 180.0)
		}
	}
	if b.bit() {
		add("ns", "db.coll")
	}
	if b.bit() {
		add("background", b.bit())
	}
	return append(doc, shuffled(opts, b)...)
}

func serverKeys(s schema.IndexSpec, b *fuzzBytes) bson.D {
	keys := bson.D{}
	text := false
	for _, k := range s.Keys {
		switch {
		case k.Type == schema.KeyText:
			if !text {
				keys = append(keys, bson.E{Key: "_fts", Value: "text"}, bson.E{Key: "_ftsx", Value: retypeNumber(int32(1), b)})
			}
			text = true
		case k.Type.Special():
			keys = append(keys, bson.E{Key: k.Field, Value: string(k.Type)})
		default:
			keys = append(keys, bson.E{Key: k.Field, Value: retypeNumber(k.Type.Value(), b)})
		}
	}
	return keys
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// retypeNumber gives a whole number another BSON number type.
func retypeNumber(v any, b *fuzzBytes) any {
	var n int64
	switch x := v.(type) {
	case int32:
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	default:
		return v
	}
	switch b.pick(4) {
	case 0:
		return int32(n)
	case 1:
		return n
	case 2:
		return float64(n)
	}
	d, _ := bson.ParseDecimal128(strconv.FormatInt(n, 10))
	return d
}

func retypeNumbers(d bson.D, b *fuzzBytes) bson.D {
	out := make(bson.D, len(d))
	for i, e := range d {
		if sub, ok := e.Value.(bson.D); ok {
			out[i] = bson.E{Key: e.Key, Value: retypeNumbers(sub, b)}
			continue
		}
		out[i] = bson.E{Key: e.Key, Value: retypeNumber(e.Value, b)}
	}
	return out
}

func fullCollation(declared bson.D, b *fuzzBytes) bson.D {
	full := bson.D{{Key: "locale", Value: ""}, {Key: "caseLevel", Value: false}, {Key: "caseFirst", Value: "off"},
		{Key: "strength", Value: int32(3)}, {Key: "numericOrdering", Value: false}, {Key: "alternate", Value: "non-ignorable"},
		{Key: "maxVariable", Value: "punct"}, {Key: "normalization", Value: false}, {Key: "backwards", Value: false}}
	for _, e := range declared {
		for i := range full {
			if full[i].Key == e.Key {
				full[i].Value = retypeNumber(e.Value, b)
			}
		}
	}
	return shuffled(append(full, bson.E{Key: "version", Value: "57.1"}), b)
}

// normalisedProjection writes an inclusion projection of dotted paths as
// older servers may store it: nested, true for 1, _id: false added.
func normalisedProjection(p bson.D, b *fuzzBytes) bson.D {
	out := bson.D{}
	for _, e := range p {
		var v any = e.Value
		if b.bit() {
			v = true
		}
		out = nestPath(out, e.Key, v, b.bit())
	}
	if b.bit() {
		out = append(out, bson.E{Key: "_id", Value: false})
	}
	return shuffled(out, b)
}

func nestPath(d bson.D, path string, v any, nest bool) bson.D {
	head, rest, dotted := cutDot(path)
	if !nest || !dotted {
		return append(d, bson.E{Key: path, Value: v})
	}
	for i, e := range d {
		if sub, ok := e.Value.(bson.D); ok && e.Key == head {
			d[i].Value = nestPath(sub, rest, v, true)
			return d
		}
	}
	return append(d, bson.E{Key: head, Value: bson.D{{Key: rest, Value: v}}})
}

func cutDot(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func shuffled(d bson.D, b *fuzzBytes) bson.D {
	out := append(bson.D(nil), d...)
	for i := len(out) - 1; i > 0; i-- {
		j := b.pick(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return out
}
