package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/servererr"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// fakeIndex is one search index on the fake server.
type fakeIndex struct {
	name, typ string
	def       bson.D
	listings  int  // listings since it was created or updated
	updated   bool // an earlier version stays queryable while it builds
	dropped   int  // listings left while DELETING; -1 when not dropped
}

// fakeSearch plays a server with MongoDB Search: builds go through
// progress (one status a listing, the last one kept), drops take dropLag
// listings, and it records every call.
type fakeSearch struct {
	mu           sync.Mutex
	indexes      []*fakeIndex
	calls        []string
	progress     []string
	failMessage  string
	dropLag      int
	listErr      error
	createErr    error
	noCollection bool
	raced        bool // another process creates the indexes just before
}

func (f *fakeSearch) call(s string) {
	f.calls = append(f.calls, s)
}

func (f *fakeSearch) List(context.Context) ([]bson.Raw, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("list")
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []bson.Raw
	var kept []*fakeIndex
	for _, ix := range f.indexes {
		status := "READY"
		if len(f.progress) > 0 {
			status = f.progress[min(ix.listings, len(f.progress)-1)]
		}
		ix.listings++
		if ix.dropped >= 0 {
			if ix.dropped == 0 {
				continue
			}
			ix.dropped--
			status = "DELETING"
		}
		kept = append(kept, ix)
		d := bson.D{{Key: "id", Value: "id-" + ix.name}, {Key: "name", Value: ix.name}, {Key: "type", Value: ix.typ},
			{Key: "status", Value: status}, {Key: "queryable", Value: status == "READY" || ix.updated},
			{Key: "latestDefinition", Value: ix.def}}
		if status == "FAILED" {
			d = append(d, bson.E{Key: "message", Value: f.failMessage})
		}
		raw, err := bson.Marshal(d)
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	f.indexes = kept
	return out, nil
}

func (f *fakeSearch) CreateMany(_ context.Context, models []mongo.SearchIndexModel) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, m := range models {
		o := &options.SearchIndexesOptions{}
		for _, set := range m.Options.List() {
			if err := set(o); err != nil {
				return err
			}
		}
		names = append(names, *o.Name)
		if f.createErr == nil && !f.noCollection || f.raced {
			f.indexes = append(f.indexes, &fakeIndex{name: *o.Name, typ: *o.Type, def: m.Definition.(bson.D), dropped: -1})
		}
	}
	f.call("createSearchIndexes " + strings.Join(names, ","))
	if f.noCollection {
		return mongo.CommandError{Code: servererr.CodeNamespaceNotFound, Name: "NamespaceNotFound", Message: "Collection does not exist"}
	}
	return f.createErr
}

func (f *fakeSearch) UpdateOne(_ context.Context, name string, def bson.D) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("updateSearchIndex " + name)
	for _, ix := range f.indexes {
		if ix.name == name {
			ix.def, ix.listings, ix.updated = def, 0, true
		}
	}
	return nil
}

func (f *fakeSearch) DropOne(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("dropSearchIndex " + name)
	for _, ix := range f.indexes {
		if ix.name == name {
			ix.dropped = f.dropLag
		}
	}
	return nil
}

func (f *fakeSearch) CreateCollection(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.call("create")
	f.noCollection = false
	return nil
}

// with puts an index on the fake server, READY.
func (f *fakeSearch) with(s schema.SearchIndexSpec) *fakeSearch {
	f.indexes = append(f.indexes, &fakeIndex{name: s.IndexName(), typ: string(s.IndexType()), def: s.DefinitionDocument(), dropped: -1, listings: 99})
	return f
}

