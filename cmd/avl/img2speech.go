package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/img2speech"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/task"
)

func init() {
	register(&command{
		name:    "img2speech",
		summary: "say what a picture shows with no text in between (image → speech units → speech); train, evaluate with a speech recogniser",
		help:    img2speechHelp,
		run:     img2speechSpeak,
		verbs:   map[string]runFunc{"train": img2speechTrain, "eval": img2speechEval},
	})
}

const img2speechHelp = `usage: avl img2speech IMAGE.png -o SPEECH.wav [--model M] [--words]
       avl img2speech train|eval [flags]

  (no sub-command)  IMAGE.png -o SPEECH.wav
         say what the picture shows: the units its captioner decodes (beam 4),
         held for their mean durations and spoken (Griffin-Lim); the unit
         sequence goes to SPEECH.units.txt; --words prints what the shipped
         recogniser hears; the shipped model unless --model
  train  --data ROOT -o M.safetensors [--holdout s006,s007]
         --stage units (the default): learn discrete speech units from the train
         split's speech (avl synth captions writes such a corpus): an encoder on
         log-mel frames, a vector-quantised bottleneck (one unit per 40 ms), a
         decoder back to the frames; the val split picks the best epoch;
         --holdout leaves those speakers out
         --stage image --model UNITS.safetensors: learn the units of each clip's
         spoken caption from its first frame (CNN, attention LSTM); the CNN
         first learns to name single objects in --objects pictures synth draws
         --stage judge: the recogniser that judges speech, trained on the clean
         speech only (each 20 ms labelled with its caption word or silence)
  eval   --model M --data ROOT [--speakers s006,s007] [--images] [--judge J]
         phone purity and ABX error of the units on the test split (clips with a
         "phones" label), beside k-means on MFCCs with as many clusters (fitted
         on the train split), a single unit and MFCC frames; speech → units →
         speech (Griffin-Lim) beside Griffin-Lim of the true spectrogram and the
         clean speech, by log-mel distance and the recogniser's word error; with
         --images, image → units → speech beside shuffled images and the true
         units: unit error, word error, content words, count, BLEU-4; the
         shipped recogniser unless --judge

Run "avl img2speech CMD -h" for a sub-command's flags.
`

// loadImg2speech loads a model file, or the shipped model for "".
func loadImg2speech(path string) (*img2speech.Model, error) {
	if path == "" {
		return img2speech.Pretrained()
	}
	return img2speech.Load(path)
}

// loadJudge loads a recogniser file, or the shipped one for "".
func loadJudge(path string) (*img2speech.Recogniser, error) {
	if path == "" {
		return img2speech.PretrainedRecogniser()
	}
	return img2speech.LoadRecogniser(path)
}

// unitsPath is where the unit sequence of speech written to out goes.
func unitsPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".units.txt"
}

func img2speechSpeak(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("img2speech", "[--model M] IMAGE.png -o SPEECH.wav", stderr)
	model := fs.String("model", "", "model file (default: the shipped model, see img2speech/pretrained/README.md)")
	out := cli.AddOut(fs, "speech to write, .wav (required); the unit sequence goes beside it, to NAME.units.txt")
	heard := fs.Bool("words", false, "print the words the shipped recogniser hears in the speech")
	voice := addVoiceFlag(fs)
	cli.AddQuiet(fs) // nothing to silence: the result line always prints
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one input picture, got %d arguments", len(pos))
	}
	inputs := []string{pos[0]}
	if *model != "" {
		inputs = append(inputs, *model)
	}
	if err := cli.CheckOutFile(*out, []string{".wav"}, inputs...); err != nil {
		return err
	}
	if err := cli.CheckOutFile(unitsPath(*out), []string{".txt"}, inputs...); err != nil {
		return err
	}
	img, err := readPicture(pos[0], pos[0])
	if err != nil {
		return err
	}
	m, err := loadImg2speech(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := setVoice(m, *voice); err != nil {
		return err
	}
	y, seq, err := m.SpeakImage(img)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	var words []string
	if *heard {
		j, err := img2speech.PretrainedRecogniser()
		if err != nil {
			return err
		}
		defer j.Close()
		if words, err = j.Words(y); err != nil {
			return err
		}
	}
	if err := avio.WriteMonoWAV(*out, y, m.Config.Rate, avio.PCM16); err != nil {
		return err
	}
	txt := make([]string, len(seq))
	for i, u := range seq {
		txt[i] = fmt.Sprint(u)
	}
	if err := avio.WriteFileAtomic(unitsPath(*out), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, strings.Join(txt, " "))
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "speech %s (%.2f s) and %d units %s from %s\n", *out, float64(len(y))/float64(m.Config.Rate), len(seq), unitsPath(*out), pos[0])
	if *heard {
		fmt.Fprintf(stdout, "the recogniser hears: %s\n", strings.Join(words, " "))
	}
	return nil
}

