package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The README is read to learn the code, so what it names must exist. These
// tests keep it so: every repository path it quotes, every identifier its
// guided tour and "Writing a new lab" name (in the file or package the same
// paragraph names, when it names one), and every flag it quotes.

// readmeSections are the parts of the README whose identifiers are checked:
// the ones that send a reader into the code.
var readmeSections = []string{"## A guided tour", "## Writing a new lab"}

// repoRoot is the module's root, one level above this package.
const repoRoot = ".."

func readReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var quoted = regexp.MustCompile("`([^`\n]+)`")

// repoPath matches a quoted path into the repository.
var repoPath = regexp.MustCompile(`^(app|server|web|e2e|docs|internal|\.ci)(/[\w.*-]*)*$`)

// goFile matches a bare file name, read in the directory named before it.
var goFile = regexp.MustCompile(`^[\w-]+\.go$`)

func TestReadmePathsExist(t *testing.T) {
	for _, m := range quoted.FindAllStringSubmatch(readReadme(t), -1) {
		p := m[1]
		if !repoPath.MatchString(p) || strings.HasPrefix(p, "web/dist/") { // web/dist is built
			continue
		}
		found, err := filepath.Glob(filepath.Join(repoRoot, filepath.FromSlash(strings.TrimSuffix(p, "/"))))
		if err != nil || len(found) == 0 {
			t.Errorf("README names %s, which does not exist", p)
		}
	}
}

