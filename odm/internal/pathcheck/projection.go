package pathcheck

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"go.mongodb.org/mongo-driver/v2/bson"
)

var projections sync.Map // [2]reflect.Type{R, T} -> bson.D or error

// ProjectionOf checks R's fields against T's paths and returns the
// projection of R's top-level fields.
func ProjectionOf(r, t reflect.Type) (bson.D, error) {
	key := [2]reflect.Type{r, t}
	if v, ok := projections.Load(key); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(bson.D), nil
	}
	proj, err := buildProjection(r, t)
	if err != nil {
		projections.Store(key, err)
		return nil, err
	}
	projections.Store(key, proj)
	return proj, nil
}

func buildProjection(r, t reflect.Type) (bson.D, error) {
	rs, err := reflectx.Describe(r)
	if err != nil {
		return nil, fmt.Errorf("odm: projection type %v: %w", r, err)
	}
	ts, err := reflectx.Describe(t)
	if err != nil {
		return nil, fmt.Errorf("odm: projection type %v of %v: %w", r, t, err)
	}
	if rs.Open {
		return nil, fmt.Errorf("odm: projection type %v has an \",inline\" map, which would ask for every field of %v; read into %v instead", r, t, t)
	}
	if len(rs.Fields) == 0 {
		return nil, fmt.Errorf("odm: projection type %v has no stored field to read from %v", r, t)
	}
	pc := &Checker{St: ts, GoType: t.String()}
	var check func(s *reflectx.Struct, prefix string, seen map[*reflectx.Struct]bool) error
	check = func(s *reflectx.Struct, prefix string, seen map[*reflectx.Struct]bool) error {
		if seen[s] {
			return nil
		}
		seen[s] = true
		defer delete(seen, s)
		for _, f := range s.Fields {
			path := querydoc.JoinPath(prefix, f.Path)
			if pe := pc.CheckPath(partProjection, path); pe != nil {
				pe.Part = "projection type"
				pe.Problem += fmt.Sprintf(" (field %s of %v)", f.GoPath, r)
				return pe
			}
			if f.Struct != nil && !f.Open {
				if err := check(f.Struct, path, seen); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := check(rs, "", map[*reflectx.Struct]bool{}); err != nil {
		return nil, err
	}
	proj := bson.D{}
	hasID := false
	for _, f := range rs.Fields {
		proj = append(proj, bson.E{Key: f.Path, Value: 1})
		hasID = hasID || f.Path == "_id"
	}
	if !hasID {
		proj = append(proj, bson.E{Key: "_id", Value: 0})
	}
	return proj, nil
}
