package diff

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Action is what a collection's declared and listed indexes call for.
type Action string

// The actions Diff assigns.
const (
	// Unchanged: listed exactly as declared.
	Unchanged Action = "unchanged"
	// Create: declared, not listed.
	Create Action = "create"
	// ModifyInPlace: listed under the declared name with the same keys; the
	// differences are options collMod changes without a rebuild
	// (expireAfterSeconds, hidden, unique).
	ModifyInPlace Action = "modify"
	// Conflict: listed under the declared name with other keys or options
	// collMod cannot change, or with the same keys, collation and partial
	// filter under another name (ListedName).
	Conflict Action = "conflict"
	// Drop: listed, not declared. Never the _id_ index, nor an index the
	// server keeps for a time series or clustered collection.
	Drop Action = "drop"
)

// IndexChange is the action one index calls for.
type IndexChange struct {
	// Name is the declared name, or the listed name of a Drop.
	Name   string `json:"name"`
	Action Action `json:"action"`
	// Declared is the declared spec as String prints it; empty for a Drop.
	Declared string `json:"declared,omitempty"`
	// Listed is the listed index as extended JSON, for the actions that
	// change something (not for Unchanged, nor for a Create).
	Listed string `json:"listed,omitempty"`
	// ListedName is the name of the listed index a Conflict is with, when
	// it differs from Name (same keys under another name).
	ListedName string `json:"listedName,omitempty"`
	// Differences are, for ModifyInPlace and Conflict, each field that
	// differs.
	Differences []Difference `json:"differences,omitempty"`

	// DeclaredSpec is the declared spec, nil for a Drop; it is what the
	// engine applies, and Spec is how callers read it.
	DeclaredSpec *schema.IndexSpec `json:"-"`
	// listed is the listed index as compared, nil for a Create; callers
	// read it with ListedOption.
	listed *shape

	// Step is what applying the plan does about the change, decided once
	// by the planner under the plan's policies; empty from Diff, which
	// knows no policy, and for a change that calls for no step.
	Step Step `json:"-"`
}

// Spec returns the declared spec; false for a Drop.
func (c IndexChange) Spec() (schema.IndexSpec, bool) {
	if c.DeclaredSpec == nil {
		return schema.IndexSpec{}, false
	}
	return *c.DeclaredSpec, true
}

// ListedOption is an option of the listed index as the comparison reads
// it ("true" for a hidden index's "hidden"); empty when the index lists
// no such option, and for a Create.
func (c IndexChange) ListedOption(name string) string {
	if c.listed == nil {
		return ""
	}
	return c.listed.Options[name]
}

// Difference is one field in which a listed index differs from its
// declaration. A value is empty where the field is absent.
type Difference struct {
	Field    string `json:"field"`
	Declared string `json:"declared"`
	Listed   string `json:"listed"`
}

// String renders the value on one line.
func (d Difference) String() string {
	show := func(s string) string {
		if s == "" {
			return "absent"
		}
		return s
	}
	return fmt.Sprintf("%s: declared %s, listed %s", d.Field, show(d.Declared), show(d.Listed))
}

// Option tells Diff about the collection the listing comes from.
type Option func(*diffConfig)

type diffConfig struct {
	timeField, metaField string
	ignore               []string
	collation            bson.Raw // the collection's default collation
}

// CollectionCollation gives the collection's default collation (the
// "collation" of its listCollections options). MongoDB builds an index
// declared without a collation with the collection's default, and lists it
// so: with this option such an index compares unchanged, and a listed
// index with any other collation is a difference. A declaration that
// states a collation ("simple" included) is compared with it as usual.
// Without this option, a declaration that states no collation means none.
func CollectionCollation(doc bson.Raw) Option {
	return func(c *diffConfig) { c.collation = doc }
}

// IgnoreOptions leaves these options out of the comparison: for servers
// that accept an option and do not keep it (FerretDB and sparse).
func IgnoreOptions(names ...string) Option {
	return func(c *diffConfig) { c.ignore = append(c.ignore, names...) }
}

// TimeSeries says the collection is a time series collection with these
// fields (metaField may be empty): the index the server creates on them is
// its own, never a Drop.
func TimeSeries(timeField, metaField string) Option {
	return func(c *diffConfig) { c.timeField, c.metaField = timeField, metaField }
}

