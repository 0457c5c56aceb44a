package reflectx

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

type Meta struct {
	UserID string `bson:"user_id"`
	Note   string `bson:"-"`
}

type Base struct {
	ID      bson.ObjectID `bson:"_id"`
	Created time.Time     `bson:"created_at"`
}

type Plain struct {
	Shadow string
}

type Item struct {
	SKU  string `bson:"sku"`
	Meta *Meta  `bson:"meta"`
}

type Doc struct {
	Base    `bson:",inline"`
	Plain                     // embedded without inline: a subdocument named "plain"
	Name    string            `bson:"name,omitempty"`
	Skip    string            `bson:"-"`
	Lower   int               // no tag: lowercased name
	Meta    Meta              `bson:"metadata"`
	MetaPtr *Meta             `bson:"meta_ptr"`
	Items   []Item            `bson:"items"`
	Tags    []string          `bson:"tags"`
	Attrs   map[string]string `bson:"attrs"`
	Any     any               `bson:"any"`
	Raw     bson.D            `bson:"raw"`
	Blob    []byte            `bson:"blob"`
	When    time.Time         `bson:"when"`
	hidden  string            // unexported: not stored
}

// A value with the unexported field set: the codec skips it, and so must
// the walk (TestLookup checks "hidden" is no path).
var _ = Doc{hidden: "x"}

func paths(s *Struct) []string {
	fields, err := s.Walk(func(Field) bool { return true }, 1<<20)
	if err != nil {
		panic(err)
	}
	var out []string
	for _, f := range fields {
		out = append(out, f.Path)
	}
	return out
}

func TestDescribePaths(t *testing.T) {
	s, err := Describe(reflect.TypeFor[Doc]())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"_id", "created_at",
		"plain", "plain.shadow",
		"name", "lower",
		"metadata", "metadata.user_id",
		"meta_ptr", "meta_ptr.user_id",
		"items", "items.sku", "items.meta", "items.meta.user_id",
		"tags", "attrs", "any", "raw", "blob", "when",
	}, paths(s))

	f, ok := s.Field("metadata.user_id")
	require.True(t, ok)
	assert.Equal(t, "Meta.UserID", f.GoPath)
	f, _ = s.Field("created_at")
	assert.Equal(t, "Base.Created", f.GoPath)
	f, _ = s.Field("name")
	assert.True(t, f.OmitEmpty)
}

func TestLookup(t *testing.T) {
	s, err := Describe(reflect.TypeFor[*Doc]())
	require.NoError(t, err)
	for path, want := range map[string]bool{
		"_id": true, "name": true, "metadata.user_id": true, "items.meta.user_id": true,
		"attrs.anything": true, "any.deep.path": true, "raw.x": true, // open fields
		"metadata.note": false, "skip": false, "nosuch": false, "hidden": false,
		"metadata.user_id.x": false, "when.x": false, "Name": false,
	} {
		assert.Equal(t, want, s.Lookup(path), path)
	}
}

type WithInlineMap struct {
	A     string         `bson:"a"`
	Extra map[string]any `bson:",inline"`
}

func TestInlineMapOpensTopLevel(t *testing.T) {
	s, err := Describe(reflect.TypeFor[WithInlineMap]())
	require.NoError(t, err)
	assert.True(t, s.Open)
	assert.True(t, s.Lookup("pod_name"))
	assert.False(t, s.Lookup("pod.name"), "an inline map holds top-level keys only")
}

type inlineNested struct {
	ID    bson.ObjectID   `bson:"_id"`
	Inner WithInlineMap   `bson:"inner"`
	Items []WithInlineMap `bson:"items"`
	Rest  bson.M          `bson:",inline"`
}

