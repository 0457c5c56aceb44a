package repo

// The write pipeline. Every write of an odm.Collection[T] (InsertOne,
// InsertMany, ReplaceOne, ReplaceByID, FindOneAndReplace, UpdateOne,
// UpdateByID, UpdateMany, FindOneAndUpdate, Modify, ModifyByID, DeleteOne,
// DeleteByID, DeleteMany, FindOneAndDelete, Delete) is a writeOp, and runWrite
// runs its stages, always in this order:
//
//	prepare    the arguments (a bound repository, a context, a document,
//	           a filter) and the filter's paths checked; SetDefaults; a
//	           generated _id; the revision (the first one, or the next
//	           one under the guard); the shard key's values added to the
//	           filter. Modify reads the stored document and calls change.
//	encode     what is sent: a replacement's $set and $unset, an update
//	           checked with its revision renewal and upsert defaults, a
//	           change's $set and $unset. An insert's document is encoded
//	           by the driver itself, in one pass.
//	send       the driver call: one command, or for a guarded write the
//	           guarded command and, when it matches nothing and upserts,
//	           the insert.
//	reply      the driver's reply read: errors named (the write, the
//	           collection, the document's _id), a stale revision told
//	           from a miss, the caller's value put back when nothing of
//	           it was stored.
//	writeBack  generated _ids and new revisions set in the caller's value,
//	           for what was stored.
//	runAfter   the after-hooks of what was stored. The before-hooks run
//	           in prepare, after SetDefaults and the timestamps (see
//	           docs/hooks.md).
//
// An error from prepare, encode or send ends the write there; writeBack
// and runAfter run after reply whatever it says (InsertMany's stored
// documents get their ids and after-hooks though others failed), and the
// write returns reply's error joined with runAfter's.
//
// A new stage is one line in runWrite. A bulk write (Bulk, bulk_ops.go)
// runs prepare and encode of each op, sends them as one command and gives
// each op its part of the reply, then runs reply, writeBack and runAfter
// of each.

import (
	"context"
	"errors"
)

// errNoWrite ends a write that has nothing to send (Modify finding no
// document, or a change that alters nothing), with no error.
var errNoWrite = errors.New("odm: nothing to write")

// writeStages are the stages of one kind of write, as its op implements
// them (insertOneOp, insertManyOp, replaceOp, updateOp, modifyOp,
// deleteOp, deleteDocOp): what each prepares, how it encodes, which
// driver call sends
// it, how it reads the reply and what it writes back.
type writeStages interface {
	// kind names the write, for the stage hook.
	kind() Kind
	prepare(ctx context.Context) error
	encode(ctx context.Context) error
	// send makes the driver call(s), keeping the result and the error
	// for reply; an error returned ends the write.
	send(ctx context.Context) error
	// reply reads the reply; it may ask the server more (whether a
	// document has moved on).
	reply(ctx context.Context) error
	writeBack()
	// runAfter runs the after-hooks of what was stored (replied: reply's error).
	runAfter(ctx context.Context, replied error) error
}

var (
	_ writeStages = (*insertOneOp[struct{}])(nil)
	_ writeStages = (*insertManyOp[struct{}])(nil)
	_ writeStages = (*replaceOp[struct{}])(nil)
	_ writeStages = (*updateOp[struct{}])(nil)
	_ writeStages = (*modifyOp[struct{}])(nil)
	_ writeStages = (*deleteOp[struct{}])(nil)
	_ writeStages = (*deleteDocOp[struct{}])(nil)
)

// A writeOp is one write: exactly one of its fields is set, the op of
// its kind. Its methods call that op's stage directly rather than through
// the writeStages interface, so that the op, on the caller's stack, is
// not moved to the heap: a write costs no allocation for the pipeline.
type writeOp[T any] struct {
	insertOne  *insertOneOp[T]
	insertMany *insertManyOp[T]
	replace    *replaceOp[T]
	update     *updateOp[T]
	modify     *modifyOp[T]
	delete     *deleteOp[T]
	deleteDoc  *deleteDocOp[T]
}

// Kind names a write of the pipeline.
type Kind string

const (
	KindInsertOne         Kind = "InsertOne"
	KindInsertMany        Kind = "InsertMany"
	KindReplaceOne        Kind = "ReplaceOne"
	KindFindOneAndReplace Kind = "FindOneAndReplace"
	KindUpdateOne         Kind = "UpdateOne"
	KindUpdateMany        Kind = "UpdateMany"
	KindFindOneAndUpdate  Kind = "FindOneAndUpdate"
	KindModify            Kind = "Modify"
	KindDeleteOne         Kind = "DeleteOne"
	KindDeleteMany        Kind = "DeleteMany"
	KindFindOneAndDelete  Kind = "FindOneAndDelete"
	KindDelete            Kind = "Delete"
	// KindBulkWrite is the send of a bulk write, whose ops are of the
	// kinds above.
	KindBulkWrite Kind = "BulkWrite"
)

// Stage names a stage of the pipeline.
type Stage string

const (
	StagePrepare   Stage = "prepare"
	StageEncode    Stage = "encode"
	StageSend      Stage = "send"
	StageReply     Stage = "reply"
	StageWriteBack Stage = "writeBack"
)

// StageHook, when set, is called as each stage begins; an error it
// returns ends the write there. Nil outside the package's tests, which
// use it to see every write go through the stages (and to stop one
// before its command).
var StageHook func(Kind, Stage) error

