package models_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm/schema"
)

// refField is one field of an event type, as testdata/reference-events.md
// states it.
type refField struct {
	name     string
	typ      string // string, int, float, bool, datetime, an enum or an embedded type
	list     bool
	nullable bool
	def      string // the default as written; empty when the field is required
}

// refEvent is one row of the table of the 57 event types.
type refEvent struct {
	class, eventType string
	fields           []refField
}

// refEvents is what testdata/reference-events.md states.
type refEvents struct {
	base     []refField // the base fields, then the stored-only ones
	embedded map[string][]refField
	enums    map[string][]string
	events   []refEvent
}

var (
	rowRe      = regexp.MustCompile("^\\| (\\w+Event) \\| `(\\w+)` \\| (.*)\\|$")
	ownFieldRe = regexp.MustCompile("^`(\\w+)`: (.+?)(?: = (.+))?$")
	baseRowRe  = regexp.MustCompile("^\\| `(\\w+)` \\| ([^|]+) \\| ([^|]*)\\|$")
	enumRe     = regexp.MustCompile("^- `(\\w+)`: (.+)$")
	embeddedRe = regexp.MustCompile(`^- (\w+): (.+)$`)
	embFieldRe = regexp.MustCompile("^`(\\w+)` (\\w+)(?: = (.+?))?(?: \\(.*\\))?$")
)

func loadRefEvents(t *testing.T) refEvents {
	t.Helper()
	text, err := os.ReadFile("testdata/reference-events.md")
	require.NoError(t, err)
	ref := refEvents{embedded: map[string][]refField{}, enums: map[string][]string{}}
	for _, line := range listItems(string(text)) {
		switch {
		case rowRe.MatchString(line):
			m := rowRe.FindStringSubmatch(line)
			ev := refEvent{class: m[1], eventType: m[2]}
			for _, part := range strings.Split(m[3], "; ") {
				ev.fields = append(ev.fields, parseOwnField(t, strings.TrimSpace(part)))
			}
			ref.events = append(ref.events, ev)
		case baseRowRe.MatchString(line):
			m := baseRowRe.FindStringSubmatch(line)
			ref.base = append(ref.base, baseField(m[1], m[2], strings.TrimSpace(m[3])))
		case enumRe.MatchString(line):
			m := enumRe.FindStringSubmatch(line)
			ref.enums[m[1]] = strings.Split(strings.ReplaceAll(m[2], "`", ""), ", ")
		case embeddedRe.MatchString(line):
			m := embeddedRe.FindStringSubmatch(line)
			ref.embedded[m[1]] = parseEmbedded(t, m[2])
		}
	}
	// Stored only: the document model adds them (the text's prose).
	require.Contains(t, string(text), "`stored_at` datetime, factory now; `ttl_expires_at`\ndatetime, factory now + 30 days")
	ref.base = append(ref.base,
		refField{name: "stored_at", typ: "datetime", def: "factory: now"},
		refField{name: "ttl_expires_at", typ: "datetime", def: "factory: now + 30 days"})
	require.Len(t, ref.events, 57, "the rows of the table")
	require.Len(t, ref.base, 8, "the base and stored-only fields")
	require.Len(t, ref.enums, 8, "the enumerations")
	require.Len(t, ref.embedded, 3, "EventMetadata, ResourceUsageDomain, ContainerStatusInfo")
	return ref
}

// listItems are the lines of a text, with the indented continuation
// lines of a list item joined to it.
func listItems(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "  ") && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "- ") {
			out[len(out)-1] += " " + strings.TrimSpace(line)
			continue
		}
		out = append(out, strings.TrimSpace(line))
	}
	return out
}

// parseOwnField reads "`name`: type = default".
func parseOwnField(t *testing.T, text string) refField {
	m := ownFieldRe.FindStringSubmatch(text)
	require.NotNil(t, m, "an own field: %q", text)
	f := refField{name: m[1], def: m[3]}
	typ := m[2]
	typ, f.nullable = strings.CutSuffix(typ, " or None")
	typ, f.list = strings.CutPrefix(typ, "list of ")
	f.typ = typ
	f.def, _, _ = strings.Cut(f.def, " (")
	return f
}

