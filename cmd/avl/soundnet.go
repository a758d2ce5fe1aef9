package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/soundnet"
)

func init() {
	register(&command{
		name:    "soundnet",
		summary: "SoundNet: distil visual teachers into a sound network, extract and probe its features",
		help:    soundnetHelp,
		verbs: map[string]runFunc{
			"teacher":  soundnetTeacher,
			"distill":  soundnetDistill,
			"features": soundnetFeatures,
			"probe":    soundnetProbe,
		},
	})
}

const soundnetHelp = `usage: avl soundnet teacher|distill|features|probe [flags]

  teacher   --data ROOT -o T.safetensors
            train the image teacher on the labelled frames of ROOT's train split
            ("object" and "scene" labels); --export writes teacher_objects.npy and
            teacher_scenes.npy (frames × classes) into every clip folder
  distill   --data ROOT --teacher T.safetensors|npy -o M.safetensors
            train SoundNet-8 to match the teacher's per-frame distributions from
            the sound of the train split (labels are not read); the val split gives
            the validation KL; prints the agreement on the test split
  features  [--model M] IN.wav -o F.npy [--layer pool5]
            write a layer's activations as a float32 (channels, steps) .npy;
            without --model, the shipped model
  probe     [--model M] --data ROOT [--label scene] [--folds K] [--few-shot N]
            linear classifiers on clip features (mean and std over time of
            pool5 and every conv layer): fit on train, λ chosen on val,
            accuracy ± standard error on test (or K-fold cross-validation),
            beside random-weight pool5, MFCC and log-mel statistics; without
            --model, the shipped model

Run "avl soundnet CMD -h" for a sub-command's flags.
`

func snOpen(root string) (*avio.Dataset, error) {
	if root == "" {
		return nil, cli.Usagef("--data ROOT is required")
	}
	return avio.Open(root)
}

func soundnetTeacher(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("soundnet teacher", "--data ROOT -o T.safetensors [flags]", stderr)
	data := fs.String("data", "", "clip dataset (required)")
	out := cli.AddOut(fs, "teacher file to write, .safetensors (required)")
	size := fs.Int("size", 32, "frame size the teacher sees (multiple of 4)")
	width := fs.Int("width", 16, "channels of the first conv layer")
	export := fs.Bool("export", false, "also write teacher_objects.npy and teacher_scenes.npy into every clip folder")
	opts := cli.TrainFlags(fs, soundnet.TrainOptions{Epochs: 10, BatchSize: 32, LR: 2e-3, Seed: 1}, stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	o, err := opts()
	if err != nil {
		return err
	}
	if *size < 8 || *size > 512 || *size%4 != 0 {
		return cli.Usagef("--size %d: want a multiple of 4 in 8…512", *size)
	}
	if *width < 1 || *width > 512 {
		return cli.Usagef("--width %d: want 1…512", *width)
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}); err != nil {
		return err
	}
	ds, err := snOpen(*data)
	if err != nil {
		return err
	}
	if *export {
		for _, c := range ds.Clips {
			if err := cli.CheckWritableDir("--export", c.Dir); err != nil {
				return err
			}
		}
	}
	cfg := soundnet.DefaultImageTeacherConfig()
	cfg.Size, cfg.Width, cfg.Seed = *size, *width, o.Seed
	o.CheckpointPath = *out
	start := time.Now()
	t, rep, err := soundnet.TrainTeacher(ctx, ds.Split("train"), ds.Split("val"), cfg, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	defer t.Close()
	if err := t.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "teacher %s: %d object and %d scene classes, %d train frames, %d val frames, %s\n",
		*out, len(rep.ObjectNames), len(rep.SceneNames), rep.TrainFrames, rep.ValFrames, rep.Duration.Round(1e8))
	if rep.ValFrames > 0 {
		fmt.Fprintf(stdout, "val frames: object accuracy %.1f%%, scene accuracy %.1f%%\n", 100*rep.ValObjectAcc, 100*rep.ValSceneAcc)
	}
	if *export {
		for _, c := range ds.Clips {
			if err := soundnet.WriteTeacherNPY(t, c); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "wrote %s and %s in %d clip folders\n", soundnet.TeacherObjectsFile, soundnet.TeacherScenesFile, len(ds.Clips))
	}
	return nil
}

// snTeacher opens a teacher file, or the NPY teacher when path is "npy"
// (class counts from the first clip's files).
func snTeacher(path string, ds *avio.Dataset) (soundnet.Teacher, error) {
	if path == "" {
		return nil, cli.Usagef("--teacher is required (a teacher file, or \"npy\" for per-clip .npy files)")
	}
	if path != "npy" {
		return soundnet.LoadImageTeacher(path)
	}
	t, err := soundnet.NPYTeacherFor(ds.Clips)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.Root, err)
	}
	return t, nil
}

