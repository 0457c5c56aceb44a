package schema

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/modelcache"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// CollectionNamer is implemented by models that name their collection.
// Without it a model's collection is its Go type name in snake_case
// (UserSettings -> "user_settings"), never pluralised.
type CollectionNamer interface {
	CollectionName() string
}

// IndexDeclarer is implemented by models that declare indexes a struct tag
// cannot express: partial filters, collations, text options, wildcard keys,
// hidden indexes, 2d options, keys on fields held outside the struct.
// Indexes is called on the zero value of the model.
type IndexDeclarer interface {
	Indexes() []IndexSpec
}

// Model is what the library reads from one Go model type: its collection
// and its declared indexes, in declaration order (tags first, in field
// order, then Indexes()).
type Model struct {
	// Type is the model's struct type.
	Type reflect.Type
	// Collection is the collection name.
	Collection string
	// Indexes are the declared indexes, named (IndexName) and validated
	// within the model.
	Indexes []IndexSpec
	// Options are the declared collection options; nil when none.
	Options *CollectionOptions
	// Validator is the declared validator, its Schema resolved (generated
	// when the model gave none); nil when none.
	Validator *Validator
	// Revision is the document path of the revision field (odm:"revision");
	// empty when the model has none.
	Revision string
	// SearchIndexes are the declared MongoDB Search and Vector Search
	// indexes: vector tags first, then SearchIndexes().
	SearchIndexes []SearchIndexSpec
	// ShardKey is the declared shard key; nil when the model declares none.
	ShardKey *ShardKey
	// Codecs is the registry the model's documents are encoded and
	// decoded with (CodecsDeclarer); nil for the client's.
	Codecs *bson.Registry `json:"-"`
	// View is the declared view (ViewDeclarer); nil for a collection.
	View *View `json:"-"`

	// RevisionIndex is the revision field's index path in the struct,
	// for the repositories.
	RevisionIndex []int `json:"-"`
	// Discriminator is the document path of the field tagged
	// odm:"discriminator"; empty when the model has none.
	Discriminator string
	// DiscriminatorIndex is that field's index path in the struct.
	DiscriminatorIndex []int `json:"-"`
	// Variant is the discriminator value the model declares with
	// VariantDeclarer; empty when it declares none.
	Variant string
}

// describedModel is a model with the problems its declarations have.
type describedModel struct {
	model    *Model
	Problems []Problem
}

// Describe reads a model: a struct value, a pointer to one (nil allowed) or
// a reflect.Type of either. Problems in the declarations come back as a
// *ValidationError listing all of them. Results are cached per type.
func Describe(model any) (*Model, error) {
	d, err := describeModel(model) // a BoundModel too
	if err != nil {
		return nil, err
	}
	if len(d.Problems) > 0 {
		return nil, &ValidationError{Problems: d.Problems}
	}
	m := *d.model // the cached description stays as it is
	m.Indexes = slices.Clone(m.Indexes)
	m.SearchIndexes = slices.Clone(m.SearchIndexes)
	if m.ShardKey != nil {
		k := *m.ShardKey
		k.Keys, m.ShardKey = slices.Clone(k.Keys), &k
	}
	return &m, nil
}

func modelType(model any) (reflect.Type, error) {
	t, ok := model.(reflect.Type)
	if !ok {
		t = reflect.TypeOf(model)
	}
	if t == nil {
		return nil, &ValidationError{Problems: []Problem{{Message: "a model is nil; pass a struct value or a pointer to one, e.g. (*User)(nil)"}}}
	}
	if msg := notAModel(t, model); msg != "" {
		return nil, &ValidationError{Problems: []Problem{{GoType: t.String(), Message: msg}}}
	}
	st := t
	for st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() != reflect.Struct {
		return nil, &ValidationError{Problems: []Problem{{GoType: t.String(), Message: "not a model, a list of models or an odm.Option: a model must be a struct or a pointer to one"}}}
	}
	return st, nil
}

var (
	contextT = reflect.TypeFor[context.Context]()
	sourceT  = reflect.TypeFor[ModelSource]()
	// odmPkg is the path of the odm packages (the facade and its layers),
	// which an option type is recognised by, the declarations knowing
	// nothing of options.
	odmPkg = path.Dir(reflect.TypeFor[Model]().PkgPath())
	// driverPkg is the driver's client package, named rather than imported.
	driverPkg = path.Dir(reflect.TypeFor[bson.D]().PkgPath()) + "/mongo"
)

