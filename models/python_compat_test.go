package models_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
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
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// pyField is one field of a Python model, as testdata/python-models.md
// states it.
type pyField struct {
	name     string
	typ      string // str, int, enum:NAME, list[T], dict[K,V], model:NAME, ...
	nullable bool
	def      string // the default as written; empty when there is none
	required bool
	min, max *float64
	oneOf    []float64
	line     string
}

// pyModels are the Python models: collections and embedded models by
// name, and the enums.
type pyModels struct {
	models map[string][]pyField
	enums  map[string][]string
}

var (
	fieldLine = regexp.MustCompile("^- `([a-z_]+)` (.+)$")
	enumLine  = regexp.MustCompile(`^- ([A-Za-z]+): (.+)$`)
	boundRe   = regexp.MustCompile(`(≥|≤) (-?[0-9.]+)`)
	oneOfRe   = regexp.MustCompile(`one of \[([0-9, .]+)\]`)
)

func loadPyModels(t *testing.T) pyModels {
	t.Helper()
	text, err := os.ReadFile("testdata/python-models.md")
	require.NoError(t, err)
	out := pyModels{models: map[string][]pyField{}, enums: map[string][]string{}}
	section, inEnums := "", false
	for _, line := range strings.Split(string(text), "\n") {
		switch {
		case strings.HasPrefix(line, "### Enums"):
			inEnums = true
		case strings.HasPrefix(line, "### model "):
			section = strings.TrimPrefix(line, "### model ")
		case strings.HasPrefix(line, "### union "), strings.HasPrefix(line, "### Embedded"):
			section = ""
		case strings.HasPrefix(line, "### "):
			section = strings.TrimPrefix(line, "### ")
		case inEnums && enumLine.MatchString(line):
			m := enumLine.FindStringSubmatch(line)
			out.enums[m[1]] = strings.Split(m[2], ", ")
		case section != "" && fieldLine.MatchString(line):
			out.models[section] = append(out.models[section], parseField(t, line))
		}
	}
	require.Len(t, out.enums, 18, "the enums of the testdata")
	return out
}

func parseField(t *testing.T, line string) pyField {
	m := fieldLine.FindStringSubmatch(line)
	f := pyField{name: m[1], line: line}
	rest := m[2]
	f.typ, rest, _ = strings.Cut(rest, " ")
	if r, ok := strings.CutPrefix(rest, "or null"); ok {
		f.nullable, rest = true, strings.TrimSpace(r)
	}
	if strings.Contains(rest, "**required**") {
		f.required = true
		rest = strings.ReplaceAll(rest, "**required**", "")
	}
	for _, b := range boundRe.FindAllStringSubmatch(rest, -1) {
		v, err := strconv.ParseFloat(b[2], 64)
		require.NoError(t, err, line)
		if b[1] == "≥" {
			f.min = &v
		} else {
			f.max = &v
		}
	}
	if o := oneOfRe.FindStringSubmatch(rest); o != nil {
		for _, s := range strings.Split(o[1], ", ") {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err, line)
			f.oneOf = append(f.oneOf, v)
		}
	}
	if d, ok := strings.CutPrefix(rest, "default "); ok {
		f.def = d
		for _, stop := range []string{" ≥", " ≤", " one of", " max length"} {
			f.def, _, _ = strings.Cut(f.def, stop)
		}
		f.def = strings.TrimSpace(f.def)
	}
	return f
}

// check reports every way doc (a stored document, or an embedded one)
// breaks the Python model name. fresh: the document was built with only
// the required fields, so every other field must hold its default.
func (p pyModels) check(name string, doc bson.Raw, fresh bool, path string) []string {
	var problems []string
	for _, f := range p.models[name] {
		at := path + f.name
		v, err := doc.LookupErr(f.name)
		if err != nil {
			if f.required || f.def != "null" {
				problems = append(problems, at+": missing (Python needs it, or fills a default Go did not store)")
			}
			continue
		}
		if v.Type == bson.TypeNull {
			if !f.nullable {
				problems = append(problems, at+": null, which the Python model refuses")
			}
			continue
		}
		problems = append(problems, p.checkValue(f.typ, v, at)...)
		problems = append(problems, checkBounds(f, v, at)...)
		// Beanie stores a new revision_id at every insert of a model with
		// use_revision, as the repository does: not its default's null.
		if fresh && !f.required && f.def != "" && f.name != "revision_id" {
			problems = append(problems, p.checkDefault(f, v, at)...)
		}
	}
	return problems
}

