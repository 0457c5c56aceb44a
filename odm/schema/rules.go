package schema

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/partialfilter"
)

// The rules MongoDB holds an index declaration to, checked before any
// command. testdata/index-rules.md lists each with the versions it holds
// for and the server's code and message; where versions differ, what no
// supported version (5.0 to 8.x) accepts is refused and the rest is left
// to the server.

// Limits of MongoDB 5.0 to 8.x.
const (
	maxIndexKeys       = 32  // keys in one compound index
	maxIndexes         = 64  // indexes on one collection, _id's included
	maxNamespaceBytes  = 255 // "db.collection"
	maxGeo2DBits       = 32
	defaultGeo2DMinMax = 180.0
)

// textLanguages are the languages of MongoDB's text indexes (Community
// and Enterprise alike), by name and by ISO 639-1 code.
var textLanguages = []string{
	"none", "danish", "da", "dutch", "nl", "english", "en", "finnish", "fi", "french", "fr",
	"german", "de", "hungarian", "hu", "italian", "it", "norwegian", "nb", "portuguese", "pt",
	"romanian", "ro", "russian", "ru", "spanish", "es", "swedish", "sv", "turkish", "tr",
}

// plugin is the index type a key makes its index: "" for an ascending or
// descending key, "wildcard" for a $** key, else the key type.
func (k IndexKey) plugin() string {
	switch {
	case isWildcardPath(k.Field):
		return "wildcard"
	case k.Type.Special():
		return string(k.Type)
	}
	return ""
}

func isWildcardPath(p string) bool { return p == "$**" || strings.HasSuffix(p, ".$**") }

// checkServerRules checks a spec against the rules of MongoDB's index
// validation that concern the spec alone.
func checkServerRules(s IndexSpec, st *reflectx.Struct, add func(string, ...any)) {
	if s.Name == "*" {
		add(`an index cannot be named "*": dropIndexes reads "*" as every index, so it could never be dropped alone (MongoDB: BadValue 2)`)
	}
	if len(s.Keys) > maxIndexKeys {
		add("an index can have at most %d keys; %d given", maxIndexKeys, len(s.Keys))
	}
	var plugins []string
	geo2d := 0
	for _, k := range s.Keys {
		if p := k.plugin(); p != "" && !slices.Contains(plugins, p) {
			plugins = append(plugins, p)
		}
		if k.Type == KeyGeo2D {
			geo2d++
		}
		if strings.Count(k.Field, "$**") > 1 || strings.Contains(k.Field, "$**") && !isWildcardPath(k.Field) {
			add("key %s: $** may appear once, as the last part of a path (odm.Wildcard adds it: pass the path without it)", k.Field)
		}
		if isWildcardPath(k.Field) && k.Type.Special() && k.Type != KeyText {
			add("key %s: a wildcard key is ascending or descending, not %s", k.Field, k.Type)
		}
		for i, part := range strings.Split(k.Field, ".") {
			dbRef := i > 0 && (part == "$id" || part == "$ref" || part == "$db") // a DBRef's parts
			if strings.HasPrefix(part, "$") && part != "$**" && !dbRef {
				add("key %s: a path part cannot start with '$'", k.Field)
				break
			}
		}
	}
	textWildcard := slices.ContainsFunc(s.Keys, func(k IndexKey) bool { return k.Type == KeyText && isWildcardPath(k.Field) })
	if textWildcard {
		plugins = slices.DeleteFunc(plugins, func(p string) bool { return p == "wildcard" })
	}
	if len(plugins) > 1 {
		add("an index can use one special index type; this one mixes %s (MongoDB: CannotCreateIndex 67, \"Can't use more than one index plugin for a single index\")", strings.Join(plugins, " and "))
	}
	if geo2d > 1 {
		add("an index can have one 2d key; %d given (MongoDB: 16800, \"can't have 2 geo fields\")", geo2d)
	}
	if slices.Contains(plugins, "wildcard") && !textWildcard {
		if s.Unique {
			add("a wildcard index cannot be unique")
		}
		if s.ExpireAfter != nil {
			add("a wildcard index cannot be a TTL index")
		}
	}
	if s.PartialFilter != nil {
		known := func(path string) bool { return pathExists(st, path) }
		if s.OutsideStruct {
			known = nil
		}
		partialfilter.Check(s.PartialFilter, known, add)
	}
	if c := s.Collation; c != nil {
		checkCollation(c.Strength, c.CaseFirst, c.Alternate, c.MaxVariable, add)
	}
	if s.Bits != nil && (*s.Bits < 1 || *s.Bits > maxGeo2DBits) {
		add("2d bits must be from 1 to %d, not %d", maxGeo2DBits, *s.Bits)
	}
	if s.Min != nil || s.Max != nil {
		lo, hi := -defaultGeo2DMinMax, defaultGeo2DMinMax
		if s.Min != nil {
			lo = *s.Min
		}
		if s.Max != nil {
			hi = *s.Max
		}
		if lo >= hi {
			add("2d min (%v) must be below max (%v)", lo, hi)
		}
	}
	if s.DefaultLanguage != "" && !slices.Contains(textLanguages, strings.ToLower(s.DefaultLanguage)) {
		add("default_language %q is no language of MongoDB's text indexes (want one of %s)", s.DefaultLanguage, strings.Join(textLanguages, ", "))
	}
}

