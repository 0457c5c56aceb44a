package odm_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The layers import only downward: schema, then diff and query (over
// querydoc and recording, the helpers it shares with its machinery),
// then pathcheck and keyset (the repositories' query machinery), then
// shard (what users see of the shard key), then sharding (the internal
// machinery that detects, plans and sends the shard key's steps), then
// the engine, then this package; the server profiles (serverprofile) sit
// under both the engine and the repositories, which never reach for the
// engine. go list's dependency lists are the
// ground truth: a change that makes a lower layer import a higher one,
// makes a public package reach for the machinery, or makes the
// declarations or the comparison reach for the driver's client, fails
// here.
func TestLayersImportOnlyDownward(t *testing.T) {
	const odm = "github.com/tagodm/tagodm/odm"
	const client = "go.mongodb.org/mongo-driver/v2/mongo"
	layers := []struct {
		pkg       string
		forbidden []string // packages that may not be among its dependencies
	}{
		{odm + "/schema", []string{odm, odm + "/diff", odm + "/query", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/diff", []string{odm, odm + "/query", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/query", []string{odm, odm + "/diff", odm + "/internal/pathcheck", odm + "/internal/keyset", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/querydoc", []string{odm, odm + "/diff", odm + "/query", odm + "/internal/recording", odm + "/internal/pathcheck", odm + "/internal/keyset", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/recording", []string{odm, odm + "/diff", odm + "/query", odm + "/internal/pathcheck", odm + "/internal/keyset", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/keyset", []string{odm, odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/pathcheck", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/pathcheck", []string{odm, odm + "/diff", odm + "/outcome", odm + "/shard", odm + "/internal/keyset", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/agg", []string{odm, odm + "/diff", odm + "/outcome", odm + "/shard", odm + "/internal/pathcheck", odm + "/internal/keyset", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/outcome", []string{odm, odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/shard", []string{odm, odm + "/query", odm + "/outcome", odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/internal/shardkey", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/sharding", []string{odm, odm + "/diff", odm + "/query", odm + "/outcome", odm + "/internal/engine"}},
		{odm + "/internal/servererr", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/internal/extjson", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/modelcache", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/searchlist", []string{odm, odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/views", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/partialfilter", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/jsonschema", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/codecprobe", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/codec", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/schemakeywords", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", client}},
		{odm + "/internal/tagspell", []string{odm, odm + "/schema", odm + "/diff", odm + "/query", odm + "/internal/engine", client}},
		{odm + "/internal/memo", []string{odm, odm + "/diff", odm + "/query", odm + "/internal/engine", client}},
		{odm + "/internal/union", []string{odm, odm + "/diff", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/internal/write", []string{odm, odm + "/internal/engine", odm + "/diff"}},
		{odm + "/internal/binding", []string{odm, odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/internal/hooks", []string{odm, odm + "/internal/sharding", odm + "/internal/engine"}},
		{odm + "/internal/serverprofile", []string{odm, odm + "/diff", odm + "/query", odm + "/outcome", odm + "/shard", odm + "/internal/sharding", odm + "/internal/engine", odm + "/internal/repo"}},
		{odm + "/internal/repo", []string{odm, odm + "/internal/engine"}},
		{odm + "/internal/engine", []string{odm}},
	}
	for _, l := range layers {
		t.Run(l.pkg[len(odm)+1:], func(t *testing.T) {
			deps := goList(t, "-deps", l.pkg)
			for _, f := range l.forbidden {
				if slices.Contains(deps, f) {
					t.Errorf("%s depends on %s", l.pkg, f)
				}
			}
			// The driver's command machinery may come in only through the
			// options types declarations carry, never imported directly.
			for _, imp := range goList(t, "-f", "{{join .Imports \"\\n\"}}", l.pkg) {
				if strings.HasPrefix(imp, "go.mongodb.org/mongo-driver/v2/x/") {
					t.Errorf("%s imports %s", l.pkg, imp)
				}
			}
		})
	}
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// Every package of the library stays small enough to read, and every
// function short enough to hold in one's head: no non-test function over
// 80 lines, no package over 4,100 lines of non-test code.
func TestCodeShape(t *testing.T) {
	const maxFunc, maxPackage = 80, 4100
	for _, dir := range goList(t, "-f", "{{.Dir}}", "github.com/tagodm/tagodm/...") {
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		total := 0
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			require.NoError(t, err)
			total += fset.File(f.Pos()).LineCount()
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFunc {
					t.Errorf("%s: %s is %d lines (at most %d)", fset.Position(fn.Pos()), fn.Name.Name, n, maxFunc)
				}
			}
		}
		if total > maxPackage {
			t.Errorf("%s: %d lines of non-test code (at most %d)", dir, total, maxPackage)
		}
	}
}
