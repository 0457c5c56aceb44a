package repo

import (
	"context"
	"errors"

	"github.com/tagodm/tagodm/odm/internal/write"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// sendBulk sends a bulk write's models: each run of inserts with the
// driver's InsertMany, which tells the ids it generated (BulkWrite does
// not, and reading back an _id the document already carries costs the
// driver a decoding of each document), each run of other writes with
// BulkWrite. The commands are those BulkWrite would send: one per run of
// one kind, in order; an unordered bulk sends its inserts, then the rest.
// It returns each model's outcome, the totals, and the driver's errors.
func sendBulk[T any](ctx context.Context, c *Core[T], models []mongo.WriteModel, opts []options.Lister[options.BulkWriteOptions]) ([]write.OpOutcome, *mongo.BulkWriteResult, error) {
	o := applied(opts)
	ordered := o.Ordered == nil || *o.Ordered
	outs := make([]write.OpOutcome, len(models))
	total := &mongo.BulkWriteResult{Acknowledged: true}
	var errs []error
	stopped := false
	for _, run := range bulkRuns(models, ordered) {
		if stopped {
			for _, i := range run.index {
				outs[i].Err = c.pub.NotRun
			}
			continue
		}
		got, err := sendRun(ctx, c, models, run, o, opts)
		for k, i := range run.index {
			outs[i] = got[k]
		}
		if err != nil {
			errs = append(errs, err)
			stopped = ordered
		}
		addTotals(total, got, run)
	}
	return outs, total, errors.Join(errs...)
}

// A bulkRun is a run of models sent by one driver call: their indexes,
// and whether they are inserts.
type bulkRun struct {
	index   []int
	inserts bool
	res     *mongo.BulkWriteResult
}

// bulkRuns splits models into runs of inserts and of other writes: in
// order, or for an unordered bulk the inserts, then the others (whose
// BulkWrite sends updates, then deletes), as the driver's unordered
// BulkWrite sends them.
func bulkRuns(models []mongo.WriteModel, ordered bool) []*bulkRun {
	var runs []*bulkRun
	var inserts, others *bulkRun
	for i, m := range models {
		_, isInsert := m.(*mongo.InsertOneModel)
		var r **bulkRun
		switch {
		case !ordered && isInsert:
			r = &inserts
		case !ordered:
			r = &others
		default:
			if n := len(runs); n > 0 && runs[n-1].inserts == isInsert {
				r = &runs[n-1]
			} else {
				r = new(*bulkRun)
			}
		}
		if *r == nil {
			*r = &bulkRun{inserts: isInsert}
			runs = append(runs, *r)
		}
		(*r).index = append((*r).index, i)
	}
	if !ordered && len(runs) == 2 && !runs[0].inserts {
		runs[0], runs[1] = runs[1], runs[0] // BulkWrite's order: inserts first
	}
	return runs
}

// sendRun sends one run, and gives each of its models its outcome.
func sendRun[T any](ctx context.Context, c *Core[T], models []mongo.WriteModel, run *bulkRun, o options.BulkWriteOptions, opts []options.Lister[options.BulkWriteOptions]) ([]write.OpOutcome, error) {
	ordered := o.Ordered == nil || *o.Ordered
	if !run.inserts {
		ms := make([]mongo.WriteModel, len(run.index))
		for k, i := range run.index {
			ms[k] = models[i]
		}
		res, err := c.coll.BulkWrite(ctx, ms, opts...)
		run.res = res
		return write.Outcomes(len(ms), ordered, res, err, c.pub.NotRun), err
	}
	docs := make([]any, len(run.index))
	for k, i := range run.index {
		docs[k] = models[i].(*mongo.InsertOneModel).Document
	}
	im := options.InsertMany().SetOrdered(ordered)
	if o.BypassDocumentValidation != nil {
		im.SetBypassDocumentValidation(*o.BypassDocumentValidation)
	}
	if o.Comment != nil {
		im.SetComment(o.Comment)
	}
	res, err := c.coll.InsertMany(ctx, docs, im)
	outs := write.Outcomes(len(docs), ordered, nil, err, c.pub.NotRun)
	stored := write.StoredDocs(len(docs), err, ordered)
	k := 0
	for j := range outs {
		if stored(j) && res != nil && k < len(res.InsertedIDs) {
			outs[j].InsertedID = res.InsertedIDs[k] // the ids of the stored documents, in order
			k++
		}
	}
	return outs, err
}

// addTotals adds a run's counts to total.
func addTotals(total *mongo.BulkWriteResult, outs []write.OpOutcome, run *bulkRun) {
	if run.inserts {
		for _, o := range outs {
			if o.Err == nil {
				total.InsertedCount++
			}
		}
		return
	}
	if r := run.res; r != nil {
		total.MatchedCount += r.MatchedCount
		total.ModifiedCount += r.ModifiedCount
		total.DeletedCount += r.DeletedCount
		total.UpsertedCount += r.UpsertedCount
		total.InsertedCount += r.InsertedCount
	}
}
