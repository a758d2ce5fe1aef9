package main

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/speech2face"
)

func init() {
	register(&command{
		name:    "speech2face",
		summary: "hear a voice, draw the face: train the face recogniser, decoder and voice encoder, evaluate on held-out speakers",
		help:    speech2faceHelp,
		run:     speech2faceFace,
		verbs:   map[string]runFunc{"train": speech2faceTrain, "eval": speech2faceEval},
	})
}

const speech2faceHelp = `usage: avl speech2face [--model M] IN.wav -o FACE.png
       avl speech2face train|eval [flags]

  IN.wav  draw the face the model hears in the speech of IN.wav (any length;
          the shipped model unless --model)
  train   --data ROOT -o M.safetensors [--stage face|decoder|voice --model IN]
          train the face recogniser on the train split's frames (by "speaker"
          label), the face decoder (embedding of any frame → the speaker's
          face.png, or the middle frame), then the voice encoder (speech → the
          face's embedding); --stage trains one of them, continuing --model.
          avl synth speakers writes such a corpus
  eval    [--model M] --data ROOT [--sheet PNG]
          on the test split's speakers: retrieval of the true face among up to
          100 held-out faces, attributes of the decoded faces, decoder quality,
          beside shuffled voices, the decoder fed the true face's embedding,
          a face with the speaker's voice-carried attributes, the mean face
          and chance

Run "avl speech2face CMD -h" for a sub-command's flags.
`

func speech2faceTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("speech2face train", "--data ROOT -o M.safetensors [flags]", stderr)
	def := speech2face.DefaultConfig()
	data := fs.String("data", "", "clip dataset with \"speaker\" labels and train/val splits (required)")
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	stage := fs.String("stage", "", "train one stage only: face, decoder or voice (default: all three)")
	in := fs.String("model", "", "model to continue (required with --stage decoder or voice)")
	embed := fs.Int("embed", def.Embed, "face embedding width")
	size := fs.Int("face-size", def.FaceSize, "face picture size in pixels (a multiple of 16)")
	lambda1 := fs.Float64("lambda1", def.Lambda1, "voice stage: weight of the normalised-embedding term")
	lambda2 := fs.Float64("lambda2", def.Lambda2, "voice stage: weight of the fc8 distillation term")
	colour := fs.Float64("colour-jitter", def.ColourJitter, "face stage: probability of shuffling and rescaling a training face's colour channels (0–1)")
	d := speech2face.DefaultTrainOptions(speech2face.StageFace)
	d.Seed = 1
	opts := cli.TrainFlags(fs, d, stderr)
	// each stage has its own epochs and patience unless given
	ep, pat := fs.Lookup("epochs"), fs.Lookup("patience")
	ep.Usage, ep.DefValue = "passes over the training clips in each stage (default: face 20, decoder 8, voice 60)", "0"
	pat.Usage = "stop after this many epochs without a better validation loss (default: voice 10, the others off)"
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
	if !cli.Given(fs, "epochs") {
		o.Epochs = 0
	}
	if !cli.Given(fs, "patience") {
		o.Patience = 0
	}
	stages := speech2face.Stages
	if *stage != "" {
		s, err := speech2face.ParseStage(*stage)
		if err != nil {
			return cli.Usagef("--stage: %v", err)
		}
		stages = []speech2face.Stage{s}
		if s != speech2face.StageFace && *in == "" {
			return cli.Usagef("--stage %s needs --model, a model whose earlier stages are trained", s)
		}
	}
	inputs := []string{}
	if *in != "" {
		inputs = append(inputs, *in)
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}, inputs...); err != nil {
		return err
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	train := ds.Split("train")
	if len(train) == 0 {
		return fmt.Errorf("%s: no clips in split \"train\"", *data)
	}
	flagErr := func(err error) error {
		return cli.UsageError{Err: errors.New(cli.FlagNames(err, "speech2face", [][2]string{{"embed", "--embed"}, {"face_size", "--face-size"},
			{"lambda1", "--lambda1"}, {"lambda2", "--lambda2"}, {"colour_jitter", "--colour-jitter"}}))}
	}
	var m *speech2face.Model
	if *in != "" {
		if m, err = speech2face.Load(*in); err != nil {
			return err
		}
		// the loss weights of the voice stage may change; the sizes are the model's
		if cli.Given(fs, "lambda1") {
			m.Config.Lambda1 = *lambda1
		}
		if cli.Given(fs, "lambda2") {
			m.Config.Lambda2 = *lambda2
		}
		if cli.Given(fs, "colour-jitter") {
			m.Config.ColourJitter = *colour
		}
		if err := m.Config.Validate(); err != nil {
			m.Close()
			return flagErr(err)
		}
	} else {
		cfg := def
		cfg.Identities = speech2face.IdentitiesOf(train)
		cfg.Embed, cfg.FaceSize, cfg.Lambda1, cfg.Lambda2, cfg.ColourJitter, cfg.Seed = *embed, *size, *lambda1, *lambda2, *colour, o.Seed
		if err := cfg.Validate(); err != nil {
			if strings.Contains(err.Error(), "identities") {
				return fmt.Errorf("%s: the train split has %d speakers; want at least 2", *data, len(cfg.Identities))
			}
			return flagErr(err)
		}
		if m, err = speech2face.New(cfg); err != nil {
			return err
		}
	}
	defer m.Close()
	o.CheckpointPath = *out
	start := time.Now()
	data2 := speech2face.Data{Train: train, Val: ds.Split("val")}
	var steps int
	for _, s := range stages {
		rep, err := speech2face.TrainStage(ctx, m, s, data2, o)
		if err != nil {
			return cli.TrainErr(err, *out, start)
		}
		steps += rep.Steps
		fmt.Fprintf(stdout, "stage %s: %d steps, best epoch %d, %s\n", s, rep.Steps, rep.History.BestEpoch, rep.Duration.Round(1e7))
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s: %d speakers, %d train clips, %d val clips, %d steps, %s\n",
		*out, len(m.Config.Identities), len(data2.Train), len(data2.Val), steps, time.Since(start).Round(1e7))
	return nil
}

