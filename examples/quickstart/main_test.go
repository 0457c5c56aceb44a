package main

import (
	"bytes"
	"context"
	"strings"
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
	// No Go value of a server's or of the library's shows in the output.
	assert.NotRegexp(t, `&\{|0x[0-9a-f]{6,}`, out.String())
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, " skipped ") {
			assert.NotContains(t, line, "not implemented yet", "a skipped row names the refusal, not the server's message")
		}
	}
}
