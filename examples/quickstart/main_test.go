package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out))
	t.Log("\n" + out.String())
	assert.Regexp(t, `16 collections: \d+ created, 0 existed`, out.String())
	assert.Contains(t, out.String(), "Init again: 0 created")
	assert.Contains(t, out.String(), "Read back user ada <ada@example.com>.")
	assert.Contains(t, out.String(), "refused by the unique index username_1")
	assert.Regexp(t, `Inserted saga saga-1 with _id [0-9a-f]{24} at revision [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-`, out.String())
	assert.Contains(t, out.String(), "A second writer holding the saga's old revision was refused")
}
