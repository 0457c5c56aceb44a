package odm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

// TestArgumentContract: whatever is not a model, a list of models, a
// model source or an option is refused with its Go type named (and a hint
// for an option constructor left uncalled), as are options given
// impossible values and a call with no model at all; by Init, Plan,
// Validate and Declared alike, before any command.
func TestArgumentContract(t *testing.T) {
	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	tests := []struct {
		name string
		args []any
		want []string // every string must appear in one problem
	}{
		{"uncalled DryRun", []any{plainModel{}, odm.DryRun}, []string{"func() odm.Option", "odm.DryRun is a function that returns an option", "call it, as in odm.DryRun()"}},
		{"uncalled Logger", []any{plainModel{}, odm.Logger}, []string{"func(*slog.Logger) odm.Option", "odm.Logger(...)"}},
		{"uncalled registry.All", []any{plainModel{}, registry.All}, []string{"func() []interface {}", "registry.All is a function that returns models", "registry.All()"}},
		{"concurrency 0", []any{plainModel{}, odm.Concurrency(0)}, []string{"odm.Option", "Concurrency(0)", "at least 1"}},
		{"negative concurrency", []any{plainModel{}, odm.Concurrency(-3)}, []string{"Concurrency(-3)", "at least 1"}},
		{"negative retries", []any{plainModel{}, odm.Retries(-1, time.Second)}, []string{"odm.Option", "Retries(-1, 1s)", "cannot be negative"}},
		{"negative backoff", []any{plainModel{}, odm.Retries(2, -time.Second)}, []string{"Retries(2, -1s)", "cannot be negative"}},
		{"a context among the models", []any{plainModel{}, context.Background()}, []string{"context.backgroundCtx", "a context.Context is not a model"}},
		{"the database among the models", []any{plainModel{}, db}, []string{"*mongo.Database", "is not a model", "second argument"}},
		{"a string", []any{plainModel{}, "users"}, []string{"string", "not a model, a list of models or an odm.Option"}},
		{"a list of strings", []any{plainModel{}, []string{"users"}}, []string{"[]string", "not a model"}},
		{"no argument", nil, []string{"no models given"}},
		{"an empty list", []any{[]any{}}, []string{"no models given", "not imported"}},
		{"an empty registry", []any{registry.New()}, []string{"no models given"}},
		{"options only", []any{odm.DryRun(), odm.Concurrency(2)}, []string{"no models given"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			check := func(call string, err error) {
				t.Helper()
				var verr *schema.ValidationError
				require.ErrorAs(t, err, &verr, call)
				found := false
				for _, p := range verr.Problems {
					all := true
					for _, w := range tt.want {
						all = all && strings.Contains(p.String(), w)
					}
					found = found || all
				}
				assert.True(t, found, "%s: no single problem holds all of %q in:\n%v", call, tt.want, err)
			}
			report, err := odm.Init(context.Background(), db, tt.args...)
			assert.Nil(t, report)
			check("Init", err)
			plan, err := odm.Plan(context.Background(), db, tt.args...)
			assert.Nil(t, plan)
			check("Plan", err)
			check("Validate", odm.Validate(tt.args...))
			_, err = odm.Declared(tt.args...)
			check("Declared", err)
			assert.Empty(t, rec.Commands(), "nothing may reach the server")
		})
	}
}

// TestModelSourcesAndListsAreReadAsModels: a registry (anything with
// All() []any) and typed slices of models stand for their models.
func TestModelSourcesAndListsAreReadAsModels(t *testing.T) {
	reg := registry.New()
	require.NoError(t, reg.Register(plainModel{}, auditModel{}))
	want, err := odm.Declared(plainModel{}, auditModel{})
	require.NoError(t, err)
	for name, args := range map[string][]any{
		"a registry":               {reg},
		"a registry among options": {odm.Concurrency(1), reg, odm.OnConflict(outcome.ConflictKeep)},
		"a typed slice":            {[]plainModel{{}}, []*auditModel{nil}},
		"a slice of options":       {reg.All(), []odm.Option{odm.DryRun()}},
	} {
		got, err := odm.Declared(args...)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}

	c, rec := testrig.MonitoredClient(t)
	db := testrig.Database(t, c)
	plan, err := odm.Plan(context.Background(), db, reg)
	require.NoError(t, err)
	var names []string
	for _, cp := range plan.Collections {
		names = append(names, cp.Collection)
	}
	assert.ElementsMatch(t, []string{"orders", "audit_model"}, names, "the registry's models, not a collection named after it")
	assert.Equal(t, 2, rec.Count("listIndexes"))
}

// TestPlanLeavesArgumentsAlone: Plan adds DryRun to its own copy of the
// arguments, never into spare capacity of the caller's slice, which
// another call (an Init sharing the slice) could be reading.
func TestPlanLeavesArgumentsAlone(t *testing.T) {
	args := make([]any, 1, 2)
	args[0] = plainModel{}
	spare := args[:2]
	spare[1] = "sentinel"
	_, err := odm.Plan(context.Background(), nil, args...)
	require.Error(t, err, "no database")
	got, _ := spare[1].(string)
	assert.Equal(t, "sentinel", got, "the caller's slice was written to: %T", spare[1])
}
