package odm_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoExportedAliasOfAnotherPackage: go doc and pkg.go.dev show no
// method or field of an alias, so every exported type of a public package
// is defined where it is documented. An exported alias, in a package
// outside internal/, of a type of another package of this module (an
// internal one above all) fails here, as does an exported constant or
// variable that only renames one.
func TestNoExportedAliasOfAnotherPackage(t *testing.T) {
	const module = "github.com/tagodm/tagodm"
	var found []string
	out := goList(t, "-f", "{{.ImportPath}}={{.Dir}}", module+"/...")
	require.NotEmpty(t, out)
	for _, entry := range out {
		importPath, dir, _ := strings.Cut(entry, "=")
		if strings.Contains(importPath, "/internal/") {
			continue
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			require.NoError(t, err)
			own := map[string]string{} // local name -> import path, this module's packages
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if !strings.HasPrefix(p, module+"/") {
					continue
				}
				name := filepath.Base(p)
				if im.Name != nil {
					name = im.Name.Name
				}
				own[name] = p
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, s := range g.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && s.Assign.IsValid() {
							if p, ok := selectorOf(s.Type, own); ok {
								found = append(found, importPath+"."+s.Name.Name+" = "+p)
							}
						}
					case *ast.ValueSpec:
						for i, n := range s.Names {
							if n.IsExported() && i < len(s.Values) {
								if p, ok := selectorOf(s.Values[i], own); ok {
									found = append(found, importPath+"."+n.Name+" = "+p)
								}
							}
						}
					}
				}
			}
		}
	}
	require.Empty(t, found, "exported aliases of another package's names: define the type where users find it")
}

// selectorOf reports an expression that is only pkg.Name (or pkg.Name[...])
// for a package of the module.
func selectorOf(e ast.Expr, own map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	p, ok := own[id.Name]
	if !ok {
		return "", false
	}
	return p + "." + sel.Sel.Name, true
}