// isOption reports the type of an odm option.
func isOption(t reflect.Type) bool {
	return t.Name() == "Option" && strings.HasPrefix(t.PkgPath(), odmPkg)
}

// notAModel explains the arguments most often given by mistake where a
// model was expected; "" for anything else.
func notAModel(t reflect.Type, v any) string {
	switch {
	case t.Kind() == reflect.Func && t.NumOut() == 1 && isOption(t.Out(0)):
		return fmt.Sprintf("%s is a function that returns an option, not an option: call it, as in %s", funcName(v, "the value"), callForm(t, v))
	case t.Kind() == reflect.Func && t.NumOut() == 1 && t.Out(0) == reflect.TypeFor[[]any]():
		return fmt.Sprintf("%s is a function that returns models, not models: call it, as in %s", funcName(v, "the value"), callForm(t, v))
	case t.Implements(contextT):
		return "a context.Context is not a model (the context is Init's and Plan's first argument)"
	case t.Implements(sourceT):
		return "a ModelSource holds models; Init, Plan, Validate and Declared read it, Describe takes one model"
	case strings.HasPrefix(deref(t).PkgPath(), driverPkg):
		return fmt.Sprintf("a %v is not a model (the database is Init's and Plan's second argument)", t)
	}
	return ""
}

// callForm is how a call of function v reads: "odm.DryRun()",
// "odm.Concurrency(...)".
func callForm(t reflect.Type, v any) string {
	if t.NumIn() == 0 {
		return funcName(v, "f") + "()"
	}
	return funcName(v, "f") + "(...)"
}

// funcName is the name of the function v holds, package-qualified as it
// is written in code ("odm.DryRun"); or, for anything else, fallback.
func funcName(v any, fallback string) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Func || rv.IsNil() {
		return fallback
	}
	fn := runtime.FuncForPC(rv.Pointer())
	if fn == nil {
		return fallback
	}
	name := fn.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if strings.Contains(name, ".func") {
		return fallback // a closure has no name to show
	}
	return name
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// BoundModel is a model bound to a collection other than its own: what In
// returns, typed any. The description reads it, and so does the cache of
// Collect's answers (odm/internal/memo), keyed by the model's type and
// the bound collection; a service passes In's result along and reads
// neither.
type BoundModel struct {
	collection string
	Model      any
}

// Collection is the collection the model is bound to.
func (b BoundModel) Collection() string { return b.collection }

// In binds a model to the named collection, overriding its
// CollectionName: the same struct in several collections (one per tenant
// or per month, say). The result is a model for Init, Plan, Validate and
// the registry.
func In(collection string, model any) any { return BoundModel{collection, model} }

// describeModel is Describe with the problems kept beside the model,
// cached per type: what Collect reads.
func describeModel(model any) (*describedModel, error) {
	if b, ok := model.(BoundModel); ok {
		return describeBound(b)
	}
	t, err := modelType(model)
	if err != nil {
		return nil, err
	}
	if v, ok := modelcache.Load(t); ok {
		return v.(*describedModel), nil
	}
	d := describeType(t)
	return modelcache.Store(t, d).(*describedModel), nil
}

// describeBound is the model's description with the bound collection.
func describeBound(b BoundModel) (*describedModel, error) {
	base, err := describeModel(b.Model)
	if err != nil {
		return nil, err
	}
	m := *base.model
	m.Collection = b.collection
	d := &describedModel{model: &m}
	for _, p := range base.Problems {
		if p.Field == "CollectionName()" {
			continue // the bound name replaces the model's own
		}
		p.Collection = b.collection
		d.Problems = append(d.Problems, p)
	}
	if msg := checkCollectionName(b.collection); msg != "" {
		d.Problems = append(d.Problems, Problem{GoType: m.Type.String(), Field: "odm.In", Message: msg})
	}
	return d, nil
}

