package query_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedReferencesRefuseMistakesAtCompileTime builds small programs
// that use the typed builders, through a build overlay (nothing is
// written to the module): a right one must compile, and each mistake (a
// value of the wrong type, a field of another model, a number operator on
// a string, an element of a non-list) must be a compile error.
func TestTypedReferencesRefuseMistakesAtCompileTime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command must be on PATH")
	wd, err := os.Getwd()
	require.NoError(t, err)
	header := `package compilecheck

import "github.com/tagodm/tagodm/odm/query"

type ticket struct {
	Status string   ` + "`bson:\"status\"`" + `
	Seats  int      ` + "`bson:\"seats\"`" + `
	Tags   []string ` + "`bson:\"tags\"`" + `
}

type other struct {
	Name string ` + "`bson:\"name\"`" + `
}

var (
	status = query.F(func(t *ticket) *string { return &t.Status })
	seats  = query.F(func(t *ticket) *int { return &t.Seats })
	tags   = query.F(func(t *ticket) *[]string { return &t.Tags })
	name   = query.F(func(o *other) *string { return &o.Name })
)
`
	cases := []struct {
		name, body, refusal string // refusal: empty when it must compile
	}{
		{"right", `var _ = query.And(query.Eq(status, "open"), query.Gt(seats, 2), query.Contains(tags, "vip"))
var _ = query.Set(seats, 3)
var _ = query.Inc(seats, 1)
var _ = query.Push(tags, "x")`, ""},
		{"a value of the wrong type", `var _ = query.Eq(status, 3)`, "cannot use 3"},
		{"a field of another model", `var _ = query.And(query.Eq(status, "open"), query.Eq(name, "x"))`, "does not match inferred type query.Filter[ticket]"},
		{"$inc of a string", `var _ = query.Inc(status, "x")`, "string does not satisfy query.Number"},
		{"an element of a field that is no list", `var _ = query.Contains(status, "x")`, "does not match inferred type query.Field[ticket, []E]"},
		{"a $set of the wrong type", `var _ = query.Set(seats, "three")`, "cannot use"},
	}
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "x.go")
			require.NoError(t, os.WriteFile(src, []byte(header+tt.body+"\n"), 0o644))
			pkg := filepath.Join(wd, fmt.Sprintf("compilecheck%d", i))
			overlay, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(pkg, "x.go"): src}})
			require.NoError(t, err)
			ov := filepath.Join(dir, "overlay.json")
			require.NoError(t, os.WriteFile(ov, overlay, 0o644))
			cmd := exec.Command(goTool, "build", "-overlay", ov, "./"+filepath.Base(pkg))
			cmd.Dir = wd
			out, err := cmd.CombinedOutput()
			if tt.refusal == "" {
				require.NoError(t, err, "must compile:\n%s", out)
				return
			}
			require.Error(t, err, "must not compile")
			assert.Contains(t, string(out), tt.refusal)
		})
	}
}