// TestResolveInline: a key only an ",inline" map holds resolves, and says
// so with where it stands; a declared field, _id and a key below an open
// value do not.
func TestResolveInline(t *testing.T) {
	s, err := Describe(reflect.TypeFor[inlineNested]())
	require.NoError(t, err)
	inner, err := Describe(reflect.TypeFor[WithInlineMap]())
	require.NoError(t, err)
	tests := []struct {
		path        string
		inline      bool
		prefix, key string
		in          *Struct
	}{
		{path: "inner.a"},
		{path: "_id"},
		{path: "items.0.a"},
		{path: "pod_name", inline: true, key: "pod_name", in: s},
		{path: "pod_name.below.it", inline: true, key: "pod_name", in: s},
		{path: "inner.pod_name", inline: true, prefix: "inner", key: "pod_name", in: inner},
		{path: "items.3.x", inline: true, prefix: "items.3", key: "x", in: inner},
	}
	for _, tt := range tests {
		r := s.Resolve(tt.path, false)
		assert.True(t, r.OK, tt.path)
		assert.Equal(t, tt.inline, r.Inline, tt.path)
		if tt.inline {
			assert.Equal(t, tt.prefix, r.Prefix, tt.path)
			assert.Equal(t, tt.key, r.Key, tt.path)
			assert.Same(t, tt.in, r.In, tt.path)
		}
	}
}

type Node struct {
	Name     string  `bson:"name"`
	Children []*Node `bson:"children"`
	Parent   *Node   `bson:"parent"`
}

func TestRecursiveTypesTerminate(t *testing.T) {
	s, err := Describe(reflect.TypeFor[Node]())
	require.NoError(t, err)
	assert.Equal(t, []string{"name", "children", "parent"}, paths(s))
}

type Outer struct {
	Inner `bson:",inline"`
	Name  string `bson:"name"` // shadows Inner.Name, as in Go and the bson codec
}

type Inner struct {
	Name  string `bson:"name"`
	Other string `bson:"other"`
}

func TestShallowerFieldWins(t *testing.T) {
	s, err := Describe(reflect.TypeFor[Outer]())
	require.NoError(t, err)
	f, ok := s.Field("name")
	require.True(t, ok)
	assert.Equal(t, "Name", f.GoPath)
	assert.ElementsMatch(t, []string{"name", "other"}, paths(s))
}

// TestWholeTagIsBSONName: a tag with no key at all is the bson tag, as
// the driver reads it (built at run time, as vet refuses the literal).
func TestWholeTagIsBSONName(t *testing.T) {
	typ := reflect.StructOf([]reflect.StructField{{Name: "Short", Type: reflect.TypeFor[string](), Tag: "short"}})
	s, err := Describe(typ)
	require.NoError(t, err)
	assert.Equal(t, []string{"short"}, paths(s))
}

type BadInline struct {
	N int `bson:",inline"`
}

func TestErrors(t *testing.T) {
	_, err := Describe(reflect.TypeFor[int]())
	assert.ErrorContains(t, err, "not a struct")
	_, err = Describe(nil)
	assert.Error(t, err)
	_, err = Describe(reflect.TypeFor[BadInline]())
	assert.ErrorContains(t, err, "inline needs a struct")
}

func TestCachedPerType(t *testing.T) {
	a, err := Describe(reflect.TypeFor[Doc]())
	require.NoError(t, err)
	b, err := Describe(reflect.TypeFor[*Doc]())
	require.NoError(t, err)
	assert.Same(t, a, b)
}

// TestMatchesBSONCodec: the paths agree with what the driver writes.
func TestMatchesBSONCodec(t *testing.T) {
	raw, err := bson.Marshal(Doc{Name: "n", MetaPtr: &Meta{}, Items: []Item{{Meta: &Meta{}}}})
	require.NoError(t, err)
	s, err := Describe(reflect.TypeFor[Doc]())
	require.NoError(t, err)
	var walk func(prefix string, d bson.Raw)
	walk = func(prefix string, d bson.Raw) {
		elems, err := d.Elements()
		require.NoError(t, err)
		for _, e := range elems {
			p := prefix + e.Key()
			assert.True(t, s.Lookup(p), "the codec wrote %s", p)
			switch e.Value().Type {
			case bson.TypeEmbeddedDocument:
				walk(p+".", e.Value().Document())
			case bson.TypeArray:
				vals, _ := e.Value().Array().Values()
				for _, v := range vals {
					if v.Type == bson.TypeEmbeddedDocument {
						walk(p+".", v.Document())
					}
				}
			}
		}
	}
	walk("", raw)
}