// addVoiceFlag adds --voice, the voice a captioner says its units in.
func addVoiceFlag(fs *flag.FlagSet) *string {
	return fs.String("voice", "", "speaker whose voice the captioner says its units in, one of the model's (default: its first; models trained with --cap-voices)")
}

// setVoice makes m speak in voice ("": the model's default).
func setVoice(m *img2speech.Model, voice string) error {
	if voice == "" {
		return nil
	}
	if len(m.Voices()) == 0 {
		return cli.Usagef("--voice %s: the model's captioner was trained without voices", voice)
	}
	if err := m.SetVoice(voice); err != nil {
		return cli.UsageError{Err: fmt.Errorf("--voice: %w", err)}
	}
	return nil
}

// speakerList parses a comma-separated speaker list ("" is none).
func speakerList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// bySpeaker keeps the clips whose "speaker" label is (keep) or is not
// (!keep) in ids.
func bySpeaker(clips []*avio.Clip, ids []string, keep bool) []*avio.Clip {
	var out []*avio.Clip
	for _, c := range clips {
		if slices.Contains(ids, c.Meta.Labels["speaker"]) == keep {
			out = append(out, c)
		}
	}
	return out
}

func img2speechTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("img2speech train", "--data ROOT -o M.safetensors [flags]", stderr)
	def := img2speech.DefaultConfig()
	data := fs.String("data", "", "clip dataset with speech and train/val splits (required)")
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	codes := fs.Int("codes", def.Codes, "codebook size: the number of distinct units")
	hidden := fs.Int("hidden", def.Hidden, "channels of the encoder's and decoder's convolutions")
	dk := fs.Int("decoder-kernel", def.DecoderKernel, "span in units of the decoder's convolutions (odd; 1: each unit alone gives back its frames)")
	holdout := fs.String("holdout", "", "speakers (\"speaker\" labels, comma-separated) whose clips are left out of training")
	stage := fs.String("stage", "units", "what to train: units (speech ↔ units) or image (image → units, on --model's units)")
	model := fs.String("model", "", "stage image: the model whose units the pictures learn (written by stage units); its captioner, if any, is replaced by a new one")
	imageSize := fs.Int("image-size", def.ImageSize, "stage image: pictures are scaled to this many pixels a side")
	stem := fs.Bool("image-stem", def.ImageStem, "stage image: the captioner's CNN starts with a stride-1 convolution at full resolution")
	objects := fs.Int("objects", img2speech.DefaultObjectPictures, "stage image: pictures of single labelled objects (drawn by synth) the captioner's CNN first learns to name, as an ImageNet-trained encoder (0: none)")
	coords := fs.Bool("cap-coords", def.CapCoords, "stage image: the captioner's attention sees each cell's coordinates")
	maxUnits := fs.Int("max-units", def.MaxUnits, "stage image: the longest unit sequence learnt and said (longer captions are cut)")
	capHidden := fs.Int("cap-hidden", def.CapHidden, "stage image: size of the captioner's LSTM and attention")
	capVoices := fs.Int("cap-voices", def.CapVoices, "stage image: voices the captioner can be told to say its units in (at least the training speakers; 0: none)")
	d := img2speech.DefaultTrainOptions()
	d.Seed = 1
	opts := cli.TrainFlags(fs, d, stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	if *stage != "units" && *stage != "image" && *stage != "judge" {
		return cli.Usagef("--stage %q: want units, image or judge", *stage)
	}
	if *stage == "image" && *model == "" {
		return cli.Usagef("--stage image needs --model")
	}
	if *stage != "units" {
		d = img2speech.DefaultImageTrainOptions()
		if *stage == "judge" {
			d = img2speech.DefaultRecogniserTrainOptions()
		}
		d.Seed = 1
		sched := cmp.Or(string(d.Schedule), string(task.ScheduleConstant))
		for _, name := range []string{"epochs", "batch", "lr", "patience", "schedule"} {
			if !cli.Given(fs, name) {
				v := map[string]string{"epochs": fmt.Sprint(d.Epochs), "batch": fmt.Sprint(d.BatchSize), "lr": fmt.Sprint(d.LR), "patience": fmt.Sprint(d.Patience), "schedule": sched}[name]
				if err := fs.Set(name, v); err != nil {
					return err
				}
			}
		}
	}
	o, err := opts()
	if err != nil {
		return err
	}
	switch *stage {
	case "image":
		img := def
		img.ImageSize, img.CapCoords, img.MaxUnits, img.Seed = *imageSize, *coords, *maxUnits, o.Seed
		img.CapHidden, img.CapVoices, img.ImageStem = *capHidden, *capVoices, *stem
		if err := img.Validate(); err != nil {
			return cli.UsageError{Err: errors.New(cli.FlagNames(err, "img2speech", [][2]string{{"image_size", "--image-size"}, {"max_units", "--max-units"}, {"cap_hidden", "--cap-hidden"}, {"cap_voices", "--cap-voices"}}))}
		}
		if *objects < 0 || *objects > img2speech.MaxObjectPictures {
			return cli.Usagef("--objects %d: want 0–%d", *objects, img2speech.MaxObjectPictures)
		}
		return img2speechTrainImage(ctx, *data, *model, *out, *holdout, img, *objects, o, stdout)
	case "judge":
		return img2speechTrainJudge(ctx, *data, *out, *holdout, o, stdout)
	}
	cfg := def
	cfg.Codes, cfg.Hidden, cfg.DecoderKernel, cfg.Seed = *codes, *hidden, *dk, o.Seed
	if err := cfg.Validate(); err != nil {
		return cli.UsageError{Err: errors.New(cli.FlagNames(err, "img2speech", [][2]string{{"codes", "--codes"}, {"hidden", "--hidden"}, {"decoder_kernel", "--decoder-kernel"}}))}
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}); err != nil {
		return err
	}
	clips, err := trainClips(*data, *holdout)
	if err != nil {
		return err
	}
	m, err := img2speech.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	o.CheckpointPath = *out
	start := time.Now()
	rep, err := img2speech.Train(ctx, m, clips, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s: %d train clips (%d segments), %d val clips, %d steps, best epoch %d (val loss %.4f), %d of %d codes in use, %d restarts, %s\n",
		*out, rep.TrainClips, rep.TrainSegments, rep.ValClips, rep.Steps, rep.History.BestEpoch, rep.History.BestLoss,
		rep.CodesUsed, cfg.Codes, rep.Restarts, rep.Duration.Round(1e7))
	return nil
}