// describeType describes a struct type, once per type.
func describeType(t reflect.Type) *describedModel {
	d := &describedModel{model: &Model{Type: t}}
	m := d.model
	problem := func(p Problem) {
		p.GoType = t.String()
		p.Collection = m.Collection
		d.Problems = append(d.Problems, p)
	}
	zero := reflect.New(t) // pointer: its method set holds both receivers
	name, nameProblems := modelCollection(t, zero)
	m.Collection = name
	for _, p := range nameProblems {
		problem(p)
	}
	st, err := reflectx.Describe(t)
	if err != nil {
		for _, p := range structProblems(t, err) {
			problem(p)
		}
		return d
	}
	tagged, err := st.Walk(hasODMTag, maxTagged)
	if err != nil {
		problem(Problem{Message: fmt.Sprintf("more than %d fields with an odm tag, counting each path that reaches them; "+
			"a struct type used at many paths declares its tags at each of them", maxTagged)})
		return d
	}
	checkSkipped(t, st, problem)
	checkJSONOnly(t, st, problem)
	checkReach(t, st, tagged, problem) // rules.go
	fromTags, tagProblems := tagIndexes(t.String(), tagged)
	for _, p := range tagProblems {
		problem(p)
	}
	specs := fromTags
	if decl, ok := zero.Interface().(IndexDeclarer); ok {
		var declared []IndexSpec
		if err := callUser(func() { declared = decl.Indexes() }); err != nil {
			problem(Problem{Field: "Indexes()", Message: err.Error()})
		}
		for i, s := range declared {
			s.origin = origin{goType: t.String(), field: fmt.Sprintf("Indexes()[%d]", i)}
			specs = append(specs, s)
		}
	}
	for _, s := range specs {
		for _, msg := range checkSpec(s, st) {
			problem(Problem{Field: s.origin.field, Tag: s.origin.tag, Index: s.IndexName(), Message: msg})
		}
	}
	m.Indexes = specs
	for _, p := range checkCollection(m.Collection, specs) {
		problem(p)
	}
	describeCollection(zero, st, m, problem)
	checkIndexesFitCollection(m, st, problem) // rules.go
	checkValidatorRules(m, st, problem)       // rules.go
	checkRulesApply(zero, tagged, problem)
	describeRevision(tagged, m, problem)
	describeVariant(t, tagged, m, problem)         // variant.go
	describeSearch(zero, st, tagged, m, problem)   // search_model.go
	describeShardKey(zero, st, tagged, m, problem) // shard_model.go
	describeView(zero, m, problem)                 // view.go
	return d
}

// maxTagged bounds the tagged fields a model may declare, counting every
// path to them: a type repeated at many paths must not make Validate run
// for ever.
const maxTagged = 1 << 16

// hasODMTag reports a field whose tag may hold an odm key, well formed or
// not.
func hasODMTag(f reflectx.Field) bool { return strings.Contains(string(f.Tag), TagKey) }

// modelCollection is the model's collection name: CollectionName(), or the
// type name in snake_case.
func modelCollection(t reflect.Type, zero reflect.Value) (string, []Problem) {
	var problems []Problem
	problem := func(p Problem) { problems = append(problems, p) }
	namer, ok := zero.Interface().(CollectionNamer)
	if !ok {
		name := snakeCase(t.Name())
		switch {
		case strings.ContainsAny(t.Name(), "[]"):
			problem(Problem{Field: "CollectionName()", Message: fmt.Sprintf("generic type %v has no CollectionName(): "+
				"its default collection name %q would hold brackets and package paths; declare CollectionName() or bind it with odm.In", t, name)})
		case name == "":
			problem(Problem{Field: "CollectionName()", Message: "an unnamed struct type needs CollectionName() or odm.In to name its collection"})
		default:
			if msg := checkCollectionName(name); msg != "" {
				problem(Problem{Field: "CollectionName()", Message: msg})
			}
		}
		return name, problems
	}
	var name string
	if err := callUser(func() { name = namer.CollectionName() }); err != nil {
		problem(Problem{Field: "CollectionName()", Message: err.Error()})
	} else if msg := checkCollectionName(name); msg != "" {
		problem(Problem{Field: "CollectionName()", Message: msg})
	}
	return name, problems
}

