package odm

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// revisionKind is the style of a model's revision field.
type revisionKind int

const (
	revNone    revisionKind = iota
	revCounter              // an int64 or int, starting at 1, incremented by each write
	revUUID                 // an odm.UUID, renewed at each write (Beanie's revision_id)
)

func revisionKindOf(t reflect.Type, m *Model) revisionKind {
	if m.Revision == "" {
		return revNone
	}
	ft := t.FieldByIndex(m.revisionIndex).Type // steps through embedded pointers
	if ft == uuidType {
		return revUUID
	}
	return revCounter
}

// revisionSlot is doc's revision field, settable; nil embedded pointers on
// its way are allocated, and undo puts them back.
func (c *Collection[T]) revisionSlot(doc *T) (reflect.Value, func()) {
	return fieldByIndex(reflect.ValueOf(doc).Elem(), c.model.revisionIndex, true)
}

// readRevision is the revision a field holds: an int64 or a UUID.
func (c *Collection[T]) readRevision(f reflect.Value) any {
	if c.rev == revUUID {
		return f.Interface().(UUID)
	}
	return f.Int()
}

func (c *Collection[T]) writeRevision(f reflect.Value, v any) {
	if c.rev == revUUID {
		f.Set(reflect.ValueOf(v.(UUID)))
		return
	}
	f.SetInt(v.(int64))
}

// nextRevision is the revision a write stores after cur.
func (c *Collection[T]) nextRevision(cur any) any {
	if c.rev == revUUID {
		return NewUUID()
	}
	return cur.(int64) + 1
}

// stored is a revision as a filter or an update carries it.
func (c *Collection[T]) stored(v any) any {
	if u, ok := v.(UUID); ok {
		return u.bsonValue()
	}
	return v
}

// startRevision gives a new revisioned document without a revision its
// first one (1, or a new UUID); the returned function undoes it.
func (c *Collection[T]) startRevision(doc *T) func() {
	if c.rev == revNone || doc == nil {
		return func() {}
	}
	f, undo := c.revisionSlot(doc)
	if !f.IsValid() || !f.IsZero() {
		undo()
		return func() {}
	}
	if c.rev == revUUID {
		c.writeRevision(f, NewUUID())
	} else {
		f.SetInt(1)
	}
	return func() { f.SetZero(); undo() }
}

// replaceGuarded runs a replacing write of doc with filter narrowed to the
// revision doc carries, doc carrying the next one. write reports whether
// it matched. When it did not, or failed, doc is left as it was, and a
// document that filter still finds with another revision is a
// *StaleRevisionError (also when an upsert then collided with it).
func (c *Collection[T]) replaceGuarded(ctx context.Context, op string, filter any, doc *T, write func(guarded any) (bool, error)) error {
	c.warnIfNotAtomic(ctx)
	f, undo := c.revisionSlot(doc)
	if !f.IsValid() {
		return fmt.Errorf("odm: %s on %s: the revision field %s cannot be set in the document", op, c.Name(), c.model.Revision)
	}
	expected := c.readRevision(f)
	next := c.nextRevision(expected)
	guarded := bson.D{{Key: "$and", Value: bson.A{filter, bson.D{{Key: c.model.Revision, Value: c.stored(expected)}}}}}
	c.writeRevision(f, next)
	matched, err := write(guarded)
	if err == nil && matched {
		return nil
	}
	c.writeRevision(f, expected)
	undo()
	if err != nil && !isDuplicate(err) {
		return c.wrap(op, err, idOf(doc))
	}
	moved, cerr := c.movedOn(ctx, filter, expected, next)
	switch {
	case cerr != nil:
		return c.wrap(op, cerr, idOf(doc))
	case moved:
		return c.staleError(idOf(doc), expected)
	case err != nil:
		return c.wrap(op, err, idOf(doc))
	}
	return nil
}

