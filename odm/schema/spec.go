package schema

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tagodm/tagodm/odm/internal/extjson"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// KeyType is the value of one key in an index key document: a direction for
// ordinary keys, or the name of a special index type.
type KeyType string

// The key types MongoDB accepts. The string form is the one MongoDB uses in
// default index names ("created_at_-1", "title_text"). Each has a
// constructor of the same name without the Key prefix (Asc and Desc for
// the two orders): Text("title") is IndexKey{"title", KeyText}.
const (
	KeyAscending   KeyType = "1"
	KeyDescending  KeyType = "-1"
	KeyText        KeyType = "text"
	KeyGeo2DSphere KeyType = "2dsphere"
	KeyGeo2D       KeyType = "2d"
	KeyHashed      KeyType = "hashed"
)

// Value is the key's value in the key document: int32 1 or -1, or the type name.
func (k KeyType) Value() any {
	switch k {
	case KeyAscending:
		return int32(1)
	case KeyDescending:
		return int32(-1)
	}
	return string(k)
}

func (k KeyType) valid() bool {
	switch k {
	case KeyAscending, KeyDescending, KeyText, KeyGeo2DSphere, KeyGeo2D, KeyHashed:
		return true
	}
	return false
}

// Special reports a key type other than an ascending or descending order.
func (k KeyType) Special() bool { return k != KeyAscending && k != KeyDescending }

// IndexKey is one key of an index: a document path and its type.
type IndexKey struct {
	Field string
	Type  KeyType
}

// Asc is an ascending key on field.
func Asc(field string) IndexKey { return IndexKey{field, KeyAscending} }

// Desc is a descending key on field.
func Desc(field string) IndexKey { return IndexKey{field, KeyDescending} }

// Text is a text key on field.
func Text(field string) IndexKey { return IndexKey{field, KeyText} }

// Geo2DSphere is a 2dsphere key on field.
func Geo2DSphere(field string) IndexKey { return IndexKey{field, KeyGeo2DSphere} }

// Geo2D is a legacy 2d key on field.
func Geo2D(field string) IndexKey { return IndexKey{field, KeyGeo2D} }

// Hashed is a hashed key on field.
func Hashed(field string) IndexKey { return IndexKey{field, KeyHashed} }

// Wildcard is an ascending wildcard key: on every field when path is empty
// ("$**"), or on every field below path ("path.$**").
func Wildcard(path string) IndexKey {
	if path == "" {
		return Asc("$**")
	}
	return Asc(path + ".$**")
}

// IndexSpec declares one index. It is the library's own description, which
// validates, compares and prints, and converts to the driver's
// mongo.IndexModel with IndexModel.
//
// Zero values mean "absent": a zero IndexSpec option is not sent to the
// server, exactly as MongoDB treats an option left out.
type IndexSpec struct {
	// Name is the index name; MongoDB's default name (DefaultName) when empty.
	Name string
	// Keys in order. Key order is part of an index.
	Keys []IndexKey

	Unique bool
	Sparse bool
	Hidden bool
	// ExpireAfter makes a TTL index (expireAfterSeconds): documents expire
	// this long after the date in the indexed field; 0 means at that date.
	// It must be a whole number of seconds; set it with TTL.
	ExpireAfter *time.Duration
	// PartialFilter is the partialFilterExpression.
	PartialFilter bson.D
	// Collation of the index.
	Collation *options.Collation

	// Weights of text keys; a text key not listed has weight 1.
	Weights map[string]int32
	// DefaultLanguage and LanguageOverride of a text index.
	DefaultLanguage  string
	LanguageOverride string

	// WildcardProjection of a wildcard index on "$**".
	WildcardProjection bson.D

	// Bits, Min and Max of a 2d index; nil when absent.
	Bits *int32
	Min  *float64
	Max  *float64

	// OutsideStruct allows keys that name no field of the Go struct: fields
	// the service stores beside the struct's own (the struct omits them).
	// Without it such a key is reported as a likely typo.
	OutsideStruct bool

	origin   origin // where the spec was declared, for messages
	shardKey bool   // it supports the collection's shard key (supportShardKey)
}

// origin records where a spec was declared.
type origin struct {
	goType string
	field  string // Go field path, or "Indexes()[i]"
	tag    string // the tag text, when declared in a tag
}

// String names where the spec was declared.
func (o origin) String() string {
	s := o.goType
	if o.field != "" {
		s += "." + o.field
	}
	if o.tag != "" {
		s += fmt.Sprintf(" (tag %s)", o.tag)
	}
	return s
}

