package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"io/fs"
	"math"
	randv2 "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/soundnet"
	"github.com/avlearn/avlearn/spectrogram"
	"github.com/avlearn/avlearn/synth"
)

func init() {
	register(&command{
		name:    "demo",
		summary: "build a small synthetic corpus, run every task end to end, write figures, audio and a report",
		run:     runDemo,
	})
}

const demoHelp = `avl demo shows avlearn end to end on data it makes itself, in a few
minutes on a laptop (--quick: seconds). Steps, each timed:
  1. front-end: a synthetic utterance → linear, mel and MFCC spectrograms
     (PNG, .npy, .json), Griffin-Lim from the magnitude, 16 ↔ 22.05 kHz
  2. corpora: scenes, talking faces and spoken captions (synth), checked
     with avio.Check; contact sheets scenes.png, faces.png, captions.png
  3. nets: an MLP on MFCC statistics trained with nets.Fit (held-out accuracy)
  4. SoundNet: image teacher, distillation into SoundNet-8, linear probes
  5. separation: face-guided model trained, evaluated on held-out speakers,
     one mixture separated (mix.wav, speaker_1.wav, speaker_2.wav, PNG)
Everything goes into one folder (./avl-demo unless --out says otherwise) with
report.md, which is also printed. The same --seed gives the same files and
numbers (timings aside). The folder must be new, empty, or an earlier demo
folder, whose demo files are replaced (nothing else is touched).

flags:
`

// demoOptions sizes one demo run.
type demoOptions struct {
	Out   string
	Seed  int64
	Quick bool // tiny corpora, a few training steps per task
	// Scenes, Speakers and Captions are the clip counts of the corpora.
	Scenes, Speakers, Captions int
	Progress                   io.Writer // nil is quiet
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[-o DIR] [--seed S] [--quick] [-q]", stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl demo [-o DIR] [--seed S] [--quick] [-q]\n\n%s", demoHelp)
		fs.PrintDefaults()
	}
	out := addOut(fs, "output folder: new, empty, or an earlier demo's")
	*out = "avl-demo"
	fs.Lookup("o").DefValue, fs.Lookup("out").DefValue = *out, *out
	seed := fs.Int64("seed", 1, "seed of every corpus, model and shuffle")
	quick := fs.Bool("quick", false, "tiny corpora and a few training steps per task: checks the whole pipeline in seconds, but the task numbers mean little")
	nScenes := fs.Int("scenes", 0, "scene clips (0: 120, quick 16)")
	nSpeakers := fs.Int("speakers", 0, "talking-face clips (0: 80, quick 8)")
	nCaptions := fs.Int("captions", 0, "spoken-caption clips (0: 24, quick 6)")
	quiet := addQuiet(fs)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o must not be empty")
	}
	o := demoOptions{Out: *out, Seed: *seed, Quick: *quick, Scenes: *nScenes, Speakers: *nSpeakers, Captions: *nCaptions}
	for _, f := range []struct {
		name            string
		n               *int
		def, quick, min int
	}{
		{"scenes", &o.Scenes, 120, 16, 10}, {"speakers", &o.Speakers, 80, 8, 8}, {"captions", &o.Captions, 24, 6, 3},
	} {
		if *f.n == 0 {
			*f.n = f.def
			if o.Quick {
				*f.n = f.quick
			}
		}
		if *f.n < f.min || *f.n > 10000 {
			return usagef("--%s %d: want %d…10000 clips", f.name, *f.n, f.min)
		}
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	if !*quiet {
		o.Progress = stderr
	}
	rep, err := runDemoSteps(ctx, o)
	if rep != "" {
		fmt.Fprint(stdout, rep)
	}
	return err
}

// demoStep is one section of the report.
type demoStep struct {
	Title   string
	Lines   []string // results, one bullet each
	Files   []string // written, relative to the demo folder
	Skipped string   // why the step did not run
	Err     error
	Took    time.Duration
}