// structProblems turns the faults reflectx finds in t's struct types into
// problems; a field of a nested type names that type.
func structProblems(t reflect.Type, err error) []Problem {
	var rerr *reflectx.Error
	if !errors.As(err, &rerr) {
		return []Problem{{Message: err.Error()}}
	}
	out := make([]Problem, 0, len(rerr.Fields))
	for _, fe := range rerr.Fields {
		p := Problem{Field: fe.Field, Tag: fe.Tag.Get(TagKey), Message: fe.Message}
		if fe.Type != t {
			p.Message += fmt.Sprintf(" (a field of %v)", fe.Type)
		}
		out = append(out, p)
	}
	return out
}

// checkJSONOnly refuses a field with a json tag and no bson tag whose
// json name differs from the key the driver's default codec stores it
// under: a client built with UseJSONStructTags writes the json name, so
// the model's indexes and queries would name a key that client never
// writes. A bson tag says which key the collection holds.
func checkJSONOnly(t reflect.Type, st *reflectx.Struct, problem func(Problem)) {
	for _, s := range st.Types() {
		for _, f := range append(append([]reflectx.Field(nil), s.Fields...), s.Skipped...) {
			jsonTag, hasJSON := f.Tag.Lookup("json")
			if _, hasBSON := f.Tag.Lookup("bson"); hasBSON || !hasJSON || f.GoPath == "" {
				continue
			}
			name, _, _ := strings.Cut(jsonTag, ",")
			stored := f.Path
			if stored == "" || name == "" || name == stored {
				continue // unexported, or the same key either way
			}
			msg := fmt.Sprintf("json:%q and no bson tag: the driver's default codec stores this field as %q, and a client with UseJSONStructTags as %q; add a bson tag naming the key the collection holds (bson:%q or bson:%q)", jsonTag, stored, name, stored, name)
			if name == "-" {
				msg = fmt.Sprintf(`json:"-" and no bson tag: the driver's default codec stores this field as %q, and a client with UseJSONStructTags not at all; add bson:%q or bson:"-"`, stored, stored)
			}
			if s.Type != t {
				msg += fmt.Sprintf(" (a field of %v)", s.Type)
			}
			problem(Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Message: msg})
		}
	}
}

// checkSkipped refuses an odm tag on a field the codec never stores: it
// would declare an index or a rule on nothing.
func checkSkipped(t reflect.Type, st *reflectx.Struct, problem func(Problem)) {
	for _, s := range st.Types() {
		for _, f := range s.Skipped {
			tag, ok := f.Tag.Lookup(TagKey)
			if !ok || strings.TrimSpace(tag) == "" {
				continue
			}
			why := "it is unexported"
			if f.Tag.Get("bson") == "-" {
				why = `it is tagged bson:"-"`
			}
			msg := fmt.Sprintf("the driver never stores this field (%s), so its odm tag would do nothing", why)
			if s.Type != t {
				msg += fmt.Sprintf(" (a field of %v)", s.Type)
			}
			problem(Problem{Field: f.GoPath, Tag: tag, Message: msg})
		}
		for _, f := range s.Skipped {
			if _, ok := f.Tag.Lookup(TagKey); ok {
				continue // reported above
			}
			inner, ok := typeDeclaresTags(f.Type, map[reflect.Type]bool{})
			if !ok {
				continue
			}
			why := "it is unexported"
			if f.Tag.Get("bson") == "-" {
				why = `it is tagged bson:"-"`
			}
			msg := fmt.Sprintf("the driver never stores this field (%s), so the odm tags of %v inside it would do nothing", why, inner)
			if s.Type != t {
				msg += fmt.Sprintf(" (a field of %v)", s.Type)
			}
			problem(Problem{Field: f.GoPath, Message: msg})
		}
	}
}