type Ping struct {
	Name string `bson:"name"`
	Pong *Pong  `bson:"pong"`
}

type Pong struct {
	Pings []Ping          `bson:"pings"`
	Bys   map[string]Ping `bson:"bys"`
}

// TestRecursiveTypesResolveAtAnyDepth: paths through a recursive type
// resolve at any depth, as the codec can write them, and each type is
// described once.
func TestRecursiveTypesResolveAtAnyDepth(t *testing.T) {
	node, err := Describe(reflect.TypeFor[Node]())
	require.NoError(t, err)
	ping, err := Describe(reflect.TypeFor[Ping]())
	require.NoError(t, err)
	tests := []struct {
		s    *Struct
		path string
		want bool
	}{
		{node, "children.children.children.name", true},
		{node, "parent.children.parent.name", true},
		{node, "children.parent.nosuch", false},
		{ping, "pong.pings.pong.pings.name", true},
		{ping, "pong.bys.anything.at.all", true},
		{ping, "pong.name", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.Lookup(tt.path), tt.path)
	}
	assert.Len(t, node.Types(), 1)
	assert.Len(t, ping.Types(), 2)
	assert.Equal(t, []string{"name", "pong", "pong.pings", "pong.bys"}, paths(ping), "a walk does not enter a type from within itself")
}

// chain builds levels struct types, each with width fields of the next,
// the innermost holding one string field carrying leafTag.
func chain(levels, width int, leafTag reflect.StructTag) reflect.Type {
	typ := reflect.StructOf([]reflect.StructField{{Name: "Leaf", Type: reflect.TypeFor[string](), Tag: leafTag}})
	for range levels {
		fields := make([]reflect.StructField, width)
		for i := range fields {
			fields[i] = reflect.StructField{Name: "F" + string(rune('A'+i)), Type: typ}
		}
		typ = reflect.StructOf(fields)
	}
	return typ
}

// TestRepeatedTypesCostTypesNotPaths: 2^16 paths through 17 types are
// described as 17 types; a walk of every tagged path stops at its limit.
func TestRepeatedTypesCostTypesNotPaths(t *testing.T) {
	s, err := Describe(chain(16, 2, `odm:"index"`))
	require.NoError(t, err)
	assert.Len(t, s.Types(), 17)
	deep := "fa.fb.fa.fb.fa.fb.fa.fb.fa.fb.fa.fb.fa.fb.fa.fb.leaf"
	assert.True(t, s.Lookup(deep))
	f, ok := s.Field(deep)
	require.True(t, ok)
	assert.Equal(t, "FA.FB.FA.FB.FA.FB.FA.FB.FA.FB.FA.FB.FA.FB.FA.FB.Leaf", f.GoPath)
	assert.Len(t, f.Index, 17)
	tagged := func(f Field) bool { return f.Tag != "" }
	found, err := s.Walk(tagged, 1000)
	assert.ErrorIs(t, err, ErrTooMany)
	assert.Len(t, found, 1000)
	untagged, err := Describe(chain(16, 2, ""))
	require.NoError(t, err)
	found, err = untagged.Walk(tagged, 1000)
	assert.NoError(t, err)
	assert.Empty(t, found)
}

// TestFieldIndexStopsAtSlices: a field's index sequence leads from the
// described struct through fields and pointers, not through slices.
func TestFieldIndexStopsAtSlices(t *testing.T) {
	s, err := Describe(reflect.TypeFor[Doc]())
	require.NoError(t, err)
	for path, want := range map[string][]int{
		"metadata.user_id":   {5, 0},
		"meta_ptr.user_id":   {6, 0},
		"_id":                {0, 0},
		"items.sku":          nil,
		"items.meta.user_id": nil,
	} {
		f, ok := s.Field(path)
		require.True(t, ok, path)
		assert.Equal(t, want, f.Index, path)
	}
}

