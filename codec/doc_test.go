package codec

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocComments checks that the package and every exported name have a
// doc comment that starts with the name.
func TestDocComments(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, n, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/tandemhq/tandem/codec")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Doc, "Package codec ") {
		t.Errorf("package doc starts %.20q; want \"Package codec ...\"", p.Doc)
	}
	check := func(name, d string) {
		if !strings.HasPrefix(d, name+" ") && !strings.HasPrefix(d, "A "+name+" ") && !strings.HasPrefix(d, "An "+name+" ") {
			t.Errorf("%s: doc %.30q; want a sentence starting with its name", name, d)
		}
	}
	for _, f := range p.Funcs {
		check(f.Name, f.Doc)
	}
	for _, ty := range p.Types {
		check(ty.Name, ty.Doc)
		for _, f := range ty.Funcs {
			check(f.Name, f.Doc)
		}
		for _, m := range ty.Methods {
			check(m.Name, m.Doc)
		}
	}
}