// demoRun carries what one step hands to the next.
type demoRun struct {
	o     demoOptions
	steps []*demoStep
	cur   *demoStep
	files []string // everything written, for the marker

	scenes, speakers, captions *avio.Dataset
}

// demoMarker lists, in a demo folder, the files the demo wrote there, so
// that a later run knows the folder is its own and what to replace.
const demoMarker = ".avl-demo.json"

// runDemoSteps runs every step and writes report.md; it returns the report
// text (empty if the folder could not be prepared) and the first error.
func runDemoSteps(ctx context.Context, o demoOptions) (string, error) {
	if err := prepareDemoDir(o.Out); err != nil {
		return "", err
	}
	d := &demoRun{o: o}
	start := time.Now()
	d.step(ctx, "1. Audio front-end", d.frontEnd)
	d.step(ctx, "2. Synthetic corpora", d.corpora)
	d.step(ctx, "3. nets: MLP on MFCC statistics", d.netsSanity)
	d.step(ctx, "4. SoundNet: distillation and linear probes", d.soundnetStep)
	d.step(ctx, "5. Face-guided speech separation", d.separationStep)
	d.step(ctx, "6. Speech2Face, image-to-speech, lip sync", func(context.Context, *demoStep) error {
		return skipError{"these tasks of DESIGN.md have no package in this build yet"}
	})
	total := time.Since(start)
	text := d.report(total)
	d.files = append(d.files, "report.md")
	if err := writeFileAtomic(filepath.Join(o.Out, "report.md"), []byte(text)); err != nil {
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

// step runs one step, timing it and catching its error for the report.
func (d *demoRun) step(ctx context.Context, title string, f func(context.Context, *demoStep) error) {
	s := &demoStep{Title: title}
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

func (d *demoRun) logf(format string, a ...any) {
	if d.o.Progress != nil {
		fmt.Fprintf(d.o.Progress, format, a...)
	}
}

// path returns the absolute path of rel in the demo folder and records it as
// written by the current step.
func (d *demoRun) path(rel string) string {
	d.cur.Files = append(d.cur.Files, rel)
	d.files = append(d.files, rel)
	return filepath.Join(d.o.Out, rel)
}

func (s *demoStep) addf(format string, a ...any) {
	s.Lines = append(s.Lines, fmt.Sprintf(format, a...))
}

func (d *demoRun) report(total time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# avlearn demo\n\n")
	mode := "full"
	if d.o.Quick {
		mode = "quick"
	}
	fmt.Fprintf(&b, "Seed %d, %s run, %s/%s, GOMAXPROCS %d, %s in total. Folder: %s\n",
		d.o.Seed, mode, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), roundDur(total), d.o.Out)
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
	}
	return b.String()
}

func roundDur(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// prepareDemoDir makes dir ready: created if missing, accepted if empty,
// and cleared of an earlier demo's files if it holds the marker. Any other
// non-empty folder is refused, so the demo never overwrites a user's files.
func prepareDemoDir(dir string) error {
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
	b, err := os.ReadFile(filepath.Join(dir, demoMarker))
	if err != nil {
		return fmt.Errorf("--out %s: folder is not empty and holds no earlier demo (%s missing); choose a new folder", dir, demoMarker)
	}
	var prev []string
	if err := json.Unmarshal(b, &prev); err != nil {
		return fmt.Errorf("--out %s: %s: %w", dir, demoMarker, err)
	}
	for _, rel := range append(prev, "corpora") {
		clean := filepath.Clean(rel)
		if filepath.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "..") {
			return fmt.Errorf("--out %s: %s names %q outside the folder", dir, demoMarker, rel)
		}
		if err := os.RemoveAll(filepath.Join(dir, clean)); err != nil {
			return fmt.Errorf("--out %s: removing the earlier demo: %w", dir, err)
		}
	}
	return nil
}

func (d *demoRun) writeMarker() error {
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
	return writeFileAtomic(filepath.Join(d.o.Out, demoMarker), append(b, '\n'))
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

// ---- step 1: front-end ----

// frontEnd synthesises an utterance and runs it through every transform of
// dsp and spectrogram: linear, mel and MFCC spectrograms, Griffin-Lim
// inversion and a resampling round trip.
func (d *demoRun) frontEnd(ctx context.Context, s *demoStep) error {
	const rate = synth.SpeechRate
	r := randv2.New(randv2.NewPCG(uint64(d.o.Seed), 0x64656d6f))
	sp := synth.NewSpeaker(r, "demo")
	secs := 2.5
	if d.o.Quick {
		secs = 1.5
	}
	u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, secs), r)
	if err != nil {
		return err
	}
	x := u.Audio
	if err := avio.WriteMonoWAV(d.path("audio.wav"), x, rate, avio.PCM16); err != nil {
		return err
	}
	if err := writePNGFile(d.path("speaker_face.png"), sp.Face.Render(128, synth.Neutral())); err != nil {
		return err
	}
	s.addf("utterance: %.2f s at %d Hz of synthetic speech %q (F0 %.0f Hz, formant scale %.2f); the speaker's face is speaker_face.png",
		float64(len(x))/rate, rate, u.Text, sp.Voice.F0, sp.Voice.FormantScale)

	lin := spectrogram.DefaultConfig(rate)
	mel := lin
	mel.NMels, mel.DB, mel.TopDB = 80, true, 80
	mfcc := lin
	mfcc.NMels, mfcc.NMFCC = 40, 20
	var linSG *spectrogram.Spectrogram
	for _, v := range []struct {
		name, title string
		c           spectrogram.Config
	}{
		{"linear", "power spectrogram", lin},
		{"mel", "log-mel spectrogram (80 HTK bands, dB)", mel},
		{"mfcc", "MFCC (20 of 40 log-mel bands)", mfcc},
	} {
		sg, err := spectrogram.Compute(x, v.c)
		if err != nil {
			return fmt.Errorf("%s spectrogram: %w", v.name, err)
		}
		title := fmt.Sprintf("%s: n_fft %d, %s %d, hop %d", v.title, v.c.NFFT, v.c.Window, v.c.WinLength, v.c.Hop)
		if err := sg.WritePNG(d.path(v.name+".png"), spectrogram.RenderOptions{Axes: true, Title: title}); err != nil {
			return err
		}
		if err := sg.WriteNPY(d.path(v.name + ".npy")); err != nil {
			return err
		}
		if err := sg.WriteMeta(d.path(v.name + ".json")); err != nil {
			return err
		}
		if v.c.Kind() == spectrogram.Linear {
			linSG = sg
		}
		s.addf("%s: %d × %d (bins × frames), n_fft %d, %s window %d, hop %d", v.name, sg.Bins, sg.Frames, v.c.NFFT, v.c.Window, v.c.WinLength, v.c.Hop)
	}

	// Griffin-Lim from the magnitude alone.
	magc := lin
	magc.Power = 1
	mag, err := spectrogram.Compute(x, magc)
	if err != nil {
		return err
	}
	iters := 32
	var conv []float64
	y, err := mag.Invert(spectrogram.InvertOptions{Iters: iters, Momentum: 0.99, Length: len(x),
		Observe: func(_ int, c float64) { conv = append(conv, c) }})
	if err != nil {
		return fmt.Errorf("Griffin-Lim: %w", err)
	}
	if err := avio.WriteMonoWAV(d.path("reconstructed.wav"), y, rate, avio.PCM16); err != nil {
		return err
	}
	rs, err := spectrogram.Compute(y, lin)
	if err != nil {
		return err
	}
	if err := rs.WritePNG(d.path("reconstructed.png"), spectrogram.RenderOptions{Axes: true,
		Title: fmt.Sprintf("power spectrogram of the Griffin-Lim reconstruction (%d iterations)", iters)}); err != nil {
		return err
	}
	s.addf("Griffin-Lim (%d iterations, momentum 0.99, zero initial phase) from the magnitude spectrogram: spectral convergence %.3f after 1 iteration, %.3f after %d",
		iters, conv[0], conv[len(conv)-1], len(conv))

	// Resampling round trip 16 kHz → 22.05 kHz → 16 kHz.
	up, err := dsp.Resample(x, rate, synth.SceneRate)
	if err != nil {
		return err
	}
	back, err := dsp.Resample(up, synth.SceneRate, rate)
	if err != nil {
		return err
	}
	if len(back) != len(x) {
		return fmt.Errorf("resampling round trip: %d samples back from %d", len(back), len(x))
	}
	snr, err := dsp.SNR(x, back)
	if err != nil {
		return err
	}
	if err := avio.WriteMonoWAV(d.path("audio_22050.wav"), up, synth.SceneRate, avio.PCM16); err != nil {
		return err
	}
	// The way back low-passes at Rolloff × 8 kHz: what the signal has above
	// that is lost, which bounds the SNR whatever the filter's quality.
	cut := dsp.HighQualityResampleOptions().Rolloff * rate / 2
	var above, all float64
	for b := 0; b < linSG.Bins; b++ {
		for t := 0; t < linSG.Frames; t++ {
			v := float64(linSG.At(b, t))
			all += v
			if linSG.BinFrequency(b) >= cut {
				above += v
			}
		}
	}
	bound := "no bound"
	if above > 0 {
		bound = fmt.Sprintf("a bound of %.1f dB", 10*math.Log10(all/above))
	}
	s.addf("resampling %d → %d → %d Hz (windowed sinc, Kaiser): %d → %d → %d samples, round-trip SNR %.1f dB; %.3f%% of the utterance's energy lies above the %.0f Hz cut-off of the way back (%s)",
		rate, synth.SceneRate, rate, len(x), len(up), len(back), snr, 100*above/all, cut, bound)
	return nil
}

