package odm

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/internal/repo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// pipelineDoc is a revisioned model with defaults, so that every write
// has something to prepare.
type pipelineDoc struct {
	ID   bson.ObjectID `bson:"_id"`
	Rev  int64         `bson:"rev" odm:"revision"`
	Name string        `bson:"name"`
}

func (d *pipelineDoc) SetDefaults() {
	if d.Name == "" {
		d.Name = "default"
	}
}

// pipelineHooks records the before-hooks pipelineDoc's writes call.
var pipelineHooks []string

func (d *pipelineDoc) BeforeInsert(context.Context) error {
	pipelineHooks = append(pipelineHooks, "BeforeInsert")
	return nil
}

func (d *pipelineDoc) BeforeReplace(context.Context) error {
	pipelineHooks = append(pipelineHooks, "BeforeReplace")
	return nil
}

func (d *pipelineDoc) BeforeUpdate(context.Context) error {
	pipelineHooks = append(pipelineHooks, "BeforeUpdate")
	return nil
}

func (d *pipelineDoc) BeforeDelete(context.Context) error {
	pipelineHooks = append(pipelineHooks, "BeforeDelete")
	return nil
}

func (d *pipelineDoc) Validate() error {
	pipelineHooks = append(pipelineHooks, "Validate")
	return nil
}

// errStopped stops a write at its send stage in these tests.
var errStopped = errors.New("stopped before the command")

// TestEveryWriteRunsThePipeline: every write method of Collection[T]
// runs the stages of runWrite in order, prepare, encode, then send (where
// the test stops it, so no server is needed); Modify, which reads the
// stored document in its prepare, is stopped as its prepare begins. A
// write method that does its work outside runWrite records no stage and
// fails here, and so does a new method of Collection[T] that is neither
// listed below as a write nor as a read.
//
// Every write also runs its before-hooks in prepare, before its command:
// the model's (and Validate) for a write that holds a document,
// FilterHooks' before function for a write by filter. A write listed
// without the hook it runs fails here.
func TestEveryWriteRunsThePipeline(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1"))
	require.NoError(t, err)
	c, err := NewCollection[pipelineDoc](client.Database("offline"), FilterHooks(func(_ context.Context, w FilterWrite) error {
		pipelineHooks = append(pipelineHooks, "FilterHooks:"+w.Write)
		return nil
	}, nil))
	require.NoError(t, err)
	ctx := context.Background()
	id := bson.NewObjectID()
	byID := bson.D{{Key: "_id", Value: id}}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "n"}}}}
	guard := bson.D{{Key: "_id", Value: id}, {Key: "rev", Value: int64(3)}}
	change := func(d *pipelineDoc) error { d.Name = "changed"; return nil }
	upsert := true
	writes := []struct {
		method string
		kind   repo.Kind
		call   func() error
	}{ // the hooks each runs: see hooksOf below
		{"InsertOne", repo.KindInsertOne, func() error { _, err := c.InsertOne(ctx, &pipelineDoc{}); return err }},
		{"InsertMany", repo.KindInsertMany, func() error { _, err := c.InsertMany(ctx, make([]pipelineDoc, 3)); return err }},
		{"ReplaceOne", repo.KindReplaceOne, func() error { _, err := c.ReplaceOne(ctx, byID, &pipelineDoc{ID: id}); return err }},
		{"ReplaceOne", repo.KindReplaceOne, func() error {
			_, err := c.ReplaceOne(ctx, byID, &pipelineDoc{}, options.Replace().SetUpsert(upsert))
			return err
		}},
		{"ReplaceByID", repo.KindReplaceOne, func() error { _, err := c.ReplaceByID(ctx, &pipelineDoc{ID: id, Rev: 2}); return err }},
		{"FindOneAndReplace", repo.KindFindOneAndReplace, func() error { _, err := c.FindOneAndReplace(ctx, byID, &pipelineDoc{}); return err }},
		{"UpdateOne", repo.KindUpdateOne, func() error { _, err := c.UpdateOne(ctx, guard, set); return err }},
		{"UpdateOne", repo.KindUpdateOne, func() error { _, err := c.UpdateOne(ctx, byID, set, options.UpdateOne().SetUpsert(upsert)); return err }},
		{"UpdateByID", repo.KindUpdateOne, func() error { _, err := c.UpdateByID(ctx, id, set); return err }},
		{"UpdateMany", repo.KindUpdateMany, func() error { _, err := c.UpdateMany(ctx, bson.D{}, set); return err }},
		{"FindOneAndUpdate", repo.KindFindOneAndUpdate, func() error { _, err := c.FindOneAndUpdate(ctx, guard, set); return err }},
		{"Modify", repo.KindModify, func() error { _, err := c.Modify(ctx, byID, change); return err }},
		{"ModifyByID", repo.KindModify, func() error { _, err := c.ModifyByID(ctx, id, change); return err }},
		{"DeleteOne", repo.KindDeleteOne, func() error { _, err := c.DeleteOne(ctx, byID); return err }},
		{"DeleteByID", repo.KindDeleteOne, func() error { _, err := c.DeleteByID(ctx, id); return err }},
		{"DeleteMany", repo.KindDeleteMany, func() error { _, err := c.DeleteMany(ctx, bson.D{}); return err }},
		{"FindOneAndDelete", repo.KindFindOneAndDelete, func() error { _, err := c.FindOneAndDelete(ctx, byID); return err }},
		{"Delete", repo.KindDelete, func() error { _, err := c.Delete(ctx, &pipelineDoc{ID: id, Rev: 2}); return err }},
	}
	type entered struct {
		kind  repo.Kind
		stage repo.Stage
	}
	var seen []entered
	repo.StageHook = func(k repo.Kind, s repo.Stage) error {
		seen = append(seen, entered{k, s})
		if s == repo.StageSend || k == repo.KindModify {
			return errStopped
		}
		return nil
	}
	t.Cleanup(func() { repo.StageHook, pipelineHooks = nil, nil })
	// hooksOf are the before-hooks of each kind of write, on one
	// document; a new kind must say which it runs.
	hooksOf := map[repo.Kind][]string{
		repo.KindInsertOne:         {"BeforeInsert", "Validate"},
		repo.KindInsertMany:        {"BeforeInsert", "Validate", "BeforeInsert", "Validate", "BeforeInsert", "Validate"},
		repo.KindReplaceOne:        {"BeforeReplace", "Validate"},
		repo.KindFindOneAndReplace: {"BeforeReplace", "Validate"},
		repo.KindUpdateOne:         {"FilterHooks:UpdateOne"},
		repo.KindUpdateMany:        {"FilterHooks:UpdateMany"},
		repo.KindFindOneAndUpdate:  {"FilterHooks:FindOneAndUpdate"},
		repo.KindModify:            nil, // stopped before its read: see TestModifyRunsItsHooks
		repo.KindDeleteOne:         {"FilterHooks:DeleteOne"},
		repo.KindDeleteMany:        {"FilterHooks:DeleteMany"},
		repo.KindFindOneAndDelete:  {"FilterHooks:FindOneAndDelete"},
		repo.KindDelete:            {"BeforeDelete"},
	}
	listed := map[string]bool{}
	for _, w := range writes {
		listed[w.method] = true
		seen, pipelineHooks = nil, nil
		err := w.call()
		require.ErrorIs(t, err, errStopped, w.method)
		want := []entered{{w.kind, repo.StagePrepare}, {w.kind, repo.StageEncode}, {w.kind, repo.StageSend}}
		if w.kind == repo.KindModify {
			want = want[:1]
		}
		assert.Equal(t, want, seen, w.method)
		hooks, ok := hooksOf[w.kind]
		require.True(t, ok, "%s: a write of kind %s must say which hooks it runs", w.method, w.kind)
		assert.Equal(t, hooks, pipelineHooks, "%s runs its before-hooks before its command", w.method)
	}

	// A bulk write runs each op's prepare and encode, then sends them all.
	seen, pipelineHooks = nil, nil
	bulkDoc := &pipelineDoc{ID: bson.NewObjectID()}
	_, err = c.Bulk().InsertOne(bulkDoc).UpdateOne(byID, set).Run(ctx)
	require.ErrorIs(t, err, errStopped)
	assert.Equal(t, []entered{{repo.KindInsertOne, repo.StagePrepare}, {repo.KindInsertOne, repo.StageEncode},
		{repo.KindUpdateOne, repo.StagePrepare}, {repo.KindUpdateOne, repo.StageEncode}, {repo.KindBulkWrite, repo.StageSend}}, seen)
	assert.Equal(t, append(hooksOf[repo.KindInsertOne], hooksOf[repo.KindUpdateOne]...), pipelineHooks, "a bulk write runs its before-hooks before its command")
	listed["Bulk"] = true

	reads := []string{"Aggregate", "All", "CodecFallbacks", "CountDocuments", "Driver", "Find", "FindByID", "FindOne", "Iter", "Name", "Query"}
	ct := reflect.TypeFor[*Collection[pipelineDoc]]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		assert.True(t, listed[m.Name] || slices.Contains(reads, m.Name), "Collection.%s is neither a write run through the pipeline here nor a read", m.Name)
	}
}