func TestReadmeFlagsExist(t *testing.T) {
	out, _ := exec.Command(buildBinary(t), "-h").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z][\w-]*)`).FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if len(flags) < 10 {
		t.Fatalf("bin/socketlab -h listed %d flags:\n%s", len(flags), out)
	}
	// Flags of other commands the README quotes: the bench tool's, beside
	// make bench, and go test's, beside the e2e suite.
	bench := map[string]bool{"only": true, "quick": true, "parallel": true, "run": true, "count": true}
	flagToken := regexp.MustCompile(`^-([a-z][a-z0-9-]*)(\s|$)`)
	for _, m := range quoted.FindAllStringSubmatch(readReadme(t), -1) {
		f := flagToken.FindStringSubmatch(m[1])
		if f != nil && !flags[f[1]] && !bench[f[1]] {
			t.Errorf("README quotes the flag -%s, which bin/socketlab -h does not list", f[1])
		}
	}
}

func TestReadmeIdentifiersExist(t *testing.T) {
	code := loadCode(t)
	readme := readReadme(t)
	checked := 0
	for _, sec := range readmeSections {
		i := strings.Index(readme, "\n"+sec+"\n")
		if i < 0 {
			t.Fatalf("README has no section %q", sec)
		}
		body := readme[i+len(sec)+2:]
		if j := strings.Index(body, "\n## "); j >= 0 {
			body = body[:j]
		}
		for _, para := range paragraphs(body) {
			toks := quoted.FindAllStringSubmatch(para, -1)
			// The files and package directories the paragraph names, in
			// any order: an identifier it quotes lives in one of them.
			var scopes []string
			dir := ""
			for _, m := range toks {
				tok := m[1]
				switch {
				case repoPath.MatchString(tok) && !strings.Contains(tok, "*"):
					tok = strings.TrimSuffix(tok, "/")
					scopes = append(scopes, tok)
					if strings.HasSuffix(tok, ".go") {
						dir = filepath.ToSlash(filepath.Dir(tok))
					} else {
						dir = tok
					}
				case goFile.MatchString(tok) && dir != "":
					// "hub.go" after "server/wire/": a file of that directory.
					p := dir + "/" + tok
					if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
						t.Errorf("README (%s) names %s in %s, which does not exist", sec, tok, dir)
					}
					scopes = append(scopes, p)
				}
			}
			for _, m := range toks {
				tok := m[1]
				if repoPath.MatchString(tok) || goFile.MatchString(tok) {
					continue
				}
				ok, isIdent := code.resolve(tok, scopes)
				if !isIdent {
					continue
				}
				checked++
				if !ok {
					where := "the code"
					if len(scopes) > 0 {
						where = "none of " + strings.Join(scopes, ", ")
					}
					t.Errorf("README (%s) names %s, which %s declares", sec, tok, where)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d identifiers checked: the README's sections or this test's reading of them changed", checked)
	}
}

// paragraphs splits text at blank lines, list items and table rows: the unit
// within which a quoted file is the home of the identifiers after it.
func paragraphs(text string) []string {
	var out []string
	var cur strings.Builder
	item := regexp.MustCompile(`^(\d+\.|-|\|) `)
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" || item.MatchString(line) {
			out = append(out, cur.String())
			cur.Reset()
		}
		cur.WriteString(line + "\n")
	}
	return append(out, cur.String())
}

// decl is one declared name.
type decl struct {
	file, dir, pkg string
	recv           string // for methods and struct fields: the type
	topLevel       bool
}

// codeIndex is every name declared in the module's Go files, and the words
// of the wire protocol (string constants, JSON field names), which the
// README quotes too but are not identifiers.
type codeIndex struct {
	names map[string][]decl
	pkgs  map[string]bool
	types map[string]bool
	words map[string]bool
}

func loadCode(t *testing.T) *codeIndex {
	t.Helper()
	c := &codeIndex{names: map[string][]decl{}, pkgs: map[string]bool{}, types: map[string]bool{}, words: map[string]bool{}}
	fset := token.NewFileSet()
	tag := regexp.MustCompile(`json:"([^",]+)`)
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "artifacts" || strings.HasPrefix(d.Name(), ".") && path != repoRoot) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		rel = filepath.ToSlash(rel)
		base := decl{file: rel, dir: filepath.ToSlash(filepath.Dir(rel)), pkg: f.Name.Name}
		c.pkgs[f.Name.Name] = true
		add := func(name string, d decl) { c.names[name] = append(c.names[name], d) }
		top := base
		top.topLevel = true
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						c.words[s] = true
					}
				}
			case *ast.Field:
				if n.Tag != nil {
					if m := tag.FindStringSubmatch(n.Tag.Value); m != nil {
						c.words[m[1]] = true
					}
				}
			}
			return true
		})
		for _, dd := range f.Decls {
			switch dd := dd.(type) {
			case *ast.FuncDecl:
				d := top
				if dd.Recv != nil && len(dd.Recv.List) > 0 {
					d.recv, d.topLevel = recvName(dd.Recv.List[0].Type), false
				}
				add(dd.Name.Name, d)
			case *ast.GenDecl:
				for _, s := range dd.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						add(s.Name.Name, top)
						c.types[s.Name.Name] = true
						member := base
						member.recv = s.Name.Name
						switch ty := s.Type.(type) {
						case *ast.StructType:
							for _, fl := range ty.Fields.List {
								for _, n := range fl.Names {
									add(n.Name, member)
								}
							}
						case *ast.InterfaceType:
							for _, fl := range ty.Methods.List {
								for _, n := range fl.Names {
									add(n.Name, member)
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							add(n.Name, top)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

var (
	methodExpr = regexp.MustCompile(`^\(\*?(\w+)\.(\w+)\)\.(\w+)$`)    // (*socket.Conn).Send
	pkgTypeSel = regexp.MustCompile(`^([a-z]\w*)\.([A-Z]\w*)\.(\w+)$`) // conns.Registry.Accept
	twoPart    = regexp.MustCompile(`^(\w+)\.(\w+)$`)                  // msg.DecodeChat, Session.Say
	oneName    = regexp.MustCompile(`^[A-Za-z_]\w*$`)
)

// resolve reports whether tok, quoted in a paragraph that names scopes
// (files and package directories; none: anywhere), is declared; isIdent is false for a token
// that is not a Go identifier (a protocol word, a command, a value).
func (c *codeIndex) resolve(tok string, scopes []string) (ok, isIdent bool) {
	tok = strings.TrimSuffix(tok, "()")
	if m := methodExpr.FindStringSubmatch(tok); m != nil {
		return c.member(m[1], m[2], m[3]), true
	}
	if m := pkgTypeSel.FindStringSubmatch(tok); m != nil {
		return c.member(m[1], m[2], m[3]), true
	}
	if m := twoPart.FindStringSubmatch(tok); m != nil {
		switch {
		case c.types[m[1]]:
			return c.member("", m[1], m[2]), true
		case c.pkgs[m[1]]:
			for _, d := range c.names[m[2]] {
				if d.pkg == m[1] && d.topLevel {
					return true, true
				}
			}
			return false, true
		}
		return false, false
	}
	if !oneName.MatchString(tok) || c.words[tok] {
		return false, false
	}
	for _, d := range c.names[tok] {
		if len(scopes) == 0 || slices.Contains(scopes, d.file) || slices.Contains(scopes, d.dir) {
			return true, true
		}
	}
	return false, true
}

// member reports whether type typ (in package pkg, or any when "") has a
// method or field name.
func (c *codeIndex) member(pkg, typ, name string) bool {
	for _, d := range c.names[name] {
		if d.recv == typ && (pkg == "" || d.pkg == pkg) {
			return true
		}
	}
	return false
}
