package host

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocComments checks, over every file of the package whatever its
// build constraints, that the package has a comment and that each exported
// name has a doc comment starting with that name.
func TestDocComments(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	pkgDoc := false
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package host ") {
			pkgDoc = true
		}
		check := func(pos token.Pos, ident string, doc *ast.CommentGroup) {
			if !ast.IsExported(ident) {
				return
			}
			if doc == nil || !strings.HasPrefix(doc.Text(), ident+" ") {
				t.Errorf("%s: %s: doc comment should start with %q", fset.Position(pos), ident, ident+" ")
			}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && !exportedRecv(d.Recv) {
					continue
				}
				check(d.Pos(), d.Name.Name, d.Doc)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						doc := s.Doc
						if doc == nil {
							doc = d.Doc
						}
						check(s.Pos(), s.Name.Name, doc)
					case *ast.ValueSpec:
						doc := s.Doc
						if doc == nil && len(d.Specs) == 1 {
							doc = d.Doc
						}
						for _, n := range s.Names {
							check(n.Pos(), n.Name, doc)
						}
					}
				}
			}
		}
	}
	if !pkgDoc {
		t.Errorf("no file has a comment starting %q", "Package host ")
	}
}

func exportedRecv(fl *ast.FieldList) bool {
	typ := fl.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