// baseField reads a row of the base fields' table.
func baseField(name, typ, def string) refField {
	f := refField{name: name, def: def}
	switch {
	case strings.HasPrefix(typ, "string, one of"):
		f.typ = "EventType"
	case strings.HasSuffix(typ, " or None"):
		f.typ, f.nullable = strings.TrimSuffix(typ, " or None"), true
	default:
		f.typ, _, _ = strings.Cut(typ, " ")
	}
	if def == "required" || strings.HasPrefix(def, "(") {
		f.def = ""
	}
	f.def = strings.Trim(f.def, "`")
	return f
}

// parseEmbedded reads "`name` type (required), `name` type = default, ...".
func parseEmbedded(t *testing.T, text string) []refField {
	var out []refField
	for _, part := range strings.Split(strings.TrimSuffix(text, "."), ", ") {
		m := embFieldRe.FindStringSubmatch(strings.TrimSpace(part))
		require.NotNil(t, m, "an embedded field: %q", part)
		// An enum's or a string's default is written `production` or
		// `"unknown"`: both are strings.
		def := strings.Trim(m[3], "`")
		if strings.HasPrefix(m[3], "`") && !strings.HasPrefix(def, `"`) {
			def = strconv.Quote(def)
		}
		out = append(out, refField{name: m[1], typ: m[2], def: def})
	}
	return out
}

// ownFields are the bson-named fields of an event type, EventBase and the
// stored model's execution_id (StoredExecutionID) aside.
func ownFields(typ reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Type != reflect.TypeFor[models.EventBase]() && f.Type != reflect.TypeFor[models.StoredExecutionID]() {
			out = append(out, f)
		}
	}
	return out
}

func bsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("bson"), ",")
	return name
}

func fieldNames(fields []reflect.StructField) []string {
	var out []string
	for _, f := range fields {
		out = append(out, bsonName(f))
	}
	return out
}

func refNames(fields []refField) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.name)
	}
	return out
}

// typeProblem says how a Go field type fails to say what Python accepts,
// or "" when it says it.
func (ref refEvents) typeProblem(f refField, gt reflect.Type) string {
	if f.nullable != (gt.Kind() == reflect.Pointer) {
		return fmt.Sprintf("Go type %v, where nullable is %v: a nullable field is a pointer, and only it", gt, f.nullable)
	}
	if f.nullable {
		gt = gt.Elem()
	}
	if f.list != (gt.Kind() == reflect.Slice) {
		return fmt.Sprintf("Go type %v, where a list is %v", gt, f.list)
	}
	if f.list {
		gt = gt.Elem()
	}
	want := map[string]reflect.Type{
		"string": reflect.TypeFor[string](), "int": reflect.TypeFor[int](), "float": reflect.TypeFor[float64](),
		"bool": reflect.TypeFor[bool](), "datetime": reflect.TypeFor[time.Time](),
	}[f.typ]
	switch {
	case want != nil:
		if gt != want {
			return fmt.Sprintf("Go type %v, where Python's %s is %v", gt, f.typ, want)
		}
	case ref.enums[f.typ] != nil:
		if gt.Name() != f.typ || gt.Kind() != reflect.String || gt.PkgPath() != "github.com/tagodm/tagodm/models" {
			return fmt.Sprintf("Go type %v, where the enum is models.%s", gt, f.typ)
		}
	case ref.embedded[f.typ] != nil:
		if gt.Name() != f.typ || gt.Kind() != reflect.Struct {
			return fmt.Sprintf("Go type %v, where the embedded document is models.%s", gt, f.typ)
		}
		return ref.structProblem(f.typ, gt, ref.embedded[f.typ])
	default:
		return "unknown reference type " + f.typ
	}
	return ""
}

