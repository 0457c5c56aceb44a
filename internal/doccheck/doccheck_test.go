// Package doccheck holds the tests that keep the repository's Markdown
// honest: every Go block of README.md, CONTRIBUTING.md and docs/*.md
// compiles against the library as it is, README.md links every page of
// docs/, and every relative link of these files leads to a file.
//
// The rule for Go blocks (```go fences; other fences are not compiled):
//
//   - A block whose first line that is not a comment starts with a package
//     clause is a complete Go file and is compiled as it is.
//   - Any other block is a fragment, completed with `package snippet` and
//     one import for each package name it uses and does not declare,
//     taken from the table knownImports (a name outside the table stays
//     undefined, a compile error). A fragment that parses as top-level
//     declarations is compiled as such; otherwise it is the body of a
//     function `func(ctx context.Context, db *mongo.Database) error`,
//     ended by `return nil`, so it may use ctx and db and return an error.
//
// A complete file is a package of its own. The fragments of one Markdown
// file are the files of one package, so a block may use the names an
// earlier block of the same page declares (a model, a field reference),
// and two fragments of a page may not declare one name twice. Everything
// is built by one `go build -overlay` (nothing is written into the
// module), and //line directives make every compile error name the
// Markdown file and line.
package doccheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// knownImports maps the package names a fragment may use to their import
// paths.
var knownImports = map[string]string{
	"odm":      "github.com/tagodm/tagodm/odm",
	"schema":   "github.com/tagodm/tagodm/odm/schema",
	"query":    "github.com/tagodm/tagodm/odm/query",
	"outcome":  "github.com/tagodm/tagodm/odm/outcome",
	"diff":     "github.com/tagodm/tagodm/odm/diff",
	"shard":    "github.com/tagodm/tagodm/odm/shard",
	"agg":      "github.com/tagodm/tagodm/odm/agg",
	"cli":      "github.com/tagodm/tagodm/odm/cli",
	"registry": "github.com/tagodm/tagodm/registry",
	"models":   "github.com/tagodm/tagodm/models",
	"bson":     "go.mongodb.org/mongo-driver/v2/bson",
	"mongo":    "go.mongodb.org/mongo-driver/v2/mongo",
	"options":  "go.mongodb.org/mongo-driver/v2/mongo/options",
	"context":  "context",
	"errors":   "errors",
	"fmt":      "fmt",
	"io":       "io",
	"json":     "encoding/json",
	"log":      "log",
	"os":       "os",
	"slog":     "log/slog",
	"strings":  "strings",
	"testing":  "testing",
	"time":     "time",
}

// block is one ```go block of a Markdown file.
type block struct {
	file string // relative to the repository root
	line int    // line of the block's first line of code
	code string
}

// root is the repository's root directory: the one holding go.mod,
// two levels above this package.
func root(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	r := filepath.Dir(filepath.Dir(wd))
	_, err = os.Stat(filepath.Join(r, "go.mod"))
	require.NoError(t, err, "the repository root must hold go.mod")
	return r
}

// markdownFiles lists README.md, CONTRIBUTING.md and docs/*.md, relative
// to the root.
func markdownFiles(t *testing.T, r string) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md"}
	pages, err := filepath.Glob(filepath.Join(r, "docs", "*.md"))
	require.NoError(t, err)
	for _, p := range pages {
		files = append(files, filepath.Join("docs", filepath.Base(p)))
	}
	return files
}

var fence = regexp.MustCompile("^\\s*(```+|~~~+)\\s*(\\S*)")

// blocks returns the ```go blocks of a Markdown text.
func blocks(file, text string) []block {
	var out []block
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		start := i + 1
		j := start
		for j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), m[1]) {
			j++
		}
		if m[2] == "go" {
			out = append(out, block{file: file, line: start + 1, code: strings.Join(lines[start:j], "\n") + "\n"})
		}
		i = j
	}
	return out
}

var inlineCode = regexp.MustCompile("``[^\n]*?``|`[^`\n]*`")

// withoutCode is a Markdown text with its fenced blocks and code spans
// blanked out, so that links are read from the prose only.
func withoutCode(text string) string {
	lines := strings.Split(text, "\n")
	in := ""
	for i, l := range lines {
		m := fence.FindStringSubmatch(l)
		switch {
		case in == "" && m != nil:
			in = m[1]
			lines[i] = ""
		case in != "":
			if strings.HasPrefix(strings.TrimSpace(l), in) {
				in = ""
			}
			lines[i] = ""
		}
	}
	return inlineCode.ReplaceAllString(strings.Join(lines, "\n"), "")
}

var packageClause = regexp.MustCompile(`^package\s+\w+`)

// complete reports whether a block is a whole Go file: its first line
// that is neither blank nor a comment is a package clause.
func complete(code string) bool {
	for _, l := range strings.Split(code, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		return packageClause.MatchString(l)
	}
	return false
}