func soundnetDistill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("soundnet distill", "--data ROOT --teacher T -o M.safetensors [flags]", stderr)
	data := fs.String("data", "", "clip dataset (required)")
	tpath := fs.String("teacher", "", `teacher file from "avl soundnet teacher", or "npy" (required)`)
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	def := soundnet.DefaultConfig()
	width := fs.Float64("width", def.Width, "channel multiplier (1 is the paper's SoundNet-8)")
	window := fs.Float64("window", def.Window, "seconds per training excerpt (≥ 9.5)")
	shift := fs.Float64("shift", def.Shift, "largest random shift of a training excerpt, seconds (0: none)")
	gain := fs.Float64("gain", def.Gain, "largest random level change of a training excerpt, ±dB (0: none)")
	split := fs.String("split", "train", "split whose clips (audio and frames only) train the student")
	initFrom := fs.String("init", "", "continue from this model file (its width and window; optimiser state starts afresh)")
	opts := cli.TrainFlags(fs, soundnet.DefaultTrainOptions(), stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	o, err := opts()
	if err != nil {
		return err
	}
	if !(*width > 0 && *width <= 16) {
		return cli.Usagef("--width %g: want a multiplier in (0, 16]", *width)
	}
	if !(*window >= 9.5 && *window <= 600) {
		return cli.Usagef("--window %g: want 9.5…600 seconds (SoundNet-8's receptive field is about 9.5 s)", *window)
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}, *initFrom, *tpath); err != nil {
		return err
	}
	ds, err := snOpen(*data)
	if err != nil {
		return err
	}
	teacher, err := snTeacher(*tpath, ds)
	if err != nil {
		return err
	}
	on, sn := teacher.Classes()
	var m *soundnet.Model
	if *initFrom != "" {
		if m, err = soundnet.Load(*initFrom); err != nil {
			return err
		}
		*width, *window = m.Config.Width, m.Config.Window
	} else {
		cfg := soundnet.Config{Width: *width, Objects: len(on), Scenes: len(sn), ObjectNames: on, SceneNames: sn, Window: *window, Seed: o.Seed, Shift: *shift, Gain: *gain}
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("%s: %s", *data, cli.FlagNames(err, "soundnet", [][2]string{{"width", "--width"}, {"window", "--window"}, {"shift", "--shift"}, {"gain_db", "--gain"},
				{"objects", "object classes"}, {"scenes", "scene classes"}, {"object_names", "object names"}, {"scene_names", "scene names"}}))
		}
		if m, err = soundnet.New(cfg); err != nil {
			return err
		}
	}
	defer m.Close()
	train := ds.Split(*split)
	if len(train) == 0 {
		return fmt.Errorf("%s: no clips in split %q", *data, *split)
	}
	o.CheckpointPath = *out
	start := time.Now()
	rep, err := soundnet.Train(ctx, m, soundnet.Data{Train: train, Val: ds.Split("val"), Teacher: teacher}, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	fmt.Fprintf(stdout, "student %s: width %g, %d train excerpts of %g s (%d conv8 steps each), %d epochs in %s; train KL %.4f",
		*out, *width, rep.TrainWindows, *window, rep.Conv8Steps, len(rep.History.Epochs), rep.Duration.Round(1e8), last.TrainLoss)
	if rep.ValWindows > 0 {
		fmt.Fprintf(stdout, ", best val KL %.4f (epoch %d)", rep.History.BestLoss, rep.History.BestEpoch)
	}
	fmt.Fprintln(stdout)
	if test := ds.Split("test"); len(test) > 0 {
		a, err := soundnet.Evaluate(m, test, teacher)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "agreement with the teacher on %d test clips (%d steps):\n%v\n", len(test), a.Steps, a)
	}
	return nil
}

// snModel loads a model file, or the shipped model when path is "".
func snModel(path string) (*soundnet.Model, error) {
	if path == "" {
		return soundnet.Pretrained()
	}
	return soundnet.Load(path)
}

// soundnetFeaturesMemoryNote ends "avl soundnet features -h".
const soundnetFeaturesMemoryNote = `
Memory: the WAV is read and run a window of 60 s at a time; the features
are held until written. An hour of audio takes about 90 MB for pool5
(2.5 MB of features); the early layers hold more (conv1: 16 values per
2 samples, about 2.5 GB an hour).
`