func (p pyModels) checkValue(typ string, v bson.RawValue, at string) []string {
	bad := func() []string { return []string{fmt.Sprintf("%s: %v is not a %s", at, v, typ)} }
	switch {
	case typ == "str":
		if v.Type != bson.TypeString {
			return bad()
		}
	case typ == "email":
		if s, ok := v.StringValueOK(); !ok || !strings.Contains(s, "@") {
			return bad()
		}
	case typ == "int":
		if v.Type != bson.TypeInt32 && v.Type != bson.TypeInt64 {
			return bad()
		}
	case typ == "float":
		if v.Type != bson.TypeDouble && v.Type != bson.TypeInt32 && v.Type != bson.TypeInt64 {
			return bad()
		}
	case typ == "bool":
		if v.Type != bson.TypeBoolean {
			return bad()
		}
	case typ == "datetime":
		if v.Type != bson.TypeDateTime {
			return bad()
		}
	case typ == "uuid":
		if st, data, ok := v.BinaryOK(); !ok || st != bson.TypeBinaryUUID || len(data) != 16 {
			return bad()
		}
	case typ == "any":
	case strings.HasPrefix(typ, "enum:"):
		s, ok := v.StringValueOK()
		if !ok || !slices.Contains(p.enums[strings.TrimPrefix(typ, "enum:")], s) {
			return []string{fmt.Sprintf("%s: %v is not a value of %s", at, v, typ)}
		}
	case strings.HasPrefix(typ, "model:"):
		d, ok := v.DocumentOK()
		if !ok {
			return bad()
		}
		return p.check(strings.TrimPrefix(typ, "model:"), d, false, at+".")
	case typ == "union:DomainEvent":
		d, ok := v.DocumentOK()
		if !ok {
			return bad()
		}
		return p.checkValue("enum:EventType", d.Lookup("event_type"), at+".event_type")
	case strings.HasPrefix(typ, "list["):
		arr, ok := v.ArrayOK()
		if !ok {
			return bad()
		}
		vals, _ := arr.Values()
		var out []string
		for i, x := range vals {
			out = append(out, p.checkValue(typ[5:len(typ)-1], x, fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	case strings.HasPrefix(typ, "dict["):
		d, ok := v.DocumentOK()
		if !ok {
			return bad()
		}
		_, valueType, _ := strings.Cut(typ[5:len(typ)-1], ",")
		elems, _ := d.Elements()
		var out []string
		for _, e := range elems {
			out = append(out, p.checkValue(valueType, e.Value(), at+"."+e.Key())...)
		}
		return out
	default:
		return []string{at + ": unknown type " + typ}
	}
	return nil
}

func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true
	case bson.TypeInt64:
		return float64(v.Int64()), true
	case bson.TypeDouble:
		return v.Double(), true
	}
	return 0, false
}

func checkBounds(f pyField, v bson.RawValue, at string) []string {
	n, ok := number(v)
	if !ok {
		return nil
	}
	var out []string
	if f.min != nil && n < *f.min || f.max != nil && n > *f.max {
		out = append(out, fmt.Sprintf("%s: %v is out of bounds (%s)", at, n, f.line))
	}
	if f.oneOf != nil && !slices.Contains(f.oneOf, n) {
		out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, n, f.oneOf))
	}
	return out
}

