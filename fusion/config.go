package fusion

import (
	"fmt"
	"math"
	"slices"
)

// Stream names one sensor of a clip.
type Stream string

// The streams a model can read.
const (
	StreamAudio  Stream = "audio"  // audio.wav
	StreamFrames Stream = "frames" // frames/
	StreamMotion Stream = "motion" // motion.wav (avio.MotionFile)
)

// AllStreams are the streams in their canonical order.
var AllStreams = []Stream{StreamAudio, StreamFrames, StreamMotion}

// Block is how a model fuses its streams.
type Block string

// Fusion blocks (see package nets for the layers).
const (
	// BlockEarly concatenates the stream embeddings, each times its mask,
	// and the mask, before one classifier (nets.EarlyFusion).
	BlockEarly Block = "early"
	// BlockLate gives each stream its own classifier and averages their
	// logits with learned stream weights (nets.LateFusion).
	BlockLate Block = "late"
	// BlockGated weighs the stream embeddings with a softmax over streams
	// computed from all of them (nets.GatedFusion).
	BlockGated Block = "gated"
	// BlockAttention weighs the stream embeddings with a softmax over
	// streams of scores each stream computes from itself
	// (nets.AttentionFusion).
	BlockAttention Block = "attention"
)

// Blocks are the fusion blocks in the order tables list them.
var Blocks = []Block{BlockEarly, BlockLate, BlockGated, BlockAttention}

// Config holds every size and hyper-parameter of a fusion model. It is
// saved beside the weights, so a model file describes itself.
type Config struct {
	// Streams the model reads, in canonical order; one stream makes a
	// single-sensor model.
	Streams []Stream `json:"streams"`
	// Fusion is the fusion block.
	Fusion Block `json:"fusion"`
	// Label is the meta.json label the model predicts, Classes its values
	// (the order of the logits).
	Label   string   `json:"label"`
	Classes []string `json:"classes"`

	// Audio: log-mel spectrogram (dB) statistics over the clip.
	Rate  int `json:"rate"`   // sample rate the audio is read at (16000)
	NFFT  int `json:"n_fft"`  // FFT size (512; window 25 ms, hop 10 ms)
	NMels int `json:"n_mels"` // mel bands (32)
	// Frames: grey frames averaged over a Grid×Grid grid of cells.
	Grid int `json:"grid"` // cells per side (4)
	// Motion: the spectrogram (dB) of the motion track.
	MotionRate int `json:"motion_rate"` // sample rate the motion track must have (100)
	MotionFFT  int `json:"motion_fft"`  // FFT size, samples (32; hop a quarter)

	// Network.
	Hidden int `json:"hidden"` // width of every stream encoder's two layers (64)
	Attn   int `json:"attn"`   // hidden size of attention fusion's scores (32)
	// DropStream is the probability that training hides a stream of an
	// example (its mask is 0; one stream always stays), which teaches the
	// model to work with a sensor missing. Single-stream models ignore it
	// and Corrupt.
	DropStream float64 `json:"drop_stream"`
	// Corrupt is the probability that training replaces a stream of an
	// example, still marked present, by what a dead sensor gives (zeros)
	// or by a noisy copy (half each), which teaches the model to discount
	// a sensor it is not told is broken.
	Corrupt float64 `json:"corrupt"`
	Seed    int64   `json:"seed"` // weight initialisation
}

// DefaultConfig returns the recommended recipe: all three streams,
// attention fusion, the nine events of synth.Sensors, encoders 64 wide; in
// training each stream of an example is hidden with probability 0.2 and
// zeroed or noisy with probability 0.2.
func DefaultConfig() Config {
	return Config{
		Streams: append([]Stream(nil), AllStreams...), Fusion: BlockAttention,
		Label:   "event",
		Classes: []string{"alarm", "flash", "tremor", "slam", "thunder", "collision", "ball", "robot", "footsteps"},
		Rate:    16000, NFFT: 512, NMels: 32, Grid: 4, MotionRate: 100, MotionFFT: 32,
		Hidden: 64, Attn: 32, DropStream: 0.2, Corrupt: 0.2, Seed: 1,
	}
}

// Validate reports the first problem with c, naming its JSON key.
func (c Config) Validate() error {
	if len(c.Streams) == 0 {
		return fmt.Errorf("fusion: config: streams is empty; want some of audio, frames, motion")
	}
	last := -1
	for _, s := range c.Streams {
		i := slices.Index(AllStreams, s)
		if i < 0 {
			return fmt.Errorf("fusion: config: unknown stream %q; want audio, frames or motion", s)
		}
		if i <= last {
			return fmt.Errorf("fusion: config: streams %v: each at most once, in the order audio, frames, motion", c.Streams)
		}
		last = i
	}
	if !slices.Contains(Blocks, c.Fusion) {
		return fmt.Errorf("fusion: config: fusion %q; want early, late, gated or attention", c.Fusion)
	}
	if c.Label == "" {
		return fmt.Errorf("fusion: config: label is empty")
	}
	if len(c.Classes) < 2 {
		return fmt.Errorf("fusion: config: classes has %d values; want at least 2", len(c.Classes))
	}
	seen := map[string]bool{}
	for _, k := range c.Classes {
		if seen[k] {
			return fmt.Errorf("fusion: config: class %q listed twice", k)
		}
		seen[k] = true
	}
	switch {
	case c.Rate < 1000 || c.Rate > 192000:
		return fmt.Errorf("fusion: config: rate %d Hz; want 1000–192000", c.Rate)
	case c.NFFT < 64 || c.NFFT > 8192 || c.NFFT&(c.NFFT-1) != 0:
		return fmt.Errorf("fusion: config: n_fft %d; want a power of two in 64–8192", c.NFFT)
	case c.NMels < 1 || c.NMels > c.NFFT/2:
		return fmt.Errorf("fusion: config: n_mels %d; want 1–%d", c.NMels, c.NFFT/2)
	case c.Grid < 1 || c.Grid > 16:
		return fmt.Errorf("fusion: config: grid %d; want 1–16", c.Grid)
	case c.MotionRate < 10 || c.MotionRate > 10000:
		return fmt.Errorf("fusion: config: motion_rate %d Hz; want 10–10000", c.MotionRate)
	case c.MotionFFT < 8 || c.MotionFFT > 1024 || c.MotionFFT&(c.MotionFFT-1) != 0:
		return fmt.Errorf("fusion: config: motion_fft %d; want a power of two in 8–1024", c.MotionFFT)
	case c.Hidden < 1 || c.Hidden > 4096:
		return fmt.Errorf("fusion: config: hidden %d; want 1–4096", c.Hidden)
	case c.Attn < 1 || c.Attn > 4096:
		return fmt.Errorf("fusion: config: attn %d; want 1–4096", c.Attn)
	case !(c.DropStream >= 0 && c.DropStream < 1) || math.IsNaN(c.DropStream):
		return fmt.Errorf("fusion: config: drop_stream %v; want 0 ≤ p < 1", c.DropStream)
	case !(c.Corrupt >= 0 && c.DropStream+c.Corrupt < 1):
		return fmt.Errorf("fusion: config: corrupt %v; want 0 ≤ p and drop_stream + corrupt < 1", c.Corrupt)
	}
	return nil
}

// has reports whether the model reads stream s.
func (c Config) has(s Stream) bool { return slices.Contains(c.Streams, s) }

// class returns the index of label value v.
func (c Config) class(v string) (int, bool) {
	i := slices.Index(c.Classes, v)
	return i, i >= 0
}
