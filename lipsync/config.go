package lipsync

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/spectrogram"
)

// Config holds every size and hyper-parameter of a lip-sync model. It is
// saved beside the weights, so a model file describes itself.
type Config struct {
	// Audio: log-mel windows as Wav2Lip's (16 kHz, n_fft and window 800,
	// hop 200, 80 Slaney mels 55–7,600 Hz, 16 mel frames per window).
	Rate      int     `json:"rate"`
	NFFT      int     `json:"n_fft"`
	Hop       int     `json:"hop"`
	NMels     int     `json:"n_mels"`
	FMin      float64 `json:"f_min"`
	FMax      float64 `json:"f_max"`
	MelFrames int     `json:"mel_frames"`
	// FPS is the video frame rate the model makes frames at (25).
	FPS float64 `json:"fps"`

	// Pictures: every frame is scaled and centre-cropped to Size×Size
	// (the face should fill it), and the model sees and makes only the
	// lower half of the face: rows Size/2…Size, columns Size/4…3·Size/4.
	Size int `json:"size"`
	// Window is the number of consecutive frames the sync expert judges
	// against one mel window (5).
	Window int `json:"window"`

	// Networks.
	Width  int `json:"width"`  // channels of the generator's first layer (doubling per level)
	Expert int `json:"expert"` // channels of the sync expert's first layers
	Embed  int `json:"embed"`  // size of the sync expert's embeddings
	// SyncWeight weighs the sync expert's loss against L1 in the
	// generator's loss: (1−w)·L1 + w·sync (0.03 as in Wav2Lip; 0 trains
	// an L1-only generator).
	SyncWeight float64 `json:"sync_weight"`
	// ExpertEpochs is the number of epochs (of TrainOptions.StepsPerEpoch
	// steps) the sync expert trains for before the generator, when the
	// model's expert is not trained yet.
	ExpertEpochs int   `json:"expert_epochs"`
	Seed         int64 `json:"seed"` // weight initialisation
}

// DefaultConfig returns the recommended recipe: Wav2Lip's audio front-end,
// 64×64 faces (a 32×32 lower half), a generator 16 channels wide, a sync
// expert 16 channels wide with 64-dimensional embeddings, sync weight 0.03.
func DefaultConfig() Config {
	return Config{
		Rate: 16000, NFFT: 800, Hop: 200, NMels: 80, FMin: 55, FMax: 7600, MelFrames: 16, FPS: 25,
		Size: 64, Window: 5, Width: 16, Expert: 16, Embed: 64, SyncWeight: 0.03, ExpertEpochs: 15, Seed: 1,
	}
}

// Validate reports the first problem with c, naming its JSON key.
func (c Config) Validate() error {
	bad := func(key, format string, a ...any) error {
		return fmt.Errorf("lipsync: config: %s %s", key, fmt.Sprintf(format, a...))
	}
	switch {
	case c.Rate < 4000 || c.Rate > 96000:
		return bad("rate", "%d Hz; want 4000–96000", c.Rate)
	case c.NFFT < 64 || c.NFFT > 8192:
		return bad("n_fft", "%d; want 64–8192", c.NFFT)
	case c.Hop < 1 || c.Hop > c.NFFT:
		return bad("hop", "%d; want 1–n_fft (%d)", c.Hop, c.NFFT)
	case c.NMels < 8 || c.NMels > c.NFFT/2:
		return bad("n_mels", "%d; want 8–%d", c.NMels, c.NFFT/2)
	case !(c.FMin >= 0 && c.FMax > c.FMin && c.FMax <= float64(c.Rate)/2):
		return bad("f_min/f_max", "%g–%g Hz; want 0 ≤ f_min < f_max ≤ rate/2", c.FMin, c.FMax)
	case c.MelFrames < 4 || c.MelFrames > 256:
		return bad("mel_frames", "%d; want 4–256", c.MelFrames)
	case !(c.FPS >= 1 && c.FPS <= 120) || math.IsNaN(c.FPS):
		return bad("fps", "%g; want 1–120", c.FPS)
	case c.Size < 32 || c.Size > 256 || c.Size%32 != 0:
		return bad("size", "%d; want a multiple of 32 in 32–256", c.Size)
	case c.Window < 1 || c.Window > 15:
		return bad("window", "%d frames; want 1–15", c.Window)
	case c.Width < 1 || c.Width > 256:
		return bad("width", "%d; want 1–256", c.Width)
	case c.Expert < 1 || c.Expert > 256:
		return bad("expert", "%d; want 1–256", c.Expert)
	case c.Embed < 2 || c.Embed > 1024:
		return bad("embed", "%d; want 2–1024", c.Embed)
	case !(c.SyncWeight >= 0 && c.SyncWeight < 1):
		return bad("sync_weight", "%v; want 0 ≤ w < 1", c.SyncWeight)
	case c.ExpertEpochs < 0 || c.ExpertEpochs > 10000:
		return bad("expert_epochs", "%d; want 0–10000", c.ExpertEpochs)
	}
	if c.melConfig().Validate() != nil {
		return bad("n_fft", "%d with hop %d: %v", c.NFFT, c.Hop, c.melConfig().Validate())
	}
	return nil
}

// crop is the side of the lower-half crop the networks see.
func (c Config) crop() int { return c.Size / 2 }

// melConfig is the spectrogram of the audio front-end: magnitude Slaney
// mels in dB (librosa's filters, as Wav2Lip's hparams).
func (c Config) melConfig() spectrogram.Config {
	return spectrogram.Config{
		SampleRate: c.Rate, NFFT: c.NFFT, Hop: c.Hop, WinLength: c.NFFT, Window: "hann", Periodic: true,
		Center: true, Pad: dsp.PadReflect, Power: 1,
		NMels: c.NMels, MelScale: dsp.MelSlaney, MelNorm: dsp.MelNormSlaney, FMin: c.FMin, FMax: c.FMax, DB: true,
	}
}