// checkDefault: a field the Go developer left alone holds what Python
// would have filled in.
func (p pyModels) checkDefault(f pyField, v bson.RawValue, at string) []string {
	wrong := func() []string {
		return []string{fmt.Sprintf("%s: %v, where Python's default is %s", at, v, f.def)}
	}
	now := time.Now()
	near := func(want time.Time) bool {
		got := v.Time()
		return v.Type == bson.TypeDateTime && math.Abs(got.Sub(want).Seconds()) < 120
	}
	switch d := f.def; {
	case d == "uuid4":
		if s, ok := v.StringValueOK(); !ok || len(s) != 36 {
			return wrong()
		}
		if _, err := schema.ParseUUID(v.StringValue()); err != nil {
			return wrong()
		}
	case d == "now_utc":
		if !near(now) {
			return wrong()
		}
	case d == "now_utc+30d":
		if !near(now.Add(30 * 24 * time.Hour)) {
			return wrong()
		}
	case d == "list":
		if arr, ok := v.ArrayOK(); !ok || len(arr) != 5 { // an empty array is 5 bytes
			return wrong()
		}
	case d == "dict":
		if doc, ok := v.DocumentOK(); !ok || len(doc) != 5 {
			return wrong()
		}
	case strings.HasPrefix(d, "model:"):
		doc, ok := v.DocumentOK()
		if !ok {
			return wrong()
		}
		return p.check(strings.TrimPrefix(d, "model:"), doc, true, at+".")
	case d == "null":
		return wrong() // a null is taken care of before
	case d == "true" || d == "false":
		if b, ok := v.BooleanOK(); !ok || strconv.FormatBool(b) != d {
			return wrong()
		}
	case strings.HasPrefix(d, `"`):
		if s, ok := v.StringValueOK(); !ok || strconv.Quote(s) != d {
			return wrong()
		}
	case strings.HasPrefix(d, "["):
		var want []string
		require.NoError(nil, bson.UnmarshalExtJSON([]byte(`{"v":`+d+`}`), false, &struct{ V *[]string }{&want}))
		arr, ok := v.ArrayOK()
		if !ok {
			return wrong()
		}
		vals, _ := arr.Values()
		var got []string
		for _, x := range vals {
			got = append(got, x.StringValue())
		}
		if !slices.Equal(got, want) {
			return wrong()
		}
	default:
		want, err := strconv.ParseFloat(d, 64)
		n, ok := number(v)
		if err != nil || !ok || n != want {
			return wrong()
		}
	}
	return nil
}

// pyCase is one reference model: a document holding only the fields its
// Python model requires, written through the repository.
type pyCase struct {
	collection string
	insert     func(ctx context.Context, db *mongo.Database) (any, error)
	paths      func(ctx context.Context, db *mongo.Database, id any) []writePath
}

// writePath is one way the repository writes a stored document.
type writePath struct {
	name  string
	write func() error
}

func caseOf[T any](collection string, doc func() *T) pyCase {
	return pyCase{
		collection: collection,
		insert: func(ctx context.Context, db *mongo.Database) (any, error) {
			res, err := odm.MustCollection[T](db).InsertOne(ctx, doc())
			if err != nil {
				return nil, err
			}
			return res.InsertedID, nil
		},
		paths: func(ctx context.Context, db *mongo.Database, id any) []writePath {
			repo := odm.MustCollection[T](db)
			byID := bson.D{{Key: "_id", Value: id}}
			reread := func() *T {
				d, err := repo.FindByID(ctx, id)
				if err != nil || d == nil {
					panic(fmt.Sprintf("reading %v back: %v", id, err))
				}
				return d
			}
			// The update names a field of the model: the repository refuses
			// a path the struct does not declare.
			set := bson.D{{Key: "$set", Value: bson.D{{Key: firstStringPath(reflect.TypeFor[T]()), Value: "go"}}}}
			return []writePath{
				{"ReplaceByID", func() error { _, err := repo.ReplaceByID(ctx, reread()); return err }},
				{"ReplaceOne", func() error { _, err := repo.ReplaceOne(ctx, byID, reread()); return err }},
				{"ReplaceOne upsert", func() error {
					_, err := repo.ReplaceOne(ctx, byID, reread(), options.Replace().SetUpsert(true))
					return err
				}},
				{"FindOneAndReplace", func() error { _, err := repo.FindOneAndReplace(ctx, byID, reread()); return err }},
				{"UpdateByID", func() error { _, err := repo.UpdateByID(ctx, id, set); return err }},
				{"UpdateOne upsert", func() error {
					_, err := repo.UpdateOne(ctx, byID, set, options.UpdateOne().SetUpsert(true))
					return err
				}},
				{"FindOneAndUpdate", func() error { _, err := repo.FindOneAndUpdate(ctx, byID, set); return err }},
				{"UpdateMany", func() error { _, err := repo.UpdateMany(ctx, byID, set); return err }},
				{"ModifyByID", func() error {
					_, err := repo.ModifyByID(ctx, id, func(d *T) error { touchAString(d); return nil })
					return err
				}},
			}
		},
	}
}

