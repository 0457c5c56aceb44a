package repo

// A bulk write (Bulk) runs each op's prepare and encode (write_pipeline.go), sends
// every op's write model in one BulkWrite, gives each op its part of the
// reply (settle) in place of its own send, and then runs the op's reply,
// writeBack and runAfter as a single write would.

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/tagodm/tagodm/internal/odmerr"
	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// errGuardedUpsert refuses a guarded write with upsert in a bulk write.
var errGuardedUpsert = errors.New("a revisioned write with upsert takes two writes (the guarded one, then the insert when nothing matched), which one bulk write cannot hold; send it on its own")

// prepareBulk prepares and encodes every op and builds its write model.
// On an error, the documents of the ops prepared are put back and nothing
// is sent.
func prepareBulk[T any](ctx context.Context, c *Core[T], ops []writeOp[T]) ([]mongo.WriteModel, error) {
	models := make([]mongo.WriteModel, len(ops))
	for i, w := range ops {
		err := enter(w.kind(), StagePrepare)
		if err == nil {
			err = w.prepare(ctx)
		}
		if err == nil {
			err = enter(w.kind(), StageEncode)
		}
		if err == nil {
			if err = w.encode(ctx); err == nil {
				if models[i], err = w.model(ctx); err != nil {
					w.abandon()
				}
			}
		}
		if err = noWrite(err); err != nil {
			for _, p := range ops[:i] {
				p.abandon()
			}
			return nil, fmt.Errorf("odm: bulk write on %s: operation %d (%s): %w; nothing was sent", c.Name(), i, w.kind(), odmerr.Inner(err))
		}
	}
	return models, nil
}

// abandon puts back what prepare gave an op's document (its _id and
// revision; the defaults and timestamps stay, as when a write fails).
func (w writeOp[T]) abandon() {
	switch {
	case w.insertOne != nil:
		w.insertOne.restore.undo()
	case w.replace != nil && w.replace.rev.guarded:
		w.replace.restore()
	}
}

// model is the op's write model, as its send would write it.
func (w writeOp[T]) model(ctx context.Context) (mongo.WriteModel, error) {
	switch {
	case w.insertOne != nil:
		return mongo.NewInsertOneModel().SetDocument(w.insertOne.doc), nil
	case w.replace != nil:
		return w.replace.model()
	case w.update != nil:
		return w.update.model(ctx)
	case w.delete != nil:
		return w.delete.model()
	}
	return nil, fmt.Errorf("%s cannot be part of a bulk write", w.kind())
}

func (o *replaceOp[T]) model() (mongo.WriteModel, error) {
	ro := o.ro
	if err := bulkLevel(ro.Comment, ro.Let, ro.BypassDocumentValidation); err != nil {
		return nil, err
	}
	filter, update := o.filter, o.r.Update()
	if o.rev.guarded {
		if o.upsert {
			return nil, errGuardedUpsert
		}
		filter = o.c.guarded(o.filter, o.rev.expected)
	} else if o.upsert {
		update = o.createdOnInsert(update)
	}
	if write.IsReplacement(update) {
		return &mongo.ReplaceOneModel{Filter: filter, Replacement: update, Upsert: ro.Upsert, Collation: ro.Collation, Hint: ro.Hint, Sort: ro.Sort}, nil
	}
	return &mongo.UpdateOneModel{Filter: filter, Update: update, Upsert: ro.Upsert, Collation: ro.Collation, Hint: ro.Hint, Sort: ro.Sort}, nil
}

func (o *updateOp[T]) model(ctx context.Context) (mongo.WriteModel, error) {
	filter := o.filter
	if o.g != nil {
		if o.upsert {
			return nil, errGuardedUpsert
		}
		o.c.warnIfNotAtomic(ctx)
		filter = o.c.guarded(o.g.rest, o.g.expected)
	}
	if o.k == KindUpdateMany {
		u := applied(o.manyOpts)
		m := &mongo.UpdateManyModel{Filter: filter, Update: o.u.Doc, Upsert: u.Upsert, Collation: u.Collation, ArrayFilters: u.ArrayFilters, Hint: u.Hint}
		return m, bulkLevel(u.Comment, u.Let, u.BypassDocumentValidation)
	}
	u := applied(o.oneOpts)
	m := &mongo.UpdateOneModel{Filter: filter, Update: o.u.Doc, Upsert: u.Upsert, Collation: u.Collation, ArrayFilters: u.ArrayFilters, Hint: u.Hint, Sort: u.Sort}
	return m, bulkLevel(u.Comment, u.Let, u.BypassDocumentValidation)
}

