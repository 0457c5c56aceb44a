package pathcheck

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/tagodm/tagodm/internal/reflectx"
	"github.com/tagodm/tagodm/internal/spell"
	"github.com/tagodm/tagodm/odm/internal/querydoc"
	"github.com/tagodm/tagodm/odm/query"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Part kinds in a shape: each path of a shape is written as its kind byte,
// its length and its bytes (ShapeWriter.add).
const (
	partFilter     = 'f'
	partSort       = 's'
	partProjection = 'p'
	partUpdate     = 'u'
	partField      = 'd'
	// The paths of a filter inside a projection ($elemMatch) or an update
	// ($pull): read as a filter's, named as the part they are in.
	partProjectionFilter = 'P'
	partUpdateFilter     = 'U'
)

func partName(kind byte) string {
	switch kind {
	case partFilter:
		return "filter"
	case partSort:
		return "sort"
	case partProjection, partProjectionFilter:
		return "projection"
	case partUpdate, partUpdateFilter:
		return "update"
	}
	return "field"
}

// maxShapes bounds the shapes a model's checker remembers; beyond it,
// shapes are checked every time (a service whose keys come from data, on
// an open model, would otherwise grow the cache without end).
const maxShapes = 4096

// Checker checks the paths of one model type, remembering the answer
// for every query shape it has seen.
type Checker struct {
	St      *reflectx.Struct
	GoType  string
	outside []string // the model's ExtraPaths, and keys of its indexes declared OutsideStruct
	// strict: the model declares ExtraPaths, so a key its ",inline" maps
	// hold passes only when outside names it.
	strict bool

	Mu     sync.RWMutex
	Shapes map[string]*query.PathError // nil: every path of the shape resolves
}

var checkers sync.Map // reflect.Type -> *Checker

// For returns the checker of model m's struct type.
func For(m *schema.Model) (*Checker, error) {
	if pc, ok := checkers.Load(m.Type); ok {
		return pc.(*Checker), nil
	}
	st, err := reflectx.Describe(m.Type)
	if err != nil {
		return nil, err
	}
	pc := &Checker{St: st, GoType: m.Type.String(), Shapes: map[string]*query.PathError{}}
	for _, ix := range m.Indexes {
		if ix.OutsideStruct {
			for _, k := range ix.Keys {
				pc.outside = append(pc.outside, k.Field)
			}
		}
	}
	extra, declared, err := extraPaths(m.Type)
	if err != nil {
		return nil, err
	}
	for _, p := range extra {
		if p != "" { // an empty path names nothing
			pc.outside = append(pc.outside, p)
		}
	}
	pc.strict = declared
	v, _ := checkers.LoadOrStore(m.Type, pc)
	return v.(*Checker), nil
}

// extraPaths calls t's ExtraPaths, declared on the value or the pointer,
// on the zero value, and reports whether t declares it; a panic in it is
// an error naming the type.
func extraPaths(t reflect.Type) (paths []string, declared bool, err error) {
	d, ok := reflect.Zero(t).Interface().(query.ExtraPathsDeclarer)
	if !ok {
		d, ok = reflect.New(t).Interface().(query.ExtraPathsDeclarer)
	}
	if !ok {
		return nil, false, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v.ExtraPaths panicked on the zero value: %v", t, r)
		}
	}()
	return d.ExtraPaths(), true, nil
}

// ShapeBuffers are the shape writers a repository borrows for one check,
// so that a query seen before allocates nothing.
var ShapeBuffers = sync.Pool{New: func() any { return &ShapeWriter{Buf: make([]byte, 0, 256)} }}