// firstStringPath is the bson key of the first top-level string field of
// a struct type, looking into ,inline structs.
func firstStringPath(t reflect.Type) string {
	if name, ok := stringPath(t); ok {
		return name
	}
	panic(fmt.Sprintf("%v has no top-level string field", t))
}

func stringPath(t reflect.Type) (string, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("bson"), ",")
		if f.Type.Kind() == reflect.Struct && strings.Contains(opts, "inline") {
			if name, ok := stringPath(f.Type); ok {
				return name, true
			}
		}
		if f.Type.Kind() == reflect.String && f.IsExported() && name != "-" {
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			return name, true
		}
	}
	return "", false
}

// touchAString changes the first top-level string field of a document,
// so that Modify has something to write.
func touchAString(doc any) {
	v := reflect.ValueOf(doc).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			f.SetString(f.String() + "+go")
			return
		}
	}
}

func pyCases() []pyCase {
	now := time.Now().UTC()
	meta := models.EventMetadata{ServiceName: "api", ServiceVersion: "1.0.0"}
	return []pyCase{
		caseOf("audit_log", func() *models.AuditLogEntry {
			return &models.AuditLogEntry{Action: "system_settings_updated", UserID: "u1"}
		}),
		caseOf("dlq_messages", func() *models.DLQMessage {
			return &models.DLQMessage{Event: models.FailedEvent{EventID: "e1", EventType: "execution_failed"}}
		}),
		caseOf("events", func() *models.Event {
			return &models.Event{EventBase: models.EventBase{EventType: "execution_requested", Metadata: meta}}
		}),
		caseOf("events_archive", func() *models.ArchivedEvent {
			return &models.ArchivedEvent{EventID: "e1", EventType: "execution_requested", Timestamp: now, Metadata: meta}
		}),
		caseOf("executions", func() *models.Execution { return &models.Execution{Script: "print(1)"} }),
		caseOf("idempotency_keys", func() *models.IdempotencyKey {
			return &models.IdempotencyKey{Key: "k1", Status: "processing", EventType: "execution_requested", EventID: "e1", CreatedAt: now, TTLSeconds: 3600}
		}),
		caseOf("notification_subscriptions", func() *models.NotificationSubscription {
			return &models.NotificationSubscription{UserID: "u1", Channel: "in_app"}
		}),
		caseOf("notifications", func() *models.Notification {
			return &models.Notification{UserID: "u1", Channel: "webhook", Subject: "s", Body: "b"}
		}),
		caseOf("replay_sessions", func() *models.ReplaySession {
			return &models.ReplaySession{SessionID: "r1", Config: models.ReplayConfig{ReplayType: "execution"}}
		}),
		caseOf("resource_allocations", func() *models.ResourceAllocation {
			return &models.ResourceAllocation{AllocationID: "a1", ExecutionID: "e1", Language: "python", CPURequest: "100m", MemoryRequest: "128Mi", CPULimit: "1", MemoryLimit: "512Mi"}
		}),
		caseOf("sagas", func() *models.Saga { return &models.Saga{SagaName: "execution_saga", ExecutionID: "e1"} }),
		caseOf("saved_scripts", func() *models.SavedScript {
			return &models.SavedScript{Name: "n", Script: "print(1)", UserID: "u1"}
		}),
		caseOf("system_settings", func() *models.SystemSettings { return &models.SystemSettings{} }),
		caseOf("user_settings", func() *models.UserSettings {
			return &models.UserSettings{SettingsData: models.SettingsData{UserID: "u1"}}
		}),
		caseOf("user_settings_snapshots", func() *models.UserSettingsSnapshot {
			return &models.UserSettingsSnapshot{SettingsData: models.SettingsData{UserID: "u1"}}
		}),
		caseOf("users", func() *models.User {
			return &models.User{Username: "ada", Email: "ada@example.com", HashedPassword: "h"}
		}),
	}
}