func (o *deleteOp[T]) model() (mongo.WriteModel, error) {
	if o.k == KindDeleteMany {
		d := applied(o.manyOpts)
		return &mongo.DeleteManyModel{Filter: o.filter, Collation: d.Collation, Hint: d.Hint}, bulkLevel(d.Comment, d.Let, nil)
	}
	d := applied(o.oneOpts)
	return &mongo.DeleteOneModel{Filter: o.filter, Collation: d.Collation, Hint: d.Hint}, bulkLevel(d.Comment, d.Let, nil)
}

// bulkLevel refuses an operation's option that a bulk write sets for all
// its operations at once, rather than drop it.
func bulkLevel(comment, let any, bypass *bool) error {
	name := ""
	switch {
	case comment != nil:
		name = "Comment"
	case let != nil:
		name = "Let"
	case bypass != nil:
		name = "BypassDocumentValidation"
	default:
		return nil
	}
	return fmt.Errorf("the option %s is the whole bulk write's: set it in Run's options (options.BulkWrite().Set%s)", name, name)
}

// settle gives an op its part of a bulk write's reply, as its send would
// have set it; matched tells whether a replace or guarded update matched
// (bulkMatched).
func (w writeOp[T]) settle(out write.OpOutcome, matched bool) {
	upserted := out.UpsertedID != nil
	var res *mongo.UpdateResult
	if out.Err == nil && w.insertOne == nil && w.delete == nil {
		res = &mongo.UpdateResult{MatchedCount: count(matched && !upserted), UpsertedCount: count(upserted), UpsertedID: out.UpsertedID, Acknowledged: true}
	}
	switch {
	case w.insertOne != nil:
		o := w.insertOne
		o.err, o.insertedID = out.Err, out.InsertedID
	case w.replace != nil:
		o := w.replace
		o.err, o.res = out.Err, res
		o.inserted = out.Err == nil && upserted
		o.found = out.Err == nil && !upserted && matched
		o.matched = o.found || o.inserted
	case w.update != nil:
		o := w.update
		o.err = out.Err
		if o.g != nil { // the server counts for the whole bulk: a result per op only where it is known
			o.res = res
		}
	case w.delete != nil:
		w.delete.err = out.Err
	}
}

