package executions_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/examples/executions"
	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// TestRepository runs every method of the worked repository against the
// server, recording the query shapes it runs, and reports how the
// reference model's indexes serve them.
func TestRepository(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := appdb.Open(ctx)
	require.NoError(t, err)
	defer conn.Close()
	db := conn.Client.Database("executions_example")
	require.NoError(t, db.Drop(ctx))
	defer db.Drop(context.Background())
	_, err = odm.Init(ctx, db, models.Execution{}, conn.SkipUnsupported())
	require.NoError(t, err)
	repo, err := executions.New(db)
	require.NoError(t, err)

	rec := query.RecordQueries()
	defer rec.Stop()

	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u1, u2 := "u1", "u2"
	fixtures := []models.Execution{
		{ExecutionID: "e1", Status: executions.Completed, UserID: &u1, CreatedAt: base, Priority: "normal"},
		{ExecutionID: "e2", Status: executions.Running, UserID: &u1, CreatedAt: base.Add(time.Hour), Priority: "normal"},
		{ExecutionID: "e3", Status: executions.Queued, UserID: &u1, CreatedAt: base.Add(2 * time.Hour), Priority: "high"},
		{ExecutionID: "e4", Status: executions.Queued, UserID: &u1, CreatedAt: base.Add(3 * time.Hour), Priority: "normal"},
		{ExecutionID: "e5", Status: executions.Running, UserID: &u2, CreatedAt: base.Add(30 * time.Minute), Priority: "normal"},
	}
	for i := range fixtures {
		require.NoError(t, repo.Create(ctx, &fixtures[i]))
	}

	e3, err := repo.ByExecutionID(ctx, "e3")
	require.NoError(t, err)
	require.NotNil(t, e3)
	assert.Equal(t, executions.Queued, e3.Status)
	missing, err := repo.ByExecutionID(ctx, "nope")
	require.NoError(t, err)
	assert.Nil(t, missing)

	page, err := repo.ListForUser(ctx, u1, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"e3", "e2"}, ids(page.Items), "newest first, after the first")
	assert.Equal(t, int64(4), page.Total)
	assert.True(t, page.HasMore())

	sums, err := repo.SummariesForUser(ctx, u1, 2)
	require.NoError(t, err)
	require.Len(t, sums, 2)
	assert.Equal(t, executions.Summary{ExecutionID: "e4", Status: executions.Queued, CreatedAt: base.Add(3 * time.Hour)}, sums[0])

	active, err := repo.ActiveForUser(ctx, u1)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"e2", "e3", "e4"}, ids(active))

	n, err := repo.CountByStatus(ctx, executions.Running)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)

	ok, err := repo.HasQueued(ctx, "high")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = repo.HasQueued(ctx, "low")
	require.NoError(t, err)
	assert.False(t, ok)

	stale, err := repo.StaleRunning(ctx, base.Add(45*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []string{"e5"}, ids(stale))

	found, err := repo.Finish(ctx, "e2", executions.Completed, 0, base.Add(4*time.Hour))
	require.NoError(t, err)
	assert.True(t, found)
	e2, err := repo.ByExecutionID(ctx, "e2")
	require.NoError(t, err)
	require.NotNil(t, e2.ExitCode)
	assert.Equal(t, 0, *e2.ExitCode)
	assert.Equal(t, executions.Completed, e2.Status)

	cancelled, err := repo.CancelQueued(ctx, u1, base.Add(5*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(2), cancelled)
	n, err = repo.CountByStatus(ctx, executions.Queued)
	require.NoError(t, err)
	assert.Equal(t, int64(0), n)

	rec.Stop()
	var report strings.Builder
	require.NoError(t, rec.WriteReport(&report))
	t.Log("coverage of the repository's queries:\n" + report.String())
	var unserved []string
	for _, q := range rec.Unserved() {
		unserved = append(unserved, q.String())
	}
	// The finding, kept visible: a user's list is sorted in memory,
	// as executions has user_id_1 and created_at_1 but no compound index.
	assert.Contains(t, unserved, "executions find {user_id: $eq} sort {created_at: -1}: user_id_1 (1 key), sort in memory")
	rec.Check(t, false)
}

func ids(es []models.Execution) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ExecutionID
	}
	return out
}

// TestNoFieldNameLiterals: the repository's source names no field of
// models.Execution by a string literal.
func TestNoFieldNameLiterals(t *testing.T) {
	names := map[string]bool{}
	typ := reflect.TypeFor[models.Execution]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("bson"), ",")
		names[name] = true
	}
	require.True(t, names["status"] && names["user_id"], "the model's names are read")
	f, err := parser.ParseFile(token.NewFileSet(), "executions.go", nil, 0)
	require.NoError(t, err)
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			for _, part := range strings.Split(s, ".") {
				assert.False(t, names[part], "executions.go names the field %q by a string", s)
			}
		}
		return true
	})
}