func TestSearchSync(t *testing.T) {
	text := schema.SearchIndexSpec{Fields: []schema.SearchField{{Path: "title", Type: "string"}}}
	textChanged := schema.SearchIndexSpec{Fields: []schema.SearchField{{Path: "title", Type: "string", Analyzer: "lucene.english"}}}
	vec := schema.SearchIndexSpec{Type: schema.VectorSearch, Vectors: []schema.VectorField{{Path: "emb", Dimensions: 3, Similarity: schema.Cosine}}}
	textAsVector := schema.SearchIndexSpec{Name: "default", Type: schema.VectorSearch, Vectors: []schema.VectorField{{Path: "emb", Dimensions: 3, Similarity: schema.Cosine}}}
	other := schema.SearchIndexSpec{Name: "legacy", Dynamic: true}
	unsupported := mongo.CommandError{Code: 31082, Name: "SearchNotEnabled", Message: "Using Atlas Search Database Commands and the $listSearchIndexes aggregation stage requires additional configuration."}

	type searchOutcome struct {
		name    string
		outcome outcome.Outcome
		status  string
	}
	tests := []struct {
		name     string
		declared []schema.SearchIndexSpec
		server   *fakeSearch
		opts     []Option
		timeout  time.Duration
		calls    []string
		steps    []diff.Step
		results  []searchOutcome
		err      string // substring; empty for none
		log      string // substring of the log; empty for none
	}{
		{name: "create both in one command", declared: []schema.SearchIndexSpec{text, vec}, server: &fakeSearch{progress: []string{"PENDING", "BUILDING", "READY"}},
			calls:   []string{"list", "createSearchIndexes default,vector_index", "list"},
			steps:   []diff.Step{diff.StepCreate, diff.StepCreate},
			results: []searchOutcome{{"default", outcome.Created, "PENDING"}, {"vector_index", outcome.Created, "PENDING"}}},
		{name: "steady state: one listing", declared: []schema.SearchIndexSpec{text, vec}, server: (&fakeSearch{}).with(text).with(vec),
			calls:   []string{"list"},
			steps:   []diff.Step{diff.StepNone, diff.StepNone},
			results: []searchOutcome{{"default", outcome.Existed, "READY"}, {"vector_index", outcome.Existed, "READY"}}},
		{name: "changed definition updated in place", declared: []schema.SearchIndexSpec{textChanged}, server: (&fakeSearch{progress: []string{"PENDING", "READY"}}).with(text),
			calls:   []string{"list", "updateSearchIndex default", "list"},
			steps:   []diff.Step{diff.StepUpdateSearch},
			results: []searchOutcome{{"default", outcome.Modified, "PENDING"}}},
		{name: "undeclared kept", declared: []schema.SearchIndexSpec{text}, server: (&fakeSearch{}).with(text).with(other),
			calls:   []string{"list"},
			steps:   []diff.Step{diff.StepNone, diff.StepKeep},
			results: []searchOutcome{{"default", outcome.Existed, "READY"}, {"legacy", outcome.Kept, "READY"}}},
		{name: "undeclared dropped with DropUndeclared", declared: []schema.SearchIndexSpec{text}, server: (&fakeSearch{}).with(text).with(other), opts: []Option{DropUndeclared()},
			calls:   []string{"list", "dropSearchIndex legacy", "list"},
			steps:   []diff.Step{diff.StepNone, diff.StepDrop},
			results: []searchOutcome{{"default", outcome.Existed, "READY"}, {"legacy", outcome.Dropped, ""}}},
		{name: "another type fails by default", declared: []schema.SearchIndexSpec{textAsVector}, server: (&fakeSearch{}).with(text),
			calls: []string{"list"}, steps: []diff.Step{diff.StepFail},
			err: "search index default: type: declared vectorSearch, listed search"},
		{name: "another type kept", declared: []schema.SearchIndexSpec{textAsVector}, server: (&fakeSearch{}).with(text), opts: []Option{OnConflict(outcome.ConflictKeep)},
			calls: []string{"list"}, steps: []diff.Step{diff.StepKeep},
			results: []searchOutcome{{"default", outcome.Kept, "READY"}}, log: "search index kept although it differs"},
		{name: "another type rebuilt once the drop is done", declared: []schema.SearchIndexSpec{textAsVector}, server: (&fakeSearch{dropLag: 2}).with(text), opts: []Option{OnConflict(outcome.ConflictRebuild)},
			calls:   []string{"list", "dropSearchIndex default", "list", "list", "list", "createSearchIndexes default", "list"},
			steps:   []diff.Step{diff.StepRebuild},
			results: []searchOutcome{{"default", outcome.Rebuilt, "READY"}}},
		{name: "wait until ready, logging each status", declared: []schema.SearchIndexSpec{vec}, server: &fakeSearch{progress: []string{"PENDING", "BUILDING", "BUILDING", "READY"}}, opts: []Option{WaitForSearchIndexes()},
			calls:   []string{"list", "createSearchIndexes vector_index", "list", "list", "list", "list"},
			steps:   []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"vector_index", outcome.Created, "READY"}}, log: "status=BUILDING"},
		{name: "wait on a steady collection lists once more", declared: []schema.SearchIndexSpec{vec}, server: (&fakeSearch{}).with(vec), opts: []Option{WaitForSearchIndexes()},
			calls:   []string{"list", "list"},
			steps:   []diff.Step{diff.StepNone},
			results: []searchOutcome{{"vector_index", outcome.Existed, "READY"}}},
		{name: "a failed build is an error naming the server's message", declared: []schema.SearchIndexSpec{vec}, server: &fakeSearch{progress: []string{"PENDING", "FAILED"}, failMessage: "numDimensions too large for quantization"}, opts: []Option{WaitForSearchIndexes()},
			calls: []string{"list", "createSearchIndexes vector_index", "list", "list"}, steps: []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"vector_index", outcome.Created, "FAILED"}},
			err:     "search index build FAILED: vector_index: numDimensions too large for quantization"},
		{name: "waiting stops at the deadline", declared: []schema.SearchIndexSpec{vec}, server: &fakeSearch{progress: []string{"PENDING", "BUILDING"}}, opts: []Option{WaitForSearchIndexes()}, timeout: 300 * time.Millisecond,
			steps:   []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"vector_index", outcome.Created, "BUILDING"}},
			err:     "waiting for search indexes vector_index (BUILDING): context deadline exceeded"},
		{name: "a missing collection is created first", declared: []schema.SearchIndexSpec{text}, server: &fakeSearch{noCollection: true},
			calls:   []string{"list", "createSearchIndexes default", "create", "createSearchIndexes default", "list"},
			steps:   []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"default", outcome.Created, "READY"}}},
		{name: "created by another process meanwhile", declared: []schema.SearchIndexSpec{text}, server: &fakeSearch{raced: true, createErr: mongo.CommandError{Code: 68, Name: "IndexAlreadyExists", Message: "Duplicate Index"}},
			calls:   []string{"list", "createSearchIndexes default", "list", "list"},
			steps:   []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"default", outcome.Existed, "READY"}}},
		{name: "createSearchIndexes refused", declared: []schema.SearchIndexSpec{text}, server: &fakeSearch{createErr: mongo.CommandError{Code: 8, Name: "UnknownError", Message: "Invalid index definition"}},
			calls: []string{"list", "createSearchIndexes default", "list"}, steps: []diff.Step{diff.StepCreate},
			err: "odm: createSearchIndexes on collection c, index default: (UnknownError) Invalid index definition"},
		{name: "dry run lists only", declared: []schema.SearchIndexSpec{textChanged, vec}, server: (&fakeSearch{}).with(text).with(other), opts: []Option{DryRun(), DropUndeclared()},
			calls:   []string{"list"},
			steps:   []diff.Step{diff.StepUpdateSearch, diff.StepCreate, diff.StepDrop},
			results: []searchOutcome{{"default", outcome.Planned, "READY"}, {"vector_index", outcome.Planned, ""}, {"legacy", outcome.Planned, "READY"}}},
		{name: "no search: unsupported", declared: []schema.SearchIndexSpec{text, vec}, server: &fakeSearch{listErr: unsupported},
			calls: []string{"list"},
			err:   "collection c, index default, vector_index: the server does not support search indexes: (SearchNotEnabled)"},
		{name: "no search: skipped", declared: []schema.SearchIndexSpec{text, vec}, server: &fakeSearch{listErr: unsupported}, opts: []Option{SkipUnsupported()},
			calls:   []string{"list"},
			steps:   []diff.Step{diff.StepSkip, diff.StepSkip},
			results: []searchOutcome{{"default", outcome.Skipped, ""}, {"vector_index", outcome.Skipped, ""}}, log: "search indexes skipped"},
		{name: "createSearchIndexes refused for lack of the command", declared: []schema.SearchIndexSpec{text}, server: &fakeSearch{createErr: mongo.CommandError{Code: 59, Name: "CommandNotFound", Message: "no such command: 'createSearchIndexes'"}},
			calls: []string{"list", "createSearchIndexes default"}, steps: []diff.Step{diff.StepCreate},
			err: "the server does not support search indexes"},
		{name: "createSearchIndexes refused, skipped", declared: []schema.SearchIndexSpec{text}, server: &fakeSearch{createErr: mongo.CommandError{Code: 6047401, Message: "Search index commands are only supported with Atlas."}}, opts: []Option{SkipUnsupported()},
			calls: []string{"list", "createSearchIndexes default", "list"}, steps: []diff.Step{diff.StepCreate},
			results: []searchOutcome{{"default", outcome.Skipped, ""}}, log: "search indexes skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := Defaults()
			cfg.searchPoll = time.Millisecond
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			for _, o := range tt.opts {
				o(&cfg)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			s := &SearchSyncer{Cfg: cfg, Collection: "c", API: tt.server, Specs: tt.declared}
			var rep outcome.CollectionReport
			var plan outcome.CollectionPlan
			err := s.sync(ctx, &rep, &plan)
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
			}
			if tt.calls != nil {
				assert.Equal(t, tt.calls, tt.server.calls)
			}
			var steps []diff.Step
			for _, c := range plan.Search {
				steps = append(steps, c.Step)
			}
			assert.Equal(t, tt.steps, steps)
			var got []searchOutcome
			for _, r := range rep.Search {
				got = append(got, searchOutcome{r.Name, r.Outcome, r.Status})
			}
			if tt.err == "" || tt.results != nil {
				assert.Equal(t, tt.results, got)
			}
			if tt.log != "" {
				assert.Contains(t, logs.String(), tt.log)
			}
		})
	}
}

