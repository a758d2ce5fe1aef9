package spectrogram

import (
	"fmt"
	"math"
	"strings"

	"github.com/avlearn/avlearn/dsp"
)

// Kind says what a spectrogram's rows are.
type Kind int

const (
	// Linear rows are STFT bins 0..NFFT/2, from 0 Hz to Nyquist.
	Linear Kind = iota
	// Mel rows are mel filterbank channels, lowest first.
	Mel
	// MFCC rows are cepstral coefficients 0..NMFCC-1.
	MFCC
)

// String returns "linear", "mel" or "mfcc".
func (k Kind) String() string {
	switch k {
	case Linear:
		return "linear"
	case Mel:
		return "mel"
	case MFCC:
		return "mfcc"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Scale says how values relate to the STFT magnitude |X|.
type Scale int

const (
	// Power values are |X|².
	Power Scale = iota
	// Magnitude values are |X|.
	Magnitude
	// DB values are decibels: 10·log10 of power (or 20·log10 of magnitude).
	DB
)

// String returns "power", "magnitude" or "db".
func (s Scale) String() string {
	switch s {
	case Power:
		return "power"
	case Magnitude:
		return "magnitude"
	case DB:
		return "db"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// Config is everything that turns a waveform into a spectrogram. Field
// names follow torchaudio's arguments.
type Config struct {
	// SampleRate of the input in Hz. It fixes the time and frequency axes
	// and the mel filters.
	SampleRate int

	// NFFT is the FFT size; the spectrogram has NFFT/2+1 linear bins.
	NFFT int
	// Hop is the number of samples between frame starts.
	Hop int
	// WinLength is the window length, at most NFFT; shorter windows are
	// zero-padded on both sides to NFFT as torch.stft does.
	WinLength int
	// Window names the window: "hamming", "hann", "blackman" or "rect".
	Window string
	// Periodic selects the periodic (DFT-even) window form, torch's default.
	Periodic bool
	// Center pads the signal by NFFT/2 on each side so frame t is centred
	// on sample t·Hop.
	Center bool
	// Pad is the centre padding: dsp.PadReflect (torch's default) or
	// dsp.PadConstant (zeros).
	Pad dsp.PadMode
	// Power is the exponent applied to |X|: 2 for power, 1 for magnitude.
	Power float64

	// NMels > 0 applies a mel filterbank of that many channels.
	NMels int
	// MelScale is dsp.MelHTK (torchaudio's default) or dsp.MelSlaney.
	MelScale dsp.MelScale
	// MelNorm is dsp.MelNormNone (torchaudio's default) or dsp.MelNormSlaney.
	MelNorm dsp.MelNorm
	// FMin and FMax bound the mel filters in Hz; FMax 0 means SampleRate/2.
	FMin, FMax float64

	// DB converts to decibels: 10·log10(max(v, 1e-10)) for power,
	// 20·log10 for magnitude, as torchaudio.transforms.AmplitudeToDB.
	DB bool
	// TopDB > 0 clips decibels to TopDB below the spectrogram's maximum.
	TopDB float64

	// NMFCC > 0 returns that many MFCCs of the log-mel spectrogram
	// (DCT-II, orthonormal), as torchaudio.transforms.MFCC; it needs NMels
	// and Power 2 and implies DB.
	NMFCC int
}

// DefaultConfig returns speech defaults for a signal at sampleRate: a
// periodic Hamming window of 25 ms, a 10 ms hop, NFFT the next power of two
// of the window, centred frames with reflect padding, and a power
// spectrogram (no mel, no dB). At 16 kHz that is NFFT 512, window 400, hop 160.
func DefaultConfig(sampleRate int) Config {
	win := int(math.Round(0.025 * float64(sampleRate)))
	hop := int(math.Round(0.010 * float64(sampleRate)))
	if win < 1 {
		win = 1
	}
	if hop < 1 {
		hop = 1
	}
	return Config{
		SampleRate: sampleRate,
		NFFT:       max(2, nextPow2(win)),
		Hop:        hop,
		WinLength:  win,
		Window:     "hamming",
		Periodic:   true,
		Center:     true,
		Pad:        dsp.PadReflect,
		Power:      2,
		MelScale:   dsp.MelHTK,
		MelNorm:    dsp.MelNormNone,
	}
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// Kind returns MFCC if NMFCC > 0, Mel if NMels > 0, else Linear.
func (c Config) Kind() Kind {
	switch {
	case c.NMFCC > 0:
		return MFCC
	case c.NMels > 0:
		return Mel
	}
	return Linear
}

// Scale returns DB if the values are decibels (DB set, or MFCC), else Power
// or Magnitude from c.Power. MFCC values are DCT coefficients of dB values.
func (c Config) Scale() Scale {
	switch {
	case c.DB || c.NMFCC > 0:
		return DB
	case c.Power == 1:
		return Magnitude
	}
	return Power
}

// Bins returns the number of rows Compute yields: NMFCC, NMels or NFFT/2+1.
func (c Config) Bins() int {
	switch c.Kind() {
	case MFCC:
		return c.NMFCC
	case Mel:
		return c.NMels
	}
	return c.NFFT/2 + 1
}

// fmax returns FMax with 0 meaning Nyquist.
func (c Config) fmax() float64 {
	if c.FMax == 0 {
		return float64(c.SampleRate) / 2
	}
	return c.FMax
}

// maxMels bounds NMels so a bad value cannot demand a huge filterbank.
const maxMels = 4096

// Validate reports the first field that cannot work, by name.
func (c Config) Validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("spectrogram: config %s: %s", field, fmt.Sprintf(format, a...))
	}
	switch {
	case c.SampleRate <= 0:
		return bad("SampleRate", "%d, want > 0", c.SampleRate)
	case c.NFFT < 2:
		return bad("NFFT", "%d, want ≥ 2", c.NFFT)
	case c.NFFT > 1<<24:
		return bad("NFFT", "%d, want ≤ %d", c.NFFT, 1<<24)
	case c.Hop <= 0:
		return bad("Hop", "%d, want > 0", c.Hop)
	case c.WinLength <= 0 || c.WinLength > c.NFFT:
		return bad("WinLength", "%d, want 1..NFFT (%d)", c.WinLength, c.NFFT)
	case c.Power != 1 && c.Power != 2:
		return bad("Power", "%g, want 1 (magnitude) or 2 (power)", c.Power)
	case c.NMels < 0 || c.NMels > maxMels:
		return bad("NMels", "%d, want 0..%d", c.NMels, maxMels)
	case c.NMFCC < 0:
		return bad("NMFCC", "%d, want ≥ 0", c.NMFCC)
	case math.IsNaN(c.TopDB) || c.TopDB < 0:
		return bad("TopDB", "%g, want ≥ 0 (0 = no clipping)", c.TopDB)
	case c.Pad != dsp.PadReflect && c.Pad != dsp.PadConstant:
		return bad("Pad", "unknown pad mode %v", c.Pad)
	case c.MelScale != dsp.MelHTK && c.MelScale != dsp.MelSlaney:
		return bad("MelScale", "unknown mel scale %v", c.MelScale)
	case c.MelNorm != dsp.MelNormNone && c.MelNorm != dsp.MelNormSlaney:
		return bad("MelNorm", "unknown mel norm %v", c.MelNorm)
	}
	if _, err := dsp.WindowByName(c.Window, c.WinLength, c.Periodic); err != nil {
		return bad("Window", "%v", err)
	}
	if c.NMels > 0 {
		ny := float64(c.SampleRate) / 2
		switch {
		case math.IsNaN(c.FMin) || c.FMin < 0:
			return bad("FMin", "%g Hz, want ≥ 0", c.FMin)
		case math.IsNaN(c.FMax) || c.FMax < 0 || c.FMax > ny:
			return bad("FMax", "%g Hz, want 0 (Nyquist) or up to %g", c.FMax, ny)
		case c.FMin >= c.fmax():
			return bad("FMin", "%g Hz, want below FMax (%g Hz)", c.FMin, c.fmax())
		}
	}
	if c.NMFCC > 0 {
		switch {
		case c.NMels == 0:
			return bad("NMFCC", "needs NMels > 0")
		case c.NMFCC > c.NMels:
			return bad("NMFCC", "%d, want ≤ NMels (%d)", c.NMFCC, c.NMels)
		case c.Power != 2:
			return bad("Power", "%g, MFCC needs 2", c.Power)
		}
	}
	return nil
}

// stft returns the dsp STFT configuration for c.
func (c Config) stft() (dsp.STFTConfig, error) {
	w, err := dsp.WindowByName(c.Window, c.WinLength, c.Periodic)
	if err != nil {
		return dsp.STFTConfig{}, err
	}
	return dsp.STFTConfig{NFFT: c.NFFT, Hop: c.Hop, WinLength: c.WinLength, Window: w, Center: c.Center, Pad: c.Pad}, nil
}

// Spectrogram holds values and the configuration that made them.
type Spectrogram struct {
	// Data is (Bins, Frames) row-major: Data[b*Frames+t].
	Data []float32
	// Bins is the number of rows (frequency bins, mel channels or MFCCs).
	Bins int
	// Frames is the number of STFT frames.
	Frames int
	// Config made Data; it fixes sample rate, hop, n_fft, window and the rest.
	Config Config
	// Kind and Scale describe the rows and the values.
	Kind  Kind
	Scale Scale
}

// At returns bin b of frame t; it panics if either is out of range, like
// a slice index.
func (s *Spectrogram) At(b, t int) float32 { return s.Data[b*s.Frames+t] }

// Shape returns (Bins, Frames), the .npy shape.
func (s *Spectrogram) Shape() (bins, frames int) { return s.Bins, s.Frames }

// Duration returns the length in seconds the frames cover, Frames·Hop/SampleRate.
func (s *Spectrogram) Duration() float64 {
	return float64(s.Frames*s.Config.Hop) / float64(s.Config.SampleRate)
}

// FrameTime returns the time in seconds at the centre of frame t.
func (s *Spectrogram) FrameTime(t int) float64 {
	c := float64(t * s.Config.Hop)
	if !s.Config.Center {
		c += float64(s.Config.NFFT) / 2
	}
	return c / float64(s.Config.SampleRate)
}

// BinFrequency returns the centre frequency in Hz of row b: b·SampleRate/NFFT
// for a linear spectrogram, the filter's peak for a mel one, and NaN for MFCC.
func (s *Spectrogram) BinFrequency(b int) float64 {
	c := s.Config
	switch s.Kind {
	case Linear:
		return float64(b) * float64(c.SampleRate) / float64(c.NFFT)
	case Mel:
		lo, hi := dsp.HzToMel(c.FMin, c.MelScale), dsp.HzToMel(c.fmax(), c.MelScale)
		return dsp.MelToHz(lo+(hi-lo)*float64(b+1)/float64(c.NMels+1), c.MelScale)
	}
	return math.NaN()
}

// Compute returns the spectrogram of the mono signal x under c. Like
// torch.stft, it needs more than NFFT/2 samples with reflect padding and at
// least NFFT samples without centring.
func Compute(x []float64, c Config) (*Spectrogram, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sc, err := c.stft()
	if err != nil {
		return nil, err
	}
	p, frames, err := dsp.PowerSpectrogram(x, sc, c.Power, nil)
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	if frames == 0 {
		return nil, fmt.Errorf("spectrogram: signal of %d samples gives no frame", len(x))
	}
	rows := c.NFFT/2 + 1
	if c.NMels > 0 {
		fb, err := c.melFilters()
		if err != nil {
			return nil, err
		}
		if p, err = dsp.ApplyMel(fb, c.NMels, p, frames, rows); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
		rows = c.NMels
	}
	// p is frame-major (frames × rows) from here on.
	switch {
	case c.NMFCC > 0:
		if p, err = dsp.MFCC(p, frames, c.NMels, c.NMFCC, 1, amin, c.TopDB); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
		rows = c.NMFCC
	case c.DB:
		p = c.toDB(p, c.TopDB)
	}
	return &Spectrogram{Data: transpose(p, frames, rows), Bins: rows, Frames: frames, Config: c, Kind: c.Kind(), Scale: c.Scale()}, nil
}

// amin is the floor under power or magnitude before the logarithm, as
// torchaudio's AmplitudeToDB and MFCC use.
const amin = 1e-10

// toDB converts power (Power 2) or magnitude (Power 1) values to decibels.
// Power values are converted in place; magnitudes into a new slice.
func (c Config) toDB(v []float64, topDB float64) []float64 {
	if c.Power == 1 {
		return dsp.AmplitudeToDB(v, 1, amin, topDB)
	}
	return dsp.PowerToDBTo(v, v, 1, amin, topDB)
}

func (c Config) melFilters() ([]float64, error) {
	fb, err := dsp.MelFilterbank(c.NFFT, float64(c.SampleRate), c.FMin, c.fmax(), c.NMels, c.MelScale, c.MelNorm)
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	return fb, nil
}

// transpose turns frame-major (frames × rows) float64 values into the
// (rows, frames) float32 layout of Spectrogram.Data.
func transpose(p []float64, frames, rows int) []float32 {
	out := make([]float32, len(p))
	for t := 0; t < frames; t++ {
		col := p[t*rows : (t+1)*rows]
		for b, v := range col {
			out[b*frames+t] = float32(v)
		}
	}
	return out
}

// Summary says in one line how s was made, e.g. "40 mels htk, power dB,
// hamming 400/512 hop 160, 16000 Hz".
func (s *Spectrogram) Summary() string {
	c := s.Config
	var b strings.Builder
	switch s.Kind {
	case MFCC:
		fmt.Fprintf(&b, "%d MFCC of %d mels, ", c.NMFCC, c.NMels)
	case Mel:
		fmt.Fprintf(&b, "%d mels %s, ", c.NMels, c.MelScale)
	}
	unit := "power"
	if c.Power == 1 {
		unit = "magnitude"
	}
	if s.Scale == DB {
		unit += " dB"
	}
	if c.TopDB > 0 {
		unit += fmt.Sprintf(" (top %g)", c.TopDB)
	}
	fmt.Fprintf(&b, "%s, %s %d/%d hop %d, %d Hz", unit, c.Window, c.WinLength, c.NFFT, c.Hop, c.SampleRate)
	return b.String()
}
