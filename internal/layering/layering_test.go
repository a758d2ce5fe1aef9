// Package layering holds the test that keeps avlearn's packages in the
// layers drawn in docs/ARCHITECTURE.md: each package imports only packages
// of the layers below its own, and the signal-processing and data layers
// never depend on Gorgonia.
package layering

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layers lists avlearn's packages (import paths inside the module), bottom
// layer first. A package may import packages of lower layers only, never
// one of its own layer or above. A pattern ending in "/..." stands for the
// package and every package under it. Task packages that do not exist yet
// are listed so that they land in the right place; a new package must be
// added here (and to docs/ARCHITECTURE.md) before the test passes.
var layers = [][]string{
	{"dsp/internal/...", "internal/testsize"},
	{"dsp", "internal/progress"},
	{"avio", "internal/speechstats"},
	{"spectrogram"},
	{"nets", "synth"},
	{"eval", "task"},
	{"soundnet", "separation", "speech2face", "img2speech", "lipsync", "fusion"},
	{"internal/demo", "internal/cli"},
	{"cmd/...", "examples/...", "internal/experiments/...", "internal/layering"},
}

// noGorgonia are the packages that must not depend on Gorgonia, even
// indirectly: everything under nets.
var noGorgonia = []string{"dsp/...", "avio", "internal/speechstats", "spectrogram", "synth"}

// outside limits the dependencies outside the module and Go's standard
// library: packages matching pkgs may depend only on import paths that
// begin with one of allow. dsp is plain-slice numerics (gonum's BLAS at
// most); progress is a leaf.
var outside = []struct{ pkgs, allow []string }{
	{[]string{"dsp/..."}, []string{"gonum.org/v1/gonum/"}},
	{[]string{"internal/progress"}, nil},
}

// allowedOutside reports whether package rel may depend on dep, a path
// outside the module.
func allowedOutside(rel, dep string) (ok bool, allow []string) {
	if isStd(dep) {
		return true, nil
	}
	for _, o := range outside {
		if matchesAny(o.pkgs, rel) {
			return slices.ContainsFunc(o.allow, func(a string) bool { return strings.HasPrefix(dep, a) }), o.allow
		}
	}
	return true, nil
}

// pkg is the part of `go list -json` that the rules read.
type pkg struct {
	ImportPath string
	Imports    []string // non-test imports
	Deps       []string // transitive non-test dependencies
	Module     *struct{ Path string }
}

// matches reports whether rel (a path inside the module) is pattern or,
// for a pattern ending in "/...", under it.
func matches(pattern, rel string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == prefix || strings.HasPrefix(rel, prefix+"/")
	}
	return rel == pattern
}

// matchesAny reports whether rel matches one of patterns.
func matchesAny(patterns []string, rel string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, rel) })
}

// layerOf returns the layer of rel (a path inside the module), or -1. The
// first layer that matches wins, so dsp/internal/... is below dsp.
func layerOf(rel string) int {
	for i, l := range layers {
		if matchesAny(l, rel) {
			return i
		}
	}
	return -1
}

// isStd reports whether an import path is in the standard library: its
// first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// violations returns every broken rule among pkgs, whose module is mod.
func violations(mod string, pkgs []pkg) []string {
	var out []string
	rel := func(path string) (string, bool) {
		if path == mod {
			return ".", true
		}
		r, ok := strings.CutPrefix(path, mod+"/")
		return r, ok
	}
	for _, p := range pkgs {
		name, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		at := layerOf(name)
		if at < 0 {
			out = append(out, fmt.Sprintf("%s is in no layer: add it to internal/layering and docs/ARCHITECTURE.md", name))
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := rel(imp)
			if !ok {
				continue
			}
			if l := layerOf(dep); l < 0 || l >= at {
				out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): a package imports only lower layers", name, at, dep, l))
			}
		}
		for _, d := range p.Deps {
			if matchesAny(noGorgonia, name) && strings.HasPrefix(d, "gorgonia.org/") {
				out = append(out, fmt.Sprintf("%s depends on %s: it must not depend on Gorgonia", name, d))
				break
			}
			if _, inModule := rel(d); !inModule {
				if ok, allow := allowedOutside(name, d); !ok {
					out = append(out, fmt.Sprintf("%s depends on %s: it may use only the standard library%s", name, d, strings.Join(append([]string{""}, allow...), " and ")))
					break
				}
			}
		}
	}
	return out
}

// listPackages runs `go list -json ./...` at the module root, with the
// given build tags.
func listPackages(t *testing.T, tags string) (string, []pkg) {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags="+tags, "-json=ImportPath,Imports,Deps,Module", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 || pkgs[0].Module == nil {
		t.Fatal("go list found no packages of a module")
	}
	return pkgs[0].Module.Path, pkgs
}

