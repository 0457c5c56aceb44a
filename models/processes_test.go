package models_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

// TestInitFromEightProcesses: eight OS processes start at the same moment
// on an empty database; all exit 0, and the listed indexes are exactly the
// declared ones (less those the server refuses).
func TestInitFromEightProcesses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "initproc")
	build := exec.Command("go", "build", "-o", bin, "../internal/testrig/initproc")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	db := testrig.Database(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stderr *bytes.Buffer
		stdout *bufio.Reader
	}
	procs := make([]proc, 8)
	for i := range procs {
		cmd := exec.CommandContext(ctx, bin, testrig.URI(), db.Name())
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		procs[i] = proc{cmd, stdin, &stderr, bufio.NewReader(stdout)}
	}
	for i, p := range procs { // every process is connected before any starts
		line, err := p.stdout.ReadString('\n')
		require.NoError(t, err, "process %d: %s", i, p.stderr)
		require.Equal(t, "ready\n", line)
	}
	for _, p := range procs {
		_, _ = io.WriteString(p.stdin, "go\n")
	}
	for i, p := range procs {
		rest, _ := io.ReadAll(p.stdout)
		err := p.cmd.Wait()
		assert.NoError(t, err, "process %d: %s", i, p.stderr)
		t.Logf("process %d: %s", i, strings.TrimSpace(string(rest)))
	}

	// What the server refuses, as one more Init reports it.
	report, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Zero(t, report.Count(odm.Created), "the processes created everything")
	for coll, lines := range reference {
		if len(lines) == 0 {
			continue
		}
		cr, _ := report.Collection(coll)
		want := []string{"_id_"}
		for _, line := range lines {
			name := parseRef(t, line).Name
			if !slices.Contains(cr.Names(odm.Skipped), name) {
				want = append(want, name)
			}
		}
		var got []string
		for n := range testrig.ListIndexes(t, db.Name(), coll) {
			got = append(got, n)
		}
		assert.ElementsMatch(t, want, got, coll)
	}
}
