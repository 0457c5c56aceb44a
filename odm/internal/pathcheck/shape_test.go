package pathcheck

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
)

type shapeDoc struct {
	Status string `bson:"status"`
	Tags   []string
	hidden string
}

// ownDocument has a Document method of its own, unlike query's typed
// documents: it is read through its BSON form, as the driver sends it.
type ownDocument struct {
	Stauts string `bson:"stauts"`
}

func (ownDocument) Document() (bson.D, error) { return nil, errors.New("never called") }

func checked(t *testing.T, write func(w *ShapeWriter)) *query.PathError {
	t.Helper()
	pc, err := For(&schema.Model{Type: reflect.TypeFor[shapeDoc](), Collection: "shape_docs"})
	require.NoError(t, err)
	w := &ShapeWriter{}
	write(w)
	return pc.Check(w)
}

// query's Filter, Sort and Update are read through their Document
// method, so that a failed field reference is refused with its own
// reason; another type's Document method is not theirs to trust.
func TestTypedDocumentsReadThroughDocument(t *testing.T) {
	status := query.F(func(d *shapeDoc) *string { return &d.Status })
	assert.Nil(t, checked(t, func(w *ShapeWriter) { w.Filter(query.Eq(status, "open"), "") }))
	assert.Nil(t, checked(t, func(w *ShapeWriter) { w.Sort(query.SortBy(query.ByDesc(status))) }))

	hidden := query.F(func(d *shapeDoc) *string { return &d.hidden })
	require.Error(t, hidden.Err())
	pe := checked(t, func(w *ShapeWriter) { w.Filter(query.Eq(hidden, "x"), "") })
	require.NotNil(t, pe)
	assert.Equal(t, "filter", pe.Part)
	assert.Equal(t, odmerr.Inner(hidden.Err()).Error(), pe.Problem, "the field reference's own reason, not a marshalling error")

	pe = checked(t, func(w *ShapeWriter) { w.Filter(ownDocument{Stauts: "open"}, "") })
	require.NotNil(t, pe, "the BSON form's key is checked, not the Document method's error")
	assert.Equal(t, "stauts", pe.Path)
	assert.Equal(t, "status", pe.Nearest)
}