// ---- step 2: corpora ----

func (d *demoRun) corpora(ctx context.Context, s *demoStep) error {
	root := filepath.Join(d.o.Out, "corpora")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	d.files = append(d.files, "corpora")
	kinds := []struct {
		name, sheet string
		n           int
		gen         func(dir string, prog synth.Progress) error
		ds          **avio.Dataset
		what        string
	}{
		{"scenes", "scenes.png", d.o.Scenes, func(dir string, p synth.Progress) error {
			return synth.Scenes(dir, synth.ScenesOptions{N: d.o.Scenes, Seed: d.o.Seed, Scenes: 4, Objects: 4,
				Duration: 3, ValFrac: 0.2, TestFrac: 0.2, Progress: p})
		}, &d.scenes, "4 scene × 4 object classes, 3 s at 22,050 Hz, 2 fps"},
		{"speakers", "faces.png", d.o.Speakers, func(dir string, p synth.Progress) error {
			// Two clips per identity, as many identities as that allows;
			// a quarter of them each for val and test, so that both hold
			// the two speakers a mixture needs.
			return synth.Speakers(dir, synth.SpeakersOptions{N: d.o.Speakers, Seed: d.o.Seed, Speakers: max(8, d.o.Speakers/2),
				Duration: 2, ValFrac: 0.25, TestFrac: 0.25, Progress: p})
		}, &d.speakers, "talking faces, 2 s at 16 kHz, 25 fps, split by identity"},
		{"captions", "captions.png", d.o.Captions, func(dir string, p synth.Progress) error {
			return synth.Captions(dir, synth.CaptionsOptions{N: d.o.Captions, Seed: d.o.Seed, Progress: p})
		}, &d.captions, "pictures of shapes with spoken captions, 16 kHz"},
	}
	for _, k := range kinds {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(root, k.name)
		bar := progress.New(d.o.Progress, "   synth "+k.name, k.n)
		if err := k.gen(dir, func(done, _ int) { bar.Set(done, "") }); err != nil {
			return fmt.Errorf("synth %s: %w", k.name, err)
		}
		bar.Done()
		rep, err := avio.Check(dir, avio.CheckOptions{Decode: true})
		if err != nil {
			return err
		}
		if len(rep.Problems) > 0 {
			return fmt.Errorf("avio.Check %s: %d problems, first: %v", dir, len(rep.Problems), rep.Problems[0])
		}
		ds, err := avio.Open(dir)
		if err != nil {
			return err
		}
		*k.ds = ds
		if err := copyFile(d.path(k.sheet), filepath.Join(dir, "contact.png")); err != nil {
			return err
		}
		var splits []string
		for _, sp := range []string{"train", "val", "test"} {
			splits = append(splits, fmt.Sprintf("%d %s", rep.Splits[sp], sp))
		}
		s.addf("%s: %d clips (%s; %s), %d frames, %.0f s of audio; avio.Check (frames decoded): %d problems; contact sheet %s",
			k.name, rep.Clips, k.what, strings.Join(splits, ", "), rep.Frames, rep.Audio, len(rep.Problems), k.sheet)
	}
	s.Files = append(s.Files, "corpora/")
	return nil
}