// Diff compares one collection's declared indexes with the documents
// listIndexes returned for it and says, for each, what it calls for:
// declared indexes in declaration order, then listed indexes nobody
// declared (Drop). It does no I/O. Listed documents are normalised the way
// MongoDB lists indexes (text indexes as _fts/_ftsx with weights in any
// order, collation defaults filled in, wildcard projections normalised,
// false flags), so an index created by any driver compares equal to its
// declaration. Values keep their BSON types: numbers compare by value
// whatever their number type, and a string never equals a number, a bool
// or a date. A collation compares only the fields the declaration sets.
// Key order is significant.
func Diff(declared []schema.IndexSpec, listed []bson.Raw, opts ...Option) ([]IndexChange, error) {
	var cfg diffConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	inherited, err := readCollation(cfg.collation)
	if err != nil {
		return nil, err
	}
	shapes := make([]shape, 0, len(listed))
	byName := map[string]int{}
	for _, raw := range listed {
		sh, err := listedShape(raw)
		if err != nil {
			return nil, err
		}
		for _, o := range cfg.ignore {
			delete(sh.Options, o)
		}
		byName[sh.name] = len(shapes)
		shapes = append(shapes, sh)
	}
	claimed := make([]bool, len(shapes)) // listed indexes a declaration accounts for
	changes := make([]IndexChange, 0, len(declared)+len(listed))
	for i := range declared {
		spec := &declared[i]
		want, err := declaredShape(*spec)
		if err != nil {
			return nil, err
		}
		for _, o := range cfg.ignore {
			delete(want.Options, o)
		}
		if !want.collationSet && inherited != nil {
			want.collation, want.Options["collation"] = inherited, renderSorted(inherited)
		}
		ch := IndexChange{Name: want.name, Declared: spec.String(), DeclaredSpec: spec}
		if j, ok := byName[want.name]; ok {
			claimed[j] = true
			got := shapes[j]
			ch.listed = &got
			ch.Differences = differences(want, got)
			switch {
			case len(ch.Differences) == 0:
				ch.Action = Unchanged
			case modifiable(want, got, ch.Differences):
				ch.Action, ch.Listed = ModifyInPlace, extJSON(listed[j])
			default:
				ch.Action, ch.Listed = Conflict, extJSON(listed[j])
			}
			changes = append(changes, ch)
			continue
		}
		if j := samePattern(want, shapes); j >= 0 && !claimedByName(declared, shapes[j].name) {
			claimed[j] = true
			got := shapes[j]
			ch.Action, ch.ListedName = Conflict, got.name
			ch.listed, ch.Listed = &got, extJSON(listed[j])
			ch.Differences = append([]Difference{{Field: "name", Declared: want.name, Listed: got.name}}, differences(want, got)...)
			changes = append(changes, ch)
			continue
		}
		ch.Action = Create
		changes = append(changes, ch)
	}
	for j, got := range shapes {
		if claimed[j] || serverOwned(got, cfg) {
			continue
		}
		got := got
		changes = append(changes, IndexChange{Name: got.name, Action: Drop, Listed: extJSON(listed[j]), listed: &got})
	}
	return changes, nil
}

// claimedByName reports a declared index of that name: a listed index a
// declaration names is that declaration's, whatever its keys.
func claimedByName(declared []schema.IndexSpec, name string) bool {
	return slices.ContainsFunc(declared, func(s schema.IndexSpec) bool { return s.IndexName() == name })
}

// samePattern finds a listed index MongoDB would take for the same index:
// same keys in the same order, collation and partial filter.
func samePattern(want shape, listed []shape) int {
	for j, got := range listed {
		if slices.Equal(want.keys, got.keys) &&
			want.Options["partialFilterExpression"] == got.Options["partialFilterExpression"] &&
			collationCovers(want.collation, got.collation) {
			return j
		}
	}
	return -1
}

// serverOwned reports an index the server keeps on its own: _id_, the
// clustered index, and a time series collection's index on its meta and
// time fields.
func serverOwned(s shape, cfg diffConfig) bool {
	if s.name == "_id_" || s.Options["clustered"] == "true" {
		return true
	}
	if cfg.timeField == "" {
		return false
	}
	var fields []string
	for _, k := range s.keys {
		fields = append(fields, k.field)
	}
	want := []string{cfg.timeField}
	if cfg.metaField != "" {
		want = []string{cfg.metaField, cfg.timeField}
	}
	return slices.Equal(fields, want)
}

