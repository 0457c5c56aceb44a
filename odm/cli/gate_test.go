package cli_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/cli"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/shard"
)

// gate is the head of plan's JSON, with the plan's fields it keeps.
type gate struct {
	Status         string            `json:"status"`
	Blocked        []outcome.Blocker `json:"blocked"`
	OnConflict     string            `json:"onConflict"`
	DropUndeclared *bool             `json:"dropUndeclared"`
	Pending        *int              `json:"pending"`
	Collections    []json.RawMessage `json:"collections"`
}

func planStatus(t *testing.T, out string) gate {
	t.Helper()
	var g gate
	require.NoError(t, json.Unmarshal([]byte(out), &g), out)
	require.NotNil(t, g.Pending, "the plan's fields are kept: %s", out)
	require.NotNil(t, g.DropUndeclared, "the plan's fields are kept: %s", out)
	return g
}

// TestPlanGatesCI: plan's three exit statuses and JSON statuses, from a
// fresh database (creates pending) to an applied one (clean).
func TestPlanGatesCI(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{account{}}

	code, out, errOut := run(t, db, models, "plan", "--json")
	require.Equal(t, cli.ExitPending, code, errOut)
	g := planStatus(t, out)
	assert.Equal(t, cli.StatusPending, g.Status)
	assert.Empty(t, g.Blocked)
	assert.Equal(t, 2, *g.Pending)
	assert.Len(t, g.Collections, 1)
	assert.NotContains(t, out, `"blocked"`, "no blockers, no field")

	code, _, errOut = run(t, db, models, "apply")
	require.Equal(t, cli.ExitOK, code, errOut)

	code, out, errOut = run(t, db, models, "plan", "--json")
	require.Equal(t, cli.ExitOK, code, errOut)
	g = planStatus(t, out)
	assert.Equal(t, cli.StatusClean, g.Status)
	assert.Equal(t, 0, *g.Pending)
	assert.Empty(t, g.Blocked)
}

// TestPlanBlockedByConflictingIndex: an index made by the bare driver
// under a declared name with other keys blocks plan under the default
// policy, as it fails apply; under rebuild, given as a flag or as the
// program's option, it is pending; a flag replaces the program's policy.
func TestPlanBlockedByConflictingIndex(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{account{}}
	_, err := db.Collection("account").Indexes().CreateOne(context.Background(), mongo.IndexModel{
		Keys: bson.D{{Key: "created", Value: 1}}, Options: options.Index().SetName("idx_created"),
	})
	require.NoError(t, err)

	code, out, errOut := run(t, db, models, "plan", "--json")
	require.Equal(t, cli.ExitBlocked, code, errOut)
	g := planStatus(t, out)
	assert.Equal(t, cli.StatusBlocked, g.Status)
	assert.Equal(t, "fail", g.OnConflict)
	require.Len(t, g.Blocked, 1, out)
	assert.Equal(t, "account", g.Blocked[0].Collection)
	assert.Equal(t, "idx_created", g.Blocked[0].Index)
	assert.Equal(t, "conflicts with its declaration: key: declared {created: -1}, listed {created: 1}", g.Blocked[0].Reason)
	assert.Equal(t, 2, *g.Pending, "the conflict and the missing email_1")

	rebuild := []odm.Option{odm.OnConflict(outcome.ConflictRebuild)}
	for _, tt := range []struct {
		name string
		opts []odm.Option
		args []string
		want int
	}{
		{"flag", nil, []string{"--on-conflict=rebuild"}, cli.ExitPending},
		{"option", rebuild, nil, cli.ExitPending},
		{"flag replaces option", rebuild, []string{"--on-conflict=fail"}, cli.ExitBlocked},
		{"keep", nil, []string{"--on-conflict=keep"}, cli.ExitPending},
	} {
		code, out, errOut := runWith(t, db, models, tt.opts, append([]string{"plan", "--json"}, tt.args...)...)
		require.Equal(t, tt.want, code, "%s: %s", tt.name, errOut)
		g := planStatus(t, out)
		if tt.want == cli.ExitBlocked {
			assert.Equal(t, cli.StatusBlocked, g.Status, tt.name)
			assert.Len(t, g.Blocked, 1, tt.name)
			assert.Equal(t, "fail", g.OnConflict, tt.name)
			continue
		}
		assert.Equal(t, cli.StatusPending, g.Status, tt.name)
		assert.Empty(t, g.Blocked, tt.name)
	}

	// Blocked means what it says: apply with the same options fails,
	// and changes nothing.
	code, _, errOut = run(t, db, models, "apply")
	require.Equal(t, cli.ExitError, code)
	assert.Contains(t, errOut, "conflict with their declarations")
	code, _, _ = run(t, db, models, "plan")
	assert.Equal(t, cli.ExitBlocked, code)

	code, _, errOut = runWith(t, db, models, rebuild, "apply")
	require.Equal(t, cli.ExitOK, code, errOut)
	code, out, _ = run(t, db, models, "plan", "--json")
	assert.Equal(t, cli.ExitOK, code)
	assert.Equal(t, cli.StatusClean, planStatus(t, out).Status)
}