// structProblem compares an embedded struct with its reference fields.
func (ref refEvents) structProblem(name string, gt reflect.Type, fields []refField) string {
	var goFields []reflect.StructField
	for i := range gt.NumField() {
		goFields = append(goFields, gt.Field(i))
	}
	if got := fieldNames(goFields); !slices.Equal(got, refNames(fields)) {
		return fmt.Sprintf("%s has fields %v, where the reference has %v", name, got, refNames(fields))
	}
	for i, f := range fields {
		if p := ref.typeProblem(f, goFields[i].Type); p != "" {
			return name + "." + f.name + ": " + p
		}
	}
	return ""
}

// defaultProblem says how a field after SetDefaults differs from the
// reference's default, or "" when it holds it. A required field is left
// zero: SetDefaults invents no value Python would require.
func defaultProblem(f refField, v reflect.Value) string {
	wrong := func() string {
		if (v.Kind() == reflect.Slice || v.Kind() == reflect.Pointer) && v.IsNil() {
			return fmt.Sprintf("nil after SetDefaults, where the default is %q", f.def)
		}
		return fmt.Sprintf("%v after SetDefaults, where the default is %q", v.Interface(), f.def)
	}
	switch d := f.def; {
	case d == "":
		if !v.IsZero() {
			return fmt.Sprintf("%v after SetDefaults, where the field is required (left zero)", v.Interface())
		}
	case d == "None":
		if !v.IsNil() {
			return wrong()
		}
	case d == "[]":
		if v.IsNil() || v.Len() != 0 {
			return wrong() + " (a nil slice would be stored as null)"
		}
	case strings.HasPrefix(d, `"`):
		if s, _ := strconv.Unquote(d); v.String() != s {
			return wrong()
		}
	case d == "False" || d == "True":
		if v.Bool() != (d == "True") {
			return wrong()
		}
	case f.typ == "int":
		if n, err := strconv.ParseInt(d, 10, 64); err != nil || v.Int() != n {
			return wrong()
		}
	case f.typ == "float":
		if x, err := strconv.ParseFloat(d, 64); err != nil || v.Float() != x {
			return wrong()
		}
	default:
		return "unknown default " + d
	}
	return ""
}

// TestEventTypesMatchTheReference: each of the 57 event types of
// reference-events.md is a Go type of the same name, at the same place in
// EventTypes(), whose Variant is its event_type, whose own fields are the
// reference's (same bson names, same order) with Go types that say what
// Python accepts, and whose SetDefaults gives the reference's defaults.
func TestEventTypesMatchTheReference(t *testing.T) {
	ref := loadRefEvents(t)
	types := models.EventTypes()
	require.Len(t, types, len(ref.events))
	for i, ev := range ref.events {
		typ := reflect.TypeOf(types[i])
		require.Equal(t, ev.class, typ.Name(), "EventTypes()[%d]", i)
		assert.Equal(t, ev.eventType, types[i].(interface{ Variant() string }).Variant(), "%s.Variant()", ev.class)
		own := ownFields(typ)
		if !assert.Equal(t, refNames(ev.fields), fieldNames(own), "%s: own fields", ev.class) {
			continue
		}
		ptr := reflect.New(typ)
		ptr.Interface().(interface{ SetDefaults() }).SetDefaults()
		for j, f := range ev.fields {
			assert.Equal(t, f.name, bsonName(own[j]), "%s.%s: bson name", ev.class, own[j].Name)
			assert.Empty(t, ref.typeProblem(f, own[j].Type), "%s.%s (%s)", ev.class, own[j].Name, f.name)
			assert.Empty(t, defaultProblem(f, ptr.Elem().Field(own[j].Index[0])), "%s.%s (%s)", ev.class, own[j].Name, f.name)
		}
		checkBaseDefaults(t, ev, ptr.Interface().(models.DomainEvent))
		checkStoredExecutionID(t, ev, typ)
	}
}

