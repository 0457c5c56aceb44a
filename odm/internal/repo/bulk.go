package repo

import (
	"context"
	"fmt"

	"github.com/tagodm/tagodm/internal/odmerr"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Bulk is odm.Bulk: the operations collected, each a write of the
// pipeline, run together by Run.
type Bulk[T any] struct {
	c   *Core[T]
	ops []writeOp[T]
	err error // the first operation refused as it was added
}

// NewBulk is an empty bulk writer on c.
func (c *Core[T]) NewBulk() *Bulk[T] { return &Bulk[T]{c: c} }

// Len is the number of operations collected.
func (b *Bulk[T]) Len() int { return len(b.ops) }

func (b *Bulk[T]) add(w writeOp[T]) { b.ops = append(b.ops, w) }

// refuse records an operation refused as it was added; Run returns it.
func (b *Bulk[T]) refuse(k Kind, err error) {
	if b.err == nil {
		b.err = fmt.Errorf("odm: bulk write: operation %d (%s): %w", len(b.ops), k, odmerr.Inner(err))
	}
}

// InsertOne adds an insert of doc.
func (b *Bulk[T]) InsertOne(doc *T) {
	b.add(writeOp[T]{insertOne: &insertOneOp[T]{c: b.c, doc: doc}})
}

// ReplaceOne adds a replace of what filter matches with doc.
func (b *Bulk[T]) ReplaceOne(filter any, doc *T, opts []options.Lister[options.ReplaceOptions]) {
	b.add(writeOp[T]{replace: &replaceOp[T]{c: b.c, filter: filter, doc: doc, replaceOpts: opts}})
}

// ReplaceByID adds a replace of the document that has doc's _id.
func (b *Bulk[T]) ReplaceByID(doc *T, opts []options.Lister[options.ReplaceOptions]) {
	filter, err := b.c.docIDFilter(doc, "replace")
	if err != nil {
		b.refuse(KindReplaceOne, err)
		return
	}
	b.ReplaceOne(filter, doc, opts)
}

// UpdateOne adds an update of the first document filter matches.
func (b *Bulk[T]) UpdateOne(filter, update any, opts []options.Lister[options.UpdateOneOptions]) {
	b.add(writeOp[T]{update: &updateOp[T]{c: b.c, k: KindUpdateOne, filter: filter, update: update, oneOpts: opts}})
}

// UpdateByID adds an update of the document whose _id is id.
func (b *Bulk[T]) UpdateByID(id, update any, opts []options.Lister[options.UpdateOneOptions]) {
	filter, err := b.c.byID("update", id)
	if err != nil {
		b.refuse(KindUpdateOne, err)
		return
	}
	b.UpdateOne(filter, update, opts)
}

// UpdateMany adds an update of every document filter matches.
func (b *Bulk[T]) UpdateMany(filter, update any, opts []options.Lister[options.UpdateManyOptions]) {
	b.add(writeOp[T]{update: &updateOp[T]{c: b.c, k: KindUpdateMany, filter: filter, update: update, manyOpts: opts}})
}

// DeleteOne adds a delete of the first document filter matches.
func (b *Bulk[T]) DeleteOne(filter any, opts []options.Lister[options.DeleteOneOptions]) {
	b.add(writeOp[T]{delete: &deleteOp[T]{c: b.c, k: KindDeleteOne, filter: filter, oneOpts: opts}})
}

// DeleteByID adds a delete of the document whose _id is id.
func (b *Bulk[T]) DeleteByID(id any, opts []options.Lister[options.DeleteOneOptions]) {
	filter, err := b.c.byID("delete", id)
	if err != nil {
		b.refuse(KindDeleteOne, err)
		return
	}
	b.DeleteOne(filter, opts)
}

// DeleteMany adds a delete of every document filter matches.
func (b *Bulk[T]) DeleteMany(filter any, opts []options.Lister[options.DeleteManyOptions]) {
	b.add(writeOp[T]{delete: &deleteOp[T]{c: b.c, k: KindDeleteMany, filter: filter, manyOpts: opts}})
}

// byID is idFilter for a repository that may be unbound.
func (c *Core[T]) byID(op string, id any) (any, error) {
	if err := c.Unbound(); err != nil {
		return nil, err
	}
	return c.idFilter(op, id)
}

// RunBulk is odm.Bulk.Run: every op prepared (or none sent), the bulk
// sent, each op given its part of the reply and its result made by
// result. The Bulk is empty after it. A nil reply comes with the error of
// a bulk that sent nothing.
func RunBulk[T, R any](ctx context.Context, b *Bulk[T], opts []options.Lister[options.BulkWriteOptions], result func(op string, err error, id any) R) (*BulkReply[R], error) {
	c, ops, refused := b.c, b.ops, b.err
	b.ops, b.err = nil, nil
	switch {
	case c.Unbound() != nil:
		return nil, c.Unbound()
	case ctx == nil:
		return nil, c.NoContext("bulk write")
	case refused != nil:
		return nil, refused
	}
	if err := viewWrite[T](KindBulkWrite, c.pub.ReadOnlyView); err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return &BulkReply[R]{}, nil
	}
	models, err := prepareBulk(ctx, c, ops)
	if err != nil {
		return nil, err
	}
	if err := enter(KindBulkWrite, StageSend); err != nil {
		for _, w := range ops {
			w.abandon()
		}
		return nil, err
	}
	outs, res, err := sendBulk(ctx, c, models, opts)
	matched := bulkMatched(ctx, c, ops, outs, res)
	return finishBulk(ctx, c, ops, outs, matched, res, err, result), nil
}

// Collection is the name of the bulk's collection.
func (b *Bulk[T]) Collection() string { return b.c.Name() }