// TestPlanBlockedByInvalidDeclarations: nothing is planned; the JSON
// still carries the plan's fields, with the policies the options set.
func TestPlanBlockedByInvalidDeclarations(t *testing.T) {
	db := testrig.Database(t, nil)
	code, out, errOut := runWith(t, db, []any{broken{}}, []odm.Option{odm.OnConflict(outcome.ConflictRebuild)}, "plan", "--json", "--drop-undeclared")
	require.Equal(t, cli.ExitBlocked, code, errOut)
	assert.Contains(t, errOut, `unknown option "uniq"`)
	g := planStatus(t, out)
	assert.Equal(t, cli.StatusBlocked, g.Status)
	require.Len(t, g.Blocked, 1, out)
	assert.Contains(t, g.Blocked[0].Reason, "invalid declaration: cli_test.broken.A")
	assert.Contains(t, g.Blocked[0].Reason, `unknown option "uniq"`)
	assert.Equal(t, "rebuild", g.OnConflict)
	assert.True(t, *g.DropUndeclared)
	assert.Empty(t, g.Collections)

	code, out, _ = run(t, db, []any{broken{}}, "plan")
	assert.Equal(t, cli.ExitBlocked, code)
	assert.Contains(t, out, "blocked: applying would fail on or hold back 1 change(s)")
}

type tenantOrder struct {
	ID     bson.ObjectID `bson:"_id,omitempty"`
	Tenant string        `bson:"tenant" odm:"shard:hashed"`
}

// TestShardFlags: --shard and --skip-unsupported reach the plan. On a
// server that cannot shard, a declared key blocks plan (apply fails on
// it); --skip-unsupported makes it pending; --shard=report or off leave
// nothing to send.
func TestShardFlags(t *testing.T) {
	db := testrig.Database(t, nil)
	models := []any{tenantOrder{}}
	plan, err := odm.Plan(context.Background(), db, models...)
	require.NoError(t, err)
	require.Len(t, plan.Collections, 1)
	if s := plan.Collections[0].Shard; s == nil || s.Action != shard.Unsupported {
		t.Skipf("the server (%s) is not one that cannot shard (shard plan %+v): the unsupported key cannot be shown on it", testrig.Server(), s)
	}

	code, out, errOut := run(t, db, models, "plan", "--json")
	require.Equal(t, cli.ExitBlocked, code, errOut)
	g := planStatus(t, out)
	require.Len(t, g.Blocked, 1, out)
	assert.Equal(t, outcome.Blocker{Collection: "tenant_order", Index: "(shard key)", Reason: "the server cannot shard; FerretDB does not route shardCollection"}, g.Blocked[0])
	code, _, errOut = run(t, db, models, "apply")
	assert.Equal(t, cli.ExitError, code, "blocked: apply fails")
	assert.Contains(t, errOut, "does not support shardCollection")

	code, out, errOut = run(t, db, models, "plan", "--json", "--skip-unsupported")
	require.Equal(t, cli.ExitPending, code, errOut)
	assert.Equal(t, cli.StatusPending, planStatus(t, out).Status)

	for _, args := range [][]string{{"--shard=report"}, {"--shard=off"}} {
		code, out, errOut = run(t, db, models, append([]string{"plan", "--json"}, args...)...)
		require.NotEqual(t, cli.ExitBlocked, code, "%v: %s", args, out)
		require.NotEqual(t, cli.ExitError, code, "%v: %s", args, errOut)
		assert.Empty(t, planStatus(t, out).Blocked, "%v", args)
	}
	code, _, errOut = runWith(t, db, models, []odm.Option{odm.ShardPolicy(shard.Report)}, "apply", "--allow-refine", "--skip-unsupported")
	assert.Equal(t, cli.ExitOK, code, errOut)
}
