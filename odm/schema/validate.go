package schema

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/internal/spell"
	"github.com/tagodm/tagodm/odm/internal/tagspell"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// checkSpec checks one index on its own, against the struct it indexes.
func checkSpec(s IndexSpec, st *reflectx.Struct) []string {
	var msgs []string
	add := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if len(s.Keys) == 0 {
		add("an index needs at least one key")
		return msgs
	}
	if i := strings.IndexFunc(s.Name, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s.Name[i:])
		add("index name %q holds the control character %q; a name is printed in plans, reports and logs, where it would forge lines", s.Name, r)
	}
	text, hashed, geo2d := checkKeys(s, st, add)
	checkServerRules(s, st, add)
	if s.ExpireAfter != nil {
		if err := checkTTL(*s.ExpireAfter); err != nil {
			add("%v", err)
		}
		if len(s.Keys) > 1 {
			add("a TTL index must have a single key; %d keys given", len(s.Keys))
		} else if s.Keys[0].Field == "_id" {
			add("a TTL index cannot be on _id")
		} else if s.Keys[0].Type.Special() {
			add("a TTL index needs an ascending or descending key, not %s", s.Keys[0].Type)
		}
	}
	if len(s.Keys) == 1 && s.Keys[0].Field == "_id" && !s.Keys[0].Type.Special() {
		add("every collection has its _id index already; declare no other index on _id alone")
	}
	if hashed > 1 {
		add("an index can have only one hashed key")
	}
	if hashed > 0 && s.Unique {
		add("a hashed index cannot be unique")
	}
	if geo2d > 0 && s.Keys[0].Type != KeyGeo2D {
		add("a 2d key must come first in its index")
	}
	if s.PartialFilter != nil && s.Sparse {
		add("an index cannot be both sparse and partial")
	}
	if text == 0 {
		if len(s.Weights) > 0 || s.DefaultLanguage != "" || s.LanguageOverride != "" {
			add("weights, default_language and language_override need a text key")
		}
	} else if s.Collation != nil {
		add("a text index cannot have a collation")
	}
	for f, w := range s.Weights {
		if !slices.Contains(s.Keys, Text(f)) {
			add("weight for %s, which is not a text key of this index", f)
		}
		if w < 1 || w > 99999 {
			add("weight for %s must be from 1 to 99999, not %d", f, w)
		}
	}
	if s.WildcardProjection != nil && !(len(s.Keys) == 1 && s.Keys[0].Field == "$**") {
		add("wildcardProjection needs a single $** key")
	}
	if (s.Bits != nil || s.Min != nil || s.Max != nil) && geo2d == 0 {
		add("bits, min and max need a 2d key")
	}
	if s.Collation != nil && s.Collation.Locale == "" {
		add("a collation needs a locale")
	}
	return msgs
}

// checkKeys checks each key of s on its own and counts its special keys.
func checkKeys(s IndexSpec, st *reflectx.Struct, add func(string, ...any)) (text, hashed, geo2d int) {
	seen := map[string]bool{}
	for _, k := range s.Keys {
		switch {
		case k.Field == "":
			add("a key has an empty field path")
			continue
		case !k.Type.valid():
			add("key %s: unknown key type %q (want 1, -1, text, 2dsphere, 2d or hashed)%s", k.Field, string(k.Type), spell.Hint("", tagspell.Value("type", string(k.Type))))
		}
		if seen[k.Field] {
			add("key %s appears twice", k.Field)
		}
		seen[k.Field] = true
		switch k.Type {
		case KeyText:
			text++
		case KeyHashed:
			hashed++
		case KeyGeo2D:
			geo2d++
		}
		if !s.OutsideStruct && !pathExists(st, k.Field) {
			add("key %s names no field of the struct (set OutsideStruct for fields stored beside the struct's own)", k.Field)
		}
		if f, ok := st.Field(k.Field); ok {
			if msg := checkKeyType(k, f.Type, s.ExpireAfter != nil); msg != "" {
				add("%s", msg)
			}
		}
		if msg := checkKeyPath(k, st); msg != "" {
			add("%s", msg)
		}
	}
	return text, hashed, geo2d
}

