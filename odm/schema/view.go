package schema

import (
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/odm/internal/views"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// View is a read-only view a model declares (ViewDeclarer): the model's
// collection name names the view, whose documents are what Pipeline
// makes of Source's. Init creates it with create {viewOn, pipeline} and
// changes it in place with collMod; a repository of the model only reads.
type View struct {
	// Source is the collection or view the view reads from. It need not
	// be declared (another service's collection), and cannot be the view.
	Source string
	// Pipeline is the aggregation pipeline: a []bson.D, a mongo.Pipeline
	// or a bson.A of stage documents, each with one key ($match,
	// $project, ...). nil shows every document of Source.
	Pipeline any
	// Collation is the view's default collation; nil for the simple one.
	// It is set at creation only (collMod cannot change it).
	Collation *options.Collation
}

// ViewDeclarer is implemented by models that declare a view rather than
// a collection. View is called on the zero value. A view has no indexes,
// collection options, validator, search indexes or shard key of its own:
// a model that declares one of them and a view is refused.
type ViewDeclarer interface {
	View() View
}

// Document is the view's definition as create takes it and
// listCollections lists it: viewOn, pipeline and, when declared,
// collation.
func (v *View) Document() bson.D {
	p, _ := views.Pipeline(v.Pipeline) // checked when the model was described
	d := bson.D{{Key: "viewOn", Value: v.Source}, {Key: "pipeline", Value: p}}
	if v.Collation != nil {
		d = append(d, bson.E{Key: "collation", Value: collationDocument(v.Collation)})
	}
	return d
}

// describeView reads a model's view and refuses what a view cannot
// have; it runs after the other declarations are read.
func describeView(zero reflect.Value, m *Model, problem func(Problem)) {
	decl, ok := zero.Interface().(ViewDeclarer)
	if !ok {
		return
	}
	var v View
	if err := callUser(func() { v = decl.View() }); err != nil {
		problem(Problem{Field: "View()", Message: err.Error()})
		return
	}
	m.View = &v
	add := func(format string, args ...any) {
		problem(Problem{Field: "View()", Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case v.Source == "":
		add("the view's Source is empty: name the collection or view it reads from")
	case v.Source == m.Collection:
		add("the view %q reads from itself; its Source must be another collection or view", v.Source)
	case checkCollectionName(v.Source) != "":
		add("the view's Source: %s", checkCollectionName(v.Source))
	}
	if _, err := views.Pipeline(v.Pipeline); err != nil {
		add("%v", err)
	}
	if v.Collation != nil && v.Collation.Locale == "" {
		add("the view's collation needs a locale")
	}
	for _, c := range []struct {
		what string
		has  bool
	}{
		{"indexes", len(m.Indexes) > 0}, {"collection options (CollectionOptions())", m.Options != nil},
		{"a validator (Validator())", m.Validator != nil}, {"search indexes", len(m.SearchIndexes) > 0},
		{"a shard key", m.ShardKey != nil},
	} {
		if c.has {
			add("the model declares a view and %s; MongoDB refuses them on a view (declare them on the view's source, %s)", c.what, v.Source)
		}
	}
}

// mergeView sets the collection's view from a model, refusing a view and
// a collection, or two different views, declared under one name.
func mergeView(c *Declared, m *Model) []Problem {
	if len(c.types) == 1 {
		c.View = m.View
		return nil
	}
	same := c.View == nil && m.View == nil ||
		c.View != nil && m.View != nil && mustEqualDocs(c.View.Document(), m.View.Document())
	if same {
		return nil
	}
	return []Problem{{GoType: m.Type.String(), Field: "View()", Collection: c.Collection,
		Message: fmt.Sprintf("the models of %s do not agree on its view (%s declares another view, or none): a name is either one view or a collection", c.Collection, c.types[0])}}
}

// mustEqualDocs reports two documents equal as BSON.
func mustEqualDocs(a, b bson.D) bool {
	return string(mustMarshal(a)) == string(mustMarshal(b))
}

// ApplyOrder is the positions of cols in waves, in the order Init
// applies them: the collections and the views of sources not declared
// here first, all at once, then each view after the declared collections
// and views it reads from. A ring of views, which Collect refuses, comes
// last.
func ApplyOrder(cols []*Declared) [][]int {
	w, _ := viewWaves(cols)
	return w
}

func viewWaves(cols []*Declared) ([][]int, []string) {
	names, sources := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		if names[i] = c.Collection; c.View != nil {
			sources[i] = c.View.Source
		}
	}
	return views.Waves(names, sources)
}

// checkViewCycles refuses views that read from one another in a ring.
func checkViewCycles(cols []*Declared) []Problem {
	if _, cycle := viewWaves(cols); len(cycle) > 0 {
		return []Problem{{Collection: cycle[0], Field: "View()",
			Message: fmt.Sprintf("the views %v read from one another in a ring: none could be created first", cycle)}}
	}
	return nil
}