// ---- step 3: nets ----

// netsSanity trains a small MLP (eval.TrainMLP, built on nets) on MFCC
// statistics of the scenes corpus: the smallest complete use of nets.
func (d *demoRun) netsSanity(ctx context.Context, s *demoStep) error {
	if d.scenes == nil {
		return skipError{"no scenes corpus (step 2 did not finish)"}
	}
	const label = "scene"
	train, val, test := d.scenes.Split("train"), d.scenes.Split("val"), d.scenes.Split("test")
	if len(train) == 0 || len(val) == 0 || len(test) == 0 {
		return fmt.Errorf("scenes corpus has %d train, %d val, %d test clips; every split needs one", len(train), len(val), len(test))
	}
	classes := d.scenes.Labels(label)
	mc := eval.MFCCConfig(synth.SceneRate)
	sp := eval.Splits{Classes: len(classes)}
	for _, p := range []struct {
		clips []*avio.Clip
		x     *[][]float64
		y     *[]int
	}{{train, &sp.Train, &sp.YTrain}, {val, &sp.Val, &sp.YVal}, {test, &sp.Test, &sp.YTest}} {
		var err error
		if *p.x, err = eval.ClipStats(ctx, p.clips, mc, nil); err != nil {
			return err
		}
		if *p.y, err = eval.LabelIndices(p.clips, label, classes); err != nil {
			return err
		}
	}
	o := eval.DefaultMLPOptions()
	o.Seed = d.o.Seed
	o.CurvePrefix = strings.TrimSuffix(d.path("nets_loss.png"), ".png")
	mlp, h, err := eval.TrainMLP(ctx, sp, o)
	d.path("nets_loss.csv")
	if err != nil {
		return err
	}
	defer mlp.Close()
	trainAcc, err := mlp.Accuracy(sp.Train, sp.YTrain)
	if err != nil {
		return err
	}
	testAcc, err := mlp.Accuracy(sp.Test, sp.YTest)
	if err != nil {
		return err
	}
	dim, last := len(sp.Train[0]), h.Epochs[len(h.Epochs)-1]
	s.addf("task: %q of the scenes corpus (%s) from the mean and std over time of %d MFCCs (%d log-mel bands, n_fft %d, %s %d, hop %d): %d features, standardised with the train statistics",
		label, strings.Join(classes, ", "), mc.NMFCC, mc.NMels, mc.NFFT, mc.Window, mc.WinLength, mc.Hop, dim)
	s.addf("model: Linear(%d, %d) → ReLU → Linear(%d, %d), cross-entropy, Adam %g, batch %d; %d train, %d val, %d test clips",
		dim, o.Hidden, o.Hidden, len(classes), o.LR, o.BatchSize, len(sp.YTrain), len(sp.YVal), len(sp.YTest))
	stop := ""
	if h.StoppedEarly {
		stop = ", stopped early"
	}
	s.addf("nets.Fit: %d epochs%s; train loss %.3f → %.3f; best val loss %.3f at epoch %d (weights restored)",
		len(h.Epochs), stop, h.Epochs[0].TrainLoss, last.TrainLoss, h.BestLoss, h.BestEpoch)
	// The majority class of train, always answered, is the floor to beat.
	s.addf("accuracy: train %.0f%%, held-out test %.0f%% (%d clips) — chance %.0f%%, always-the-majority-class %.0f%%",
		100*trainAcc, 100*testAcc, len(sp.YTest), 100/float64(len(classes)), 100*eval.MajorityAccuracy(sp.YTrain, sp.YTest))
	return nil
}