// img2speechTrainImage trains a new captioner of img's image fields on the
// units of the model at in and data's pictures, and writes the model to
// out.
func img2speechTrainImage(ctx context.Context, data, in, out, holdout string, img img2speech.Config, objects int, o img2speech.TrainOptions, stdout io.Writer) error {
	if err := cli.CheckOutFile(out, []string{".safetensors"}, in); err != nil {
		return err
	}
	units, err := img2speech.Load(in)
	if err != nil {
		return err
	}
	m, err := units.WithCaptioner(img)
	units.Close()
	if err != nil {
		return err
	}
	defer m.Close()
	d, err := trainClips(data, holdout)
	if err != nil {
		return err
	}
	start := time.Now()
	if objects > 0 {
		orep, err := img2speech.PretrainImage(ctx, m, objects, img2speech.TrainOptions{Seed: o.Seed, Progress: o.Progress})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "objects: the CNN names %.1f%% of %d new object pictures right (20 classes), after %d steps on %d, %s\n",
			100*orep.ValAccuracy, orep.ValPictures, orep.Steps, orep.Pictures, orep.Duration.Round(1e7))
	}
	o.CheckpointPath = out
	rep, err := img2speech.TrainImage(ctx, m, d, o)
	if err != nil {
		return cli.TrainErr(err, out, start)
	}
	if err := m.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s: image → units on %d train pictures, %d val, %d steps, best epoch %d (val loss %.4f), %s\n",
		out, rep.TrainClips, rep.ValClips, rep.Steps, rep.History.BestEpoch, rep.History.BestLoss, rep.Duration.Round(1e7))
	return nil
}