// describeCollection reads a model's collection options and validator.
func describeCollection(zero reflect.Value, st *reflectx.Struct, m *Model, problem func(Problem)) {
	if decl, ok := zero.Interface().(CodecsDeclarer); ok {
		if err := callUser(func() { m.Codecs = decl.Codecs() }); err != nil {
			problem(Problem{Field: "Codecs()", Message: err.Error()})
			return
		}
	}
	if decl, ok := zero.Interface().(CollectionOptionsDeclarer); ok {
		var o CollectionOptions
		if err := callUser(func() { o = decl.CollectionOptions() }); err != nil {
			problem(Problem{Field: "CollectionOptions()", Message: err.Error()})
			return
		}
		m.Options = &o
	}
	if decl, ok := zero.Interface().(ValidatorDeclarer); ok {
		var v Validator
		if err := callUser(func() { v = decl.Validator() }); err != nil {
			problem(Problem{Field: "Validator()", Message: err.Error()})
			return
		}
		v.Level = cmp.Or(v.Level, LevelModerate)
		v.Action = cmp.Or(v.Action, ActionWarn)
		if v.Schema == nil {
			schema, err := generateSchema(m.Type, v, m.Codecs)
			if err != nil {
				problem(Problem{Field: "Validator()", Message: "generating the schema: " + err.Error()})
				return
			}
			v.Schema = schema
		}
		m.Validator = &v
	}
	shape := &CollectionShape{Options: m.Options, Validator: m.Validator}
	for _, msg := range checkShape(shape, func(p string) bool { return pathExists(st, p) }) {
		field := "CollectionOptions()"
		if strings.HasPrefix(msg, "validation") {
			field = "Validator()"
		}
		problem(Problem{Field: field, Message: msg})
	}
}

// describeRevision finds the field tagged odm:"revision".
func describeRevision(tagged []reflectx.Field, m *Model, problem func(Problem)) {
	for _, f := range tagged {
		ft, _ := parseTag(string(f.Tag))
		if !ft.revision {
			continue
		}
		tagText := f.Tag.Get(TagKey)
		switch {
		case m.Revision != "":
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: fmt.Sprintf("a model has one revision field; %s is one already", m.Revision)})
		case strings.Contains(f.Path, "."):
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: "the revision field must be a top-level field"})
		case f.Path == "_id":
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: "the revision field cannot be _id: a document's _id never changes, and every update would bump it"})
		case f.Type.Kind() != reflect.Int64 && f.Type.Kind() != reflect.Int && f.Type != uuidType:
			problem(Problem{Field: f.GoPath, Tag: tagText, Message: fmt.Sprintf("the revision field must be an int64 or int (a counter) or an odm.UUID (Beanie's revision_id), not %v", f.Type)})
		default:
			m.Revision = f.Path
			m.RevisionIndex = f.Index
		}
	}
}

// checkRulesApply refuses validation clauses that would do nothing: on a
// model without a validator, or one whose Validator gives its own Schema.
func checkRulesApply(zero reflect.Value, tagged []reflectx.Field, problem func(Problem)) {
	decl, ok := zero.Interface().(ValidatorDeclarer)
	var explicit bool
	if ok {
		var v Validator
		if callUser(func() { v = decl.Validator() }) != nil {
			return // reported with the validator
		}
		explicit = v.Schema != nil
	}
	if ok && !explicit {
		checkRuleTypes(tagged, problem) // rules.go: the rules apply; can they hold?
		return
	}
	for _, f := range tagged {
		ft, _ := parseTag(string(f.Tag))
		if ft.rules.Empty() {
			continue
		}
		msg := "validation clauses (required, enum, pattern, min, max) apply to a generated validator, " +
			"and the model declares none (no Validator() method): they would do nothing"
		if explicit {
			msg = "validation clauses (required, enum, pattern, min, max) apply to a generated schema, " +
				"and Validator() gives its own Schema: they would do nothing"
		}
		problem(Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Message: msg})
	}
}

// callUser runs a method the user wrote, turning a panic into an error.
func callUser(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	f()
	return nil
}

func checkCollectionName(name string) string {
	switch {
	case name == "":
		return "collection name is empty"
	case strings.ContainsAny(name, "$\x00"):
		return fmt.Sprintf("collection name %q contains '$' or a NUL byte", name)
	case strings.HasPrefix(name, "system."):
		return fmt.Sprintf("collection name %q is reserved (system.)", name)
	case strings.HasPrefix(name, "."):
		return fmt.Sprintf("collection name %q starts with '.', which MongoDB refuses (InvalidNamespace 73)", name)
	case len(name) > maxNamespaceBytes-2:
		return fmt.Sprintf("collection name is %d bytes: with a database name and its '.', the namespace would exceed MongoDB's %d bytes", len(name), maxNamespaceBytes)
	}
	return ""
}