// Check checks the paths of a shape. A shape seen before is answered from
// the cache.
func (pc *Checker) Check(w *ShapeWriter) *query.PathError {
	if w.Err != nil {
		return w.Err
	}
	pc.Mu.RLock()
	known, ok := pc.Shapes[string(w.Buf)]
	pc.Mu.RUnlock()
	if ok {
		return known
	}
	var found *query.PathError
	for rest := w.Buf; len(rest) > 0; {
		n, size := binary.Uvarint(rest[1:])
		kind, path := rest[0], string(rest[1+size:1+size+int(n)])
		rest = rest[1+size+int(n):]
		if found = pc.CheckPath(kind, path); found != nil {
			break
		}
	}
	pc.Mu.Lock()
	if len(pc.Shapes) < maxShapes {
		pc.Shapes[string(w.Buf)] = found
	}
	pc.Mu.Unlock()
	return found
}

// CheckPath checks one path of the given kind.
func (pc *Checker) CheckPath(kind byte, path string) *query.PathError {
	if strings.IndexByte(path, 0) >= 0 {
		return nulKeyError(kind, path)
	}
	r := pc.St.Resolve(path, kind == partUpdate || kind == partProjection)
	if r.OK && !(r.Inline && pc.strict) {
		return nil
	}
	for _, o := range pc.outside {
		if path == o || strings.HasPrefix(path, o+".") {
			return nil
		}
	}
	e := &query.PathError{Part: partName(kind), GoType: pc.GoType, Path: path}
	at := r.Key
	if r.Prefix != "" {
		at = r.Prefix + "." + r.Key
	}
	switch {
	case r.Key == "":
		e.Problem = fmt.Sprintf("an empty key in a path of %s", pc.GoType)
	case r.Scalar != nil:
		e.Problem = fmt.Sprintf("%s is a %v in %s, which has no field %s", r.Prefix, r.Scalar, pc.GoType, r.Key)
	case r.In != nil && r.In.Type.String() == pc.GoType:
		e.Problem = "no such field in " + pc.GoType
		if at != path {
			e.Problem = fmt.Sprintf("no field %s in %s", at, pc.GoType)
		}
	default:
		e.Problem = fmt.Sprintf("no field %s in %v (at %s of %s)", r.Key, r.In.Type, r.Prefix, pc.GoType)
	}
	if r.Inline {
		// The struct keeps such keys, in its inline map; say why it is
		// refused all the same.
		e.Problem += " or its ExtraPaths"
	}
	e.Nearest = pc.nearest(r, path)
	return e
}

// nearest is the path closest to the refused one: a field of the struct
// where it failed, or one of the model's extra paths (compared whole),
// whichever is fewer edits away; empty when neither is close.
func (pc *Checker) nearest(r reflectx.Resolution, path string) string {
	best, bestDist := "", -1
	if r.In != nil && r.Key != "" {
		if near, d := nearestField(r.In, r.Key); near != "" {
			best, bestDist = querydoc.JoinPath(r.Prefix, near), d
		}
	}
	lower := strings.ToLower(path)
	for _, o := range pc.outside {
		if d := EditDistance(lower, strings.ToLower(o)); d < len(path)/2+2 && (bestDist < 0 || d < bestDist) {
			best, bestDist = o, d
		}
	}
	return best
}

// NearestField is the field of s whose key is closest to key by edit
// distance, when it is close enough to be a likely typo.
func NearestField(s *reflectx.Struct, key string) string {
	best, _ := nearestField(s, key)
	return best
}

func nearestField(s *reflectx.Struct, key string) (string, int) {
	best, bestDist := "", len(key)/2+2
	key = strings.ToLower(key)
	for _, f := range s.Fields {
		if d := EditDistance(key, strings.ToLower(f.Path)); d < bestDist {
			best, bestDist = f.Path, d
		}
	}
	return best, bestDist
}

// EditDistance is the Levenshtein distance of a and b, transposing two
// neighbouring letters counting as one edit.
func EditDistance(a, b string) int { return spell.Distance(a, b) }

// Parts are the parts of a query beside its filter whose paths are
// checked.
type Parts struct {
	Sort, Projection any
	Field            string // Distinct's
	Collation        *options.Collation
}
