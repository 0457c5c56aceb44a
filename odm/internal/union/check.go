package union

import (
	"fmt"
	"strings"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/pathcheck"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/internal/recording"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Check checks the paths of a union's query (its filter, sort and
// projection) against every variant's fields, and returns the filter to
// send: a nil filter is every document. The error names the union.
func (t *Table) Check(op, collection string, filter any, parts pathcheck.Parts) (any, error) {
	if querydoc.IsNil(filter) {
		filter = bson.D{}
	}
	pc, err := pathcheck.For(t.Merged)
	if err != nil {
		return nil, fmt.Errorf("odm: %s on %s: %w", op, collection, odmerr.Inner(err))
	}
	w := pathcheck.ShapeBuffers.Get().(*pathcheck.ShapeWriter)
	w.Buf, w.Err = w.Buf[:0], nil
	w.Filter(filter, "")
	if parts.Sort != nil {
		w.Sort(parts.Sort)
	}
	if parts.Projection != nil {
		w.Projection(parts.Projection, "")
	}
	pe := pc.Check(w)
	pathcheck.ShapeBuffers.Put(w)
	if pe == nil {
		if record := recording.Active(); record != nil {
			record(recording.Query{Model: t.Merged, Collection: collection, Op: op, Filter: filter, Sort: parts.Sort, Collation: parts.Collation})
		}
		return filter, nil
	}
	out := *pe
	out.Op, out.Collection, out.GoType = op, collection, t.Name
	out.Problem = strings.ReplaceAll(out.Problem, pc.GoType, t.Name) // the merged type is the union's
	return nil, &out
}
