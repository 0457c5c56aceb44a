package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/cli"
)

func TestMain(m *testing.M) { testrig.Main(m) }

type account struct {
	Email   string    `bson:"email" odm:"uniqueIndex"`
	Created time.Time `bson:"created" odm:"index:idx_created,sort:desc"`
}

type broken struct {
	A string `bson:"a" odm:"index,uniq"`
}

func run(t *testing.T, db *mongo.Database, models []any, args ...string) (int, string, string) {
	t.Helper()
	return runWith(t, db, models, nil, args...)
}

// runWith is run with the options a program gives Run.
func runWith(t *testing.T, db *mongo.Database, models []any, opts []odm.Option, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, db, models, &out, &errOut, opts...)
	return code, out.String(), errOut.String()
}

func TestPlanApplyPlan(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{account{}}

	code, out, _ := run(t, db, models, "plan")
	assert.Equal(t, cli.ExitPending, code)
	assert.Regexp(t, `account\s+email_1\s+create\s+create`, out)
	assert.Contains(t, out, "2 pending")

	code, out, errOut := run(t, db, models, "apply")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `account\s+idx_created\s+create\s+created`, out)

	code, out, _ = run(t, db, models, "plan")
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "0 pending")
}

func TestPlanJSON(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := db.Collection("account").Indexes().CreateOne(context.Background(), mongo.IndexModel{
		Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetName("email_1"),
	})
	require.NoError(t, err)

	code, out, _ := run(t, db, []any{account{}}, "plan", "--json", "--on-conflict=rebuild")
	assert.Equal(t, cli.ExitPending, code)
	var plan struct {
		OnConflict  string `json:"onConflict"`
		Pending     int    `json:"pending"`
		Collections []struct {
			Collection string `json:"collection"`
			Changes    []struct {
				Name        string `json:"name"`
				Action      string `json:"action"`
				Step        string `json:"step"`
				Differences []struct {
					Field, Declared, Listed string
				} `json:"differences"`
			} `json:"changes"`
		} `json:"collections"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &plan), out)
	assert.Equal(t, "rebuild", plan.OnConflict)
	assert.Equal(t, 2, plan.Pending)
	require.Len(t, plan.Collections, 1)
	email := plan.Collections[0].Changes[0]
	assert.Equal(t, "email_1", email.Name)
	assert.Equal(t, "modify", email.Action, "unique added: collMod, no rebuild")
	assert.Equal(t, "collMod", email.Step)
	require.Len(t, email.Differences, 1)
	assert.Equal(t, "unique", email.Differences[0].Field)
	assert.Equal(t, "create", plan.Collections[0].Changes[1].Step)
}

func TestApplyJSON(t *testing.T) {
	db := testrig.Database(t, nil)
	code, out, errOut := run(t, db, []any{account{}}, "apply", "--json")
	require.Equal(t, cli.ExitOK, code, errOut)
	var report struct {
		Collections []struct {
			Collection string `json:"collection"`
			Indexes    []struct {
				Name, Action, Outcome string
			} `json:"indexes"`
		} `json:"collections"`
		Plan struct {
			Pending int `json:"pending"`
		} `json:"plan"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &report), out)
	require.Len(t, report.Collections, 1)
	assert.Equal(t, "created", report.Collections[0].Indexes[0].Outcome)
	assert.Equal(t, 2, report.Plan.Pending)
}

func TestConflictFailsApplyAndBlocksPlan(t *testing.T) {
	db := testrig.Database(t, nil)
	_, err := db.Collection("account").Indexes().CreateOne(context.Background(), mongo.IndexModel{
		Keys: bson.D{{Key: "created", Value: 1}}, Options: options.Index().SetName("idx_created"),
	})
	require.NoError(t, err)

	code, out, _ := run(t, db, []any{account{}}, "plan")
	assert.Equal(t, cli.ExitBlocked, code)
	assert.Regexp(t, `idx_created\s+conflict\s+fail\s+key: declared \{created: -1\}, listed \{created: 1\}`, out)
	assert.Contains(t, out, "blocked: applying would fail on or hold back 1 change(s):\n  - collection account, index idx_created: conflicts with its declaration: key: declared {created: -1}, listed {created: 1}")

	code, _, errOut := run(t, db, []any{account{}}, "apply")
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, errOut, "conflict with their declarations")

	code, _, errOut = run(t, db, []any{account{}}, "apply", "--on-conflict=rebuild")
	assert.Equal(t, cli.ExitOK, code, errOut)
	code, _, _ = run(t, db, []any{account{}}, "plan")
	assert.Equal(t, cli.ExitOK, code)
}