// TestSearchSyncUnsupportedError checks the error's type and what it
// wraps, for callers that branch on them.
func TestSearchSyncUnsupportedError(t *testing.T) {
	codes := []mongo.CommandError{
		{Code: 31082, Name: "SearchNotEnabled"},
		{Code: 59, Name: "CommandNotFound"},
		{Code: 115, Name: "CommandNotSupported"},
		{Code: 40324, Name: "Location40324", Message: "Unrecognized pipeline stage name: '$listSearchIndexes'"},
		{Code: 1, Name: "InternalError", Message: "Unrecognized pipeline stage name: '$listSearchIndexes'"},
	}
	for _, ce := range codes {
		t.Run(ce.Name, func(t *testing.T) {
			s := &SearchSyncer{Cfg: Defaults(), Collection: "c", API: &fakeSearch{listErr: ce}, Specs: []schema.SearchIndexSpec{{Dynamic: true}}}
			err := s.sync(context.Background(), &outcome.CollectionReport{}, &outcome.CollectionPlan{})
			var ue *outcome.UnsupportedError
			require.True(t, errors.As(err, &ue), "%v", err)
			assert.Equal(t, "c", ue.Collection)
			assert.Equal(t, "default", ue.Index)
			var got mongo.CommandError
			require.True(t, errors.As(err, &got))
			assert.Equal(t, ce.Code, got.Code)
		})
	}
	// Any other refusal is not taken for a missing feature.
	s := &SearchSyncer{Cfg: Defaults(), Collection: "c", API: &fakeSearch{listErr: mongo.CommandError{Code: 13, Name: "Unauthorized"}}, Specs: []schema.SearchIndexSpec{{Dynamic: true}}}
	err := s.sync(context.Background(), &outcome.CollectionReport{}, &outcome.CollectionPlan{})
	var ie *outcome.IndexError
	require.True(t, errors.As(err, &ie), "%v", err)
	assert.Equal(t, "$listSearchIndexes", ie.Op)
}