// checkStoredExecutionID: every event type stores execution_id, as the
// stored model gives every event one (string or null): as its own field
// when the reference lists one, else through StoredExecutionID, embedded
// inline right after EventBase and left nil by SetDefaults.
func checkStoredExecutionID(t *testing.T, ev refEvent, typ reflect.Type) {
	t.Helper()
	own := slices.Contains(refNames(ev.fields), "execution_id")
	f, embeds := typ.FieldByName("StoredExecutionID")
	if own {
		assert.False(t, embeds, "%s has an execution_id of its own and embeds StoredExecutionID", ev.class)
		return
	}
	if assert.True(t, embeds, "%s: no execution_id of its own, and no StoredExecutionID", ev.class) {
		assert.Equal(t, []int{1}, f.Index, "%s: StoredExecutionID right after EventBase", ev.class)
		assert.Equal(t, `bson:",inline"`, string(f.Tag), "%s: StoredExecutionID inline", ev.class)
	}
}

// checkBaseDefaults: the base fields after SetDefaults hold the
// reference's factories and constants, and the event's own event_type.
func checkBaseDefaults(t *testing.T, ev refEvent, e models.DomainEvent) {
	t.Helper()
	b := e.Base()
	isUUID := func(s string) bool { _, err := schema.ParseUUID(s); return len(s) == 36 && err == nil }
	near := func(got, want time.Time) bool { return got.Sub(want).Abs() < time.Minute && got.Location() == time.UTC }
	at := time.Now()
	assert.Equal(t, models.EventType(ev.eventType), b.EventType, "%s: event_type", ev.class)
	assert.True(t, isUUID(b.EventID), "%s: event_id %q is a new UUID4 string", ev.class, b.EventID)
	assert.Equal(t, "1.0", b.EventVersion, "%s: event_version", ev.class)
	assert.True(t, near(b.Timestamp, at), "%s: timestamp %v is now, UTC", ev.class, b.Timestamp)
	assert.True(t, near(b.StoredAt, at), "%s: stored_at %v is now, UTC", ev.class, b.StoredAt)
	assert.True(t, near(b.TTLExpiresAt, at.Add(30*24*time.Hour)), "%s: ttl_expires_at %v is in 30 days", ev.class, b.TTLExpiresAt)
	assert.Nil(t, b.AggregateID, "%s: aggregate_id", ev.class)
	assert.True(t, isUUID(b.Metadata.UserID), "%s: metadata.user_id %q is a new UUID4 string", ev.class, b.Metadata.UserID)
	assert.Equal(t, models.EnvironmentProduction, b.Metadata.Environment, "%s: metadata.environment", ev.class)
	assert.Empty(t, b.Metadata.ServiceName, "%s: metadata.service_name is required, left empty", ev.class)
	assert.True(t, b.ID.IsZero(), "%s: _id is the server's", ev.class)
}

// TestEventBaseMatchesTheReference: EventBase holds Beanie's _id, then
// exactly the reference's base and stored-only fields, with Go types that
// say what Python accepts, and the embedded documents' own defaults are
// given by the events that carry them.
func TestEventBaseMatchesTheReference(t *testing.T) {
	ref := loadRefEvents(t)
	base := reflect.TypeFor[models.EventBase]()
	var fields []reflect.StructField
	for i := range base.NumField() {
		fields = append(fields, base.Field(i))
	}
	require.Equal(t, append([]string{"_id"}, refNames(ref.base)...), fieldNames(fields))
	assert.Equal(t, reflect.TypeFor[bson.ObjectID](), fields[0].Type)
	assert.Equal(t, "_id,omitempty", fields[0].Tag.Get("bson"))
	for i, f := range ref.base {
		assert.Empty(t, ref.typeProblem(f, fields[i+1].Type), "EventBase.%s (%s)", fields[i+1].Name, f.name)
	}
	for name, fs := range ref.embedded {
		gt := map[string]reflect.Type{
			"EventMetadata":       reflect.TypeFor[models.EventMetadata](),
			"ResourceUsageDomain": reflect.TypeFor[models.ResourceUsageDomain](),
			"ContainerStatusInfo": reflect.TypeFor[models.ContainerStatusInfo](),
		}[name]
		require.NotNil(t, gt, name)
		assert.Empty(t, ref.structProblem(name, gt, fs), name)
	}
	// The only non-zero default of an embedded document beside
	// EventMetadata's (checked with the base) is ContainerStatusInfo.state.
	require.Equal(t, `"unknown"`, ref.embedded["ContainerStatusInfo"][3].def)
	e := &models.PodRunningEvent{ContainerStatuses: []models.ContainerStatusInfo{{Name: "c0"}, {Name: "c1", State: "running"}}}
	e.SetDefaults()
	assert.Equal(t, "unknown", e.ContainerStatuses[0].State, "state defaults to unknown")
	assert.Equal(t, "running", e.ContainerStatuses[1].State, "a state set is kept")
}