// snakeCase turns a Go type name into snake_case: "UserSettings" ->
// "user_settings", "DLQMessage" -> "dlq_message".
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if i > 0 && (prevLower || (nextLower && unicode.IsUpper(r[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// member is one field's part in a tag-declared index.
type member struct {
	Field  reflectx.Field
	Clause indexClause
	order  int // field order, for indexes without priorities
}

// tagIndexes assembles the indexes declared in struct tags: an unnamed
// clause is a single-field index; clauses sharing a name form one index,
// compound when several fields share it.
func tagIndexes(goType string, tagged []reflectx.Field) ([]IndexSpec, []Problem) {
	var problems []Problem
	var order []string // named groups in first-seen order, unnamed as ""
	groups := map[string][]member{}
	var singles [][]member
	for i, f := range tagged {
		declared, errs := parseTag(string(f.Tag))
		tagText := f.Tag.Get(TagKey)
		for _, e := range errs {
			problems = append(problems, Problem{Field: f.GoPath, Tag: tagText, Message: e})
		}
		for _, c := range declared.Indexes {
			m := member{Field: f, Clause: c, order: i}
			if c.Name == "" {
				singles = append(singles, []member{m})
				order = append(order, "")
				continue
			}
			if _, seen := groups[c.Name]; !seen {
				order = append(order, c.Name)
			}
			groups[c.Name] = append(groups[c.Name], m)
		}
	}
	var specs []IndexSpec
	next := 0
	for _, name := range order {
		var ms []member
		if name == "" {
			ms = singles[next]
			next++
		} else {
			ms = groups[name]
		}
		s, errs := assemble(goType, name, ms)
		problems = append(problems, errs...)
		if len(errs) == 0 {
			specs = append(specs, s)
		}
	}
	return specs, problems
}

// assemble builds one index from its members' clauses.
func assemble(goType, name string, ms []member) (IndexSpec, []Problem) {
	var problems []Problem
	fail := func(m member, format string, args ...any) {
		problems = append(problems, Problem{Field: m.Field.GoPath, Tag: m.Field.Tag.Get(TagKey), Index: name, Message: fmt.Sprintf(format, args...)})
	}
	withPriority := 0
	for _, m := range ms {
		if m.Clause.priority != nil {
			withPriority++
		}
	}
	if len(ms) > 1 && withPriority != 0 && withPriority != len(ms) {
		for _, m := range ms {
			if m.Clause.priority == nil {
				fail(m, "index %q is compound: give every member a priority, or none (field order)", name)
			}
		}
		return IndexSpec{}, problems
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if withPriority == len(ms) {
			return *ms[i].Clause.priority < *ms[j].Clause.priority
		}
		return ms[i].order < ms[j].order
	})
	s := IndexSpec{Name: name}
	first := ms[0]
	s.origin = origin{goType: goType, field: first.Field.GoPath, tag: first.Field.Tag.Get(TagKey)}
	for i, m := range ms {
		c := m.Clause
		if i > 0 && withPriority == len(ms) && *c.priority == *ms[i-1].Clause.priority {
			fail(m, "index %q: priority %d is given twice (fields %s and %s)", name, *c.priority, ms[i-1].Field.GoPath, m.Field.GoPath)
		}
		if i > 0 && m.Field.Path == ms[i-1].Field.Path {
			fail(m, "index %q names field %s twice", name, m.Field.Path)
		}
		s.Keys = append(s.Keys, IndexKey{Field: m.Field.Path, Type: c.keyType})
		s.Unique = s.Unique || c.unique
		s.Sparse = s.Sparse || c.sparse
		s.Hidden = s.Hidden || c.hidden
		if c.ttl != nil {
			if s.ExpireAfter != nil && *s.ExpireAfter != *c.ttl {
				fail(m, "index %q: two different TTLs (%v and %v)", name, *s.ExpireAfter, *c.ttl)
			}
			s.ExpireAfter = c.ttl
		}
		if c.weight != nil {
			if s.Weights == nil {
				s.Weights = map[string]int32{}
			}
			s.Weights[m.Field.Path] = *c.weight
		}
	}
	return s, problems
}
