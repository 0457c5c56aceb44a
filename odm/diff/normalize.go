package diff

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// shape is an index in the form a server lists it, reduced to what decides
// whether two indexes are the same: the keys in order and each option as a
// typed canonical string (see canonical). Declared specs and listed
// documents both normalise to it, so that comparing them is comparing
// shapes.
type shape struct {
	name    string
	keys    []shapeKey
	Options map[string]string
	// collation holds the collation's fields (less version) as canonical
	// values; nil for none or "simple". collationSet says the document
	// states a collation, "simple" included: a declaration that states none
	// inherits the collection's default.
	collation    map[string]string
	collationSet bool
}

type shapeKey struct {
	field string
	value string // "1", "-1" (any number, by value), "text", "2dsphere", "2d", "hashed"
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

// Defaults the server lists although nobody declared them, as canonical
// values.
const (
	defaultLanguage         = `"english"`
	defaultLanguageOverride = `"language"`
	default2dBits           = "26"
	default2dMin            = "-180"
	default2dMax            = "180"
)

// declaredShape is the shape the server lists for a declared spec.
func declaredShape(s schema.IndexSpec) (shape, error) {
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
	sh = shape{Options: map[string]string{}}
	var keyDoc bson.Raw
	var weights bson.RawValue
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
				sh.Options[k] = "true"
			}
		case k == "collation":
			doc, ok := v.DocumentOK()
			if !ok {
				return shape{}, errors.New("index document with a non-document collation")
			}
			sh.collationSet = true
			if sh.collation = collationFields(doc); sh.collation != nil {
				sh.Options[k] = renderSorted(sh.collation)
			}
		case k == "weights":
			weights = v
		case k == "wildcardProjection":
			sh.Options[k] = projection(v)
		case k == "storageEngine" && emptyEngineOptions(v):
			// {wiredTiger: {}} configures nothing: the engine's defaults.
		default:
			sh.Options[k] = canonical(v)
		}
	}
	if sh.name == "" || keyDoc == nil {
		return shape{}, fmt.Errorf("index document without a name or key: %s", raw)
	}
	if err := sh.readKeys(keyDoc, weights); err != nil {
		return shape{}, err
	}
	if sh.hasKey("_fts", "text") {
		setDefault(sh.Options, "default_language", defaultLanguage)
		setDefault(sh.Options, "language_override", defaultLanguageOverride)
	}
	if sh.hasValue("2d") {
		setDefault(sh.Options, "bits", default2dBits)
		setDefault(sh.Options, "min", default2dMin)
		setDefault(sh.Options, "max", default2dMax)
	}
	return sh, nil
}

