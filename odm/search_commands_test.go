package odm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/internal/engine"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

type cmdMovie struct {
	Title     string    `bson:"title" odm:"index"`
	Embedding []float32 `bson:"plot_embedding" odm:"vector:4,cosine"`
	Genre     string    `bson:"genre" odm:"vectorFilter"`
}

func (cmdMovie) CollectionName() string { return "cmd_movies" }
func (cmdMovie) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Fields: []schema.SearchField{{Path: "title", Type: "string", Analyzer: "lucene.english"}}}}
}

type cmdPlain struct {
	Name string `bson:"name" odm:"index"`
}

func (cmdPlain) CollectionName() string { return "cmd_plain" }

// commandBody is a recorded command without the fields the driver adds to
// every command (session, cluster time, $db, read preference, and
// maxTimeMS from the context deadline).
func commandBody(t *testing.T, raw bson.Raw) string {
	t.Helper()
	elems, err := raw.Elements()
	require.NoError(t, err)
	d := bson.D{}
	for _, e := range elems {
		if strings.HasPrefix(e.Key(), "$") || e.Key() == "lsid" || e.Key() == "txnNumber" || e.Key() == "maxTimeMS" {
			continue
		}
		d = append(d, bson.E{Key: e.Key(), Value: e.Value()})
	}
	out, err := bson.MarshalExtJSON(d, false, false)
	require.NoError(t, err)
	return string(out)
}

// searchSupported asks the server whether it has MongoDB Search, and says
// what it answered when it has not.
func searchSupported(t *testing.T, db *mongo.Database) (bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	coll := db.Collection("search_probe")
	_, err := coll.InsertOne(ctx, bson.D{{Key: "a", Value: 1}})
	require.NoError(t, err)
	api := engine.DriverSearch{Coll: coll}
	_, err = api.List(ctx)
	if err == nil {
		// Servers before 7.2 list none without Atlas, and refuse to create.
		probe := schema.SearchIndexSpec{Name: "probe"}
		err = api.CreateMany(ctx, []mongo.SearchIndexModel{SearchIndexModel(probe)})
	}
	if err == nil {
		return true, ""
	}
	require.True(t, engine.SearchUnsupported(err), "the server refused a search index command for another reason: %v", err)
	return false, err.Error()
}

// TestSearchCommandFormats sends each search index command through the
// library's own path and checks the command against the format the driver
// specification's index management tests state (createSearchIndexes,
// updateSearchIndex, dropSearchIndex, and aggregate with
// $listSearchIndexes). A server without search refuses them; the commands
// are what is checked.
func TestSearchCommandFormats(t *testing.T) {
	client, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, db.CreateCollection(ctx, "cmd_movies"))
	m, err := schema.Describe(cmdMovie{})
	require.NoError(t, err)
	require.Len(t, m.SearchIndexes, 2)
	vec, text := m.SearchIndexes[0], m.SearchIndexes[1]

	cfg := engine.Defaults()
	s := &engine.SearchSyncer{Cfg: cfg, Collection: "cmd_movies", API: engine.DriverSearch{Coll: db.Collection("cmd_movies")}, Specs: m.SearchIndexes}
	rec.Reset()
	_, _ = s.API.List(ctx)
	_, _ = s.Create(ctx, []diff.SearchIndexChange{{Name: vec.IndexName(), DeclaredSpec: &vec}, {Name: text.IndexName(), DeclaredSpec: &text}})
	_ = s.API.UpdateOne(ctx, "default", text.DefinitionDocument())
	_ = s.Drop(ctx, "vector_index")

	tests := []struct {
		command string
		want    string
	}{
		{"aggregate", `{"aggregate":"cmd_movies","pipeline":[{"$listSearchIndexes":{}}],"cursor":{}}`},
		{"createSearchIndexes", `{"createSearchIndexes":"cmd_movies","indexes":[` +
			`{"name":"vector_index","type":"vectorSearch","definition":{"fields":[{"type":"vector","path":"plot_embedding","numDimensions":4,"similarity":"cosine"},{"type":"filter","path":"genre"}]}},` +
			`{"name":"default","type":"search","definition":{"mappings":{"dynamic":false,"fields":{"title":{"type":"string","analyzer":"lucene.english"}}}}}]}`},
		{"updateSearchIndex", `{"updateSearchIndex":"cmd_movies","name":"default","definition":{"mappings":{"dynamic":false,"fields":{"title":{"type":"string","analyzer":"lucene.english"}}}}}`},
		{"dropSearchIndex", `{"dropSearchIndex":"cmd_movies","name":"vector_index"}`},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			cmds := rec.Commands(tt.command)
			require.NotEmpty(t, cmds, "no %s sent", tt.command)
			assert.Equal(t, tt.want, commandBody(t, cmds[0].Body))
			assert.Equal(t, db.Name(), cmds[0].Database)
		})
	}
}