// readModule reads go.mod and every Go file under root. go test caches a
// result until a file the test opened changes, and go list runs in a child
// process whose reads it does not see; reading the files here makes any
// change to the module's code or its imports run the test again.
func readModule(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || path == filepath.Join(root, "go.mod") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLayering fails if any package of the module imports a package of its
// own layer or above, depends on Gorgonia below nets, or is in no layer;
// with and without the research tag, so research code keeps to the layers
// too.
func TestLayering(t *testing.T) {
	readModule(t, "../..")
	for _, tags := range []string{"", "research"} {
		mod, pkgs := listPackages(t, tags)
		var seen []string
		for _, p := range pkgs {
			seen = append(seen, strings.TrimPrefix(p.ImportPath, mod+"/"))
		}
		for _, want := range []string{"dsp", "avio", "spectrogram", "nets", "synth", "soundnet", "separation", "cmd/avl"} {
			if !slices.Contains(seen, want) {
				t.Errorf("tags %q: go list did not return %s (listed: %v)", tags, want, seen)
			}
		}
		for _, v := range violations(mod, pkgs) {
			t.Errorf("tags %q: %s", tags, v)
		}
	}
}

// TestViolations checks that the rules catch each kind of break.
func TestViolations(t *testing.T) {
	const mod = "example.com/m"
	p := func(path string, imports, deps []string) pkg {
		return pkg{ImportPath: mod + "/" + path, Imports: imports, Deps: deps}
	}
	m := func(s string) string { return mod + "/" + s }
	good := []pkg{
		p("dsp/internal/kernel", []string{"math/bits"}, []string{"math/bits"}),
		p("dsp", []string{"math", m("dsp/internal/kernel"), "gonum.org/v1/gonum/blas/blas32"}, []string{"math", m("dsp/internal/kernel"), "gonum.org/v1/gonum/blas"}),
		p("avio", []string{m("dsp"), "golang.org/x/image/draw"}, []string{m("dsp"), "golang.org/x/image/draw"}),
		p("synth", []string{m("avio")}, nil),
		p("nets", []string{m("avio"), m("internal/progress"), "gorgonia.org/gorgonia"}, []string{"gorgonia.org/gorgonia"}),
		p("eval", []string{m("nets"), m("spectrogram")}, nil),
		p("separation", []string{m("nets"), m("eval"), m("dsp"), m("synth")}, nil),
		p("cmd/avl", []string{m("separation"), m("soundnet")}, nil),
		p("examples/separation", []string{m("separation")}, nil),
	}
	if v := violations(mod, good); len(v) != 0 {
		t.Errorf("a valid module broke rules: %v", v)
	}
	for _, c := range []struct {
		name string
		p    pkg
		want []string // all in the one violation
	}{
		{"upward import", p("spectrogram", []string{m("nets")}, nil), []string{"spectrogram (layer", "imports nets (layer"}},
		{"same layer", p("nets", []string{m("synth")}, nil), []string{"nets (layer", "imports synth"}},
		{"task imports task", p("soundnet", []string{m("separation")}, nil), []string{"soundnet (layer", "imports separation"}},
		{"nets imports eval", p("nets", []string{m("eval")}, nil), []string{"nets (layer", "imports eval"}},
		{"dsp imports its caller", p("dsp/internal/kernel", []string{m("dsp")}, nil), []string{"dsp/internal/kernel (layer", "imports dsp (layer"}},
		{"library imports command", p("dsp", []string{m("cmd/avl")}, nil), []string{"dsp (layer", "imports cmd/avl"}},
		{"unknown import", p("nets", []string{m("newpkg")}, nil), []string{"imports newpkg (layer -1)"}},
		{"unknown package", p("newpkg", nil, nil), []string{"newpkg is in no layer"}},
		{"gorgonia below nets", p("spectrogram", nil, []string{"gorgonia.org/tensor"}), []string{"spectrogram depends on gorgonia.org/tensor"}},
		{"dsp beyond the standard library and gonum", p("dsp", nil, []string{"golang.org/x/image/draw"}), []string{"dsp depends on golang.org/x/image/draw: it may use only the standard library and gonum.org/v1/gonum/"}},
		{"dsp kernels beyond the standard library", p("dsp/internal/kernel", nil, []string{"golang.org/x/sys/cpu"}), []string{"dsp/internal/kernel depends on golang.org/x/sys/cpu"}},
		{"progress beyond the standard library", p("internal/progress", nil, []string{"golang.org/x/term"}), []string{"internal/progress depends on golang.org/x/term: it may use only the standard library"}},
		{"dsp on Gorgonia", p("dsp", nil, []string{"gorgonia.org/gorgonia"}), []string{"dsp depends on gorgonia.org/gorgonia: it must not depend on Gorgonia"}},
	} {
		v := violations(mod, append(slices.Clone(good), c.p))
		ok := len(v) == 1
		for _, w := range c.want {
			ok = ok && strings.Contains(v[0], w)
		}
		if !ok {
			t.Errorf("%s: got %q, want one violation containing %q", c.name, v, c.want)
		}
	}
}