// ---- step 4: SoundNet ----

func (d *demoRun) soundnetStep(ctx context.Context, s *demoStep) error {
	if d.scenes == nil {
		return skipError{"no scenes corpus (step 2 did not finish)"}
	}
	// A quick run trains for two epochs on a handful of clips: it shows the
	// pipeline working end to end, not what distillation can learn.
	teacherEpochs, epochs := 8, 6
	if d.o.Quick {
		teacherEpochs, epochs = 2, 2
		s.addf("quick run: %d epochs on %d clips only exercise the pipeline; run without --quick for numbers that mean something", epochs, len(d.scenes.Split("train")))
	}
	train, val, test := d.scenes.Split("train"), d.scenes.Split("val"), d.scenes.Split("test")
	seed := d.o.Seed
	tcfg := soundnet.DefaultImageTeacherConfig()
	tcfg.Seed = seed
	teacher, trep, err := soundnet.TrainTeacher(ctx, train, val, tcfg,
		soundnet.TrainOptions{Epochs: teacherEpochs, BatchSize: 32, LR: 2e-3, Seed: seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("image teacher: %w", err)
	}
	defer teacher.Close()
	on, sn := teacher.Classes()
	s.addf("image teacher (soundnet.TrainTeacher, %d×%d frames, %d channels): %d train frames; on %d val frames, object accuracy %.0f%%, scene accuracy %.0f%% (chance %.0f%% and %.0f%%)",
		tcfg.Size, tcfg.Size, tcfg.Width, trep.TrainFrames, trep.ValFrames, 100*trep.ValObjectAcc, 100*trep.ValSceneAcc, 100/float64(len(on)), 100/float64(len(sn)))

	cfg := soundnet.Config{Width: 0.125, Objects: len(on), Scenes: len(sn), ObjectNames: on, SceneNames: sn,
		Window: float64(soundnet.MinSamples())/soundnet.Rate + 0.01, Seed: seed}
	m, err := soundnet.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	before, err := soundnet.Evaluate(m, test, teacher)
	if err != nil {
		return err
	}
	rep, err := soundnet.Train(ctx, m, soundnet.Data{Train: train, Val: val, Teacher: teacher},
		soundnet.TrainOptions{Epochs: epochs, BatchSize: 8, LR: 3e-3, Seed: seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("distillation: %w", err)
	}
	if err := m.Save(d.path("soundnet.safetensors")); err != nil {
		return err
	}
	if err := rep.History.PlotPNG(d.path("soundnet_loss.png")); err != nil {
		return err
	}
	ch := cfg.Channels()
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	s.addf("student SoundNet-8 at width %g (conv1 %d … conv7 %d channels) distilled from the teacher on the sound of %d train excerpts of %.2f s (labels never read): %d epochs, train KL %.3f → %.3f, best val KL %.3f",
		cfg.Width, ch[0], ch[6], rep.TrainWindows, cfg.Window, len(rep.History.Epochs), rep.History.Epochs[0].TrainLoss, last.TrainLoss, rep.History.BestLoss)
	after, err := soundnet.Evaluate(m, test, teacher)
	if err != nil {
		return err
	}
	s.addf("agreement with the teacher on %d test clips — untrained student: scene top-1 %.0f%%, KL %.3f; distilled: scene top-1 %.0f%%, KL %.3f; constant prior: top-1 %.0f%%, KL %.3f",
		len(test), 100*before.SceneTop1, before.SceneKL, 100*after.SceneTop1, after.SceneKL, 100*after.PriorSceneTop1, after.PriorSceneKL)
	rs, err := soundnet.ProbeTable(ctx, m, train, val, test, soundnet.ProbeOptions{
		Label: "scene", Layers: []string{"pool5", "conv7"}, RandomSeed: seed + 1000, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("probes: %w", err)
	}
	s.Lines = append(s.Lines, "linear probes for \"scene\" (λ chosen on val, accuracy on test):\n\n"+indent(rs.Table("%.0f").Markdown()))
	return nil
}

// ---- step 5: separation ----

func (d *demoRun) separationStep(ctx context.Context, s *demoStep) error {
	if d.speakers == nil {
		return skipError{"no speakers corpus (step 2 did not finish)"}
	}
	train, val, test := d.speakers.Split("train"), d.speakers.Split("val"), d.speakers.Split("test")
	seed := d.o.Seed
	cfg := separation.DefaultConfig()
	// A real mask starts near a scaled mixture (SI-SDRi ≈ 0) and improves
	// from there; a complex mask needs far more steps than a demo has
	// before it beats the mixture.
	cfg.Mask, cfg.Seed = separation.MaskReal, seed
	epochs, steps, batch, mixtures := 8, 25, 8, 40
	if d.o.Quick {
		cfg.AudioChannels, cfg.LSTMHidden, cfg.FCHidden, cfg.VisualDim = 16, 16, 32, 8
		epochs, steps, batch, mixtures = 1, 3, 2, 4
		s.addf("quick run: a narrow model trained for %d steps only exercises the pipeline; run without --quick for numbers that mean something", epochs*steps)
	}
	m, err := separation.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := separation.Train(ctx, m, separation.Data{Train: train, Val: val}, separation.TrainOptions{
		Epochs: epochs, StepsPerEpoch: steps, BatchSize: batch, LR: 3e-3, Seed: seed, ValExamples: 16,
		CurvePrefix: strings.TrimSuffix(d.path("separation_loss.png"), ".png"), Progress: d.o.Progress})
	d.path("separation_loss.csv")
	if err != nil {
		return fmt.Errorf("training: %w", err)
	}
	if err := m.Save(d.path("separation.safetensors")); err != nil {
		return err
	}
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	s.addf("model: %s masks from the compressed STFT (n_fft %d, Hann %d, hop %d, p %g) and the mouth crops of each face, audio stream %d channels, BiLSTM %d; %s",
		cfg.Mask, cfg.NFFT, cfg.WinLength, cfg.Hop, cfg.Power, cfg.AudioChannels, cfg.LSTMHidden, cfg.Condition())
	s.addf("separation.Train: %d steps of %d fresh %g s mixtures from %d clips of %d train speakers (a demo-sized run; the package's default is 1,000 steps, see avl separation train -h); train loss %.4f → %.4f, best val loss %.4f (%d val mixtures)",
		rep.Steps, batch, cfg.Segment, rep.TrainClips, rep.TrainSpeakers, rep.History.Epochs[0].TrainLoss, last.TrainLoss, rep.History.BestLoss, rep.ValMixtures)
	met, err := separation.Evaluate(m, test, separation.EvalOptions{Mixtures: mixtures, Seed: seed + 1, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	s.Lines = append(s.Lines, fmt.Sprintf("separation.Evaluate on %d mixtures of held-out test speakers (dB, mean over voices):\n\n", mixtures)+indent(met.Table().Markdown()))
	return d.separateOne(m, test, s)
}

// separateOne mixes two held-out clips of different speakers, separates the
// mixture with their faces and writes the audio and spectrograms.
func (d *demoRun) separateOne(m *separation.Model, clips []*avio.Clip, s *demoStep) error {
	pair, err := separation.DistinctSpeakers(clips, 2)
	if err != nil {
		return fmt.Errorf("test split: %w", err)
	}
	x, err := separation.MixClips(pair, m.Config.Rate)
	if err != nil {
		return err
	}
	ys, err := m.Separate(x.Mix, x.Faces)
	if err != nil {
		return err
	}
	scores, err := x.Score(ys)
	if err != nil {
		return err
	}
	rate := x.Rate
	if err := avio.WriteMonoWAV(d.path("mix.wav"), x.Mix, rate, avio.PCM16); err != nil {
		return err
	}
	var parts []string
	sgc := spectrogram.DefaultConfig(rate)
	mixSG, err := spectrogram.Compute(x.Mix, sgc)
	if err != nil {
		return err
	}
	imgs := []image.Image{}
	im, err := mixSG.Image(spectrogram.RenderOptions{Axes: true, Width: 600, Height: 160, Title: "mixture of two held-out speakers (mix.wav)"})
	if err != nil {
		return err
	}
	imgs = append(imgs, im)
	for i, c := range pair {
		sc := scores[i]
		name := fmt.Sprintf("speaker_%d", i+1)
		if err := avio.WriteMonoWAV(d.path(name+".wav"), ys[i], rate, avio.PCM16); err != nil {
			return err
		}
		if err := avio.WriteMonoWAV(d.path(fmt.Sprintf("source_%d.wav", i+1)), x.Sources[i], rate, avio.PCM16); err != nil {
			return err
		}
		if err := copyFile(d.path(fmt.Sprintf("face_%d.png", i+1)), filepath.Join(c.Dir, "face.png")); err != nil {
			return err
		}
		sg, err := spectrogram.Compute(ys[i], sgc)
		if err != nil {
			return err
		}
		im, err := sg.Image(spectrogram.RenderOptions{Axes: true, Width: 600, Height: 160,
			Title: fmt.Sprintf("%s.wav: the voice of face_%d.png (%s), SI-SDR %s dB", name, i+1, c.Meta.Labels["speaker"], dB1(sc.SISDR))})
		if err != nil {
			return err
		}
		imgs = append(imgs, im)
		parts = append(parts, fmt.Sprintf("%s (%s, clip %s): SI-SDR %s dB vs %s dB for the mixture, SI-SDRi %s dB", name, c.Meta.Labels["speaker"], c.Name, dB1(sc.SISDR), dB1(sc.MixSISDR), dB1(sc.Improvement())))
	}
	if err := writePNGFile(d.path("separation.png"), stackImages(imgs)); err != nil {
		return err
	}
	s.addf("one held-out mixture (%.2f s, equal levels) separated with model.Separate: %s; references are source_1.wav and source_2.wav",
		float64(len(x.Mix))/float64(rate), strings.Join(parts, "; "))
	return nil
}

// indent puts two spaces before every line of a table, so that it renders
// inside a list item.
func indent(table string) string {
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ")
}

// dB1 formats decibels with one decimal, without the "-0.0" of a value
// that rounds to zero from below.
func dB1(x float64) string {
	v := fmt.Sprintf("%.1f", x)
	if v == "-0.0" {
		return "0.0"
	}
	return v
}

// stackImages puts images one above the other on a white background.
func stackImages(imgs []image.Image) image.Image {
	w, h := 0, 0
	for _, im := range imgs {
		w = max(w, im.Bounds().Dx())
		h += im.Bounds().Dy()
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	y := 0
	for _, im := range imgs {
		r := im.Bounds()
		draw.Draw(out, image.Rect(0, y, r.Dx(), y+r.Dy()), im, r.Min, draw.Src)
		y += r.Dy()
	}
	return out
}