// enter is the beginning of stage s of a write of kind k.
func enter(k Kind, s Stage) error {
	if StageHook == nil {
		return nil
	}
	return StageHook(k, s)
}

// runWrite runs w's stages in order (see the top of this file).
func runWrite[T any](ctx context.Context, c *Core[T], w writeOp[T]) error {
	k := w.kind()
	if err := viewWrite[T](k, c.pub.ReadOnlyView); err != nil { // view.go
		return err
	}
	if err := enter(k, StagePrepare); err != nil {
		return err
	}
	if err := w.prepare(ctx); err != nil {
		return noWrite(err)
	}
	if err := enter(k, StageEncode); err != nil {
		return err
	}
	if err := w.encode(ctx); err != nil {
		return noWrite(err)
	}
	if err := enter(k, StageSend); err != nil {
		return err
	}
	if err := w.send(ctx); err != nil {
		return err
	}
	if err := enter(k, StageReply); err != nil {
		return err
	}
	err := w.reply(ctx)
	if herr := enter(k, StageWriteBack); herr != nil {
		return herr
	}
	w.writeBack()
	if aerr := w.runAfter(ctx, err); aerr != nil {
		if err == nil {
			return aerr
		}
		return errors.Join(err, aerr)
	}
	return err
}

// noWrite is err, or nil for errNoWrite.
func noWrite(err error) error {
	if err == errNoWrite {
		return nil
	}
	return err
}

// The stages of a writeOp, each calling the stage of the op it holds
// (see writeOp for why not through an interface).

func (w writeOp[T]) kind() Kind {
	switch {
	case w.insertOne != nil:
		return w.insertOne.kind()
	case w.insertMany != nil:
		return w.insertMany.kind()
	case w.replace != nil:
		return w.replace.kind()
	case w.update != nil:
		return w.update.kind()
	case w.modify != nil:
		return w.modify.kind()
	case w.deleteDoc != nil:
		return w.deleteDoc.kind()
	}
	return w.delete.kind()
}

func (w writeOp[T]) prepare(ctx context.Context) error {
	switch {
	case w.insertOne != nil:
		return w.insertOne.prepare(ctx)
	case w.insertMany != nil:
		return w.insertMany.prepare(ctx)
	case w.replace != nil:
		return w.replace.prepare(ctx)
	case w.update != nil:
		return w.update.prepare(ctx)
	case w.modify != nil:
		return w.modify.prepare(ctx)
	case w.deleteDoc != nil:
		return w.deleteDoc.prepare(ctx)
	}
	return w.delete.prepare(ctx)
}

func (w writeOp[T]) encode(ctx context.Context) error {
	switch {
	case w.insertOne != nil:
		return w.insertOne.encode(ctx)
	case w.insertMany != nil:
		return w.insertMany.encode(ctx)
	case w.replace != nil:
		return w.replace.encode(ctx)
	case w.update != nil:
		return w.update.encode(ctx)
	case w.modify != nil:
		return w.modify.encode(ctx)
	case w.deleteDoc != nil:
		return w.deleteDoc.encode(ctx)
	}
	return w.delete.encode(ctx)
}

func (w writeOp[T]) send(ctx context.Context) error {
	switch {
	case w.insertOne != nil:
		return w.insertOne.send(ctx)
	case w.insertMany != nil:
		return w.insertMany.send(ctx)
	case w.replace != nil:
		return w.replace.send(ctx)
	case w.update != nil:
		return w.update.send(ctx)
	case w.modify != nil:
		return w.modify.send(ctx)
	case w.deleteDoc != nil:
		return w.deleteDoc.send(ctx)
	}
	return w.delete.send(ctx)
}

func (w writeOp[T]) reply(ctx context.Context) error {
	switch {
	case w.insertOne != nil:
		return w.insertOne.reply(ctx)
	case w.insertMany != nil:
		return w.insertMany.reply(ctx)
	case w.replace != nil:
		return w.replace.reply(ctx)
	case w.update != nil:
		return w.update.reply(ctx)
	case w.modify != nil:
		return w.modify.reply(ctx)
	case w.deleteDoc != nil:
		return w.deleteDoc.reply(ctx)
	}
	return w.delete.reply(ctx)
}

func (w writeOp[T]) writeBack() {
	switch {
	case w.insertOne != nil:
		w.insertOne.writeBack()
	case w.insertMany != nil:
		w.insertMany.writeBack()
	case w.replace != nil:
		w.replace.writeBack()
	case w.update != nil:
		w.update.writeBack()
	case w.modify != nil:
		w.modify.writeBack()
	case w.deleteDoc != nil:
		w.deleteDoc.writeBack()
	default:
		w.delete.writeBack()
	}
}

func (w writeOp[T]) runAfter(ctx context.Context, replied error) error {
	switch {
	case w.insertOne != nil:
		return w.insertOne.runAfter(ctx, replied)
	case w.insertMany != nil:
		return w.insertMany.runAfter(ctx, replied)
	case w.replace != nil:
		return w.replace.runAfter(ctx, replied)
	case w.update != nil:
		return w.update.runAfter(ctx, replied)
	case w.modify != nil:
		return w.modify.runAfter(ctx, replied)
	case w.deleteDoc != nil:
		return w.deleteDoc.runAfter(ctx, replied)
	}
	return w.delete.runAfter(ctx, replied)
}
