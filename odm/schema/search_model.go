package schema

import (
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/internal/reflectx"
)

// describeSearch reads a model's search indexes: the vector indexes its
// tags declare (fields sharing an index name form one index), then
// SearchIndexes(). Tag syntax errors are reported by tagIndexes, which
// parses the same tags.
func describeSearch(zero reflect.Value, st *reflectx.Struct, tagged []reflectx.Field, m *Model, problem func(Problem)) {
	specs := tagSearchIndexes(m.Type.String(), st, tagged, problem)
	if decl, ok := zero.Interface().(SearchIndexDeclarer); ok {
		var declared []SearchIndexSpec
		if err := callUser(func() { declared = decl.SearchIndexes() }); err != nil {
			problem(Problem{Field: "SearchIndexes()", Message: err.Error()})
		}
		for i, s := range declared {
			s.origin = origin{goType: m.Type.String(), field: fmt.Sprintf("SearchIndexes()[%d]", i)}
			specs = append(specs, s)
		}
	}
	ok := true
	for _, s := range specs {
		for _, msg := range checkSearchSpec(s, st) {
			ok = false
			problem(Problem{Field: s.origin.field, Tag: s.origin.tag, Index: s.IndexName(), Message: msg})
		}
	}
	for _, p := range checkSearchCollection(m.Collection, specs) {
		ok = false
		problem(p)
	}
	if ok {
		m.SearchIndexes = specs
	}
}

// tagSearchIndexes assembles the vector indexes declared in tags, in the
// order their names are first seen.
func tagSearchIndexes(goType string, st *reflectx.Struct, tagged []reflectx.Field, problem func(Problem)) []SearchIndexSpec {
	var order []string
	byName := map[string]*SearchIndexSpec{}
	for _, f := range tagged {
		ft, _ := parseTag(string(f.Tag))
		for _, c := range ft.Search {
			name := c.Index
			if name == "" {
				name = DefaultVectorIndexName
			}
			s := byName[name]
			if s == nil {
				s = &SearchIndexSpec{Name: name, Type: VectorSearch,
					origin: origin{goType: goType, field: f.GoPath, tag: f.Tag.Get(TagKey)}}
				byName[name] = s
				order = append(order, name)
			}
			if c.Filter {
				if msg := filterType(f.Type); msg != "" {
					problem(Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Index: name, Message: fmt.Sprintf("filter %s: %s", f.Path, msg)})
				}
				s.Filters = append(s.Filters, f.Path)
				continue
			}
			v := VectorField{Path: f.Path, Dimensions: c.Dims, Similarity: c.Similarity, Quantization: c.Quantization}
			for _, msg := range checkVectorField(v, st, false) {
				problem(Problem{Field: f.GoPath, Tag: f.Tag.Get(TagKey), Index: name, Message: msg})
			}
			s.Vectors = append(s.Vectors, v)
		}
	}
	out := make([]SearchIndexSpec, 0, len(order))
	for _, name := range order {
		s := *byName[name]
		if len(s.Vectors) == 0 {
			problem(Problem{Field: s.origin.field, Tag: s.origin.tag, Index: name,
				Message: fmt.Sprintf("vector index %q has filter fields but no vector field (tag one field vector:DIMS,SIMILARITY)", name)})
			continue
		}
		out = append(out, s)
	}
	return out
}
