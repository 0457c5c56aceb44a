package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/examples/internal/appdb"
	"github.com/tagodm/tagodm/odm/cli"
)

// TestPlanOnAnEmptyDatabase: every reference index is pending on a
// database that has none, so plan exits 2 and changes nothing.
func TestPlanOnAnEmptyDatabase(t *testing.T) {
	name := fmt.Sprintf("odmctl_test_%d", time.Now().UnixNano())
	assert.Equal(t, cli.ExitPending, run(name, []string{"plan", "--skip-unsupported"}))
	assert.Equal(t, cli.ExitError, run(name, []string{"bogus"}))

	// With MONGODB_URI the plan ran on that server: nothing may exist.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := appdb.Open(ctx)
	require.NoError(t, err)
	defer conn.Close()
	names, err := conn.Client.Database(name).ListCollectionNames(ctx, map[string]any{})
	require.NoError(t, err)
	assert.Empty(t, names, "plan created nothing")
}
