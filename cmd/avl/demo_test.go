package main

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// quickDemo runs "avl demo --quick" with the smallest corpora into dir.
func quickDemo(t *testing.T, dir string, extra ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	args := append([]string{"demo", "--quick", "--out", dir, "--seed", "3", "--scenes", "10", "--speakers", "8", "--captions", "3"}, extra...)
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("avl %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func TestDemoQuick(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	stdout, stderr := quickDemo(t, dir)
	if !strings.Contains(stderr, "== 1. Audio front-end") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(rep) != stdout {
		t.Errorf("stdout is not report.md:\n%s\n---\n%s", stdout, rep)
	}
	for _, want := range []string{
		"## 1. Audio front-end", "## 2. Synthetic corpora", "## 3. nets: MLP on MFCC statistics",
		"## 4. SoundNet", "## 5. Face-guided speech separation",
		"spectral convergence", "round-trip SNR", "0 problems", "held-out test",
		"linear probes", "random-weight pool5", "oracle IRM", "SI-SDRi",
	} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if strings.Contains(string(rep), "FAILED") {
		t.Errorf("a step failed:\n%s", rep)
	}
	// every file the report lists exists; PNGs decode, WAVs read
	for _, m := range regexp.MustCompile(`(?m)^Files: (.*)$`).FindAllStringSubmatch(string(rep), -1) {
		for _, f := range strings.Split(m[1], ", ") {
			p := filepath.Join(dir, f)
			if _, err := os.Stat(p); err != nil {
				t.Errorf("listed file: %v", err)
				continue
			}
			switch filepath.Ext(f) {
			case ".png":
				b, _ := os.ReadFile(p)
				if _, err := png.Decode(bytes.NewReader(b)); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			case ".wav":
				a, _, err := avio.ReadWAV(p)
				if err != nil {
					t.Errorf("%s: %v", f, err)
				} else if len(a.Mono()) == 0 {
					t.Errorf("%s: no samples", f)
				}
			}
		}
	}
	for _, f := range []string{"audio.wav", "reconstructed.wav", "linear.png", "mel.png", "mfcc.png", "faces.png", "scenes.png", "captions.png", "nets_loss.png", "mel.npy"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if a, err := avio.ReadNPY(filepath.Join(dir, "mel.npy")); err != nil || len(a.Shape) != 2 || a.Shape[0] != 80 {
		t.Errorf("mel.npy: %v %v", a, err)
	}

	// The same seed gives the same report (timings aside) and the same
	// audio; a rerun into the same folder replaces the earlier demo.
	if testing.Short() {
		return
	}
	wav1, err := os.ReadFile(filepath.Join(dir, "speaker_1.wav"))
	if err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, stderr := quickDemo(t, dir, "-q")
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("a rerun removed a file the demo did not write: %v", err)
	}
	if stderr != "" {
		t.Errorf("-q printed on stderr: %q", stderr)
	}
	wav2, _ := os.ReadFile(filepath.Join(dir, "speaker_1.wav"))
	if !bytes.Equal(wav1, wav2) {
		t.Error("speaker_1.wav differs between runs with the same seed")
	}
	times := regexp.MustCompile(`\d[\d.µmhs]*s\b`)
	if a, b := times.ReplaceAllString(stdout, "T"), times.ReplaceAllString(second, "T"); a != b {
		t.Errorf("reports differ beyond timings:\n%s\n---\n%s", a, b)
	}
}

func TestDemoRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	if code := run([]string{"demo", "--quick", "--out", dir}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "not empty") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mine.txt")); err != nil || string(b) != "keep" {
		t.Errorf("the user's file was touched: %q %v", b, err)
	}
	for _, args := range [][]string{
		{"demo", "extra"}, {"demo", "--scenes", "3"}, {"demo", "--out", ""}, {"demo", "--bogus"},
	} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("avl %v: exit %d, want 2", args, code)
		}
	}
	if code := run([]string{"demo", "-h"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

// A marker that names paths outside the folder is refused, never followed.
func TestDemoMarkerOutsideFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "demo")
	victim := filepath.Join(parent, "victim.txt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, demoMarker), []byte(`["../victim.txt"]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareDemoDir(dir); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("err = %v, want a refusal naming the path outside", err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("file outside the folder was removed: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, demoMarker), []byte(`not json`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareDemoDir(dir); err == nil || !strings.Contains(err.Error(), demoMarker) {
		t.Errorf("bad marker: err = %v", err)
	}
}
