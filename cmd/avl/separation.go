package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
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
  eval   --model M [--model M2] [--pit P] [--pit P2] --data ROOT
         SI-SDRi and SDRi (dB) on mixtures of the test split's held-out speakers:
         each model beside the audio-only model P of its condition (PIT for two
         speakers), two oracle masks (ideal ratio; phase-sensitive, the best real
         mask under the training loss) and the unprocessed mixture; --similar N
         adds mixtures of voices within N semitones of each other

"avl separate" applies a model to a mixture and face videos.
Run "avl separation CMD -h" for a sub-command's flags.
`

func separationTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("separation train", "--data ROOT -o M.safetensors [flags]", stderr)
	data := fs.String("data", "", "clip dataset with \"speaker\" labels and train/val splits (required)")
	out := addOut(fs, "model file to write, .safetensors (required)")
	speakers := fs.Int("speakers", 2, "faces per mixture: 2 (two speakers) or 1 (speech + noise)")
	audioOnly := fs.Bool("audio-only", false, "train the audio-only baseline (no faces, permutation-invariant loss)")
	mask := fs.String("mask", string(separation.MaskComplex), "mask kind: complex (the paper's) or real (a sigmoid; on a short CPU budget the one that learns two speakers, see separation/README.md)")
	segment := fs.Float64("segment", 1, "seconds per training mixture")
	stream := fs.String("stream", string(separation.StreamFrames), "audio stream: frames (each STFT frame squeezed to --channels features) or tf (2-D convolutions over time and frequency as in the paper; 7× the time per step, no better in our runs)")
	channels := fs.Int("channels", 0, "audio-stream channels (0: 16 for tf, 64 for frames)")
	hidden := fs.Int("hidden", 64, "BiLSTM hidden size per direction")
	combs := fs.Int("combs", 0, "candidate fundamentals of the harmonic comb term of each mask (0: none); with --init, adds combs to that model")
	trackPitch := fs.Bool("track-pitch", false, "the BiLSTM sees the harmonic salience too, to follow each voice's pitch (needs --combs or an --init model with combs); with --init, adds it to that model")
	multiPitch := fs.Bool("multi-pitch", false, "add combs from a fixed two-pitch estimate per frame, handed to the faces by a learned assignment (needs --combs or an --init model with combs); with --init, adds them to that model")
	salWin := fs.Int("salience-window", 0, "window in samples of the STFT the comb's harmonic salience is measured on (0: the model's; longer resolves low voices)")
	fc := fs.Int("fc", 0, "width of the fully connected layers after the BiLSTM (0: the default config's)")
	loss := fs.String("loss", string(separation.LossCompressed), "loss: compressed (the paper's L2 of compressed spectrograms) or si-sdr (the SI-SDR of the separated waveforms, the evaluation's measure; needs --mask real); with --init, switches that model's loss (default: keeps it)")
	consistency := fs.Bool("consistency", false, "rescale the real masks so that the voices add up to the mixture, and train through it (needs --mask real and two speakers); with --init, switches it on or off")
	epochs := fs.Int("epochs", 10, "epochs")
	steps := fs.Int("steps", 100, "steps (batches of fresh mixtures) per epoch")
	batch := fs.Int("batch", 8, "mixtures per step")
	lr := fs.Float64("lr", 1e-3, "Adam learning rate")
	seed := fs.Int64("seed", 1, "seed of the weights and the mixtures (give a new one when continuing with --init, or the mixtures repeat)")
	initFrom := fs.String("init", "", "continue from this model file (its architecture, speakers and mask; the optimiser starts afresh)")
	curves := fs.String("curves", "", "write loss curves PREFIX.csv and PREFIX.png")
	quiet := addQuiet(fs)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usagef("--data is required")
	}
	switch {
	case *speakers != 1 && *speakers != 2:
		return usagef("--speakers %d: want 1 or 2", *speakers)
	case separation.Mask(*mask) != separation.MaskComplex && separation.Mask(*mask) != separation.MaskReal:
		return usagef("--mask %q: want %s or %s", *mask, separation.MaskComplex, separation.MaskReal)
	case separation.Stream(*stream) != separation.StreamFrames && separation.Stream(*stream) != separation.StreamTF:
		return usagef("--stream %q: want %s or %s", *stream, separation.StreamFrames, separation.StreamTF)
	case separation.Loss(*loss) != separation.LossCompressed && separation.Loss(*loss) != separation.LossSISDR:
		return usagef("--loss %q: want %s or %s", *loss, separation.LossCompressed, separation.LossSISDR)
	case !(*segment > 0 && *segment <= 30):
		return usagef("--segment %g: want (0, 30] seconds", *segment)
	case *channels < 0 || *hidden < 1 || *combs < 0 || *salWin < 0 || *fc < 0:
		return usagef("--channels, --combs, --salience-window and --fc want ≥ 0 (0: the default), --hidden ≥ 1")
	case *epochs < 1 || *steps < 1 || *batch < 1:
		return usagef("--epochs, --steps and --batch want ≥ 1 (got %d, %d, %d)", *epochs, *steps, *batch)
	case !(*lr > 0):
		return usagef("--lr %g: want > 0", *lr)
	}
	if err := checkOutFile(*out, []string{".safetensors"}, *initFrom); err != nil {
		return err
	}
	if *curves != "" {
		if err := checkWritableDir("--curves "+*curves, filepath.Dir(*curves)); err != nil {
			return err
		}
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
			case "speakers", "audio-only", "mask", "segment", "stream", "channels", "hidden", "fc":
				clash = append(clash, "--"+f.Name)
			}
		})
		if len(clash) > 0 {
			return usagef("%s: the model given by --init fixes these", strings.Join(clash, ", "))
		}
		if m, err = separation.Load(*initFrom); err != nil {
			return err
		}
		if (*trackPitch || *multiPitch) && *combs == 0 && m.Config.Combs == 0 {
			return usagef("--track-pitch and --multi-pitch need harmonic combs: give --combs K, or an --init model with combs (%s has none)", *initFrom)
		}
		if (*combs != 0 && *combs != m.Config.Combs) || (*trackPitch && !m.Config.TrackPitch) || (*salWin != 0 && *salWin != m.Config.SalienceWindow) || (*multiPitch && !m.Config.MultiPitch) {
			cfg := m.Config
			if *combs != 0 {
				cfg.Combs = *combs
			}
			if *salWin != 0 {
				cfg.SalienceWindow = *salWin
			}
			cfg.TrackPitch = cfg.TrackPitch || *trackPitch
			cfg.MultiPitch = cfg.MultiPitch || *multiPitch
			if cfg.CombF0 == ([2]float64{}) { // a model saved before combs existed
				cfg.CombF0 = separation.DefaultConfig().CombF0
			}
			old := m
			if m, err = separation.WarmStart(cfg, old); err != nil {
				return fmt.Errorf("--init %s: %s", *initFrom, sepFlagNames(err))
			}
			old.Close()
		}
		if err := applyConsistency(fs, m, *consistency, *initFrom); err != nil {
			return err
		}
		if given(fs, "loss") && separation.Loss(*loss) != m.Config.Loss {
			cfg := m.Config
			cfg.Loss = separation.Loss(*loss)
			if err := cfg.Validate(); err != nil {
				return usagef("--loss with %s: %s", *initFrom, sepFlagNames(err))
			}
			m.Config = cfg
		}
	} else {
		cfg := separation.DefaultConfig()
		cfg.Speakers, cfg.AudioOnly, cfg.Mask, cfg.Segment, cfg.Seed = *speakers, *audioOnly, separation.Mask(*mask), *segment, *seed
		cfg.AudioStream, cfg.LSTMHidden = separation.Stream(*stream), *hidden
		if *channels != 0 {
			cfg.AudioChannels, cfg.TFChannels = *channels, *channels
		}
		if *fc != 0 {
			cfg.FCHidden = *fc
		}
		if (*trackPitch || *multiPitch) && *combs == 0 {
			return usagef("--track-pitch and --multi-pitch need harmonic combs: give --combs K")
		}
		cfg.Combs, cfg.TrackPitch, cfg.MultiPitch, cfg.Consistency = *combs, *trackPitch, *multiPitch, *consistency
		cfg.Loss = separation.Loss(*loss)
		if *salWin != 0 {
			cfg.SalienceWindow = *salWin
		}
		if err := cfg.Validate(); err != nil {
			return usageError{errors.New(sepFlagNames(err))}
		}
		if m, err = separation.New(cfg); err != nil {
			return err
		}
	}
	defer m.Close()
	o := separation.TrainOptions{Epochs: *epochs, StepsPerEpoch: *steps, BatchSize: *batch, LR: *lr, Seed: *seed,
		CheckpointPath: *out, CurvePrefix: *curves}
	if !*quiet {
		o.Progress = stderr
	}
	start := time.Now()
	rep, err := separation.Train(ctx, m, separation.Data{Train: ds.Split("train"), Val: ds.Split("val")}, o)
	if err != nil {
		return trainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	fmt.Fprintf(stdout, "model %s: %d train clips of %d speakers, %d steps, %d val mixtures, %s\n",
		*out, rep.TrainClips, rep.TrainSpeakers, rep.Steps, rep.ValMixtures, rep.Duration.Round(1e8))
	fmt.Fprintf(stdout, "last epoch: train loss %.4f, val loss %.4f\n", last.TrainLoss, last.ValLoss)
	return nil
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func separationEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("separation eval", "--model M [--model M2] [--pit P] --data ROOT [flags]", stderr)
	var models multiFlag
	fs.Var(&models, "model", "face-guided model (repeat for more conditions, e.g. 2 speakers and speech + noise)")
	var pits multiFlag
	fs.Var(&pits, "pit", "audio-only baseline model of the same size (repeatable; each is compared with the --model of its condition)")
	data := fs.String("data", "", "clip dataset (required)")
	split := fs.String("split", "test", "split of held-out speakers")
	n := fs.Int("n", 100, "mixtures per condition")
	seconds := fs.Float64("seconds", 0, "seconds per mixture (0: the model's training segment)")
	seed := fs.Int64("seed", 1, "seed of the evaluation mixtures")
	similar := fs.Float64("similar", 0, "also score mixtures of two voices whose typical pitches are at most this many semitones apart (0: not)")
	consistency := fs.Bool("consistency", false, "run every --model with (or, =false, without) the rescaling that makes the voices add up to the mixture (default: as trained)")
	quiet := addQuiet(fs)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if len(models) == 0 || *data == "" {
		return usagef("--model and --data are required")
	}
	switch {
	case *n < 1:
		return usagef("--n %d: want ≥ 1 mixtures", *n)
	case !(*seconds >= 0 && *seconds <= 60):
		return usagef("--seconds %g: want 0…60 (0: the model's training segment)", *seconds)
	case !(*similar >= 0):
		return usagef("--similar %g: want ≥ 0 semitones", *similar)
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
		m, err := separation.Load(path)
		if err != nil {
			return err
		}
		if err := applyConsistency(fs, m, *consistency, path); err != nil {
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

// applyConsistency switches the mask rescaling of m (loaded from path) to
// on when the --consistency flag of fs was given.
func applyConsistency(fs *flag.FlagSet, m *separation.Model, on bool, path string) error {
	if !given(fs, "consistency") {
		return nil
	}
	if err := m.SetConsistency(on); err != nil {
		return usagef("--consistency with %s: %s", path, sepFlagNames(err))
	}
	return nil
}

// sepFlagNames is the message of a separation.Config error in the
// command's terms: the fields that flags set are named by their flags.
func sepFlagNames(err error) string {
	return strings.NewReplacer(
		"separation: ", "",
		"Config.Speakers", "--speakers",
		"Config.AudioOnly", "--audio-only",
		"not AudioOnly", "not --audio-only",
		"Config.Mask", "--mask",
		"Config.Segment", "--segment",
		"Config.AudioStream", "--stream",
		"Config.AudioChannels", "--channels",
		"Config.TFChannels", "--channels",
		"Config.LSTMHidden", "--hidden",
		"Config.FCHidden", "--fc",
		"Config.Combs", "--combs",
		"Config.SalienceWindow", "--salience-window",
		"Config.TrackPitch", "--track-pitch",
		"Config.MultiPitch", "--multi-pitch",
		"Config.Consistency", "--consistency",
		"Config.Loss", "--loss",
	).Replace(err.Error())
}