// TTL returns d as an ExpireAfter value.
func TTL(d time.Duration) *time.Duration { return &d }

// Index returns a spec with the given keys and MongoDB's default name.
func Index(keys ...IndexKey) IndexSpec { return IndexSpec{Keys: keys} }

// Named returns a copy of s with the given name.
func (s IndexSpec) Named(name string) IndexSpec { s.Name = name; return s }

// DefaultName is MongoDB's default name for an index on keys: each key's
// field and type joined with "_", as in "user_id_1_created_at_-1".
func DefaultName(keys []IndexKey) string {
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k.Field, string(k.Type))
	}
	return strings.Join(parts, "_")
}

// IndexName is the name the index has on the server: Name, or DefaultName.
func (s IndexSpec) IndexName() string {
	if s.Name != "" {
		return s.Name
	}
	return DefaultName(s.Keys)
}

// KeyDocument is the index's key document, keys in order.
func (s IndexSpec) KeyDocument() bson.D {
	d := make(bson.D, 0, len(s.Keys))
	for _, k := range s.Keys {
		d = append(d, bson.E{Key: k.Field, Value: k.Type.Value()})
	}
	return d
}

// ExpireSeconds is ExpireAfter in whole seconds.
func (s IndexSpec) ExpireSeconds() (int32, bool) {
	if s.ExpireAfter == nil {
		return 0, false
	}
	return int32(*s.ExpireAfter / time.Second), true
}

// Document is the index as MongoDB's createIndexes command takes it: key,
// name, then each option present, in a fixed order.
func (s IndexSpec) Document() bson.D {
	d := bson.D{{Key: "key", Value: s.KeyDocument()}, {Key: "name", Value: s.IndexName()}}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if s.Unique {
		add("unique", true)
	}
	if s.Sparse {
		add("sparse", true)
	}
	if secs, ok := s.ExpireSeconds(); ok {
		add("expireAfterSeconds", secs)
	}
	if s.Hidden {
		add("hidden", true)
	}
	if s.PartialFilter != nil {
		add("partialFilterExpression", s.PartialFilter)
	}
	if s.Collation != nil {
		add("collation", collationDocument(s.Collation))
	}
	if len(s.Weights) > 0 {
		w := bson.D{}
		for _, f := range slices.Sorted(maps.Keys(s.Weights)) {
			w = append(w, bson.E{Key: f, Value: s.Weights[f]})
		}
		add("weights", w)
	}
	if s.DefaultLanguage != "" {
		add("default_language", s.DefaultLanguage)
	}
	if s.LanguageOverride != "" {
		add("language_override", s.LanguageOverride)
	}
	if s.WildcardProjection != nil {
		add("wildcardProjection", s.WildcardProjection)
	}
	if s.Bits != nil {
		add("bits", *s.Bits)
	}
	if s.Min != nil {
		add("min", *s.Min)
	}
	if s.Max != nil {
		add("max", *s.Max)
	}
	return d
}

// Features lists the index types and options the spec uses beyond plain
// ascending or descending keys, as MongoDB names them. A server that lacks
// one refuses the index.
func (s IndexSpec) Features() []string {
	var out []string
	for _, k := range s.Keys {
		if k.Type.Special() && !slices.Contains(out, string(k.Type)) {
			out = append(out, string(k.Type))
		}
	}
	for _, e := range s.Document()[2:] {
		switch e.Key {
		case "unique", "sparse":
		default:
			out = append(out, e.Key)
		}
	}
	return out
}

// String renders the spec on one line: name, key document and options, as
// in `idx_ttl {ttl_expires_at: 1} expireAfterSeconds=0`.
func (s IndexSpec) String() string {
	var b strings.Builder
	b.WriteString(s.IndexName())
	b.WriteString(" {")
	for i, k := range s.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.Field)
		b.WriteString(": ")
		if k.Type.Special() {
			b.WriteString(strconv.Quote(string(k.Type)))
		} else {
			b.WriteString(string(k.Type))
		}
	}
	b.WriteString("}")
	for _, e := range s.Document()[2:] {
		b.WriteString(" ")
		b.WriteString(e.Key)
		if v, ok := e.Value.(bool); !ok || !v {
			b.WriteString("=")
			b.WriteString(extjson.Format(e.Value))
		}
	}
	return b.String()
}

// HasOption reports that the spec sends the index option o.
func (s IndexSpec) HasOption(o string) bool {
	for _, e := range s.Document()[2:] { // after key and name
		if e.Key == o {
			return true
		}
	}
	return false
}
