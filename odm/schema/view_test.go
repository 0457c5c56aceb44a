package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/odm/internal/modelcache"
	"github.com/tagodm/tagodm/odm/schema"
)

// A view model for each problem a view declaration can have; the
// running case's view is viewDecl.
var viewDecl schema.View

type plainView struct {
	Name string `bson:"name"`
}

func (plainView) CollectionName() string { return "plain_view" }
func (plainView) View() schema.View      { return viewDecl }

type indexedView struct {
	Name string `bson:"name" odm:"index"`
}

func (indexedView) View() schema.View { return schema.View{Source: "users"} }

type optionedView struct{ Name string }

func (optionedView) View() schema.View { return schema.View{Source: "users"} }
func (optionedView) CollectionOptions() schema.CollectionOptions {
	return schema.CollectionOptions{ChangeStreamPreAndPostImages: true}
}

type validatedView struct {
	Name string `bson:"name"`
}

func (validatedView) View() schema.View           { return schema.View{Source: "users"} }
func (validatedView) Validator() schema.Validator { return schema.Validator{} }

type shardedView struct {
	Name string `bson:"name" odm:"shard"`
}

func (shardedView) View() schema.View { return schema.View{Source: "users"} }

type panickyView struct{}

func (panickyView) View() schema.View { panic("no view") }

type ringA struct{}

func (ringA) CollectionName() string { return "ring_a" }
func (ringA) View() schema.View      { return schema.View{Source: "ring_b"} }

type ringB struct{}

func (ringB) CollectionName() string { return "ring_b" }
func (ringB) View() schema.View      { return schema.View{Source: "ring_a"} }

type plainCollection struct{}

func (plainCollection) CollectionName() string { return "plain_view" }

// TestViewValidation: each problem of a view declaration is refused,
// naming the Go type, View() and the problem; a source nobody declares
// is fine.
func TestViewValidation(t *testing.T) {
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "a", Value: 1}}}}
	cases := []struct {
		view schema.View
		want string // "" for no problem
	}{
		{schema.View{Source: "users", Pipeline: []bson.D{match}}, ""},
		{schema.View{Source: "users"}, ""},
		{schema.View{Source: "", Pipeline: []bson.D{match}}, "Source is empty"},
		{schema.View{Source: "plain_view"}, "reads from itself"},
		{schema.View{Source: "system.views"}, "reserved"},
		{schema.View{Source: "users", Pipeline: match}, "not an array of stages"},
		{schema.View{Source: "users", Pipeline: []bson.D{{{Key: "$match", Value: 1}, {Key: "$limit", Value: 2}}}}, "stage 0 has 2 keys"},
		{schema.View{Source: "users", Pipeline: bson.A{bson.D{{Key: "match", Value: 1}}}}, `stage 0 is named "match"`},
		{schema.View{Source: "users", Pipeline: []bson.D{{{Key: "$out", Value: "x"}}}}, "cannot write"},
		{schema.View{Source: "users", Collation: &options.Collation{}}, "collation needs a locale"},
	}
	for _, c := range cases {
		viewDecl = c.view
		modelcache.Clear()
		m, err := schema.Describe(plainView{})
		if c.want == "" {
			require.NoError(t, err, "%+v", c.view)
			require.NotNil(t, m.View)
			continue
		}
		require.Error(t, err, c.want)
		assert.Contains(t, err.Error(), c.want)
		assert.Contains(t, err.Error(), "plainView.View()")
	}
	for model, want := range map[any]string{
		indexedView{}:   "a view and indexes",
		optionedView{}:  "a view and collection options",
		validatedView{}: "a view and a validator",
		shardedView{}:   "a view and a shard key",
		panickyView{}:   "panicked: no view",
	} {
		_, err := schema.Describe(model)
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
	}
}

// TestViewCollect: a ring of views, and a view and a collection under
// one name, are refused; a view's declaration reaches the collection.
func TestViewCollect(t *testing.T) {
	_, err := schema.Collect([]any{ringA{}, ringB{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read from one another in a ring")

	viewDecl = schema.View{Source: "users"}
	modelcache.Clear()
	_, err = schema.Collect([]any{plainView{}, plainCollection{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "do not agree on its view")

	cols, err := schema.Collect([]any{plainView{}})
	require.NoError(t, err)
	require.Len(t, cols, 1)
	require.NotNil(t, cols[0].View)
	doc := cols[0].View.Document()
	assert.Equal(t, "viewOn", doc[0].Key)
	assert.Equal(t, "users", doc[0].Value)
	assert.Equal(t, "pipeline", doc[1].Key)
	assert.Len(t, schema.ApplyOrder(cols), 1)
}