func soundnetFeatures(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("soundnet features", "[--model M] IN.wav -o F.npy [--layer pool5]", stderr)
	model := fs.String("model", "", "model file (default: the shipped model)")
	out := cli.AddOut(fs, "output .npy (required)")
	layer := fs.String("layer", "pool5", "layer: "+strings.Join(soundnet.Layers, ", "))
	quiet := cli.AddQuiet(fs)
	cli.AddNote(fs, soundnetFeaturesMemoryNote)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one input WAV, got %d arguments", len(pos))
	}
	if !slices.Contains(soundnet.Layers, *layer) {
		return cli.Usagef("unknown --layer %q: want one of %s", *layer, strings.Join(soundnet.Layers, ", "))
	}
	if err := cli.CheckOutFile(*out, []string{".npy"}, pos[0], *model); err != nil {
		return err
	}
	m, err := snModel(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	st, err := m.NewFeatureStream(*layer)
	if err != nil {
		return err
	}
	// The heap is mostly one window's graph, live throughout: collecting
	// at 30 % growth instead of 100 % keeps an hour's run under 100 MB
	// for about 10 % more time.
	defer debug.SetGCPercent(debug.SetGCPercent(30))
	if _, err := cli.StreamMono(pos[0], soundnet.Rate, stderr, st.Write); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	f, err := st.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if !*quiet {
		if f.Padded > 0 {
			fmt.Fprintf(stderr, "note: %s is shorter than SoundNet-8's receptive field; padded with %d zero samples\n", pos[0], f.Padded)
		}
		if f.Windows > 1 {
			fmt.Fprintf(stderr, "note: %s processed in %d windows of %d s\n", pos[0], f.Windows, soundnet.MaxSamples/soundnet.Rate)
		}
	}
	if err := avio.WriteNPY(*out, f.Data, f.Channels, f.Steps); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s (%d channels, %d steps)\n", *out, f.Layer, f.Channels, f.Steps)
	return nil
}

func soundnetProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("soundnet probe", "[--model M] --data ROOT [--label scene] [flags]", stderr)
	model := fs.String("model", "", "model file (default: the shipped model)")
	data := fs.String("data", "", "clip dataset with train, val and test splits (required)")
	label := fs.String("label", "scene", "label key to classify")
	layers := fs.String("layers", strings.Join(soundnet.ProbeLayers, ","), "comma-separated layers of the model to probe")
	noMFCC := fs.Bool("no-mfcc", false, "skip the MFCC and log-mel baselines")
	folds := fs.Int("folds", 0, "k-fold cross-validation over all clips instead of train/val/test (0: off; for corpora the model never saw)")
	fewShot := fs.Int("few-shot", 0, "also probe pool5 and the baselines trained on this many train clips per class (0: off)")
	seed := fs.Int64("random-seed", 12345, "seed of the random-weight baseline network")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *label == "" {
		return cli.Usagef("--label must name a label key, e.g. scene")
	}
	if *folds < 0 || *folds == 1 || *fewShot < 0 {
		return cli.Usagef("--folds %d, --few-shot %d: want --folds 0 or ≥ 2 and --few-shot ≥ 0", *folds, *fewShot)
	}
	ds, err := snOpen(*data)
	if err != nil {
		return err
	}
	m, err := snModel(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	o := soundnet.ProbeOptions{Label: *label, Layers: strings.Split(*layers, ","), RandomSeed: *seed, NoMFCC: *noMFCC,
		Folds: *folds, FewShot: *fewShot}
	if !*quiet {
		o.Progress = stderr
	}
	train, val, test := ds.Split("train"), ds.Split("val"), ds.Split("test")
	if *folds == 0 && (len(train) == 0 || len(test) == 0) {
		return fmt.Errorf("%s: probing needs train and test clips (has %d and %d); --folds K cross-validates over all clips", *data, len(train), len(test))
	}
	if *fewShot > 0 && len(test) == 0 {
		return fmt.Errorf("%s: --few-shot needs test clips", *data)
	}
	rs, err := soundnet.ProbeTable(ctx, m, train, val, test, o)
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	if *folds > 0 {
		fmt.Fprintf(stdout, "linear probes for %q: %d-fold cross-validation over %d clips\n", *label, *folds, len(train)+len(val)+len(test))
	} else {
		fmt.Fprintf(stdout, "linear probes for %q: %d train, %d val, %d test clips\n", *label, len(train), len(val), len(test))
	}
	_, err = fmt.Fprint(stdout, rs.Table("%.1f"))
	return err
}
