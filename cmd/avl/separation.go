package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/separation"
)

func init() {
	register(&command{
		name:    "separation",
		summary: "face-guided speech separation (Looking to Listen): train a model, evaluate it on held-out speakers",
		help:    separationHelp,
		verbs:   map[string]runFunc{"train": separationTrain, "eval": separationEval},
	})
}

const separationHelp = `usage: avl separation train|eval [flags]

  train  --data ROOT -o M.safetensors
         learn to separate mixtures made on the fly from the train split's clips
         (two different speakers, or one speaker + noise with --speakers 1); the
         val split gives the validation loss; --audio-only trains the audio-only
         baseline (permutation-invariant loss for two speakers)
  eval   [--model M] [--model M2] [--pit P] [--pit P2] --data ROOT  (default: the shipped model)
         SI-SDRi and SDRi (dB) on mixtures of the test split's held-out speakers:
         each model beside the audio-only model P of its condition (PIT for two
         speakers), two oracle masks (ideal ratio; phase-sensitive, the best real
         mask under the training loss) and the unprocessed mixture; --similar N
         adds mixtures of voices within N semitones of each other

"avl separate" applies a model to a mixture and face videos.
Run "avl separation CMD -h" for a sub-command's flags.
`

func separationTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("separation train", "--data ROOT -o M.safetensors [flags]", stderr)
	def := separation.DefaultConfig() // the recipe: every default below is its value
	data := fs.String("data", "", "clip dataset with \"speaker\" labels and train/val splits (required)")
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	speakers := fs.Int("speakers", 2, "faces per mixture: 2 (two speakers) or 1 (speech + noise)")
	audioOnly := fs.Bool("audio-only", false, "train the audio-only baseline (no faces, permutation-invariant loss)")
	mask := fs.String("mask", string(def.Mask), "mask kind: real (a sigmoid) or complex (the paper's; needs far more steps, and no --consistency or si-sdr loss)")
	segment := fs.Float64("segment", 1, "seconds per training mixture")
	channels := fs.Int("channels", def.AudioChannels, "audio-stream channels (each STFT frame is squeezed to this many features)")
	hidden := fs.Int("hidden", 64, "BiLSTM hidden size per direction")
	combs := fs.Int("combs", def.Combs, "candidate fundamentals of the harmonic comb term of each mask (0: none, which also turns off --track-pitch and --multi-pitch unless given); with --init, adds combs to that model")
	trackPitch := fs.Bool("track-pitch", def.TrackPitch, "the BiLSTM sees the harmonic salience too, to follow each voice's pitch (needs --combs or an --init model with combs); with --init, adds it to that model")
	multiPitch := fs.Bool("multi-pitch", def.MultiPitch, "add combs from a fixed two-pitch estimate per frame, handed to the faces by a learned assignment (needs --combs or an --init model with combs); with --init, adds them to that model")
	salWin := fs.Int("salience-window", def.SalienceWindow, "window in samples of the STFT the comb's harmonic salience is measured on (0: the STFT's own; longer resolves low voices)")
	fc := fs.Int("fc", 0, "width of the fully connected layers after the BiLSTM (0: the default config's)")
	loss := fs.String("loss", string(def.Loss), "loss: si-sdr (the SI-SDR of the separated waveforms, the evaluation's measure; needs --mask real and faces) or compressed (the paper's L2 of compressed spectrograms; the default of --audio-only and --mask complex); with --init, switches that model's loss (default: keeps it)")
	consistency := fs.Bool("consistency", def.Consistency, "rescale the real masks so that the voices add up to the mixture, and train through it (needs --mask real and two speakers; off by default for --speakers 1 and --mask complex); with --init, switches it on or off")
	visAux := fs.Float64("visual-aux", def.VisualAux, "weight of the training-only loss that asks each face's visual features to predict its speaker's loudness, so a fresh model tells the faces apart from the first steps (0: off; needs faces)")
	tilt := fs.Float64("tilt", def.Tilt, "training augmentation: tilt each voice's spectrum by a random slope within ±this many dB per octave, so that the model hears brighter and duller voices than the corpus has (0: off); with --init, sets it for this training")
	initFrom := fs.String("init", "", "continue from this model file (its architecture, speakers and mask; the optimiser starts afresh; give a new --seed, or the mixtures repeat)")
	d := separation.DefaultTrainOptions()
	d.Seed = 1
	opts := cli.TrainFlags(fs, d, stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	switch {
	case *speakers != 1 && *speakers != 2:
		return cli.Usagef("--speakers %d: want 1 or 2", *speakers)
	case separation.Mask(*mask) != separation.MaskComplex && separation.Mask(*mask) != separation.MaskReal:
		return cli.Usagef("--mask %q: want %s or %s", *mask, separation.MaskComplex, separation.MaskReal)
	case separation.Loss(*loss) != separation.LossCompressed && separation.Loss(*loss) != separation.LossSISDR:
		return cli.Usagef("--loss %q: want %s or %s", *loss, separation.LossCompressed, separation.LossSISDR)
	case !(*segment > 0 && *segment <= 30):
		return cli.Usagef("--segment %g: want (0, 30] seconds", *segment)
	case *channels < 1 || *hidden < 1 || *combs < 0 || *salWin < 0 || *fc < 0:
		return cli.Usagef("--channels and --hidden want ≥ 1; --combs, --salience-window and --fc ≥ 0 (--fc 0: the default)")
	}
	o, err := opts()
	if err != nil {
		return err
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}, *initFrom); err != nil {
		return err
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	if len(ds.Split("train")) == 0 {
		return fmt.Errorf("%s: no clips in the train split", *data)
	}
	var m *separation.Model
	if *initFrom != "" {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "speakers", "audio-only", "mask", "segment", "channels", "hidden", "fc", "visual-aux":
				clash = append(clash, "--"+f.Name)
			}
		})
		if len(clash) > 0 {
			return cli.Usagef("%s: the model given by --init fixes these", strings.Join(clash, ", "))
		}
		if m, err = separation.Load(*initFrom); err != nil {
			return err
		}
		// Only the flags given change the model; the others keep its settings.
		var c separation.Changes
		if cli.Given(fs, "combs") {
			c.Combs = *combs
		}
		if cli.Given(fs, "salience-window") {
			c.SalienceWindow = *salWin
		}
		c.TrackPitch = cli.Given(fs, "track-pitch") && *trackPitch
		c.MultiPitch = cli.Given(fs, "multi-pitch") && *multiPitch
		if (c.TrackPitch || c.MultiPitch) && c.Combs == 0 && m.Config.Combs == 0 {
			m.Close()
			return cli.Usagef("--track-pitch and --multi-pitch need harmonic combs: give --combs K, or an --init model with combs (%s has none)", *initFrom)
		}
		if cli.Given(fs, "consistency") {
			c.Consistency = consistency
		}
		if cli.Given(fs, "loss") {
			c.Loss = separation.Loss(*loss)
		}
		old := m
		if m, err = separation.Extend(old, c); err != nil {
			old.Close()
			return cli.Usagef("--init %s: %s", *initFrom, sepFlagNames(err))
		}
		if m != old {
			old.Close()
		}
		if cli.Given(fs, "tilt") {
			m.Config.Tilt = *tilt
			if err := m.Config.Validate(); err != nil {
				m.Close()
				return cli.UsageError{Err: errors.New(sepFlagNames(err))}
			}
		}
	} else {
		cfg := separation.DefaultConfig()
		cfg.Speakers, cfg.AudioOnly, cfg.Mask, cfg.Segment, cfg.Seed = *speakers, *audioOnly, separation.Mask(*mask), *segment, o.Seed
		cfg.AudioChannels, cfg.LSTMHidden = *channels, *hidden
		if *fc != 0 {
			cfg.FCHidden = *fc
		}
		cfg.Combs, cfg.TrackPitch, cfg.MultiPitch, cfg.Consistency = *combs, *trackPitch, *multiPitch, *consistency
		cfg.Loss, cfg.SalienceWindow, cfg.VisualAux, cfg.Tilt = separation.Loss(*loss), *salWin, *visAux, *tilt
		recipeFor(&cfg, func(name string) bool { return cli.Given(fs, name) })
		if (cfg.TrackPitch || cfg.MultiPitch) && cfg.Combs == 0 {
			return cli.Usagef("--track-pitch and --multi-pitch need harmonic combs: give --combs K")
		}
		if err := cfg.Validate(); err != nil {
			return cli.UsageError{Err: errors.New(sepFlagNames(err))}
		}
		if m, err = separation.New(cfg); err != nil {
			return err
		}
	}
	defer m.Close()
	o.CheckpointPath = *out
	start := time.Now()
	rep, err := separation.Train(ctx, m, separation.Data{Train: ds.Split("train"), Val: ds.Split("val")}, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	fmt.Fprintf(stdout, "model %s: %d train clips of %d speakers, %d steps, %d val mixtures, %s\n",
		*out, rep.TrainClips, rep.TrainSpeakers, rep.Steps, rep.ValMixtures, rep.Duration.Round(1e8))
	fmt.Fprintf(stdout, "last epoch: train loss %.4f, val loss %.4f\n", last.TrainLoss, last.ValLoss)
	if rep.Restarts > 0 {
		fmt.Fprintf(stdout, "fresh weights drawn %d time(s): validation stayed on the 0 dB plateau\n", rep.Restarts)
	}
	if h := rep.History; h.Score != "" && h.BestEpoch > 0 {
		fmt.Fprintf(stdout, "validation SI-SDRi: %.2f dB at the last epoch, %.2f dB at epoch %d (kept)\n",
			last.ValScore, h.Epochs[h.BestEpoch-1].ValScore, h.BestEpoch)
	}
	return nil
}