// movedOn reports whether filter finds a document whose revision is not
// the one read. For a UUID revision the one just written is excluded too:
// an upsert's own document holds it. A counter cannot tell its own upsert
// from a writer that got there first (both hold the next number).
func (c *Collection[T]) movedOn(ctx context.Context, filter, read, written any) (bool, error) {
	others := bson.A{c.stored(read)}
	if c.rev == revUUID {
		others = append(others, c.stored(written))
	}
	other := bson.D{{Key: c.model.Revision, Value: bson.D{{Key: "$nin", Value: others}}}}
	n, err := c.coll.CountDocuments(ctx, bson.D{{Key: "$and", Value: bson.A{filter, other}}}, options.Count().SetLimit(1))
	return n > 0, err
}

func (c *Collection[T]) staleError(id, expected any) *StaleRevisionError {
	e := &StaleRevisionError{Collection: c.Name(), ID: id}
	switch v := expected.(type) {
	case UUID:
		e.RevisionID = v
	case int64:
		e.Revision = v
	}
	return e
}

// renewRevision adds the revision's renewal to an update of a revisioned
// model: {$inc: {revision: 1}}, or {$set: {revision_id: <new UUID>}}. next
// is what it stores (the increment for a counter).
func (c *Collection[T]) renewRevision(ctx context.Context, update any) (any, any, error) {
	if c.rev == revNone {
		return update, nil, nil
	}
	c.warnIfNotAtomic(ctx)
	op, value := "$inc", any(int64(1))
	var next any = int64(1)
	if c.rev == revUUID {
		u := NewUUID()
		op, value, next = "$set", u.bsonValue(), u
	}
	out, err := addToOperator(update, op, bson.E{Key: c.model.Revision, Value: value})
	if err != nil {
		return nil, nil, fmt.Errorf("odm: %s: %v is revisioned: %w", c.Name(), c.model.Type, err)
	}
	return out, next, nil
}

// addToOperator adds e to the op document of an update (a bson.D or bson.M
// of operators), copying rather than changing the caller's update.
func addToOperator(update any, op string, e bson.E) (any, error) {
	merge := func(v any) (any, error) {
		switch v := v.(type) {
		case nil:
			return bson.D{e}, nil
		case bson.D:
			return append(append(bson.D{}, v...), e), nil
		case bson.M:
			m := bson.M{e.Key: e.Value}
			for k, x := range v {
				m[k] = x
			}
			return m, nil
		}
		return nil, fmt.Errorf("%s of an update must be a bson.D or bson.M, not %T", op, v)
	}
	switch u := update.(type) {
	case bson.D:
		out := make(bson.D, 0, len(u)+1)
		merged := false
		for _, x := range u {
			if x.Key == op && !merged {
				v, err := merge(x.Value)
				if err != nil {
					return nil, err
				}
				x.Value, merged = v, true
			}
			out = append(out, x)
		}
		if !merged {
			out = append(out, bson.E{Key: op, Value: bson.D{e}})
		}
		return out, nil
	case bson.M:
		out := make(bson.M, len(u)+1)
		for k, v := range u {
			out[k] = v
		}
		v, err := merge(out[op])
		if err != nil {
			return nil, err
		}
		out[op] = v
		return out, nil
	}
	return nil, fmt.Errorf("its updates must be bson.D or bson.M documents of operators, not %T", update)
}

// staleCheck tells, after a revision-guarded update matched nothing (or
// its upsert collided), whether the document filter names exists with
// another revision than the one filter gives and the one the update
// stored. A filter that does not name the revision is no guard: nil.
func (c *Collection[T]) staleCheck(ctx context.Context, filter, next any) error {
	if c.rev == revNone {
		return nil
	}
	rest, given, id, ok := withoutField(filter, c.model.Revision)
	if !ok {
		return nil
	}
	expected, ok := c.revisionValue(given)
	if !ok {
		return nil
	}
	written := next
	if c.rev == revCounter {
		written = expected.(int64) + next.(int64)
	}
	moved, err := c.movedOn(ctx, rest, expected, written)
	if err != nil || !moved {
		return nil
	}
	return c.staleError(id, expected)
}