// checkCollation holds a collation's options to the values MongoDB knows.
func checkCollation(strength int, caseFirst, alternate, maxVariable string, add func(string, ...any)) {
	if strength != 0 && (strength < 1 || strength > 5) {
		add("collation strength must be from 1 to 5, not %d", strength)
	}
	if caseFirst != "" && !slices.Contains([]string{"upper", "lower", "off"}, caseFirst) {
		add("collation caseFirst must be upper, lower or off, not %q", caseFirst)
	}
	if alternate != "" && !slices.Contains([]string{"non-ignorable", "shifted"}, alternate) {
		add("collation alternate must be non-ignorable or shifted, not %q", alternate)
	}
	if maxVariable != "" && !slices.Contains([]string{"punct", "space"}, maxVariable) {
		add("collation maxVariable must be punct or space, not %q", maxVariable)
	}
}

// checkKeyPath refuses a key whose path MongoDB cannot follow, or whose
// values the index refuses: a path through an array of arrays reaches
// nothing, and a hashed key refuses arrays, whether the field holds one
// or the path passes through one.
func checkKeyPath(k IndexKey, st *reflectx.Struct) string {
	if isWildcardPath(k.Field) {
		return ""
	}
	chain, _ := st.Chain(k.Field)
	if prefix, ok := nestedPrefix(chain); ok && len(chain) > 1 && prefix != k.Field {
		return fmt.Sprintf("key %s passes through %s, an array of arrays: MongoDB paths do not reach into nested arrays, so the index would hold nothing", k.Field, prefix)
	}
	if k.Type == KeyHashed {
		for i, f := range chain {
			if types, _, _ := storedAs(f.Type); slices.Contains(types, "array") {
				at := pathOf(chain[:i+1])
				return fmt.Sprintf("hashed key %s: %s holds an array (%v), and MongoDB refuses array values in a hashed index at every write", k.Field, at, f.Type)
			}
		}
	}
	return ""
}

// nestedPrefix is the path of the first field of chain that holds an
// array of arrays.
func nestedPrefix(chain []reflectx.Field) (string, bool) {
	for i, f := range chain {
		if f.Nested {
			return pathOf(chain[:i+1]), true
		}
	}
	return "", false
}

func pathOf(chain []reflectx.Field) string {
	parts := make([]string, len(chain))
	for i, f := range chain {
		parts[i] = f.Path
	}
	return strings.Join(parts, ".")
}

// canHoldGeo reports a type whose values can be a GeoJSON object or a
// legacy coordinate pair (an array of two numbers, or a document whose
// first two fields are numbers), or an array of those; a type whose BSON
// form is not fixed may hold one.
func canHoldGeo(t reflect.Type, legacyOnly bool) bool {
	if _, anyType, _ := storedAs(t); anyType {
		return true
	}
	if e, ok := elemType(t); ok {
		if isNumeric(e) {
			return true // a coordinate pair
		}
		if e2, ok := elemType(e); ok {
			return isNumeric(e2) // an array of pairs; deeper nesting holds no point
		}
		return geoDocument(e, legacyOnly)
	}
	return geoDocument(t, legacyOnly)
}

// geoDocument reports a type stored as a document that can be GeoJSON
// (type and coordinates; not for a 2d key, legacyOnly) or a legacy pair
// (two numbers first).
func geoDocument(t reflect.Type, legacyOnly bool) bool {
	types, anyType, _ := storedAs(t)
	if anyType {
		return true
	}
	if !slices.Contains(types, "object") {
		return false
	}
	t = derefType(t)
	if t.Kind() != reflect.Struct || codecTypes[t] != nil || reflectx.ImplementsMarshaler(t) {
		return true // a map, bson.D, bson.Raw or a marshaller: any keys
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		return true // reported with the struct
	}
	if st.Open {
		return true
	}
	typ, hasType := st.Field("type")
	_, hasCoords := st.Field("coordinates")
	if !legacyOnly && hasType && hasCoords && storesOnly(typ.Type, "string") {
		return true
	}
	return len(st.Fields) >= 2 && isNumeric(st.Fields[0].Type) && isNumeric(st.Fields[1].Type)
}