func TestBadInvocations(t *testing.T) {
	db := testrig.Database(t, nil)
	for _, tt := range []struct {
		args   []string
		models []any
		stderr string
	}{
		{nil, []any{account{}}, "usage:"},
		{[]string{"migrate"}, []any{account{}}, `unknown command "migrate"`},
		{[]string{"plan", "--frobnicate"}, []any{account{}}, "flag provided but not defined"},
		{[]string{"plan", "extra"}, []any{account{}}, "unexpected arguments"},
		{[]string{"apply", "--on-conflict=maybe"}, []any{account{}}, "--on-conflict must be fail, rebuild or keep"},
		{[]string{"apply"}, []any{broken{}}, `unknown option "uniq"`},
		{[]string{"plan", "--shard=sometimes"}, []any{account{}}, `--shard must be off, report, empty or populated, not "sometimes"`},
	} {
		code, _, errOut := run(t, db, tt.models, tt.args...)
		assert.Equal(t, cli.ExitError, code, "%v", tt.args)
		assert.Contains(t, errOut, tt.stderr, "%v", tt.args)
	}
	code, out, _ := run(t, db, nil, "help")
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, out, "exit status")
}

type article struct {
	Title     string    `bson:"title" odm:"index"`
	Embedding []float32 `bson:"embedding" odm:"vector:3,cosine"`
}

// TestSearchIndexesOnServerWithoutSearch: plan and apply show search
// indexes in the same table; a server without MongoDB Search fails them,
// or skips and reports them with --skip-unsupported.
func TestSearchIndexesOnServerWithoutSearch(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{article{}}
	code, out, errOut := run(t, db, models, "plan", "--json")
	if code == cli.ExitOK || code == cli.ExitPending {
		t.Skipf("the server (%s) supports MongoDB Search (plan exited %d): the unsupported path cannot be shown on it", testrig.Server(), code)
	}
	require.Equal(t, cli.ExitBlocked, code, errOut)
	assert.Contains(t, errOut, "collection article, index vector_index: the server does not support search indexes")
	st := planStatus(t, out)
	assert.Equal(t, cli.StatusBlocked, st.Status)
	require.Len(t, st.Blocked, 1, out)
	assert.Equal(t, "article", st.Blocked[0].Collection)
	assert.Equal(t, "vector_index", st.Blocked[0].Index)
	assert.Contains(t, st.Blocked[0].Reason, "does not support search indexes")

	code, out, errOut = run(t, db, models, "plan", "--skip-unsupported")
	require.Equal(t, cli.ExitPending, code, errOut)
	assert.Regexp(t, `article\s+vector_index\s+create\s+skip\s+vectorSearch; the server lacks search indexes`, out)
	assert.Contains(t, out, "1 pending", "the regular index is pending, the skipped search index is not")

	code, out, errOut = run(t, db, models, "apply", "--skip-unsupported", "--wait-search-indexes", "--json")
	require.Equal(t, cli.ExitOK, code, errOut)
	var report struct {
		Collections []struct {
			Search []struct {
				Name, Type, Outcome, Reason string
			} `json:"search"`
		} `json:"collections"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &report), out)
	require.Len(t, report.Collections, 1)
	require.Len(t, report.Collections[0].Search, 1)
	s := report.Collections[0].Search[0]
	assert.Equal(t, "vector_index", s.Name)
	assert.Equal(t, "vectorSearch", s.Type)
	assert.Equal(t, "skipped", s.Outcome)
	assert.NotEmpty(t, s.Reason)
}