// recipeFor turns off the recipe's parts that the model chosen by the
// given flags cannot have, unless they were given themselves: pitch
// tracking and pairs without combs, pitch pairs and consistent outputs for
// one speaker, consistency and the SI-SDR loss for complex masks, the
// SI-SDR loss for the audio-only model.
func recipeFor(c *separation.Config, given func(flag string) bool) {
	off := func(flag string, v *bool) {
		if !given(flag) {
			*v = false
		}
	}
	if c.Combs == 0 {
		off("track-pitch", &c.TrackPitch)
		off("multi-pitch", &c.MultiPitch)
	}
	if c.Speakers == 1 {
		off("multi-pitch", &c.MultiPitch)
		off("consistency", &c.Consistency)
	}
	if c.Mask == separation.MaskComplex {
		off("consistency", &c.Consistency)
	}
	if c.AudioOnly && !given("visual-aux") {
		c.VisualAux = 0
	}
	if (c.Mask == separation.MaskComplex || c.AudioOnly) && !given("loss") {
		c.Loss = separation.LossCompressed
	}
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func separationEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("separation eval", "[--model M] [--model M2] [--pit P] --data ROOT [flags]", stderr)
	var models multiFlag
	fs.Var(&models, "model", "face-guided model (repeat for more conditions, e.g. 2 speakers and speech + noise; default: the shipped model)")
	var pits multiFlag
	fs.Var(&pits, "pit", "audio-only baseline model of the same size (repeatable; each is compared with the --model of its condition)")
	data := fs.String("data", "", "clip dataset (required)")
	split := fs.String("split", "test", "split of held-out speakers")
	n := fs.Int("n", 100, "mixtures per condition")
	seconds := fs.Float64("seconds", 0, "seconds per mixture (0: the model's training segment)")
	seed := fs.Int64("seed", 1, "seed of the evaluation mixtures")
	similar := fs.Float64("similar", 0, "also score mixtures of two voices whose typical pitches are at most this many semitones apart (0: not)")
	consistency := fs.Bool("consistency", false, "run every --model with (or, =false, without) the rescaling that makes the voices add up to the mixture (default: as trained)")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	if len(models) == 0 {
		models = multiFlag{""} // the shipped model
	}
	switch {
	case *n < 1:
		return cli.Usagef("--n %d: want ≥ 1 mixtures", *n)
	case !(*seconds >= 0 && *seconds <= 60):
		return cli.Usagef("--seconds %g: want 0…60 (0: the model's training segment)", *seconds)
	case !(*similar >= 0):
		return cli.Usagef("--similar %g: want ≥ 0 semitones", *similar)
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	clips := ds.Split(*split)
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", *data, *split)
	}
	var bases []*separation.Model
	for _, p := range pits {
		b, err := separation.Load(p)
		if err != nil {
			return err
		}
		if !b.Config.AudioOnly {
			return fmt.Errorf("--pit %s is not an audio-only model", p)
		}
		defer b.Close()
		bases = append(bases, b)
	}
	var all separation.Metrics
	for _, path := range models {
		m, err := loadSeparation(path)
		if err != nil {
			return err
		}
		if err := applyConsistency(fs, m, *consistency, modelName(path)); err != nil {
			m.Close()
			return err
		}
		o := separation.EvalOptions{Mixtures: *n, Seconds: *seconds, Seed: *seed, Similar: *similar}
		for _, b := range bases {
			if b.Config.Speakers == m.Config.Speakers {
				o.Baseline = b
			}
		}
		if !*quiet {
			o.Progress = stderr
		}
		met, err := separation.Evaluate(m, clips, o)
		m.Close()
		if err != nil {
			return err
		}
		all.Rows = append(all.Rows, met.Rows...)
	}
	fmt.Fprint(stdout, all.String())
	return nil
}