// isNumeric reports a type stored as a number, or of any type.
func isNumeric(t reflect.Type) bool {
	types, anyType, _ := storedAs(t)
	if anyType {
		return true
	}
	if len(types) == 0 {
		return false
	}
	for _, ty := range types {
		if !slices.Contains([]string{"int", "long", "double", "decimal"}, ty) {
			return false
		}
	}
	return true
}

// typeDeclaresTags reports a struct type, reached from t through
// pointers, slices, arrays and maps, that has a field with an odm tag,
// and that type.
func typeDeclaresTags(t reflect.Type, seen map[reflect.Type]bool) (reflect.Type, bool) {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
			continue
		}
		break
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return nil, false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup(TagKey); ok && strings.TrimSpace(tag) != "" {
			return t, true
		}
		if inner, ok := typeDeclaresTags(f.Type, seen); ok {
			return inner, true
		}
	}
	return nil, false
}

// checkReach refuses odm tags the driver never lets reach a document:
// on fields an ",inline" struct's outer struct shadows, inside
// unexported embedded structs (checkSkipped), inside structs held in
// maps, and below an array of arrays.
func checkReach(t reflect.Type, st *reflectx.Struct, tagged []reflectx.Field, problem func(Problem)) {
	types := st.Types()
	var described map[reflect.Type]bool // types whose tags are read where they appear as fields
	for _, s := range types {
		where := ""
		if s.Type != t {
			where = fmt.Sprintf(" (a field of %v)", s.Type)
		}
		for _, f := range s.Shadowed {
			tag, ok := f.Tag.Lookup(TagKey)
			if ok && strings.TrimSpace(tag) != "" {
				problem(Problem{Field: f.GoPath, Tag: tag, Message: fmt.Sprintf("another field of the outer struct has the bson name %q and hides this one: "+
					"the driver stores only the outer field, so this tag would do nothing%s", f.Path, where)})
			} else if inner, ok := typeDeclaresTags(f.Type, map[reflect.Type]bool{}); ok {
				problem(Problem{Field: f.GoPath, Message: fmt.Sprintf("another field of the outer struct has the bson name %q and hides this one: "+
					"the driver stores only the outer field, so the odm tags of %v inside it would do nothing%s", f.Path, inner, where)})
			}
		}
	}
	// Structs held in maps: found type by type, then walked for the paths
	// that reach them, only when there is one.
	mapHeld := map[reflect.Type]reflect.Type{} // map type -> the tagged struct type inside
	for _, s := range types {
		for _, f := range s.Fields {
			if !f.Open {
				continue
			}
			elem := derefType(f.Type)
			for elem.Kind() == reflect.Slice || elem.Kind() == reflect.Array || elem.Kind() == reflect.Pointer {
				elem = elem.Elem()
			}
			if elem.Kind() != reflect.Map {
				continue
			}
			if described == nil {
				described = make(map[reflect.Type]bool, len(types))
				for _, d := range types {
					described[d.Type] = true
				}
			}
			if inner, ok := typeDeclaresTags(elem.Elem(), maps.Clone(described)); ok {
				mapHeld[f.Type] = inner
			}
		}
	}
	if len(mapHeld) > 0 {
		held, _ := st.Walk(func(f reflectx.Field) bool { return f.Open && mapHeld[f.Type] != nil }, maxTagged)
		for _, f := range held {
			problem(Problem{Field: f.GoPath, Message: fmt.Sprintf("%s holds %v: the odm tags of %v inside it are never read, "+
				"as a map's keys are data no tag can name (declare such indexes in Indexes() with OutsideStruct)", f.Path, f.Type, mapHeld[f.Type])})
		}
	}
	nested := false // a struct held in an array of arrays: only then can a tag lie below one
	for _, s := range types {
		for _, f := range s.Fields {
			nested = nested || f.Nested && f.Struct != nil
		}
	}
	for _, f := range tagged {
		if !nested {
			break
		}
		chain, _ := st.Chain(f.Path)
		if prefix, ok := nestedPrefix(chain); ok && prefix != f.Path {
			problem(Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Message: fmt.Sprintf("%s lies below %s, an array of arrays: "+
				"MongoDB paths do not reach into nested arrays, so this tag would do nothing", f.Path, prefix)})
		}
	}
}

// checkRuleTypes refuses validation rules that cannot hold or would do
// nothing: min above max, min or max on a field that holds no number,
// pattern on a field that holds no string.
func checkRuleTypes(tagged []reflectx.Field, problem func(Problem)) {
	for _, f := range tagged {
		ft, _ := parseTag(string(f.Tag))
		r := ft.rules
		tagText := f.Tag.Get(TagKey)
		for _, msg := range ruleProblems(f.Type, r.Minimum, r.Maximum, r.Pattern) {
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: msg})
		}
	}
}

