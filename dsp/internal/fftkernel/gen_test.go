package fftkernel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// radix4.go is what gen.go writes: nobody edited the one without the other.
func TestGeneratedIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator with")
	}
	out := filepath.Join(t.TempDir(), "radix4.go")
	cmd := exec.Command(gocmd, "run", "gen.go", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("radix4.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("radix4.go differs from what gen.go writes: run go generate ./dsp/internal/fftkernel")
	}
}
