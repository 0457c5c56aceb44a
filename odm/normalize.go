package odm

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// shape is an index in the form a server lists it, reduced to what decides
// whether two indexes are the same: the keys in order and each option as a
// canonical string. Declared specs and listed documents both normalise to
// it, so that comparing them is comparing shapes.
type shape struct {
	name    string
	keys    []shapeKey
	options map[string]string
}

type shapeKey struct {
	field string
	value string // "1", "-1", "text", "2dsphere", "2d", "hashed"
}

func (s shape) keyString() string {
	parts := make([]string, len(s.keys))
	for i, k := range s.keys {
		parts[i] = k.field + ": " + k.value
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Listed fields that never make two indexes differ: the index format
// version, the namespace of old servers, the ignored background flag, the
// versions the server picks for text and 2dsphere indexes, and the
// transitional prepareUnique flag.
var ignoredListed = map[string]bool{
	"v": true, "ns": true, "background": true, "textIndexVersion": true,
	"2dsphereIndexVersion": true, "prepareUnique": true,
}

// Options that mean nothing when false: `unique: false` is no unique.
var falseIsAbsent = map[string]bool{"unique": true, "sparse": true, "hidden": true, "clustered": true}

// Defaults the server lists although nobody declared them.
const (
	defaultLanguage         = "english"
	defaultLanguageOverride = "language"
	default2dBits           = "26"
	default2dMin            = "-180"
	default2dMax            = "180"
)

// declaredShape is the shape the server lists for a declared spec.
func declaredShape(s IndexSpec) (shape, error) {
	raw, err := bson.Marshal(s.Document())
	if err != nil {
		return shape{}, fmt.Errorf("index %s: %w", s.IndexName(), err)
	}
	return listedShape(raw)
}

// listedShape normalises an index document as listIndexes returns it (or
// as createIndexes takes it).
func listedShape(raw bson.Raw) (sh shape, err error) {
	// The driver's value accessors panic on bytes that lie about their
	// lengths; a listing is outside data, so such bytes are an error here.
	defer func() {
		if r := recover(); r != nil {
			sh, err = shape{}, fmt.Errorf("malformed index document: %v", r)
		}
	}()
	if err := deepValidate(raw, 0); err != nil {
		return shape{}, fmt.Errorf("malformed index document: %w", err)
	}
	elems, err := raw.Elements()
	if err != nil {
		return shape{}, fmt.Errorf("malformed index document: %w", err)
	}
	sh = shape{options: map[string]string{}}
	var keyDoc bson.Raw
	var collation bson.Raw
	for _, e := range elems {
		k, v := e.Key(), e.Value()
		switch {
		case k == "name":
			name, ok := v.StringValueOK()
			if !ok {
				return shape{}, errors.New("index document with a non-string name")
			}
			sh.name = name
		case k == "key":
			doc, ok := v.DocumentOK()
			if !ok {
				return shape{}, errors.New("index document with a non-document key")
			}
			keyDoc = doc
		case ignoredListed[k]:
		case falseIsAbsent[k]:
			if truthy(v) {
				sh.options[k] = "true"
			}
		case k == "collation":
			doc, ok := v.DocumentOK()
			if !ok {
				return shape{}, errors.New("index document with a non-document collation")
			}
			collation = doc
		case k == "wildcardProjection":
			sh.options[k] = canonical(v, true)
		default:
			sh.options[k] = canonical(v, false)
		}
	}
	if sh.name == "" || keyDoc == nil {
		return shape{}, fmt.Errorf("index document without a name or key: %s", raw)
	}
	keys, err := keyDoc.Elements()
	if err != nil {
		return shape{}, fmt.Errorf("index %s: malformed key: %w", sh.name, err)
	}
	if len(keys) == 0 {
		return shape{}, fmt.Errorf("index %s: empty key", sh.name)
	}
	var textFields []string
	for _, k := range keys {
		val := keyValue(k.Value())
		if val == "text" && k.Key() != "_fts" {
			// A declared text key: the server lists the text part as
			// {_fts: "text", _ftsx: 1} and the fields in weights.
			if len(textFields) == 0 {
				sh.keys = append(sh.keys, shapeKey{"_fts", "text"}, shapeKey{"_ftsx", "1"})
			}
			textFields = append(textFields, k.Key())
			continue
		}
		sh.keys = append(sh.keys, shapeKey{k.Key(), val})
	}
	if len(textFields) > 0 || sh.options["weights"] != "" {
		sh.options["weights"] = declaredWeights(textFields, sh.options["weights"])
	}
	if sh.hasKey("_fts", "text") {
		setDefault(sh.options, "default_language", defaultLanguage)
		setDefault(sh.options, "language_override", defaultLanguageOverride)
	}
	if sh.hasValue("2d") {
		setDefault(sh.options, "bits", default2dBits)
		setDefault(sh.options, "min", default2dMin)
		setDefault(sh.options, "max", default2dMax)
	}
	if collation != nil {
		if c := collationString(collation); c != "" {
			sh.options["collation"] = c
		}
	}
	return sh, nil
}

// deepValidate checks a document and every document and array in it, so
// that reading its values cannot fail half-way: bson.Raw.Validate looks at
// the top level only.
func deepValidate(raw bson.Raw, depth int) error {
	if depth > 100 {
		return errors.New("documents nested too deep")
	}
	elems, err := raw.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		v := e.Value()
		if err := v.Validate(); err != nil {
			return fmt.Errorf("field %q: %w", e.Key(), err)
		}
		switch v.Type {
		case bson.TypeEmbeddedDocument:
			if err := deepValidate(v.Document(), depth+1); err != nil {
				return err
			}
		case bson.TypeArray:
			if err := deepValidate(bson.Raw(v.Array()), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s shape) hasKey(field, value string) bool {
	for _, k := range s.keys {
		if k.field == field && k.value == value {
			return true
		}
	}
	return false
}

func (s shape) hasValue(value string) bool {
	for _, k := range s.keys {
		if k.value == value {
			return true
		}
	}
	return false
}

func setDefault(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// declaredWeights merges declared text fields (weight 1 unless the
// weights option says otherwise) into the listed form, sorted by field.
func declaredWeights(fields []string, given string) string {
	w := map[string]string{}
	for _, f := range fields {
		w[f] = "1"
	}
	for _, kv := range splitDoc(given) {
		if k, v, ok := strings.Cut(kv, ":"); ok {
			w[k] = v
		}
	}
	return sortedDoc(w)
}

// splitDoc splits a canonical flat document "{a:1,b:2}" into "a:1", "b:2".
func splitDoc(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func sortedDoc(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// collationString renders a collation without the version the server adds.
// Locale "simple" is no collation at all. The remaining fields are sorted,
// so that field order does not matter.
func collationString(doc bson.Raw) string {
	elems, _ := doc.Elements()
	m := map[string]string{}
	for _, e := range elems {
		if e.Key() == "version" {
			continue
		}
		m[e.Key()] = canonical(e.Value(), false)
	}
	if m["locale"] == "simple" {
		return ""
	}
	return sortedDoc(m)
}

// collationCovers reports whether the listed collation has every field the
// declared one sets, with the same value. Fields the declaration leaves out
// are the server's defaults, which vary with the locale.
func collationCovers(declared, listed string) bool {
	if declared == "" || listed == "" {
		return declared == listed
	}
	have := map[string]bool{}
	for _, kv := range splitDoc(listed) {
		have[kv] = true
	}
	for _, kv := range splitDoc(declared) {
		if !have[kv] {
			return false
		}
	}
	return true
}

func keyValue(v bson.RawValue) string {
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	if n, ok := number(v); ok {
		if n < 0 {
			return "-1"
		}
		return "1"
	}
	return v.String()
}

func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		if v.Type == bson.TypeDecimal128 {
			f, err := strconv.ParseFloat(v.Decimal128().String(), 64)
			return f, err == nil
		}
		return v.AsFloat64(), true
	}
	return 0, false
}

func truthy(v bson.RawValue) bool {
	if b, ok := v.BooleanOK(); ok {
		return b
	}
	if n, ok := number(v); ok {
		return n != 0
	}
	return v.Type != bson.TypeNull && v.Type != bson.TypeUndefined
}

// canonical renders a value so that equal values compare equal whatever
// their BSON number type: 1, 1L and 1.0 all render "1". Documents keep
// their field order (it matters in filters). With boolsAsNumbers, true and
// false render 1 and 0, as projections treat them.
func canonical(v bson.RawValue, boolsAsNumbers bool) string {
	if n, ok := number(v); ok {
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return strconv.FormatInt(int64(n), 10)
		}
		return strconv.FormatFloat(n, 'g', -1, 64)
	}
	switch v.Type {
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeBoolean:
		if boolsAsNumbers {
			if v.Boolean() {
				return "1"
			}
			return "0"
		}
		return strconv.FormatBool(v.Boolean())
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		parts := make([]string, len(elems))
		for i, e := range elems {
			parts[i] = e.Key() + ":" + canonical(e.Value(), boolsAsNumbers)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		parts := make([]string, len(vals))
		for i, e := range vals {
			parts[i] = canonical(e, boolsAsNumbers)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return v.String()
}