// TestEventTypeValuesAreTheEnum: the 57 event_type values are the values
// of the EventType enumeration, each once.
func TestEventTypeValuesAreTheEnum(t *testing.T) {
	ref := loadRefEvents(t)
	var variants []string
	for _, v := range models.EventTypes() {
		variants = append(variants, v.(interface{ Variant() string }).Variant())
	}
	enum := slices.Clone(ref.enums["EventType"])
	require.Len(t, enum, 57)
	slices.Sort(variants)
	slices.Sort(enum)
	assert.Equal(t, enum, variants)
	assert.Len(t, slices.Compact(variants), 57, "each event_type once")
	var rows []string
	for _, ev := range ref.events {
		rows = append(rows, ev.eventType)
	}
	slices.Sort(rows)
	assert.Equal(t, enum, rows, "the table's event types are the enum's")
}

// bsonKind is the BSON type a Go field type is stored as, nullability
// aside: a Go int is stored as int32 or int64 by its value, as Python
// stores an int, so both are "int".
func bsonKind(gt reflect.Type) string {
	switch {
	case gt == reflect.TypeFor[time.Time]():
		return "date"
	case gt == reflect.TypeFor[bson.ObjectID]():
		return "objectId"
	}
	switch gt.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "int"
	case reflect.Float64:
		return "double"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		return "array"
	case reflect.Struct:
		return "object"
	}
	return "unknown " + gt.String()
}

// walkPaths records, for each field path of a struct type (array elements'
// fields under the array's path), the BSON type and the Go type stored
// there, by event class.
func walkPaths(gt reflect.Type, prefix, class string, kinds, goTypes map[string]map[string][]string) {
	for i := range gt.NumField() {
		f := gt.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("bson"), ",")
		ft := f.Type
		if strings.Contains(opts, "inline") {
			walkPaths(ft, prefix, class, kinds, goTypes)
			continue
		}
		path := prefix + name
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		add := func(m map[string]map[string][]string, k string) {
			if m[path] == nil {
				m[path] = map[string][]string{}
			}
			m[path][k] = append(m[path][k], class)
		}
		add(kinds, bsonKind(ft))
		add(goTypes, f.Type.String())
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]() {
			walkPaths(ft, path+".", class, kinds, goTypes)
		}
	}
}