// checkKeyType refuses a key on a field whose Go type cannot hold what
// the index needs, by the BSON type the driver writes for it (storedAs):
// a date for a TTL, strings for text, GeoJSON or coordinate pairs for
// 2dsphere and 2d. An interface, bson.RawValue or a type with its own
// MarshalBSONValue may hold anything and stays allowed; a type with its
// own MarshalBSON is always a document.
func checkKeyType(k IndexKey, t reflect.Type, ttl bool) string {
	switch {
	case ttl && !storesOnly(t, "date"):
		return fmt.Sprintf("ttl on %s (%v): a TTL index expires only documents whose field is a BSON date or an array of dates; values of type %v never expire", k.Field, t, t)
	case k.Type == KeyText && !storesOnly(t, "string"):
		return fmt.Sprintf("text key %s (%v): a text index indexes strings and arrays of strings; this field holds neither", k.Field, t)
	case k.Type == KeyGeo2DSphere && !canHoldGeo(t, false):
		return fmt.Sprintf("2dsphere key %s (%v): the field cannot hold a GeoJSON object or a coordinate pair", k.Field, t)
	case k.Type == KeyGeo2D && !canHoldGeo(t, true):
		return fmt.Sprintf("2d key %s (%v): the field cannot hold a coordinate pair (a 2d index takes legacy pairs, not GeoJSON)", k.Field, t)
	}
	return ""
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// pathExists resolves a key path in the struct; wildcard paths resolve
// their prefix.
func pathExists(st *reflectx.Struct, path string) bool {
	if path == "$**" {
		return true
	}
	if prefix, ok := strings.CutSuffix(path, ".$**"); ok {
		path = prefix
	}
	return st.Lookup(path)
}

// Declared is one collection's merged declarations, from every model that
// maps to it: what Collect gives the engine. A service reads the merged
// indexes through odm.Declared and odm.DeclaredSearch.
type Declared struct {
	Collection string
	types      []string // Go types, in the order given
	Specs      []IndexSpec
	Shape      *CollectionShape // nil when no model declares options or a validator
	Search     []SearchIndexSpec
	// ShardKey is the collection's declared shard key; nil when none.
	ShardKey *ShardKey
	// View is the declared view; nil for a collection (view.go).
	View *View

	memo sync.Map // Memo's values, by key
	// variantSchemas are the validator schemas of the variants merged so
	// far, one anyOf branch each (variant.go); variantFirst is the first
	// variant's schema, encoded, and variantsDiffer says that a later
	// one's differs from it.
	variantSchemas bson.A
	variantFirst   []byte
	variantsDiffer bool
}

// Memo returns what compute gives for key, computed once per Declared:
// what the layers above derive from the declarations alone (the redundant
// indexes, the last listing found to match) is kept with them, and lives
// as long as they do.
func (d *Declared) Memo(key any, compute func() any) any {
	if v, ok := d.memo.Load(key); ok {
		return v
	}
	v, _ := d.memo.LoadOrStore(key, compute())
	return v
}

// checkCollection checks indexes that will share one collection: names
// unique, one index per key pattern (keys, collation, partial filter), at
// most one text index. Specs equal in every respect are the same index.
func checkCollection(collection string, specs []IndexSpec) []Problem {
	var problems []Problem
	byName := map[string]IndexSpec{}
	byPattern := map[string]IndexSpec{}
	var textIndex *IndexSpec
	for _, s := range specs {
		name := s.IndexName()
		conflict := func(other IndexSpec, format string, args ...any) {
			problems = append(problems, Problem{
				GoType: s.origin.goType, Field: s.origin.field, Tag: s.origin.tag,
				Collection: collection, Index: name,
				Message: fmt.Sprintf(format, args...) + fmt.Sprintf(" (the other is declared at %s)", other.origin),
			})
		}
		if prev, ok := byName[name]; ok {
			if !sameSpec(prev, s) {
				conflict(prev, "index name %q is declared twice with different specs: %s and %s", name, prev, s)
			}
			continue
		}
		if len(byName) == maxIndexes-1 {
			problems = append(problems, Problem{GoType: s.origin.goType, Field: s.origin.field, Tag: s.origin.tag, Collection: collection, Index: name,
				Message: fmt.Sprintf("a collection can have at most %d indexes, its _id index included; %q is one too many", maxIndexes, name)})
		}
		byName[name] = s
		pattern := patternKey(s)
		if prev, ok := byPattern[pattern]; ok {
			conflict(prev, "indexes %q and %q have the same keys, collation and partial filter; MongoDB keeps one index per key pattern whatever the names or options", prev.IndexName(), name)
			continue
		}
		byPattern[pattern] = s
		if slices.ContainsFunc(s.Keys, func(k IndexKey) bool { return k.Type == KeyText }) {
			if textIndex != nil {
				conflict(*textIndex, "a collection can have only one text index; %q and %q are both text indexes", textIndex.IndexName(), name)
				continue
			}
			textIndex = &s
		}
	}
	return problems
}

// sameSpec reports specs that make the same index on the server.
// OutsideStruct only widens what Validate accepts of one model's keys, so
// two models may differ in it and still declare one index.
func sameSpec(a, b IndexSpec) bool {
	return bytes.Equal(mustMarshal(a.Document()), mustMarshal(b.Document()))
}

// patternKey identifies an index the way MongoDB does when it decides that
// two indexes are the same: key pattern, collation and partial filter.
func patternKey(s IndexSpec) string {
	var b bytes.Buffer
	b.Write(mustMarshal(s.KeyDocument()))
	if s.Collation != nil && s.Collation.Locale != "simple" { // "simple" is no collation at all
		b.Write(mustMarshal(collationDocument(s.Collation)))
	}
	b.WriteByte(0)
	if s.PartialFilter != nil {
		b.Write(mustMarshal(s.PartialFilter))
	}
	return b.String()
}

func mustMarshal(d bson.D) []byte {
	raw, err := bson.Marshal(d)
	if err != nil {
		// A value bson cannot marshal; fall back to its printed form, which
		// still tells different specs apart.
		return []byte(fmt.Sprintf("%#v", d))
	}
	return raw
}

// Collect describes and validates every model and groups their indexes by
// collection, in first-seen collection order. models are Init's arguments
// after splitArgs: models, and a *ValidationError for each option whose
// arguments are faulty, carried among them so that the validation of the
// models reports its problems in order.
func Collect(models []any) ([]*Declared, error) {
	var problems []Problem
	var cols []*Declared
	byName := map[string]*Declared{}
	type seenKey struct {
		t          reflect.Type
		collection string
	}
	seenType := map[seenKey]bool{}
	given := 0
	for _, m := range models {
		if ve, ok := m.(*ValidationError); ok && ve != nil {
			problems = append(problems, ve.Problems...)
			continue
		}
		given++
		d, err := describeModel(m)
		if err != nil {
			problems = append(problems, err.(*ValidationError).Problems...)
			continue
		}
		problems = append(problems, d.Problems...)
		if len(d.Problems) > 0 {
			continue
		}
		key := seenKey{d.model.Type, d.model.Collection}
		if seenType[key] {
			continue // the same model given twice declares the same things
		}
		seenType[key] = true
		c := byName[d.model.Collection]
		if c == nil {
			c = &Declared{Collection: d.model.Collection}
			byName[c.Collection] = c
			cols = append(cols, c)
		}
		c.types = append(c.types, d.model.Type.String())
		problems = append(problems, mergeShardKey(c, d.model)...) // shard_collect.go
		problems = append(problems, mergeView(c, d.model)...)     // view.go
		c.Specs = append(c.Specs, d.model.Indexes...)
		c.Search = append(c.Search, d.model.SearchIndexes...)
		if d.model.Options != nil || d.model.Validator != nil {
			shape := c.variantShape(d.model, &CollectionShape{Options: d.model.Options, Validator: d.model.Validator, Origin: d.model.Type.String()})
			if c.Shape != nil && !bytes.Equal(mustMarshal(c.Shape.Document()), mustMarshal(shape.Document())) {
				problems = append(problems, Problem{GoType: shape.Origin, Collection: c.Collection,
					Message: fmt.Sprintf("collection options or validator differ from those %s declares for the same collection", c.Shape.Origin)})
			}
			c.Shape = shape
		}
	}
	problems = append(problems, checkViewCycles(cols)...)
	if given == 0 {
		problems = append(problems, Problem{Message: "no models given: pass models, []any lists of them (registry.All()) or a registry; " +
			"an empty registry usually means the packages that register the models are not imported"})
	}
	for _, c := range cols {
		if len(c.types) > 1 { // each model was checked on its own already
			problems = append(problems, checkCollection(c.Collection, c.Specs)...)
			problems = append(problems, checkSearchCollection(c.Collection, c.Search)...)
		}
		c.Specs = dedupe(c.Specs)
		problems = append(problems, supportShardKey(c)...)
		c.Search = dedupeSearch(c.Search)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return cols, nil
}

// dedupe drops specs equal to an earlier one (several models declaring the
// same index on a shared collection).
func dedupe(specs []IndexSpec) []IndexSpec {
	var out []IndexSpec
	for _, s := range specs {
		if !slices.ContainsFunc(out, func(o IndexSpec) bool { return o.IndexName() == s.IndexName() }) {
			out = append(out, s)
		}
	}
	return out
}