func ruleProblems(t reflect.Type, minimum, maximum *float64, pattern string) []string {
	var msgs []string
	if minimum != nil && maximum != nil && *minimum > *maximum {
		msgs = append(msgs, fmt.Sprintf("min %v is above max %v: no value can follow both", *minimum, *maximum))
	}
	if (minimum != nil || maximum != nil) && !holdsNumber(t) {
		msgs = append(msgs, fmt.Sprintf("min and max apply to numbers, and the field holds %v: they would do nothing", t))
	}
	if pattern != "" && !storesOnly(t, "string") {
		msgs = append(msgs, fmt.Sprintf("pattern applies to strings, and the field holds %v: it would do nothing", t))
	}
	return msgs
}

func holdsNumber(t reflect.Type) bool {
	if e, ok := elemType(t); ok {
		t = e
	}
	return isNumeric(t)
}

// checkIndexesFitCollection refuses indexes the model's collection
// options exclude: TTL indexes on a capped collection, unique and TTL
// indexes on a time series collection; and time series options that
// cannot hold: a meta field equal to the time field, a time field the
// driver does not write as a date.
func checkIndexesFitCollection(m *Model, st *reflectx.Struct, problem func(Problem)) {
	o := m.Options
	if o == nil {
		return
	}
	for _, s := range m.Indexes {
		at := Problem{Field: s.origin.field, Tag: s.origin.tag, Index: s.IndexName()}
		switch {
		case o.Capped != nil && s.ExpireAfter != nil:
			at.Message = "a capped collection cannot have a TTL index (MongoDB: InvalidOptions 72); drop the ttl or the capped option"
		case o.TimeSeries != nil && s.Unique:
			at.Message = "a time series collection cannot have a unique index"
		case o.TimeSeries != nil && s.ExpireAfter != nil && s.PartialFilter == nil:
			at.Message = "a time series collection expires documents with its own ExpireAfter (TimeSeriesOptions), not a TTL index " +
				"(MongoDB 6.3 and later accept one only with a partial filter on the meta field)"
		default:
			continue
		}
		problem(at)
	}
	if c := o.Collation; c != nil {
		checkCollation(c.Strength, c.CaseFirst, c.Alternate, c.MaxVariable, func(format string, args ...any) {
			problem(Problem{Field: "CollectionOptions()", Message: fmt.Sprintf(format, args...)})
		})
	}
	ts := o.TimeSeries
	if ts == nil || ts.TimeField == "" {
		return
	}
	if ts.MetaField == ts.TimeField {
		problem(Problem{Field: "CollectionOptions()", Message: fmt.Sprintf("time series meta field and time field are both %s; they must differ", ts.TimeField)})
	}
	if f, ok := st.Field(ts.TimeField); ok {
		if types, anyType, _ := storedAs(f.Type); !anyType && !slices.Equal(types, []string{"date"}) {
			problem(Problem{Field: "CollectionOptions()", Message: fmt.Sprintf("time field %s holds %v, which the driver writes as %s: "+
				"a time series collection refuses every document whose time field is not a date", ts.TimeField, f.Type, strings.Join(types, " or "))})
		}
	}
}

// CheckNamespaces refuses collections whose namespace, with the
// database's name, exceeds MongoDB's limit: known only once Init has the
// database, and still before any command.
func CheckNamespaces(db string, cols []*Declared) error {
	var problems []Problem
	for _, c := range cols {
		if n := len(db) + 1 + len(c.Collection); n > maxNamespaceBytes {
			problems = append(problems, Problem{GoType: strings.Join(c.types, ", "), Collection: c.Collection,
				Message: fmt.Sprintf("namespace %s.%s is %d bytes; MongoDB allows %d", db, c.Collection, n, maxNamespaceBytes)})
		}
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// checkValidatorRules holds Validator().Rules to what checkRuleTypes
// holds tag rules to.
func checkValidatorRules(m *Model, st *reflectx.Struct, problem func(Problem)) {
	if m.Validator == nil {
		return
	}
	for _, path := range slices.Sorted(maps.Keys(m.Validator.Rules)) {
		f, ok := st.Field(path)
		if !ok {
			continue // reported by the schema's generation
		}
		r := m.Validator.Rules[path]
		for _, msg := range ruleProblems(f.Type, r.Minimum, r.Maximum, r.Pattern) {
			problem(Problem{Field: "Validator()", Message: fmt.Sprintf("rule for %s: %s", path, msg)})
		}
	}
}
