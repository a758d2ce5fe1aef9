package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
)

// Options sizes one demo run.
type Options struct {
	Dir   string // the demo folder: new, empty, or an earlier demo's
	Seed  int64  // seed of every corpus, model and shuffle
	Quick bool   // tiny corpora, a few training steps per task
	// Scenes, Speakers and Captions are the clip counts of the corpora
	// (at least 10, 8 and 3).
	Scenes, Speakers, Captions int
	Progress                   io.Writer // nil is quiet
}

// step is one section of the report.
type step struct {
	Title   string
	Lines   []string // results, one bullet each
	Files   []string // written, relative to the demo folder
	Cmds    []string // commands that reproduce the step or go further with its files
	Skipped string   // why the step did not run
	Err     error
	Took    time.Duration
}

// run carries what one step hands to the next.
type run struct {
	o     Options
	steps []*step
	cur   *step
	files []string // everything written, for the marker

	scenes, speakers, captions *avio.Dataset
}

// marker lists, in a demo folder, the files the demo wrote there, so
// that a later run knows the folder is its own and what to replace.
const marker = ".avl-demo.json"

// Run runs every step of the demo into o.Dir and writes report.md and
// report.html (the same results as one page for a browser); it returns the report
// text (empty if the folder could not be prepared) and the first error.
func Run(ctx context.Context, o Options) (string, error) {
	if err := prepareDir(o.Dir); err != nil {
		return "", err
	}
	d := &run{o: o}
	start := time.Now()
	d.do(ctx, "1. Audio front-end", d.frontEnd)
	d.do(ctx, "2. Synthetic corpora", d.corpora)
	d.do(ctx, "3. nets: MLP on MFCC statistics", d.netsSanity)
	d.do(ctx, "4. SoundNet: distillation and linear probes", d.soundnetStep)
	d.do(ctx, "5. Face-guided speech separation", d.separationStep)
	d.do(ctx, "6. Sensor fusion", d.fusionStep)
	d.do(ctx, "7. Speech2Face", d.speech2faceStep)
	d.do(ctx, "8. Lip sync", d.lipsyncStep)
	d.do(ctx, "9. Image-to-speech", d.img2speechStep)
	total := time.Since(start)
	text := d.report(total)
	d.files = append(d.files, "report.md", "report.html")
	if err := writeFileAtomic(filepath.Join(o.Dir, "report.md"), []byte(text)); err != nil {
		return text, err
	}
	if err := writeFileAtomic(filepath.Join(o.Dir, "report.html"), []byte(d.reportHTML(total))); err != nil {
		return text, err
	}
	if err := d.writeMarker(); err != nil {
		return text, err
	}
	var errs []error
	for _, s := range d.steps {
		if s.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Title, s.Err))
		}
	}
	return text, errors.Join(errs...)
}

// do runs one step, timing it and catching its error for the report.
func (d *run) do(ctx context.Context, title string, f func(context.Context, *step) error) {
	s := &step{Title: title}
	d.steps = append(d.steps, s)
	d.cur = s
	if err := ctx.Err(); err != nil {
		s.Skipped = "interrupted"
		return
	}
	d.logf("== %s\n", title)
	t0 := time.Now()
	err := f(ctx, s)
	s.Took = time.Since(t0)
	var sk skipError
	switch {
	case errors.As(err, &sk):
		s.Skipped = sk.why
		d.logf("   skipped: %s\n", sk.why)
	case err != nil:
		s.Err = err
		d.logf("   failed: %v\n", err)
	default:
		d.logf("   done in %s\n", roundDur(s.Took))
	}
}

// skipError makes a step appear as skipped, with the reason.
type skipError struct{ why string }

func (e skipError) Error() string { return "skipped: " + e.why }

func (d *run) logf(format string, a ...any) {
	if d.o.Progress != nil {
		fmt.Fprintf(d.o.Progress, format, a...)
	}
}