// readKeys reads the key document. Declared text keys become the
// {_fts: "text", _ftsx: 1} the server lists, their fields going into the
// weights (1 unless weighted), which are kept by field, whatever the order
// or number type they were listed in.
func (sh *shape) readKeys(keyDoc bson.Raw, weights bson.RawValue) error {
	keys, err := keyDoc.Elements()
	if err != nil {
		return fmt.Errorf("index %s: malformed key: %w", sh.name, err)
	}
	if len(keys) == 0 {
		return fmt.Errorf("index %s: empty key", sh.name)
	}
	var w map[string]string
	for _, k := range keys {
		val := keyValue(k.Value())
		if val == "text" && k.Key() != "_fts" {
			if w == nil {
				w = map[string]string{}
				sh.keys = append(sh.keys, shapeKey{"_fts", "text"}, shapeKey{"_ftsx", "1"})
			}
			w[k.Key()] = "1"
			continue
		}
		sh.keys = append(sh.keys, shapeKey{k.Key(), val})
	}
	if weights.Type == 0 {
		if w != nil {
			sh.Options["weights"] = renderSorted(w)
		}
		return nil
	}
	doc, ok := weights.DocumentOK()
	if !ok {
		sh.Options["weights"] = canonical(weights)
		return nil
	}
	elems, _ := doc.Elements()
	if w == nil {
		w = make(map[string]string, len(elems))
	}
	for _, e := range elems {
		w[e.Key()] = canonical(e.Value())
	}
	sh.Options["weights"] = renderSorted(w)
	return nil
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

// renderSorted renders field -> canonical value as a document with its
// fields sorted: for the documents whose field order means nothing to
// MongoDB (weights, collations, wildcard projections).
func renderSorted(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		b.WriteString(m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// collationFields reads a collation as field -> canonical value, without
// the version the server adds. Locale "simple" is no collation at all
// (nil).
func collationFields(doc bson.Raw) map[string]string {
	elems, _ := doc.Elements()
	m := make(map[string]string, len(elems))
	for _, e := range elems {
		if e.Key() == "version" {
			continue
		}
		m[e.Key()] = canonical(e.Value())
	}
	if m["locale"] == `"simple"` || len(m) == 0 {
		return nil
	}
	return m
}

// collationCovers reports whether the listed collation has every field the
// declared one sets, with the same value and BSON type class. Fields the
// declaration leaves out are the server's defaults, which vary with the
// locale, and are not compared. No collation covers only no collation.
func collationCovers(declared, listed map[string]string) bool {
	if declared == nil || listed == nil {
		return declared == nil && listed == nil
	}
	for k, v := range declared {
		if got, ok := listed[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// projection renders a wildcard projection the way it selects fields:
// nested subdocuments as dotted paths, true and non-zero numbers as 1,
// false and 0 as 0, an excluded _id dropped (wildcard indexes leave _id
// out unless it is included), paths sorted. Servers before 6.3, 6.0.5 and
// 5.0.16 may list a projection in any of these forms. A value that is
// neither a number nor a bool keeps its type, so it never equals 1.
func projection(v bson.RawValue) string {
	doc, ok := v.DocumentOK()
	if !ok {
		return canonical(v)
	}
	m := map[string]string{}
	flattenProjection("", doc, m)
	if m["_id"] == "0" {
		delete(m, "_id")
	}
	return renderSorted(m)
}

func flattenProjection(prefix string, doc bson.Raw, out map[string]string) {
	elems, _ := doc.Elements()
	for _, e := range elems {
		path := prefix + e.Key()
		v := e.Value()
		if sub, ok := v.DocumentOK(); ok && len(sub) > 5 {
			flattenProjection(path+".", sub, out)
			continue
		}
		switch {
		case v.Type == bson.TypeBoolean:
			out[path] = boolDigit(v.Boolean())
		case isNumber(v.Type):
			out[path] = boolDigit(truthy(v))
		default:
			out[path] = canonical(v)
		}
	}
}

// emptyEngineOptions reports storage engine options that set nothing:
// every engine's configuration an empty document.
func emptyEngineOptions(v bson.RawValue) bool {
	doc, ok := v.DocumentOK()
	if !ok {
		return false
	}
	elems, _ := doc.Elements()
	for _, e := range elems {
		sub, ok := e.Value().DocumentOK()
		if !ok || len(sub) > 5 {
			return false
		}
	}
	return true
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// keyValue renders one key's value: a number by its value (MongoDB tells
// {a: 1} from {a: 2}, and 1, 1L and 1.0 apart from none), a string as is,
// unless it reads as a number, then quoted, so that it never equals one.
func keyValue(v bson.RawValue) string {
	if s, ok := v.StringValueOK(); ok {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.Quote(s)
		}
		return s
	}
	return canonical(v)
}

func isNumber(t bson.Type) bool {
	switch t {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return true
	}
	return false
}

// truthy reads a flag as MongoDB does (BSONElement::trueValue): a bool, a
// number other than 0, anything else but null and undefined.
func truthy(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeInt32:
		return v.Int32() != 0
	case bson.TypeInt64:
		return v.Int64() != 0
	case bson.TypeDouble:
		return v.Double() != 0
	case bson.TypeDecimal128:
		return numberString(v) != "0"
	case bson.TypeNull, bson.TypeUndefined:
		return false
	}
	return true
}

// canonical renders a value so that two values render the same exactly
// when MongoDB holds them equal: numbers by value whatever their BSON type
// (1, 1L, 1.0 and NumberDecimal("1.0") all render 1; values are exact, so
// 2^53+1 as a long is not the double 2^53), strings quoted (so "50" never
// equals 50, nor "true" true), dates as Date(ms), documents with their
// field order (it matters in filters) and arrays with their values
// rendered the same way, at every depth. Other types render as their name
// and extended JSON.
func canonical(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return numberString(v)
	case bson.TypeString:
		return strconv.Quote(v.StringValue())
	case bson.TypeBoolean:
		return strconv.FormatBool(v.Boolean())
	case bson.TypeNull:
		return "null"
	case bson.TypeDateTime:
		return "Date(" + strconv.FormatInt(v.DateTime(), 10) + ")"
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		var b strings.Builder
		b.WriteByte('{')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(e.Key()))
			b.WriteByte(':')
			b.WriteString(canonical(e.Value()))
		}
		b.WriteByte('}')
		return b.String()
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		parts := make([]string, len(vals))
		for i, e := range vals {
			parts[i] = canonical(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return v.Type.String() + "(" + v.String() + ")"
}

// numberString renders a number by its exact value: an integer in
// decimal digits; any other double in Go's shortest form; a decimal that
// is exactly a double as that double, else as a fraction (which no double
// renders as).
func numberString(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case bson.TypeInt64:
		return strconv.FormatInt(v.Int64(), 10)
	case bson.TypeDouble:
		return doubleString(v.Double())
	}
	s := v.Decimal128().String()
	switch s {
	case "NaN", "-NaN":
		return "NaN"
	case "Infinity", "-Infinity":
		return s
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "decimal(" + s + ")"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	if f, exact := r.Float64(); exact {
		return doubleString(f)
	}
	return r.RatString()
}

func doubleString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f != math.Trunc(f):
		return strconv.FormatFloat(f, 'g', -1, 64)
	case math.Abs(f) < 1<<63:
		return strconv.FormatInt(int64(f), 10)
	}
	i, _ := big.NewFloat(f).Int(nil)
	return i.String()
}