// differences lists, field by field, how got differs from want.
func differences(want, got shape) []Difference {
	var out []Difference
	if !slices.Equal(want.keys, got.keys) {
		out = append(out, Difference{Field: "key", Declared: want.keyString(), Listed: got.keyString()})
	}
	fields := map[string]bool{}
	for k := range want.Options {
		fields[k] = true
	}
	for k := range got.Options {
		fields[k] = true
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, f := range names {
		w, g := want.Options[f], got.Options[f]
		if f == "collation" {
			if collationCovers(want.collation, got.collation) {
				continue
			}
		} else if w == g {
			continue
		}
		out = append(out, Difference{Field: f, Declared: display(w, g), Listed: display(g, w)})
	}
	return out
}

// display shows a canonical value in a Difference: a string without its
// quotes, unless the other side is there and is not a string, so that
// `"3600"` against 3600 shows which is the string.
func display(v, other string) string {
	if len(v) < 3 || v[0] != '"' || (other != "" && other[0] != '"') {
		return v
	}
	if s, err := strconv.Unquote(v); err == nil {
		return s
	}
	return v
}

// readCollation reads the collection's default collation given with
// CollectionCollation: nil for none or "simple".
func readCollation(doc bson.Raw) (m map[string]string, err error) {
	if doc == nil {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed collection collation: %v", r)
		}
	}()
	if err := deepValidate(doc, 0); err != nil {
		return nil, fmt.Errorf("malformed collection collation: %w", err)
	}
	return collationFields(doc), nil
}

// ListsUnstatedCollation reports whether a listed index carries a
// collation its declaration does not state: the index of the declared
// name, or, for a declaration listed under no name, an undeclared index
// of the same keys and partial filter. Only then can the collection's
// default collation (CollectionCollation) change what Diff says; when no
// listed index has a collation it never does.
func ListsUnstatedCollation(changes []IndexChange) bool {
	var drops []*shape
	for _, c := range changes {
		if c.listed == nil || c.listed.collation == nil {
			continue
		}
		if c.Action == Drop {
			drops = append(drops, c.listed)
		} else if c.DeclaredSpec != nil && c.DeclaredSpec.Collation == nil {
			return true
		}
	}
	if len(drops) == 0 {
		return false
	}
	for _, c := range changes {
		if c.Action != Create || c.DeclaredSpec.Collation != nil {
			continue
		}
		want, err := declaredShape(*c.DeclaredSpec)
		if err != nil {
			continue
		}
		for _, got := range drops {
			if slices.Equal(want.keys, got.keys) && want.Options["partialFilterExpression"] == got.Options["partialFilterExpression"] {
				return true
			}
		}
	}
	return false
}

// modifiable reports differences collMod can make without a rebuild:
// expireAfterSeconds on a single-field index (set or changed, not
// removed), hidden, and unique from false to true.
func modifiable(want, got shape, diffs []Difference) bool {
	for _, d := range diffs {
		switch d.Field {
		case "expireAfterSeconds":
			if d.Declared == "" || len(want.keys) != 1 {
				return false
			}
		case "hidden":
		case "unique":
			if d.Declared != "true" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func extJSON(raw bson.Raw) string {
	// Drop the fields that never matter, so the text shows what does.
	elems, err := raw.Elements()
	if err != nil {
		return raw.String()
	}
	d := bson.D{}
	for _, e := range elems {
		if e.Key() == "v" || e.Key() == "ns" {
			continue
		}
		var v any
		if err := e.Value().Unmarshal(&v); err != nil {
			return raw.String()
		}
		d = append(d, bson.E{Key: e.Key(), Value: v})
	}
	b, err := bson.MarshalExtJSON(d, false, false)
	if err != nil {
		return raw.String()
	}
	return string(b)
}

// Summary is one line on what a change needs, for tables and logs.
func (c IndexChange) Summary() string {
	parts := make([]string, len(c.Differences))
	for i, d := range c.Differences {
		parts[i] = d.String()
	}
	return strings.Join(parts, "; ")
}