// loadSeparation loads the model file path, or the shipped model when
// path is empty.
func loadSeparation(path string) (*separation.Model, error) {
	if path == "" {
		return separation.Pretrained()
	}
	return separation.Load(path)
}

// modelName names a --model in messages: its file, or the shipped model.
func modelName(path string) string {
	if path == "" {
		return "the shipped model"
	}
	return path
}

// applyConsistency switches the mask rescaling of m (loaded from path) to
// on when the --consistency flag of fs was given.
func applyConsistency(fs *flag.FlagSet, m *separation.Model, on bool, path string) error {
	if !cli.Given(fs, "consistency") {
		return nil
	}
	if err := m.SetConsistency(on); err != nil {
		return cli.Usagef("--consistency with %s: %s", path, sepFlagNames(err))
	}
	return nil
}

// sepFlags are separation.Config's fields (by their JSON names, which
// Config's errors use) that flags of "avl separation train" set.
var sepFlags = [][2]string{
	{"speakers", "--speakers"}, {"audio_only", "--audio-only"}, {"mouth_w×mouth_h", "the mouth crop"}, {"mask", "--mask"}, {"segment", "--segment"},
	{"audio_channels", "--channels"},
	{"lstm_hidden", "--hidden"}, {"fc_hidden", "--fc"}, {"combs", "--combs"}, {"salience_window", "--salience-window"},
	{"track_pitch", "--track-pitch"}, {"multi_pitch", "--multi-pitch"}, {"consistency", "--consistency"}, {"loss", "--loss"},
	{"visual_aux", "--visual-aux"}, {"tilt", "--tilt"},
}

// sepFlagNames is the message of a separation.Config error in the
// command's terms.
func sepFlagNames(err error) string { return cli.FlagNames(err, "separation", sepFlags) }
