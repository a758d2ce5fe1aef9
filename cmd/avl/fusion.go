package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/fusion"
	"github.com/avlearn/avlearn/internal/cli"
)

func init() {
	register(&command{
		name:    "fusion",
		summary: "sensor fusion of sound, pictures and motion: train an event classifier, evaluate it with sensors dropped",
		help:    fusionHelp,
		verbs:   map[string]runFunc{"train": fusionTrain, "eval": fusionEval},
	})
}

const fusionHelp = `usage: avl fusion train|eval [flags]

  train  --data ROOT -o M.safetensors [--streams audio,frames,motion] [--fusion attention]
         learn the "event" label of the train split's clips (avl synth sensors
         writes such a corpus) from the streams given, fused by one block (early,
         late, gated, attention); in training, streams are hidden, zeroed or made
         noisy at random; the val split picks the best epoch
  eval   [--model M …] --data ROOT
         accuracy on the test split of each --model (none: the shipped model) with
         all streams, and with one stream at a time zeroed, missing (marked in the
         stream mask) or noisy; with single-stream and fusion models, each fusion
         model's margin over the best single stream and what losing a stream costs

Run "avl fusion CMD -h" for a sub-command's flags.
`

func fusionTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("fusion train", "--data ROOT -o M.safetensors [flags]", stderr)
	def := fusion.DefaultConfig()
	data := fs.String("data", "", "clip dataset with \"event\" labels and train/val splits (required)")
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	streams := fs.String("streams", "audio,frames,motion", "streams to read, comma-separated: audio, frames, motion (one makes a single-sensor model)")
	block := fs.String("fusion", string(def.Fusion), "fusion block: early, late, gated or attention")
	hidden := fs.Int("hidden", def.Hidden, "width of each stream's encoder")
	drop := fs.Float64("drop-stream", def.DropStream, "probability that training hides a stream of an example")
	d := fusion.DefaultTrainOptions()
	d.Seed = 1
	opts := cli.TrainFlags(fs, d, stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	o, err := opts()
	if err != nil {
		return err
	}
	cfg := def
	cfg.Streams = nil
	for _, s := range strings.Split(*streams, ",") {
		cfg.Streams = append(cfg.Streams, fusion.Stream(strings.TrimSpace(s)))
	}
	cfg.Fusion, cfg.Hidden, cfg.DropStream, cfg.Seed = fusion.Block(*block), *hidden, *drop, o.Seed
	if err := cfg.Validate(); err != nil {
		return cli.UsageError{Err: errors.New(cli.FlagNames(err, "fusion", [][2]string{{"unknown stream", "--streams: unknown stream"},
			{"streams", "--streams"}, {"fusion", "--fusion"}, {"hidden", "--hidden"}, {"drop_stream", "--drop-stream"}}))}
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}); err != nil {
		return err
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	m, err := fusion.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	o.CheckpointPath = *out
	start := time.Now()
	rep, err := fusion.Train(ctx, m, fusion.Data{Train: ds.Split("train"), Val: ds.Split("val")}, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s (%s): %d train clips, %d val clips, %d steps, best epoch %d, %s\n",
		*out, m.Name(), rep.TrainClips, rep.ValClips, rep.Steps, rep.History.BestEpoch, rep.Duration.Round(1e7))
	return nil
}

func fusionEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("fusion eval", "[--model M] [--model M2 …] --data ROOT [flags]", stderr)
	var models multiFlag
	fs.Var(&models, "model", "model file (repeat: single-stream models and other blocks are compared; none: the shipped model)")
	data := fs.String("data", "", "clip dataset (required)")
	split := fs.String("split", "test", "split to evaluate on")
	seed := fs.Int64("seed", 1, "seed of the noise of the noisy condition")
	md := fs.Bool("markdown", false, "print the table as Markdown")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	clips := ds.Split(*split)
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", *data, *split)
	}
	var ms []*fusion.Model
	if len(models) == 0 {
		m, err := fusion.Pretrained()
		if err != nil {
			return err
		}
		defer m.Close()
		ms = append(ms, m)
	}
	for _, p := range models {
		m, err := fusion.Load(p)
		if err != nil {
			return err
		}
		defer m.Close()
		ms = append(ms, m)
	}
	o := fusion.EvalOptions{Baselines: ms[1:], Seed: *seed}
	if !*quiet {
		o.Progress = stderr
	}
	met, err := fusion.Evaluate(ms[0], clips, o)
	if err != nil {
		return err
	}
	if *md {
		fmt.Fprint(stdout, met.Table().Markdown())
	} else {
		fmt.Fprint(stdout, met.Table().String())
	}
	fmt.Fprint(stdout, met.Summary())
	return nil
}