// TestPipelineStopsAtAFailingStage: an error in a stage ends the write
// there, and its later stages do not run; a write with nothing to send
// (errNoWrite) ends with no error.
func TestPipelineStopsAtAFailingStage(t *testing.T) {
	c := offline[pipelineDoc](t)
	var stages []repo.Stage
	repo.StageHook = func(_ repo.Kind, s repo.Stage) error {
		stages = append(stages, s)
		return nil
	}
	t.Cleanup(func() { repo.StageHook = nil })

	// An update without operators fails in encode: no send.
	_, err := c.UpdateOne(context.Background(), bson.D{}, bson.D{})
	require.ErrorContains(t, err, "the update has no operator")
	assert.Equal(t, []repo.Stage{repo.StagePrepare, repo.StageEncode}, stages)

	// A nil document fails in prepare.
	stages = nil
	_, err = c.InsertOne(context.Background(), nil)
	require.ErrorContains(t, err, "the document is nil")
	assert.Equal(t, []repo.Stage{repo.StagePrepare}, stages)
}

// TestInsertOneWritesBackOnlyWhatWasStored: a failed send puts the
// caller's document back (no generated _id, no first revision), through
// reply; the hook stands in for nothing, the unreachable server fails
// the command.
func TestInsertOneWritesBackOnlyWhatWasStored(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1").SetServerSelectionTimeout(1))
	require.NoError(t, err)
	c, err := NewCollection[pipelineDoc](client.Database("offline"))
	require.NoError(t, err)
	var stages []repo.Stage
	repo.StageHook = func(_ repo.Kind, s repo.Stage) error {
		stages = append(stages, s)
		return nil
	}
	t.Cleanup(func() { repo.StageHook = nil })
	doc := pipelineDoc{}
	_, err = c.InsertOne(context.Background(), &doc)
	require.Error(t, err)
	assert.Equal(t, []repo.Stage{repo.StagePrepare, repo.StageEncode, repo.StageSend, repo.StageReply, repo.StageWriteBack}, stages)
	assert.True(t, doc.ID.IsZero(), "the generated _id is put back")
	assert.Zero(t, doc.Rev, "the first revision is put back")
	assert.Equal(t, "default", doc.Name, "the defaults stay")
}