type dupNames struct {
	A string `bson:"x"`
	B string `bson:"x"`
}
type dottedName struct {
	A string `bson:"a.b"`
}
type dollarName struct {
	A string `bson:"$a"`
}
type inlineSelf struct {
	Name string      `bson:"name"`
	Self *inlineSelf `bson:",inline"`
}
type nestedBad struct {
	Inner dupNames `bson:"inner"`
}

// TestFieldErrors: fields the codec refuses, or whose paths would be
// ambiguous, are errors naming the type and the field.
func TestFieldErrors(t *testing.T) {
	tests := []struct {
		typ   reflect.Type
		owner reflect.Type
		field string
		msg   string
	}{
		{reflect.TypeFor[dupNames](), reflect.TypeFor[dupNames](), "B", `two fields have the bson name "x" (and A)`},
		{reflect.TypeFor[dottedName](), reflect.TypeFor[dottedName](), "A", `contains '.'`},
		{reflect.TypeFor[dollarName](), reflect.TypeFor[dollarName](), "A", `starts with '$'`},
		{reflect.TypeFor[inlineSelf](), reflect.TypeFor[inlineSelf](), "Self", "contains itself"},
		{reflect.TypeFor[nestedBad](), reflect.TypeFor[dupNames](), "B", `bson name "x"`},
		{reflect.TypeFor[BadInline](), reflect.TypeFor[BadInline](), "N", "inline needs a struct"},
	}
	for _, tt := range tests {
		_, err := Describe(tt.typ)
		var rerr *Error
		require.ErrorAs(t, err, &rerr, tt.typ.String())
		require.Len(t, rerr.Fields, 1, tt.typ.String())
		fe := rerr.Fields[0]
		assert.Equal(t, tt.owner, fe.Type)
		assert.Equal(t, tt.field, fe.Field)
		assert.Contains(t, fe.Message, tt.msg)
	}
}

type withSkipped struct {
	A      string `bson:"a"`
	Gone   string `bson:"-" odm:"index"`
	hidden string `odm:"index"`
}

var _ = withSkipped{hidden: ""}

func TestSkippedFieldsAreKept(t *testing.T) {
	s, err := Describe(reflect.TypeFor[withSkipped]())
	require.NoError(t, err)
	require.Len(t, s.Skipped, 2)
	assert.Equal(t, "Gone", s.Skipped[0].GoPath)
	assert.Equal(t, "hidden", s.Skipped[1].GoPath)
	assert.Equal(t, []string{"a"}, paths(s))
}

type shadowInner struct {
	Code string `bson:"code"`
	Name string `bson:"name"`
}

type shadowOuter struct {
	Inner shadowInner `bson:",inline"`
	Code  int         `bson:"code"`
	Grid  [][]Item    `bson:"grid"`
	Items []Item      `bson:"items"`
}

// TestShadowedNestedAndChain: an inline field hidden by the outer
// struct's field of the same bson name is recorded as shadowed; a struct
// held in an array of arrays is marked Nested; Chain lists the fields a
// path passes through.
func TestShadowedNestedAndChain(t *testing.T) {
	s, err := Describe(reflect.TypeFor[shadowOuter]())
	require.NoError(t, err)
	require.Len(t, s.Shadowed, 1)
	assert.Equal(t, "Inner.Code", s.Shadowed[0].GoPath)
	assert.Equal(t, "code", s.Shadowed[0].Path)
	f, ok := s.Field("code")
	require.True(t, ok)
	assert.Equal(t, "Code", f.GoPath, "the outer field is the stored one")

	grid, _ := s.Field("grid")
	items, _ := s.Field("items")
	assert.True(t, grid.Nested)
	assert.False(t, items.Nested)

	chain, ok := s.Chain("grid.meta.user_id")
	require.True(t, ok)
	require.Len(t, chain, 3)
	assert.Equal(t, []string{"grid", "meta", "user_id"}, []string{chain[0].Path, chain[1].Path, chain[2].Path})
	_, ok = s.Chain("grid.nosuch")
	assert.False(t, ok)
}
