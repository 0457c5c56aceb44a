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
	var out []string
	for _, f := range s.Fields {
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