// TestInitSearchUnsupported runs Init for real on a server without MongoDB
// Search (the embedded server is one): only the collection that declares
// search indexes gets the extra $listSearchIndexes, Init fails with an
// *UnsupportedError naming them, or skips and reports them with
// SkipUnsupported; the regular indexes are created either way.
func TestInitSearchUnsupported(t *testing.T) {
	client, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, client)
	if ok, _ := searchSupported(t, db); ok {
		t.Skipf("the server (%s) supports MongoDB Search: the unsupported path cannot be shown on it", testrig.Server())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	countListings := func() map[string]int {
		out := map[string]int{}
		for _, c := range rec.Commands("aggregate") {
			stage, _ := c.Body.Lookup("pipeline", "0").DocumentOK()
			if _, err := stage.LookupErr("$listSearchIndexes"); err == nil {
				out[c.Body.Lookup("aggregate").StringValue()]++
			}
		}
		return out
	}

	rec.Reset()
	rep, err := Init(ctx, db, cmdMovie{}, cmdPlain{})
	var ue *outcome.UnsupportedError
	require.True(t, errors.As(err, &ue), "want an *UnsupportedError, got %v", err)
	assert.Equal(t, "cmd_movies", ue.Collection)
	assert.Equal(t, "vector_index, default", ue.Index)
	assert.Equal(t, []string{"search indexes"}, ue.Options)
	t.Logf("the server answered: %v", ue.Err)
	assert.Equal(t, map[string]int{"cmd_movies": 1}, countListings(), "one $listSearchIndexes, for the collection that declares search indexes")
	assert.Zero(t, rec.Count("createSearchIndexes"))
	for _, coll := range []string{"cmd_movies", "cmd_plain"} {
		c, ok := rep.Collection(coll)
		require.True(t, ok)
		assert.Len(t, c.Names(outcome.Created), 1, "%s: the regular index is created before the search indexes are tried", coll)
	}
	movies, _ := rep.Collection("cmd_movies")
	assert.True(t, movies.Failed, "the collection whose search indexes failed is reported failed")
	assert.Contains(t, movies.Error, "search indexes")
	plainRep, _ := rep.Collection("cmd_plain")
	assert.False(t, plainRep.Failed)
	assert.Contains(t, rep.String(), "1 collection(s) failed")

	for run := 1; run <= 2; run++ { // cold, then steady state
		rec.Reset()
		rep, err = Init(ctx, db, cmdMovie{}, cmdPlain{}, SkipUnsupported())
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"cmd_movies": 1}, countListings(), "run %d", run)
		assert.Zero(t, rec.Count("createSearchIndexes"))
		c, _ := rep.Collection("cmd_movies")
		require.Len(t, c.Search, 2)
		for _, r := range c.Search {
			assert.Equal(t, outcome.Skipped, r.Outcome, r.Name)
			assert.NotEmpty(t, r.Reason)
		}
		plan := rep.Plan.Collections[0] // sorted by name
		require.Equal(t, "cmd_movies", plan.Collection)
		require.Len(t, plan.Search, 2)
		for _, ch := range plan.Search {
			assert.Equal(t, diff.StepSkip, ch.Step)
		}
		assert.Zero(t, rep.Plan.Pending(), "skipped search indexes are not pending")
		assert.Contains(t, rep.String(), "server lacks search indexes")
	}
	plain, _ := rep.Collection("cmd_plain")
	assert.Empty(t, plain.Search)
}

// TestInitSearchFullPath runs create, steady state, update in place and
// drop against a server with MongoDB Search (MONGODB_URI); it skips,
// saying so, on a server without.
func TestInitSearchFullPath(t *testing.T) {
	client, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, client)
	if ok, answer := searchSupported(t, db); !ok {
		t.Skipf("the server (%s) does not support MongoDB Search (%s): set MONGODB_URI to a server with search (Atlas, or MongoDB 8.2+ with mongot) to run the full path", testrig.Server(), answer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	rep, err := Init(ctx, db, cmdMovie{}, WaitForSearchIndexes())
	require.NoError(t, err)
	c, _ := rep.Collection("cmd_movies")
	require.Len(t, c.Search, 2)
	for _, r := range c.Search {
		assert.Equal(t, outcome.Created, r.Outcome, r.Name)
		assert.Equal(t, outcome.SearchReady, r.Status, r.Name)
		assert.True(t, r.Queryable, r.Name)
	}

	rec.Reset()
	rep, err = Init(ctx, db, cmdMovie{})
	require.NoError(t, err)
	c, _ = rep.Collection("cmd_movies")
	for _, r := range c.Search {
		assert.Equal(t, outcome.Existed, r.Outcome, r.Name)
	}
	assert.Zero(t, rec.Count("createSearchIndexes")+rec.Count("updateSearchIndex")+rec.Count("dropSearchIndex"), "steady state sends no search command")

	rep, err = Init(ctx, db, schema.In("cmd_movies", cmdMovieV2{}), DropUndeclared(), WaitForSearchIndexes())
	require.NoError(t, err)
	c, _ = rep.Collection("cmd_movies")
	outcomes := map[string]outcome.Outcome{}
	for _, r := range c.Search {
		outcomes[r.Name] = r.Outcome
	}
	assert.Equal(t, map[string]outcome.Outcome{"default": outcome.Modified, "vector_index": outcome.Dropped}, outcomes)
	assert.Equal(t, 1, rec.Count("updateSearchIndex"))
	assert.Equal(t, 1, rec.Count("dropSearchIndex"))
}

type cmdMovieV2 struct {
	Title string `bson:"title" odm:"index"`
}

func (cmdMovieV2) SearchIndexes() []schema.SearchIndexSpec {
	return []schema.SearchIndexSpec{{Fields: []schema.SearchField{{Path: "title", Type: "string", Analyzer: "lucene.french"}}}}
}
