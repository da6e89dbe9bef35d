// Package architecture_test holds the import rules of docs/architecture.md: data flows
// one way (scenario → runtime → load + faults → metrics → journal → verdict → reports),
// the stubs stand alone, and reports read only a run directory.
package architecture_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/thongsuot/thongsuot/"

// rule says what the non-test files of the packages under dir may import of this module.
type rule struct {
	dir  string   // a package directory, and every package below it
	why  string   // the rule in words, for the failure message
	only []string // the module's packages it may import (and those below them); nil: no limit
	not  []string // the module's packages it may not import (and those below them)
	// notExactly are packages it may not import, not counting those below them.
	notExactly []string
	// files the rule does not cover, by name, each with its reason in a comment.
	except []string
}

var rules = []rule{
	{dir: "units", why: "reference data stands alone", only: []string{}},
	{dir: "stubs", why: "the stubs are the system under test: they know nothing of the harness",
		only: []string{"stubs", "units"}},
	{dir: "harness/clock", why: "the clock is a leaf", only: []string{}},
	{dir: "harness/journey", why: "compiled journey steps are a leaf: the schema compiles them, the load runs them", only: []string{}},
	{dir: "scenarios", why: "the schema is the start of the data flow", only: []string{"harness/clock", "harness/journey", "units"}},
	{dir: "harness/load", why: "the generator sends; it does not record or judge",
		only: []string{"harness/clock", "harness/journey", "scenarios", "units"}},
	{dir: "harness/fault", why: "faults are applied and journalled; nothing is judged",
		only: []string{"harness/clock", "harness/fault", "harness/journal", "harness/metrics", "scenarios"}},
	{dir: "harness/metrics", why: "windows are counted, not judged", only: []string{"harness/clock"}},
	{dir: "harness/health", why: "the harness's health is measured, not judged", only: []string{}},
	{dir: "harness/sizing", why: "sizing searches and draws; the harness runs its probes", only: []string{}},
	{dir: "harness/journal", why: "the record on disk", only: []string{"harness/metrics", "harness/health", "harness/clock", "scenarios"}},
	{dir: "harness/slo", why: "the verdict reads the journal only",
		only: []string{"harness/journal", "harness/metrics", "harness/health", "harness/clock", "scenarios"}},
	{dir: "harness/merge", why: "a merge reads run directories and writes one",
		only: []string{"harness/journal", "harness/metrics", "harness/health", "harness/clock", "scenarios"}},
	{dir: "harness/reconcile", why: "reconciliation reads the ledger and the portal's listing",
		only: []string{"harness/journal", "harness/metrics"}},
	{dir: "reports", why: "reports read only a run directory: the journal and the resolved scenario",
		only: []string{"harness/journal", "harness/metrics", "harness/health", "harness/slo", "harness/clock", "scenarios", "reports"},
		// plan.go draws a scenario's plan before any run: it reads the load model and the
		// fault schedule, never a run.
		except: []string{"plan.go"}},
	{dir: "", why: "nothing imports the command", not: []string{"cmd"}},
	{dir: "", why: "only the command drives a whole run", notExactly: []string{"harness"}, except: []string{"cmd/thongsuot"}},
}

// imports lists, per non-test Go file (relative path), the module packages it imports.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != "." || d.Name() == "testdata" || d.Name() == "out") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if rest, ok := strings.CutPrefix(ip, module); ok {
				out[filepath.ToSlash(p)] = append(out[filepath.ToSlash(p)], rest)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// within says whether pkg is dir or below it.
func within(pkg, dir string) bool {
	return dir == "" || pkg == dir || strings.HasPrefix(pkg, dir+"/")
}

func TestImportRules(t *testing.T) {
	files := imports(t)
	require.NotEmpty(t, files)
	for _, r := range rules {
		for file, deps := range files {
			pkg := path.Dir(file)
			if !within(pkg, r.dir) || excepted(r, file, pkg) {
				continue
			}
			for _, dep := range deps {
				allowed := r.only == nil
				for _, o := range r.only {
					allowed = allowed || within(dep, o)
				}
				for _, n := range r.not {
					allowed = allowed && !within(dep, n)
				}
				for _, n := range r.notExactly {
					allowed = allowed && dep != n
				}
				assert.True(t, allowed, "%s imports %s: %s", file, dep, r.why)
			}
		}
	}
}

func excepted(r rule, file, pkg string) bool {
	for _, e := range r.except {
		if path.Base(file) == e || within(pkg, e) {
			return true
		}
	}
	return false
}

// The rules can fail: a stub importing the harness breaks them.
func TestImportRulesCatchAViolation(t *testing.T) {
	r := rules[1]
	require.Equal(t, "stubs", r.dir)
	allowed := false
	for _, o := range r.only {
		allowed = allowed || within("harness/load", o)
	}
	assert.False(t, allowed)
}