// TestSearchPlanAndReportTables checks that search indexes print with the
// same columns and actions as regular ones, and count in the summaries.
func TestSearchPlanAndReportTables(t *testing.T) {
	vec := schema.SearchIndexSpec{Type: schema.VectorSearch, Vectors: []schema.VectorField{{Path: "emb", Dimensions: 3, Similarity: schema.Cosine}}}
	cfg := Defaults()
	cfg.searchPoll = time.Millisecond
	DropUndeclared()(&cfg)
	s := &SearchSyncer{Cfg: cfg, Collection: "movies", API: (&fakeSearch{}).with(schema.SearchIndexSpec{Name: "old", Dynamic: true}), Specs: []schema.SearchIndexSpec{vec}}
	rep := outcome.CollectionReport{Collection: "movies"}
	plan := outcome.CollectionPlan{Collection: "movies"}
	require.NoError(t, s.sync(context.Background(), &rep, &plan))
	p := &outcome.IndexPlan{DropUndeclared: true, Collections: []outcome.CollectionPlan{plan}}
	assert.Equal(t, 2, p.Pending())
	assert.Equal(t, 1, p.Count(diff.Create))
	assert.Equal(t, 1, p.Count(diff.Drop))
	table := p.String()
	assert.Contains(t, table, "movies      vector_index  create  create  vectorSearch")
	assert.Contains(t, table, "movies      old           drop    drop    search; not declared")
	assert.NotContains(t, table, "no indexes declared")

	r := &outcome.Report{Collections: []outcome.CollectionReport{rep}}
	assert.Equal(t, 1, r.Count(outcome.Created))
	assert.Equal(t, 1, r.Count(outcome.Dropped))
	out := r.String()
	assert.Contains(t, out, "vector_index")
	assert.Contains(t, out, "vectorSearch READY")

	js, err := p.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(js), `"search":[{"name":"vector_index","type":"vectorSearch","action":"create","step":"create"`)
	assert.True(t, slices.ContainsFunc(rep.Search, func(r outcome.SearchIndexResult) bool { return r.Name == "old" && r.Outcome == outcome.Dropped }))
	_ = fmt.Sprint(rep)
}