// revisionValue reads a revision as a filter gives it: any integer type for
// a counter (a filter may say int32), an odm.UUID, a binary subtype 4 or
// nil for a UUID.
func (c *Collection[T]) revisionValue(v any) (any, bool) {
	if c.rev == revUUID {
		switch v := v.(type) {
		case nil:
			return UUID{}, true
		case UUID:
			return v, true
		case *UUID:
			if v == nil {
				return UUID{}, true
			}
			return *v, true
		case bson.Binary:
			if v.Subtype == bson.TypeBinaryUUID && len(v.Data) == 16 {
				return UUID(v.Data), true
			}
		}
		return nil, false
	}
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return nil, false
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint() && rv.Uint() <= 1<<63-1:
		return int64(rv.Uint()), true
	}
	return nil, false
}

// withoutField removes a top-level field from a bson.D or bson.M filter,
// returning its value and the filter's _id, when given.
func withoutField(filter any, field string) (rest, value, id any, found bool) {
	switch f := filter.(type) {
	case bson.D:
		out := bson.D{}
		for _, e := range f {
			if e.Key == "_id" {
				id = e.Value
			}
			if e.Key == field {
				value, found = e.Value, true
				continue
			}
			out = append(out, e)
		}
		return out, value, id, found
	case bson.M:
		out := bson.M{}
		for k, v := range f {
			if k != field {
				out[k] = v
			}
		}
		value, found = f[field]
		return out, value, f["_id"], found
	}
	return nil, nil, nil, false
}

// atomicity is what is known of a client's server: whether it applies a
// filtered write's filter and write atomically.
type atomicity struct {
	mu    sync.Mutex
	known bool
	lacks bool
	name  string
}

// servers holds an *atomicity per *mongo.Client, looked at once per client.
var servers sync.Map

// lacksAtomicFilteredWrites asks the client's server once (buildInfo) and
// reports whether it is one known not to make a filtered write atomic. A
// failed look is not remembered, so a later write asks again.
func lacksAtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, string, error) {
	v, _ := servers.LoadOrStore(client, &atomicity{})
	a := v.(*atomicity)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known {
		return a.lacks, a.name, nil
	}
	info, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, "", err
	}
	a.lacks, a.name = classifyServer(info)
	a.known = true
	return a.lacks, a.name, nil
}

// classifyServer reads buildInfo through the server's profile, whose
// answer is measured (TestFilteredWriteRaces): FerretDB v1 does not apply
// a filtered write's filter and write atomically; MongoDB and FerretDB v2
// on DocumentDB do.
func classifyServer(info bson.Raw) (lacks bool, name string) {
	p := profileFromBuildInfo(info)
	if !p.nonAtomicFilteredWrites {
		return false, ""
	}
	return true, p.name
}

// warnIfNotAtomic logs, once per repository, that the server does not
// make filtered writes atomic, so the revision guard cannot stop two
// racing writers. Only with a logger (RepositoryLogger).
func (c *Collection[T]) warnIfNotAtomic(ctx context.Context) {
	if c.logger == nil || c.warned.Load() {
		return
	}
	lacks, name, err := lacksAtomicFilteredWrites(ctx, c.coll.Database().Client())
	if err != nil {
		return // asked again at the next write
	}
	if c.warned.Swap(true) || !lacks {
		return
	}
	c.logger.Warn("odm: the server does not apply a filtered write atomically; the revision guard cannot stop two writers racing on one document",
		"collection", c.Name(), "server", name, "revision", c.model.Revision)
}

// AtomicFilteredWrites reports whether client's server applies a filtered
// write's filter and write atomically, as MongoDB does and as the revision
// guard relies on: false for a server whose profile was measured not to
// (FerretDB v1, recognised by buildInfo; FerretDB v2 on DocumentDB was
// measured atomic). The answer comes from the profile, not from a race run
// against the caller's database, and is asked once per client.
func AtomicFilteredWrites(ctx context.Context, client *mongo.Client) (bool, error) {
	if client == nil {
		return false, fmt.Errorf("odm: AtomicFilteredWrites: the client is nil")
	}
	lacks, _, err := lacksAtomicFilteredWrites(ctx, client)
	if err != nil {
		return false, fmt.Errorf("odm: buildInfo: %w", err)
	}
	return !lacks, nil
}
