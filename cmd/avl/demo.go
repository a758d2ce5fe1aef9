package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/internal/demo"
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
  6. fusion: the shipped sensor-fusion model with each stream dropped
  7. Speech2Face: the shipped model draws the faces of held-out voices,
     scored beside shuffled voices (speech2face.png)
Everything goes into one folder (./avl-demo unless --out says otherwise) with
report.html (open it in a browser: pictures, players, tables, commands) and
report.md, which is also printed. The same --seed gives the same files and
numbers (timings aside). The folder must be new, empty, or an earlier demo
folder, whose demo files are replaced (nothing else is touched).

flags:
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("demo", "[-o DIR] [--seed S] [--quick] [-q]", stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl demo [-o DIR] [--seed S] [--quick] [-q]\n\n%s", demoHelp)
		fs.PrintDefaults()
	}
	out := cli.AddOut(fs, "output folder: new, empty, or an earlier demo's")
	*out = "avl-demo"
	fs.Lookup("o").DefValue, fs.Lookup("out").DefValue = *out, *out
	seed := fs.Int64("seed", 1, "seed of every corpus, model and shuffle")
	quick := fs.Bool("quick", false, "tiny corpora and a few training steps per task: checks the whole pipeline in seconds, but the task numbers mean little")
	nScenes := fs.Int("scenes", 0, "scene clips (0: 120, quick 16)")
	nSpeakers := fs.Int("speakers", 0, "talking-face clips (0: 80, quick 8)")
	nCaptions := fs.Int("captions", 0, "spoken-caption clips (0: 24, quick 6)")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("-o must not be empty")
	}
	o := demo.Options{Dir: *out, Seed: *seed, Quick: *quick, Scenes: *nScenes, Speakers: *nSpeakers, Captions: *nCaptions}
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
			return cli.Usagef("--%s %d: want %d…10000 clips", f.name, *f.n, f.min)
		}
	}
	if err := cli.CheckOutDir(*out); err != nil {
		return err
	}
	if !*quiet {
		o.Progress = stderr
	}
	rep, err := demo.Run(ctx, o)
	if rep != "" {
		fmt.Fprint(stdout, rep)
		if !*quiet {
			fmt.Fprintf(stderr, "open %s in a browser\n", filepath.Join(*out, "report.html"))
		}
	}
	return err
}
