package demo

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// quickRun runs a quick demo with the smallest corpora into dir.
func quickRun(t *testing.T, dir string, progress io.Writer) string {
	t.Helper()
	rep, err := Run(context.Background(), Options{Dir: dir, Quick: true, Seed: 3, Scenes: 10, Speakers: 8, Captions: 3, Progress: progress})
	if err != nil {
		t.Fatalf("Run: %v\nreport:\n%s", err, rep)
	}
	return rep
}

func TestRunQuick(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var progress strings.Builder
	stdout := quickRun(t, dir, &progress)
	stderr := progress.String()
	if !strings.Contains(stderr, "== 1. Audio front-end") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(rep) != stdout {
		t.Errorf("Run's report is not report.md:\n%s\n---\n%s", stdout, rep)
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
	second := quickRun(t, dir, nil)
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("a rerun removed a file the demo did not write: %v", err)
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
	if err := os.WriteFile(filepath.Join(dir, marker), []byte(`["../victim.txt"]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(dir); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("err = %v, want a refusal naming the path outside", err)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("file outside the folder was removed: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, marker), []byte(`not json`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(dir); err == nil || !strings.Contains(err.Error(), marker) {
		t.Errorf("bad marker: err = %v", err)
	}
}
