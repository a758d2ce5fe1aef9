package main

import (
	"context"
	"fmt"
	"io"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
)

func init() {
	register(&command{
		name:    "dataset",
		summary: "check a clip dataset folder (avl dataset check ROOT)",
		help:    "usage: avl dataset " + datasetSynopsis + "\n\n" + datasetHelp,
		verbs:   map[string]runFunc{"check": runDatasetCheck},
	})
}

const datasetSynopsis = "check ROOT [-decode] [-q]"

const datasetHelp = `A clip dataset is a folder of clip folders:
  ROOT/<clip>/audio.wav
  ROOT/<clip>/frames/000000.png (or .jpg), 000001.png, ... frame i shows time i/fps
  ROOT/<clip>/meta.json  {"fps": 25, "split": "train", "labels": {"speaker": "s01"}}
"check" prints counts per split and label, durations, and every problem,
naming its clip; it exits with status 1 if there is any problem.
`

func runDatasetCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dataset check", "ROOT [-decode] [-q]", stderr)
	decode := fs.Bool("decode", false, "decode every frame in full (slower; finds corrupt pixel data, not only bad headers)")
	quiet := addQuiet(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one dataset folder, got %d arguments", len(pos))
	}
	var w io.Writer = stderr
	if *quiet {
		w = nil
	}
	var bar *progress.Bar
	r, err := avio.Check(pos[0], avio.CheckOptions{Decode: *decode, Progress: func(done, total int) {
		if bar == nil {
			bar = progress.New(w, "dataset check", total)
		}
		bar.Set(done, "")
	}})
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	if _, err := r.WriteTo(stdout); err != nil {
		return err
	}
	if r.Clips == 0 {
		return fmt.Errorf("%s holds no clip folders (ROOT/<clip>/meta.json, audio.wav, frames/)", pos[0])
	}
	if n := len(r.Problems); n > 0 {
		return fmt.Errorf("%d problems in %s", n, pos[0])
	}
	return nil
}