// TestDocumentsThePythonSideReads: for each of the 16 reference models, a
// document holding only the fields its Python model requires, inserted
// through the repository, is stored as the Python model reads it: no null
// where it needs a list, a document or a value, its defaults filled in,
// enums and bounds kept.
func TestDocumentsThePythonSideReads(t *testing.T) {
	py := loadPyModels(t)
	db := testrig.Database(t, nil)
	ctx := context.Background()
	cases := pyCases()
	require.Len(t, cases, 16)
	for _, c := range cases {
		t.Run(c.collection, func(t *testing.T) {
			require.NotEmpty(t, py.models[c.collection], "the testdata describes %s", c.collection)
			id, err := c.insert(ctx, db)
			require.NoError(t, err)
			stored, err := db.Collection(c.collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
			require.NoError(t, err)
			oid, ok := stored.Lookup("_id").ObjectIDOK()
			assert.True(t, ok && !oid.IsZero(), "an ObjectID _id, as Beanie's")
			assert.Empty(t, py.check(c.collection, stored, true, ""), "stored: %s", stored)
		})
	}
}

// TestPythonFieldsSurviveEveryWritePath: a document written the way the
// Python side writes it, with a field the Go struct does not know, keeps
// that field after each repository write path, in every collection.
func TestPythonFieldsSurviveEveryWritePath(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	for _, c := range pyCases() {
		t.Run(c.collection, func(t *testing.T) {
			id, err := c.insert(ctx, db)
			require.NoError(t, err)
			coll := db.Collection(c.collection)
			_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "py_only", Value: "kept"}}}})
			require.NoError(t, err)
			for _, p := range c.paths(ctx, db, id) {
				require.NoError(t, p.write(), p.name)
				stored, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
				require.NoError(t, err, p.name)
				assert.Equal(t, "kept", stored.Lookup("py_only").StringValue(), "%s keeps a field the struct does not know", p.name)
				n, err := coll.CountDocuments(ctx, bson.D{})
				require.NoError(t, err)
				assert.Equal(t, int64(1), n, "%s writes over the document, inserts nothing", p.name)
			}
		})
	}
}

// TestEventExtraFieldsRoundTrip: an event's own fields, stored at the top
// level by the Python side, are read into Extra and written back.
func TestEventExtraFieldsRoundTrip(t *testing.T) {
	db := testrig.Database(t, nil)
	ctx := context.Background()
	events := odm.MustCollection[models.Event](db)
	id := bson.NewObjectID()
	_, err := events.Driver().InsertOne(ctx, bson.D{
		{Key: "_id", Value: id}, {Key: "event_id", Value: "e1"}, {Key: "event_type", Value: "pod_created"},
		{Key: "event_version", Value: "1.0"}, {Key: "timestamp", Value: time.Now()},
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "k8s"}, {Key: "service_version", Value: "2"}, {Key: "user_id", Value: "u"}, {Key: "environment", Value: "test"}}},
		{Key: "pod_name", Value: "executor-abc"}, {Key: "publish_failed", Value: false},
	})
	require.NoError(t, err)
	e, err := events.FindByID(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, e)
	assert.Equal(t, "executor-abc", e.Extra["pod_name"])
	assert.Equal(t, false, e.Extra["publish_failed"])
	e.Extra["script"] = "print(2)"
	_, err = events.ReplaceByID(ctx, e)
	require.NoError(t, err)
	stored, err := events.Driver().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	require.NoError(t, err)
	assert.Equal(t, "executor-abc", stored.Lookup("pod_name").StringValue())
	assert.Equal(t, "print(2)", stored.Lookup("script").StringValue())
	assert.False(t, bytes.Contains(stored, []byte("Extra")), "Extra is inline, not a field")
}