// path returns the absolute path of rel in the demo folder and records it as
// written by the current step.
func (d *run) path(rel string) string {
	d.cur.Files = append(d.cur.Files, rel)
	d.files = append(d.files, rel)
	return filepath.Join(d.o.Dir, rel)
}

// rel returns path relative to the demo folder, for commands run there.
func (d *run) rel(path string) string {
	if r, err := filepath.Rel(d.o.Dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

func (s *step) addf(format string, a ...any) {
	s.Lines = append(s.Lines, fmt.Sprintf(format, a...))
}

func (d *run) report(total time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# avlearn demo\n\n")
	mode := "full"
	if d.o.Quick {
		mode = "quick"
	}
	fmt.Fprintf(&b, "Seed %d, %s run, %s/%s, GOMAXPROCS %d, %s in total. Folder: %s\n",
		d.o.Seed, mode, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), roundDur(total), d.o.Dir)
	fmt.Fprintf(&b, "Every number below was measured in this run; the same seed and sizes give the same numbers (timings aside).\n\n")
	b.WriteString("| step | status | time |\n|---|---|---:|\n")
	for _, s := range d.steps {
		status, took := "done", roundDur(s.Took)
		switch {
		case s.Skipped != "":
			status, took = "skipped", "–"
		case s.Err != nil:
			status = "FAILED"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Title, status, took)
	}
	for _, s := range d.steps {
		fmt.Fprintf(&b, "\n## %s", s.Title)
		switch {
		case s.Skipped != "":
			fmt.Fprintf(&b, " (skipped)\n\nSkipped: %s\n", s.Skipped)
			continue
		case s.Err != nil:
			fmt.Fprintf(&b, " (FAILED after %s)\n\nError: %v\n", roundDur(s.Took), s.Err)
		default:
			fmt.Fprintf(&b, " (%s)\n", roundDur(s.Took))
		}
		if len(s.Lines) > 0 {
			b.WriteString("\n")
		}
		for _, l := range s.Lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
		if len(s.Files) > 0 {
			fmt.Fprintf(&b, "\nFiles: %s\n", strings.Join(s.Files, ", "))
		}
		if len(s.Cmds) > 0 {
			fmt.Fprintf(&b, "\n```sh\n%s\n```\n", strings.Join(s.Cmds, "\n"))
		}
	}
	return b.String()
}

func roundDur(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// prepareDir makes dir ready: created if missing, accepted if empty,
// and cleared of an earlier demo's files if it holds the marker. Any other
// non-empty folder is refused, so the demo never overwrites a user's files.
func prepareDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("--out %s: %w", dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if len(ents) == 0 {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, marker))
	if err != nil {
		return fmt.Errorf("--out %s: folder is not empty and holds no earlier demo (%s missing); choose a new folder", dir, marker)
	}
	var prev []string
	if err := json.Unmarshal(b, &prev); err != nil {
		return fmt.Errorf("--out %s: %s: %w", dir, marker, err)
	}
	for _, rel := range append(prev, "corpora") {
		clean := filepath.Clean(rel)
		if filepath.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "..") {
			return fmt.Errorf("--out %s: %s names %q outside the folder", dir, marker, rel)
		}
		if err := os.RemoveAll(filepath.Join(dir, clean)); err != nil {
			return fmt.Errorf("--out %s: removing the earlier demo: %w", dir, err)
		}
	}
	return nil
}

func (d *run) writeMarker() error {
	seen := map[string]bool{}
	var fs []string
	for _, f := range d.files {
		top := strings.Split(filepath.ToSlash(f), "/")[0]
		if !seen[top] {
			seen[top] = true
			fs = append(fs, top)
		}
	}
	sort.Strings(fs)
	b, err := json.MarshalIndent(fs, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(d.o.Dir, marker), append(b, '\n'))
}

// writeFileAtomic writes b to path through avio.WriteFileAtomic.
func writeFileAtomic(path string, b []byte) error {
	return avio.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func writePNGFile(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFileAtomic(dst, b)
}