func count(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// errUnknownMatch is the error of a guarded update in a bulk write whose
// match the reply cannot tell (see bulkMatched).
var errUnknownMatch = errors.New("the bulk write was sent, but whether this guarded update matched cannot be told: the server counts matches for the whole bulk, and the stored document holds the revision number it would have written; read the document again")

// bulkMatched tells, for each op, whether it matched a document where its
// reply needs to know: a replace (its after-hook, its shard key) and a
// guarded update (stale or not). The server counts matches for the whole
// bulk: when the count says every single-document write matched (or none
// did), that is the answer. Otherwise the documents are read back by _id:
// a guarded write matched when the document holds what it wrote (its new
// UUID revision; for a counter, a replace's fields and revision), an
// unguarded one when the document exists. What is left is told by the
// count when it can be; a guarded update it cannot tell is an error
// (errUnknownMatch), an unguarded op counts as matched. A failed read is
// the error of the guarded ops that needed it.
func bulkMatched[T any](ctx context.Context, c *Core[T], ops []writeOp[T], outs []write.OpOutcome, res *mongo.BulkWriteResult) []bool {
	matched := make([]bool, len(ops))
	var singles []int
	many := false
	for i, w := range ops {
		matched[i] = true
		if outs[i].Err != nil || outs[i].UpsertedID != nil {
			continue
		}
		if w.replace != nil || w.update != nil && w.update.k == KindUpdateOne {
			singles = append(singles, i)
		}
		many = many || w.update != nil && w.update.k == KindUpdateMany
	}
	counted := res != nil && !many // the count is of the singles alone
	if len(singles) == 0 || counted && res.MatchedCount == int64(len(singles)) {
		return matched
	}
	known := make(map[int]bool, len(singles))
	var ids []any
	for _, i := range singles {
		if id := ops[i].readBackID(); id != nil {
			ids = append(ids, id)
		}
	}
	var stored map[string]bson.Raw
	var err error
	if len(ids) > 0 && !(counted && res.MatchedCount == 0) {
		stored, err = write.ReadBack(ctx, c.coll, ids)
	}
	left, found := 0, int64(0)
	for _, i := range singles {
		id := ops[i].readBackID()
		switch {
		case counted && res.MatchedCount == 0:
			matched[i], known[i] = false, true
		case id == nil:
		case err != nil:
			if ops[i].guarded() {
				outs[i].Err = fmt.Errorf("the bulk write was sent; reading back whether this operation matched failed: %w", err)
			}
			known[i] = true
		default:
			matched[i], known[i] = ops[i].matchedIn(c, stored[write.IDKey(id)])
		}
		if known[i] && matched[i] {
			found++
		}
		if !known[i] {
			left++
		}
	}
	for _, i := range singles {
		switch {
		case known[i]:
		case counted && res.MatchedCount-found == int64(left):
		case counted && res.MatchedCount == found:
			matched[i] = false
		case ops[i].guarded():
			outs[i].Err = errUnknownMatch
		}
	}
	return matched
}

// matchedIn tells whether a single-document op matched, from the document
// stored under its _id after the bulk (nil: none), and whether that is
// known (false: a counter-guarded update finds the revision number it
// would have written, which another writer may have written).
func (w writeOp[T]) matchedIn(c *Core[T], stored bson.Raw) (matched, known bool) {
	if stored == nil {
		return false, true
	}
	want := w.revisionWritten()
	if want == nil {
		return true, true
	}
	v, err := stored.LookupErr(c.model.Revision)
	if err != nil {
		return false, true
	}
	var raw any
	_ = v.Unmarshal(&raw)
	if got, _ := c.rev.Value(raw); got != want {
		return false, true
	}
	if c.rev == write.RevUUID {
		return true, true
	}
	if w.replace != nil {
		r := w.replace.r
		if r.Whole != nil {
			return write.Holds(stored, r.Whole, nil), true
		}
		return write.Holds(stored, r.Set, r.Unset), true
	}
	return true, false
}

// guarded tells an op written under a revision guard.
func (w writeOp[T]) guarded() bool {
	return w.replace != nil && w.replace.rev.guarded || w.update != nil && w.update.g != nil
}

// readBackID is the _id by which bulkMatched reads back whether the op
// matched: a replace's document's, a guarded update's filter's; nil for
// the other ops.
func (w writeOp[T]) readBackID() any {
	switch {
	case w.replace != nil:
		return w.replace.c.docID(w.replace.doc)
	case w.update != nil && w.update.g != nil:
		return w.update.g.id
	}
	return nil
}

// revisionWritten is the revision a guarded op stores; nil for an
// unguarded one.
func (w writeOp[T]) revisionWritten() any {
	switch {
	case w.replace != nil && w.replace.rev.guarded:
		return w.replace.rev.next
	case w.update != nil && w.update.g != nil:
		if w.update.c.rev == write.RevCounter {
			return w.update.g.expected.(int64) + w.update.u.Next.(int64)
		}
		return w.update.u.Next
	}
	return nil
}

// docID is doc's _id field's value; nil when T has none or it is zero.
func (c *Core[T]) docID(doc *T) any {
	if c.id.Index == nil || doc == nil {
		return nil
	}
	f, _ := write.FieldByIndex(reflect.ValueOf(doc).Elem(), c.id.Index, false)
	if !f.IsValid() || f.IsZero() {
		return nil
	}
	return f.Interface()
}

// BulkReply is what a bulk write did, for odm's BulkResult and BulkError.
type BulkReply[R any] struct {
	Inserted, Matched, Modified, Deleted, Upserted int64
	// Ops are the operations' results in the order added, as the caller
	// of RunBulk makes them.
	Ops []R
	// Failed are the indexes of the operations that wrote nothing.
	Failed []int
	// Err is the driver's error joined with the after-hooks' errors.
	Err error
}

// finishBulk runs each op's reply, writeBack and runAfter on its settled
// part of the reply, and gathers the result.
func finishBulk[T, R any](ctx context.Context, c *Core[T], ops []writeOp[T], outs []write.OpOutcome, matched []bool, res *mongo.BulkWriteResult, sent error,
	result func(op string, err error, id any) R) *BulkReply[R] {
	out := &BulkReply[R]{Ops: make([]R, len(ops))}
	if res != nil {
		out.Inserted, out.Matched, out.Modified = res.InsertedCount, res.MatchedCount, res.ModifiedCount
		out.Deleted, out.Upserted = res.DeletedCount, res.UpsertedCount
	}
	errs := []error{sent}
	for i, w := range ops {
		w.settle(outs[i], matched[i])
		err := w.reply(ctx)
		w.writeBack()
		if aerr := w.runAfter(ctx, err); aerr != nil {
			errs = append(errs, fmt.Errorf("operation %d: %w", i, aerr))
		}
		var id any
		switch {
		case err != nil:
			out.Failed = append(out.Failed, i)
		case w.insertOne != nil:
			if id = outs[i].InsertedID; id == nil { // the document carried its own
				id = c.docID(w.insertOne.doc)
			}
		default:
			id = outs[i].UpsertedID
		}
		out.Ops[i] = result(string(w.kind()), err, id)
	}
	out.Err = errors.Join(errs...)
	return out
}