// source turns a block into a Go file, by the rule of the package
// comment; the problem is set when the block parses neither way.
func source(b block, fn string) (src string, problem error) {
	pos := fmt.Sprintf("//line %s:%d\n", filepath.ToSlash(b.file), b.line)
	if complete(b.code) {
		return pos + b.code, nil
	}
	fset := token.NewFileSet()
	decls := "package snippet\n" + b.code
	f, declErr := parser.ParseFile(fset, b.file, decls, 0)
	body := false
	if declErr != nil {
		stmts := "package snippet\nfunc snippet(ctx context.Context, db *mongo.Database) error {\n" + b.code + "return nil\n}\n"
		var stmtErr error
		if f, stmtErr = parser.ParseFile(fset, b.file, stmts, 0); stmtErr != nil {
			return "", fmt.Errorf("%s:%d: the block is neither a Go file, nor declarations (%v), nor statements (%v)", b.file, b.line, declErr, stmtErr)
		}
		body = true
	}
	used := map[string]bool{}
	for _, id := range f.Unresolved {
		if _, ok := knownImports[id.Name]; ok {
			used[id.Name] = true
		}
	}
	if body {
		used["context"], used["mongo"] = true, true
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	var sb strings.Builder
	sb.WriteString("package snippet\n\nimport (\n")
	for _, n := range names {
		fmt.Fprintf(&sb, "\t%s %q\n", n, knownImports[n])
	}
	sb.WriteString(")\n\n")
	if body {
		fmt.Fprintf(&sb, "func %s(ctx context.Context, db *mongo.Database) error {\n", fn)
		sb.WriteString(pos + b.code)
		sb.WriteString("return nil\n}\n")
	} else {
		sb.WriteString(pos + b.code)
	}
	// Every import is used by the block itself, except context and mongo
	// in a function body; keep the compiler from counting them unused.
	if body {
		fmt.Fprintf(&sb, "\nvar _ context.Context = nil\nvar _ *mongo.Database = nil\n")
	}
	return sb.String(), nil
}

// TestGoBlocksCompile compiles every Go block of the Markdown files, by
// the rule of the package comment, in one go build through an overlay.
func TestGoBlocksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the documentation's Go blocks with the go command; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command must be on PATH")
	r := root(t)
	var all []block
	for _, f := range markdownFiles(t, r) {
		text, err := os.ReadFile(filepath.Join(r, f))
		require.NoError(t, err)
		all = append(all, blocks(f, string(text))...)
	}
	require.NotEmpty(t, all, "the Markdown files hold no Go block")

	dir := t.TempDir()
	// A block that imports the test-support module is built in that
	// module (the library's module does not require it); the others in
	// the library's.
	type build struct {
		replace map[string]string
		pkgs    []string
	}
	builds := map[string]*build{} // module directory, relative to the root -> its build
	pkgOf := map[string]string{}  // Markdown file -> the package of its fragments
	var problems []string
	for i, b := range all {
		fn := fmt.Sprintf("snippet%03d", i)
		src, err := source(b, fn)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		tmp := filepath.Join(dir, fn+".go")
		require.NoError(t, os.WriteFile(tmp, []byte(src), 0o644))
		module := "."
		if strings.Contains(b.code, `"github.com/tagodm/tagodm/odmtest"`) {
			module = "odmtest"
		}
		bl := builds[module]
		if bl == nil {
			bl = &build{replace: map[string]string{}}
			builds[module] = bl
		}
		pkg := pkgOf[b.file]
		switch {
		case complete(b.code):
			pkg = "./internal/doccheck/" + fn
		case module != ".":
			problems = append(problems, fmt.Sprintf("%s:%d: a block that uses odmtest must be a complete file", b.file, b.line))
			continue
		case pkg == "":
			pkg = fmt.Sprintf("./internal/doccheck/page%03d", len(pkgOf))
			pkgOf[b.file] = pkg
		}
		bl.replace[filepath.Join(r, module, pkg, fn+".go")] = tmp
		if !slices.Contains(bl.pkgs, pkg) {
			bl.pkgs = append(bl.pkgs, pkg)
		}
	}
	for module, bl := range builds {
		overlay, err := json.Marshal(map[string]map[string]string{"Replace": bl.replace})
		require.NoError(t, err)
		ov := filepath.Join(dir, "overlay-"+filepath.Base(module)+".json")
		require.NoError(t, os.WriteFile(ov, overlay, 0o644))
		cmd := exec.Command(goTool, append([]string{"build", "-overlay", ov}, bl.pkgs...)...)
		cmd.Dir = filepath.Join(r, module)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			problems = append(problems, strings.TrimSpace(out.String()))
		}
	}
	if len(problems) > 0 {
		t.Fatalf("%d Go blocks checked; these do not compile:\n%s", len(all), strings.Join(problems, "\n"))
	}
	t.Logf("%d Go blocks compile", len(all))
}

var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestLinks holds README.md to linking every page of docs/, and every
// relative link of the Markdown files to a file that exists.
func TestLinks(t *testing.T) {
	r := root(t)
	readme, err := os.ReadFile(filepath.Join(r, "README.md"))
	require.NoError(t, err)
	linked := map[string]bool{}
	for _, m := range link.FindAllStringSubmatch(withoutCode(string(readme)), -1) {
		target, _, _ := strings.Cut(m[1], "#")
		linked[filepath.Clean(target)] = true
	}
	for _, f := range markdownFiles(t, r) {
		if strings.HasPrefix(f, "docs"+string(filepath.Separator)) && !linked[f] {
			t.Errorf("README.md does not link %s", filepath.ToSlash(f))
		}
	}
	for _, f := range markdownFiles(t, r) {
		text, err := os.ReadFile(filepath.Join(r, f))
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(withoutCode(string(text)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "#") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			path := filepath.Join(r, filepath.Dir(f), filepath.FromSlash(target))
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: the link %s leads to no file (%s)", filepath.ToSlash(f), m[1], filepath.ToSlash(path))
			}
		}
	}
}
