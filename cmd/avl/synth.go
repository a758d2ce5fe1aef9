package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/synth"
)

func init() {
	register(&command{
		name:    "synth",
		summary: "write a synthetic audio-visual corpus (scenes, speakers, captions or sensors)",
		run:     runSynth,
	})
}

const synthSynopsis = "scenes|speakers|captions|sensors -o DIR --n N [--seed S] [--speakers K] [-q] [flags]"

const synthHelp = `Corpora (see "go doc github.com/avlearn/avlearn/synth" for what ties sound to pictures):
  scenes    scene + object classes: 64×64 frames at 2 fps, 22,050 Hz ambience and object sounds
  speakers  talking faces: 64×64 frames at 25 fps, 16 kHz formant-synthesised speech,
            face and voice tied by stochastic rules; splits by identity
  captions  pictures of coloured shapes with spoken captions, 16 kHz
  sensors   nine events heard, seen and felt: 32×32 frames at 10 fps, 16 kHz audio and
            motion.wav, a 100 Hz accelerometer track; no single stream tells every event
Every clip is ROOT/<clip>/{audio.wav,frames/%06d.png,meta.json}; DIR/contact.png shows samples.
DIR must be new or empty. The same --seed gives the same bytes.
`

func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("synth", synthSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl synth %s\n\n%s\nflags:\n", synthSynopsis, synthHelp)
		fs.PrintDefaults()
	}
	out := cli.AddOut(fs, "output folder, new or empty (required)")
	n := fs.Int("n", 0, "number of clips (required)")
	seed := fs.Int64("seed", 1, "corpus seed")
	speakers := fs.Int("speakers", 0, "identities (speakers; 0: max(4, N/10)) or voices (captions; 0: 4)")
	dur := fs.Float64("duration", 0, "seconds per clip (0: scenes 5, speakers 2.5, sensors 2; captions follow the caption)")
	fps := fs.Float64("fps", 0, "frame rate (0: scenes 2, speakers 25, captions 2, sensors 10)")
	size := fs.Int("size", 0, "frame size in pixels (0: 64; sensors 32)")
	scenes := fs.Int("scenes", 0, "scenes: number of scene classes, 1-8 (0: 6)")
	objects := fs.Int("objects", 0, "scenes: number of object classes, 1-8 (0: 6)")
	workers := fs.Int("workers", 0, "parallel goroutines (0: all CPUs)")
	ordered := fs.Bool("ordered", false, "captions: name a picture's shapes in a fixed order of their positions (left, right, top, bottom, centre) instead of a random one")
	augment := fs.String("augment", "clean", "speakers: recording conditions of the audio: clean, room (reverberation, microphones, light noise) or field (also telephone bands, noise down to 0 dB, levels, clipping)")
	quiet := cli.AddQuiet(fs)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one corpus kind (scenes, speakers, captions or sensors), got %d arguments", len(pos))
	}
	if *out == "" {
		return cli.Usagef("-o DIR is required")
	}
	if *n < 1 {
		return cli.Usagef("--n must be at least 1, got %d", *n)
	}
	if *speakers < 0 || *workers < 0 || *size < 0 || *dur < 0 || *fps < 0 || *scenes < 0 || *objects < 0 {
		return cli.Usagef("--speakers, --workers, --size, --duration, --fps, --scenes and --objects must not be negative")
	}
	if *scenes > 8 || *objects > 8 {
		return cli.Usagef("--scenes %d, --objects %d: want 1-8 classes each (0: 6)", *scenes, *objects)
	}
	if *size != 0 && (*size < 16 || *size > 512) {
		return cli.Usagef("--size %d: want 16-512 pixels (0: 64)", *size)
	}
	kind := pos[0]
	switch kind {
	case "scenes", "speakers", "captions", "sensors":
	default:
		return cli.Usagef("unknown corpus %q: want scenes, speakers, captions or sensors", kind)
	}
	if *augment != "clean" && kind != "speakers" {
		return cli.Usagef("--augment applies to speakers only")
	}
	if *ordered && kind != "captions" {
		return cli.Usagef("--ordered applies to captions only")
	}
	if err := cli.CheckOutDir(*out); err != nil {
		return err
	}
	created, fresh := cli.FreshDir(*out)
	var w io.Writer = stderr
	if *quiet {
		w = nil
	}
	bar := progress.New(w, "synth "+kind, *n)
	prog := func(done, total int) { bar.Set(done, "") }
	switch kind {
	case "scenes":
		if *speakers != 0 {
			return cli.Usagef("--speakers does not apply to scenes")
		}
		err = synth.Scenes(*out, synth.ScenesOptions{N: *n, Seed: *seed, Scenes: *scenes, Objects: *objects,
			Duration: *dur, FPS: *fps, Size: *size, Workers: *workers, Progress: prog, Context: ctx})
	case "speakers":
		if *scenes != 0 || *objects != 0 {
			return cli.Usagef("--scenes and --objects apply to scenes only")
		}
		aug, aerr := synth.AugmentPreset(*augment)
		if aerr != nil {
			return cli.Usagef("--augment %q: want clean, room or field", *augment)
		}
		err = synth.Speakers(*out, synth.SpeakersOptions{N: *n, Seed: *seed, Speakers: *speakers, Augment: aug,
			Duration: *dur, FPS: *fps, Size: *size, Workers: *workers, Progress: prog, Context: ctx})
	case "captions":
		if *scenes != 0 || *objects != 0 || *dur != 0 {
			return cli.Usagef("--scenes, --objects and --duration do not apply to captions")
		}
		err = synth.Captions(*out, synth.CaptionsOptions{N: *n, Seed: *seed, Speakers: *speakers, Ordered: *ordered,
			FPS: *fps, Size: *size, Workers: *workers, Progress: prog, Context: ctx})
	case "sensors":
		if *speakers != 0 || *scenes != 0 || *objects != 0 {
			return cli.Usagef("--speakers, --scenes and --objects do not apply to sensors")
		}
		err = synth.Sensors(*out, synth.SensorsOptions{N: *n, Seed: *seed,
			Duration: *dur, FPS: *fps, Size: *size, Workers: *workers, Progress: prog, Context: ctx})
	default:
		return cli.Usagef("unknown corpus %q: want scenes, speakers, captions or sensors", kind)
	}
	bar.Done() // end the progress line, also before an error message
	if err != nil {
		if fresh {
			cli.RemoveOutput(*out, created) // no half-written corpus
		}
		return err
	}
	fmt.Fprintf(stdout, "%s: %d %s clips (seed %d), contact sheet %s\n", *out, *n, kind, *seed, filepath.Join(*out, "contact.png"))
	return nil
}