// TestEventFieldPathsHaveOneBSONType: across the 57 event types, no field
// path is stored as two different BSON types (null aside), so that one
// index or query on a path means the same in every event type. The paths
// whose Go types differ (an enum here, a string there; nullable here, not
// there) are logged.
func TestEventFieldPathsHaveOneBSONType(t *testing.T) {
	kinds, goTypes := map[string]map[string][]string{}, map[string]map[string][]string{}
	for _, v := range models.EventTypes() {
		walkPaths(reflect.TypeOf(v), "", reflect.TypeOf(v).Name(), kinds, goTypes)
	}
	shared := 0
	for _, path := range sortedKeys(kinds) {
		if len(kinds[path]) > 1 {
			t.Errorf("%s is stored as %d BSON types: %v", path, len(kinds[path]), kinds[path])
		}
		n := 0
		for _, classes := range goTypes[path] {
			n += len(classes)
		}
		if n > 1 && n < 57 {
			shared++
		}
		if len(goTypes[path]) > 1 {
			var desc []string
			for _, gt := range sortedKeys(goTypes[path]) {
				desc = append(desc, fmt.Sprintf("%s (%d event types)", gt, len(goTypes[path][gt])))
			}
			t.Logf("%s: one BSON type, Go types %s", path, strings.Join(desc, ", "))
		}
	}
	t.Logf("%d field paths, %d of them in more than one event type but not all", len(kinds), shared)
	assert.Greater(t, len(kinds), 100, "the walk reaches the events' own fields")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pyDocs builds an event as the Python side stores it, following
// reference-events.md: Beanie's _id, the base fields, the stored model's
// execution_id when the event has none of its own, the event's own
// fields in the class's order, then the stored-only fields; every field
// present, datetimes as BSON dates in UTC to the millisecond, enums as
// their strings, ints as int32 when they fit (as pymongo stores them).
// full: every nullable field holds a value and every list two elements,
// with ints beyond int32; else every nullable field is null and every
// list empty.
func (ref refEvents) pyDoc(ev refEvent, full bool) bson.D {
	when := bson.NewDateTimeFromTime(time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC))
	doc := bson.D{{Key: "_id", Value: bson.NewObjectID()}}
	for _, f := range ref.base[:6] {
		doc = append(doc, bson.E{Key: f.name, Value: ref.pyValue(f, full, ev.eventType, when)})
	}
	if !slices.Contains(refNames(ev.fields), "execution_id") {
		stored := refField{name: "execution_id", typ: "string", nullable: true}
		doc = append(doc, bson.E{Key: stored.name, Value: ref.pyValue(stored, full, "", when)})
	}
	for _, f := range ev.fields {
		doc = append(doc, bson.E{Key: f.name, Value: ref.pyValue(f, full, "", when)})
	}
	return append(doc, bson.E{Key: "stored_at", Value: when}, bson.E{Key: "ttl_expires_at", Value: bson.NewDateTimeFromTime(when.Time().Add(30 * 24 * time.Hour))})
}

func (ref refEvents) pyValue(f refField, full bool, eventType string, when bson.DateTime) any {
	switch {
	case eventType != "" && f.name == "event_type":
		return eventType
	case f.nullable && !full:
		return nil
	case f.list:
		if !full {
			return bson.A{}
		}
		one := f
		one.list = false
		return bson.A{ref.pyScalar(one, when, 0), ref.pyScalar(one, when, 1)}
	}
	return ref.pyScalar(f, when, 0)
}

func (ref refEvents) pyScalar(f refField, when bson.DateTime, i int) any {
	switch f.typ {
	case "string":
		return fmt.Sprintf("py-%s-%d", f.name, i)
	case "int":
		if f.nullable {
			return int64(5_000_000_000 + i) // beyond int32: pymongo stores an int64
		}
		return int32(7 + i)
	case "float":
		return 2.5 + float64(i)
	case "bool":
		return true
	case "datetime":
		return bson.NewDateTimeFromTime(when.Time().Add(time.Duration(i) * time.Second))
	}
	if values := ref.enums[f.typ]; values != nil {
		return values[(1+i)%len(values)]
	}
	sub := bson.D{}
	for _, ef := range ref.embedded[f.typ] {
		sub = append(sub, bson.E{Key: ef.name, Value: ref.pyScalar(ef, when, i)})
	}
	return sub
}

// canon is a document for comparison: the top level as a map (key order
// aside), embedded documents as ordered key/value lists, and every other
// value as its BSON type and bytes, so that int32 and int64, or a date
// and its millisecond, are told apart.
func canon(raw bson.Raw) map[string]any {
	out := map[string]any{}
	elems, _ := raw.Elements()
	for _, e := range elems {
		out[e.Key()] = canonValue(e.Value())
	}
	return out
}

func canonValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		var out []any
		elems, _ := v.Document().Elements()
		for _, e := range elems {
			out = append(out, e.Key(), canonValue(e.Value()))
		}
		return out
	case bson.TypeArray:
		out := []any{}
		vals, _ := v.Array().Values()
		for _, x := range vals {
			out = append(out, canonValue(x))
		}
		return out
	}
	return v.Type.String() + ":" + hex.EncodeToString(v.Value)
}

// keyOrder is the keys of a document, in order.
func keyOrder(raw bson.Raw) []string {
	var out []string
	elems, _ := raw.Elements()
	for _, e := range elems {
		out = append(out, e.Key())
	}
	return out
}

// assertSameEvent compares a document Go wrote with the one Python wrote:
// the same keys, each with the same BSON type and value at every level
// (embedded documents and arrays in order); the top level's key order
// differs only where Go writes stored_at and ttl_expires_at with the base
// fields, before the event's own fields.
func assertSameEvent(t *testing.T, py, got bson.Raw, msg string) {
	t.Helper()
	assert.Equal(t, canon(py), canon(got), msg)
	moved := func(keys []string) []string {
		return slices.DeleteFunc(keys, func(k string) bool { return k == "stored_at" || k == "ttl_expires_at" })
	}
	assert.Equal(t, moved(keyOrder(py)), moved(keyOrder(got)), "%s: key order, stored_at and ttl_expires_at aside", msg)
}

// TestEventTypesRoundTripPythonDocuments: for each event type, a document
// as the Python side stores it (every nullable null and lists empty, then
// every field set) unmarshals into the Go type and marshals back to the
// same document.
func TestEventTypesRoundTripPythonDocuments(t *testing.T) {
	ref := loadRefEvents(t)
	types := models.EventTypes()
	for i, ev := range ref.events {
		for _, full := range []bool{false, true} {
			py, err := bson.Marshal(ref.pyDoc(ev, full))
			require.NoError(t, err)
			ptr := reflect.New(reflect.TypeOf(types[i]))
			require.NoError(t, bson.Unmarshal(py, ptr.Interface()), "%s: unmarshal", ev.class)
			back, err := bson.Marshal(ptr.Interface())
			require.NoError(t, err, "%s: marshal", ev.class)
			assertSameEvent(t, py, back, fmt.Sprintf("%s (full: %v)", ev.class, full))
		}
	}
}

// TestEventTypesRoundTripOnServer: for each event type, the Python-form
// document inserted with the bare driver reads back into the Go type, and
// the Go value written back with ReplaceOne leaves the stored document as
// Python wrote it.
func TestEventTypesRoundTripOnServer(t *testing.T) {
	ref := loadRefEvents(t)
	types := models.EventTypes()
	coll := testrig.Database(t, nil).Collection("events")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, ev := range ref.events {
		for _, full := range []bool{false, true} {
			msg := fmt.Sprintf("%s (full: %v)", ev.class, full)
			doc := ref.pyDoc(ev, full)
			py, err := bson.Marshal(doc)
			require.NoError(t, err)
			_, err = coll.InsertOne(ctx, doc)
			require.NoError(t, err, msg)
			byID := bson.D{{Key: "_id", Value: doc[0].Value}}
			stored, err := coll.FindOne(ctx, byID).Raw()
			require.NoError(t, err, msg)
			assertSameEvent(t, py, stored, msg+": stored by the server as written")
			ptr := reflect.New(reflect.TypeOf(types[i]))
			require.NoError(t, coll.FindOne(ctx, byID).Decode(ptr.Interface()), msg)
			res, err := coll.ReplaceOne(ctx, byID, ptr.Interface())
			require.NoError(t, err, msg)
			require.Equal(t, int64(1), res.MatchedCount, msg)
			after, err := coll.FindOne(ctx, byID).Raw()
			require.NoError(t, err, msg)
			assertSameEvent(t, py, after, msg+": written back by Go")
		}
	}
	n, err := coll.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(2*len(ref.events)), n, "ReplaceOne inserted nothing")
}