// trainClips opens the dataset data and returns its train and val clips
// without the speakers listed in holdout (comma-separated); no train clip
// left is an error.
func trainClips(data, holdout string) (img2speech.Data, error) {
	ds, err := avio.Open(data)
	if err != nil {
		return img2speech.Data{}, err
	}
	held := speakerList(holdout)
	d := img2speech.Data{Train: bySpeaker(ds.Split("train"), held, false), Val: bySpeaker(ds.Split("val"), held, false)}
	if len(d.Train) == 0 {
		return d, fmt.Errorf("%s: no train clips (without the held-out speakers)", data)
	}
	return d, nil
}

// img2speechTrainJudge trains the recogniser that judges generated speech
// on data's clean speech (train split) and writes it to out.
func img2speechTrainJudge(ctx context.Context, data, out, holdout string, o img2speech.TrainOptions, stdout io.Writer) error {
	if err := cli.CheckOutFile(out, []string{".safetensors"}); err != nil {
		return err
	}
	d, err := trainClips(data, holdout)
	if err != nil {
		return err
	}
	words := img2speech.CaptionWords(d.Train)
	if len(words) == 0 {
		return fmt.Errorf("%s: the train clips have no \"caption\" label", data)
	}
	cfg := img2speech.DefaultRecogniserConfig(words)
	cfg.Seed = o.Seed
	r, err := img2speech.NewRecogniser(cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	o.CheckpointPath = out
	start := time.Now()
	rep, err := img2speech.TrainRecogniser(ctx, r, d, o)
	if err != nil {
		return cli.TrainErr(err, out, start)
	}
	if err := r.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "recogniser %s: %d words, %d train clips (%d segments), %d val clips, %d steps, best epoch %d (val loss %.4f), %s\n",
		out, len(words), rep.TrainClips, rep.TrainSegments, rep.ValClips, rep.Steps, rep.History.BestEpoch, rep.History.BestLoss, rep.Duration.Round(1e7))
	return nil
}

func img2speechEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("img2speech eval", "--model M --data ROOT [flags]", stderr)
	model := fs.String("model", "", "model file written by avl img2speech train (default: the shipped model)")
	data := fs.String("data", "", "clip dataset with \"phones\" labels (required)")
	split := fs.String("split", "test", "split to evaluate on (all: every clip)")
	speakers := fs.String("speakers", "", "evaluate only these speakers' clips (comma-separated \"speaker\" labels; the k-means baseline is fitted on the others)")
	seed := fs.Int64("seed", 1, "seed of the k-means baseline")
	images := fs.Bool("images", false, "also measure image → units → speech beside shuffled images and the true units")
	beam := fs.Int("beam", img2speech.DefaultBeam, "beam width of the image → units decoding (1: greedy)")
	resynth := fs.Int("resynth", 20, "clips whose speech is regenerated (Griffin-Lim) and measured: from their units and, with --images, from their pictures")
	judge := fs.String("judge", "", "recogniser (avl img2speech train --stage judge) that turns regenerated speech back into words, to measure it against the captions (default: the shipped one)")
	md := fs.Bool("markdown", false, "print the table as Markdown")
	voice := addVoiceFlag(fs)
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	if *resynth < 0 {
		return cli.Usagef("--resynth %d: want ≥ 0", *resynth)
	}
	if *beam < 1 || *beam > 64 {
		return cli.Usagef("--beam %d: want 1–64", *beam)
	}
	m, err := loadImg2speech(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := setVoice(m, *voice); err != nil {
		return err
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	clips := ds.Split(*split)
	if *split == "all" {
		clips = ds.Clips
	}
	ref := ds.Split("train")
	if ids := speakerList(*speakers); len(ids) > 0 {
		clips, ref = bySpeaker(clips, ids, true), bySpeaker(ref, ids, false)
	}
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q (of the speakers given)", *data, *split)
	}
	o := img2speech.EvalOptions{Reference: ref, Seed: *seed, Resynthesis: *resynth, Images: *images, Beam: *beam}
	if o.Judge, err = loadJudge(*judge); err != nil {
		return err
	}
	defer o.Judge.Close()
	if !*quiet {
		o.Progress = stderr
	}
	met, err := img2speech.Evaluate(m, clips, o)
	if err != nil {
		return err
	}
	for _, t := range []*eval.Table{met.Table(), met.ResynthesisTable(), met.ImageTable()} {
		switch {
		case t == nil:
		case *md:
			fmt.Fprint(stdout, t.Markdown())
		default:
			fmt.Fprint(stdout, t.String())
		}
	}
	return nil
}