// speech2faceModel loads path, or the shipped model when path is empty.
func speech2faceModel(path string) (*speech2face.Model, error) {
	if path == "" {
		return speech2face.Pretrained()
	}
	return speech2face.Load(path)
}

func speech2faceEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("speech2face eval", "[--model M] --data ROOT [flags]", stderr)
	model := fs.String("model", "", "model file (default: the shipped model)")
	data := fs.String("data", "", "clip dataset (required)")
	split := fs.String("split", "test", "split of held-out speakers to evaluate on")
	speakers := fs.Int("speakers", 100, "held-out speakers (faces to rank) at most")
	sheet := fs.String("sheet", "", "also write a contact sheet PNG: voice → face beside the true face for 8 speakers")
	seed := fs.Int64("seed", 1, "seed of the shuffled-voices baseline")
	md := fs.Bool("markdown", false, "print the table as Markdown")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	if *speakers < 2 {
		return cli.Usagef("--speakers %d: want at least 2", *speakers)
	}
	if *sheet != "" {
		if err := cli.CheckOutFile(*sheet, []string{".png"}); err != nil {
			return err
		}
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	clips := ds.Split(*split)
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", *data, *split)
	}
	m, err := speech2faceModel(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	o := speech2face.EvalOptions{Train: ds.Split("train"), Speakers: *speakers, Seed: *seed}
	if !*quiet {
		o.Progress = stderr
	}
	met, err := speech2face.Evaluate(m, clips, o)
	if err != nil {
		return err
	}
	if *md {
		fmt.Fprint(stdout, met.Table().Markdown())
	} else {
		fmt.Fprint(stdout, met.Table().String())
	}
	if *sheet != "" {
		img, err := speech2face.ContactSheet(m, clips, 8)
		if err != nil {
			return err
		}
		if err := avio.WriteFileAtomic(*sheet, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "contact sheet %s\n", *sheet)
	}
	return nil
}

func speech2faceFace(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("speech2face", "[--model M] IN.wav -o FACE.png", stderr)
	model := fs.String("model", "", "model file (default: the shipped model)")
	out := cli.AddOut(fs, "face picture to write, .png (required)")
	cli.AddQuiet(fs) // nothing to silence: the result line always prints
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if err := cli.CheckOutFile(*out, []string{".png"}, pos[0]); err != nil {
		return err
	}
	m, err := speech2faceModel(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	// the voice is averaged over windows: stream it, whatever its length
	v := m.NewVoiceEmbedder()
	samples, err := cli.StreamMono(pos[0], m.Config.Rate, stderr, v.Write)
	if err != nil {
		return err
	}
	e, err := v.Embedding()
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	img, err := m.Decode(e)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if err := avio.WriteFileAtomic(*out, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "face %s (%d×%d) from %s (%.1f s)\n", *out, img.Bounds().Dx(), img.Bounds().Dy(), pos[0], float64(samples)/float64(m.Config.Rate))
	return nil
}
