package speech2face

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
)

// Config holds every size and hyper-parameter of a Speech2Face model. It
// is saved beside the weights, so a model file describes itself.
type Config struct {
	// Identities are the training speakers' "speaker" labels: the classes
	// of the face recogniser's logits (fc8). IdentitiesOf lists a split's.
	Identities []string `json:"identities"`

	// Faces: RGB, FaceSize×FaceSize pixels (frames and face.png are scaled
	// and centre-cropped to it).
	FaceSize int `json:"face_size"` // 48; a multiple of 16
	Embed    int `json:"embed"`     // face embedding (fc7) width, 128
	Width    int `json:"width"`     // channels of the recogniser's first convolution (16; doubles per layer)
	// ColourJitter is the probability that a face the recogniser trains on
	// has its colour channels shuffled and strongly rescaled, so that
	// identity must come from shape rather than hair and skin colour (0;
	// docs/runs/speech2face compares 0.5).
	ColourJitter float64 `json:"colour_jitter"`

	// Voice: the complex STFT of 16 kHz speech (Hann window WinMS, hop
	// HopMS, NFFT), each bin's magnitude raised to Power with its phase
	// kept; real and imaginary parts are the encoder's input channels.
	Rate   int     `json:"rate"`   // 16000
	NFFT   int     `json:"n_fft"`  // 512
	WinMS  float64 `json:"win_ms"` // 25
	HopMS  float64 `json:"hop_ms"` // 10
	Power  float64 `json:"power"`  // 0.3
	Window int     `json:"window"` // STFT frames the voice encoder reads at once (100 = 1 s); longer speech is averaged over windows
	Voice  int     `json:"voice"`  // channels of the voice encoder (128)

	// Losses. Stage 2: pixel L1 + Consistency · L1(recognise(decoded), embedding).
	// Stage 3: L1(v_s, v_f) + L1(dec1(v_s), dec1(v_f)) +
	// Lambda1·‖v_f/|v_f| − v_s/|v_s|‖² + Lambda2·KL(fc8 at temperature T).
	Consistency float64 `json:"consistency"` // 0.1
	Lambda1     float64 `json:"lambda1"`     // 1
	Lambda2     float64 `json:"lambda2"`     // 1
	Temperature float64 `json:"temperature"` // 2

	Seed int64 `json:"seed"` // weight initialisation
}

// DefaultConfig returns the recommended recipe (the identities are the
// training data's, to be filled in: see IdentitiesOf).
func DefaultConfig() Config {
	return Config{
		FaceSize: 48, Embed: 128, Width: 16,
		Rate: 16000, NFFT: 512, WinMS: 25, HopMS: 10, Power: 0.3, Window: 100, Voice: 128,
		Consistency: 0.1, Lambda1: 1, Lambda2: 1, Temperature: 2, Seed: 1,
	}
}

// Validate reports the first problem with c, naming its JSON key.
func (c Config) Validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	seen := map[string]bool{}
	for _, id := range c.Identities {
		if seen[id] {
			return fmt.Errorf("speech2face: config: identity %q listed twice", id)
		}
		seen[id] = true
	}
	switch {
	case len(c.Identities) < 2:
		return fmt.Errorf("speech2face: config: identities has %d speakers; want at least 2", len(c.Identities))
	case c.FaceSize < 16 || c.FaceSize > 256 || c.FaceSize%16 != 0:
		return fmt.Errorf("speech2face: config: face_size %d; want a multiple of 16 in 16–256", c.FaceSize)
	case c.Embed < 2 || c.Embed > 4096:
		return fmt.Errorf("speech2face: config: embed %d; want 2–4096", c.Embed)
	case c.Width < 1 || c.Width > 256:
		return fmt.Errorf("speech2face: config: width %d; want 1–256", c.Width)
	case !(c.ColourJitter >= 0 && c.ColourJitter <= 1):
		return fmt.Errorf("speech2face: config: colour_jitter %v; want 0–1", c.ColourJitter)
	case c.Rate < 4000 || c.Rate > 96000:
		return fmt.Errorf("speech2face: config: rate %d Hz; want 4000–96000", c.Rate)
	case c.NFFT < 64 || c.NFFT > 8192 || c.NFFT&(c.NFFT-1) != 0:
		return fmt.Errorf("speech2face: config: n_fft %d; want a power of two in 64–8192", c.NFFT)
	case !(c.WinMS > 0) || c.win() > c.NFFT || c.win() < 2:
		return fmt.Errorf("speech2face: config: win_ms %v gives %d samples; want 2–n_fft (%d)", c.WinMS, c.win(), c.NFFT)
	case !(c.HopMS > 0) || c.hop() < 1 || c.hop() > c.win():
		return fmt.Errorf("speech2face: config: hop_ms %v gives %d samples; want 1–the window", c.HopMS, c.hop())
	case !(c.Power > 0 && c.Power <= 1):
		return fmt.Errorf("speech2face: config: power %v; want 0 < p ≤ 1", c.Power)
	case c.Window < 8 || c.Window > 2000:
		return fmt.Errorf("speech2face: config: window %d frames; want 8–2000", c.Window)
	case c.Voice < 1 || c.Voice > 1024:
		return fmt.Errorf("speech2face: config: voice %d; want 1–1024", c.Voice)
	case bad(c.Consistency):
		return fmt.Errorf("speech2face: config: consistency %v; want a number ≥ 0", c.Consistency)
	case bad(c.Lambda1):
		return fmt.Errorf("speech2face: config: lambda1 %v; want a number ≥ 0", c.Lambda1)
	case bad(c.Lambda2):
		return fmt.Errorf("speech2face: config: lambda2 %v; want a number ≥ 0", c.Lambda2)
	case !(c.Temperature > 0) || math.IsInf(c.Temperature, 0):
		return fmt.Errorf("speech2face: config: temperature %v; want a number > 0", c.Temperature)
	}
	return nil
}

func (c Config) win() int { return int(math.Round(c.WinMS * float64(c.Rate) / 1000)) }
func (c Config) hop() int { return int(math.Round(c.HopMS * float64(c.Rate) / 1000)) }

// STFT is the voice front-end's transform: periodic Hann window, centred
// frames with reflect padding (torch.stft's convention).
func (c Config) STFT() dsp.STFTConfig {
	return dsp.STFTConfig{NFFT: c.NFFT, Hop: c.hop(), WinLength: c.win(), Window: dsp.Hann(c.win(), true), Center: true, Pad: dsp.PadReflect}
}

// bins is the number of one-sided frequency bins.
func (c Config) bins() int { return c.NFFT/2 + 1 }
