package models_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/internal/testrig"
	"github.com/tagodm/tagodm/internal/testrig/items"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/diff"
	"github.com/tagodm/tagodm/odm/outcome"
	"github.com/tagodm/tagodm/registry"
)

// buildInitproc builds the stand-in service process.
func buildInitproc(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "initproc")
	build := exec.Command("go", "build", "-o", bin, "../internal/testrig/initproc")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// exit is how one process ended.
type exit struct {
	args   []string
	code   int
	stdout string
	stderr string
}

// runProcesses starts one process per argument list on db, waits until
// every one is connected, starts them all at once, and returns how each
// ended.
func runProcesses(t *testing.T, ctx context.Context, bin string, db *mongo.Database, argLists [][]string) []exit {
	t.Helper()
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stderr *bytes.Buffer
		stdout *bufio.Reader
	}
	procs := make([]proc, len(argLists))
	for i, args := range argLists {
		cmd := exec.CommandContext(ctx, bin, append(slices.Clone(args), testrig.URI(), db.Name())...)
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
	out := make([]exit, len(procs))
	for i, p := range procs {
		rest, _ := io.ReadAll(p.stdout)
		err := p.cmd.Wait()
		out[i] = exit{args: argLists[i], stdout: strings.TrimSpace(string(rest)), stderr: strings.TrimSpace(p.stderr.String())}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			out[i].code = ee.ExitCode()
		} else {
			require.NoError(t, err, "process %d", i)
		}
	}
	return out
}

// TestInitFromEightProcesses: eight OS processes start at the same moment
// on an empty database; all exit 0, and the listed indexes are exactly the
// declared ones (less those the server refuses).
func TestInitFromEightProcesses(t *testing.T) {
	bin := buildInitproc(t)
	db := testrig.Database(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for i, e := range runProcesses(t, ctx, bin, db, slices.Repeat([][]string{nil}, 8)) {
		assert.Zero(t, e.code, "process %d: %s", i, e.stderr)
		t.Logf("process %d: %s", i, e.stdout)
	}

	// What the server refuses, as one more Init reports it.
	report, err := odm.Init(ctx, db, registry.All(), odm.SkipUnsupported())
	require.NoError(t, err)
	assert.Zero(t, report.Count(outcome.Created), "the processes created everything")
	for coll, lines := range reference {
		if len(lines) == 0 {
			continue
		}
		cr, _ := report.Collection(coll)
		want := []string{"_id_"}
		for _, line := range lines {
			name := parseRef(t, line).Name
			if !slices.Contains(cr.Names(outcome.Skipped), name) {
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

// declaredSets names the versions whose declared set the items collection
// holds exactly: every declared index listed as declared (by MongoDB's
// equality rules, which Diff follows) and no other index but _id_.
func declaredSets(t *testing.T, ctx context.Context, db *mongo.Database) []string {
	t.Helper()
	cur, err := db.Collection("items").Indexes().List(ctx)
	require.NoError(t, err)
	var listed []bson.Raw
	for cur.Next(ctx) {
		listed = append(listed, append(bson.Raw(nil), cur.Current...))
	}
	require.NoError(t, cur.Err())
	var out []string
	for _, name := range []string{"new", "old", "slim"} {
		declared, err := odm.Declared(items.Versions[name])
		require.NoError(t, err)
		changes, err := diff.Diff(declared["items"], listed)
		require.NoError(t, err)
		if !slices.ContainsFunc(changes, func(c diff.IndexChange) bool { return c.Action != diff.Unchanged }) {
			out = append(out, name)
		}
	}
	return out
}

// TestRollingDeployFrom24Processes: 24 OS processes start at the same
// moment, five times per case. Every process exits 0, except old-version
// processes on the default policy, which may exit only with a
// *ConflictError (exit code 3); they must when the new version's set is in
// place before they start, and may exit 0 when they list before the new
// version's rebuild. Every repetition ends in exactly one version's
// declared set, and every lease is released.
func TestRollingDeployFrom24Processes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 600 processes")
	}
	bin := buildInitproc(t)
	rebuild := []string{"-models", "new", "-policy", "rebuild"}
	drop := []string{"-models", "slim", "-drop"}
	old := []string{"-models", "old"}
	oldRebuild := []string{"-models", "old", "-policy", "rebuild"}
	newDefault := []string{"-models", "new"}
	half := func(a, b []string) [][]string {
		return slices.Concat(slices.Repeat([][]string{a}, 12), slices.Repeat([][]string{b}, 12))
	}
	for _, tt := range []struct {
		name  string
		setUp any // the version that set the collection up
		procs [][]string
		want  []string // the declared sets it may end in
		// conflict: old-version processes on the default policy must exit
		// with a *ConflictError (else they may).
		conflict bool
	}{
		{"rebuild under ConflictRebuild", items.Old{}, slices.Repeat([][]string{rebuild}, 24), []string{"new"}, false},
		{"drop undeclared under DropUndeclared", items.Old{}, slices.Repeat([][]string{drop}, 24), []string{"slim"}, false},
		{"half old version, half new version rebuilding", items.Old{}, half(rebuild, old), []string{"new"}, false},
		{"half old version, half new version after the apply job", items.New{}, half(newDefault, old), []string{"new"}, true},
		{"both versions rebuilding a mix: one set, never a mix", items.Mixed{}, half(rebuild, oldRebuild), []string{"new", "old"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for rep := range 5 {
				rollingDeploy(t, bin, rep, tt.setUp, tt.procs, tt.want, tt.conflict)
			}
		})
	}
}

// rollingDeploy runs one repetition of TestRollingDeployFrom24Processes.
func rollingDeploy(t *testing.T, bin string, rep int, setUp any, procs [][]string, want []string, conflict bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testrig.Database(t, nil)
	_, err := odm.Init(ctx, db, setUp)
	require.NoError(t, err)
	old := []string{"-models", "old"}
	conflicts := 0
	for i, e := range runProcesses(t, ctx, bin, db, procs) {
		switch {
		case slices.Equal(e.args, old) && (e.code == 3 || conflict):
			conflicts++
			assert.Equal(t, 3, e.code, "repetition %d, process %d %v: a *ConflictError: %s", rep, i, e.args, e.stderr)
			assert.Contains(t, e.stderr, "conflict with their declarations", "repetition %d, process %d", rep, i)
		default:
			assert.Zero(t, e.code, "repetition %d, process %d %v: %s", rep, i, e.args, e.stderr)
		}
	}
	sets := declaredSets(t, ctx, db)
	assert.Len(t, sets, 1, "repetition %d: exactly one declared set, got %v", rep, sets)
	assert.Subset(t, want, sets, "repetition %d", rep)
	n, err := db.Collection("odm_locks").CountDocuments(ctx, bson.D{}) // Init's leases
	require.NoError(t, err)
	assert.Zero(t, n, "repetition %d: every lease released", rep)
	t.Logf("repetition %d: ends in %v; %d old-version processes stopped on a conflict", rep, sets, conflicts)
}
