package separation

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
)

// Mask is the kind of mask the network predicts.
type Mask string

// Mask kinds of mask.
const (
	// MaskComplex is the complex ratio mask of the paper: the network
	// outputs a real and an imaginary part per bin and the separated
	// (compressed) spectrogram is the complex product mask × mixture.
	MaskComplex Mask = "complex"
	// MaskReal is a real ratio mask in [0, 1] (a sigmoid) that scales the
	// mixture and keeps its phase.
	MaskReal Mask = "real"
)

// Loss is the training loss of a model.
type Loss string

// Losses of loss.
const (
	// LossCompressed is the paper's: the mean squared error of the
	// compressed spectrograms, |Ŝ|^p e^{iφ} against |S|^p e^{iφ}.
	LossCompressed Loss = "compressed"
	// LossSISDR is the evaluations' measure, the scale-invariant
	// signal-to-distortion ratio of the separated waveforms (after the
	// inverse STFT), in dB and negated. Real masks only.
	LossSISDR Loss = "si-sdr"
)

// Config holds every size and hyper-parameter of a separation model. It is
// saved beside the weights, so a model file describes itself.
type Config struct {
	// Audio front end. The STFT is one-sided, with a periodic Hann window
	// of WinLength samples zero-padded to NFFT, Hop samples apart, centred
	// with zero padding (see Model for why the paper's uncentred framing is
	// not used).
	Rate      int     `json:"rate"`       // sample rate in Hz (16000)
	NFFT      int     `json:"n_fft"`      // FFT size (512)
	WinLength int     `json:"win_length"` // window length in samples (400 = 25 ms)
	Hop       int     `json:"hop"`        // hop in samples (160 = 10 ms)
	Power     float64 `json:"power"`      // power-law compression p of the spectrogram: |X|^p·e^{iφ} (0.3)

	// Faces.
	Speakers int     `json:"speakers"` // number of faces, and masks (2: two speakers; 1: speech + noise)
	FPS      float64 `json:"fps"`      // video frame rate the visual stream is trained at (25)
	// MouthBox is the mouth region of a face frame as fractions of its
	// width and height {x0, y0, x1, y1}; it is cut out, turned grey and
	// box-averaged to MouthW × MouthH pixels.
	MouthBox [4]float64 `json:"mouth_box"`
	MouthW   int        `json:"mouth_w"`
	MouthH   int        `json:"mouth_h"`

	// Network widths.
	AudioOnly bool `json:"audio_only"` // no visual stream: the audio-only baseline, trained with a permutation-invariant loss for two speakers
	// AudioStream is read from model files only to refuse "tf", a
	// time-frequency stream that was removed (7× the step time for no
	// better separation); "" and "frames" are the one stream there is.
	AudioStream   string `json:"audio_stream,omitempty"`
	AudioChannels int    `json:"audio_channels"`   // channels of the audio stream's dilated convolutions
	Dilations     []int  `json:"dilations"`        // dilations of the audio stream's k=3 temporal convolutions
	VisualDim     int    `json:"visual_dim"`       // per-frame face feature size
	VisualDil     []int  `json:"visual_dilations"` // dilations of the visual stream's k=3 temporal convolutions
	LSTMHidden    int    `json:"lstm_hidden"`      // hidden size of each direction of the BiLSTM
	FCHidden      int    `json:"fc_hidden"`        // width of the two fully connected layers after the BiLSTM
	Mask          Mask   `json:"mask"`
	// Combs is the number of candidate fundamental frequencies, log-spaced
	// over CombF0 Hz, of the harmonic comb term of every mask (see
	// dsp.CombBank); 0 means no comb term.
	Combs  int        `json:"combs"`
	CombF0 [2]float64 `json:"comb_f0"`
	// TrackPitch feeds the mixture's harmonic salience (Combs > 0) to the
	// BiLSTM too, so that it can follow each voice's pitch over time and
	// tell the pitch layers whose harmonics are whose.
	TrackPitch bool `json:"track_pitch"`
	// SalienceWindow is the window length, in samples, of the STFT the
	// harmonic salience is measured on (0: WinLength). A longer window
	// resolves the harmonics of low voices: at 25 ms a Hann window's main
	// lobe is 160 Hz wide, wider than the spacing of a 120 Hz voice's
	// harmonics. The hop stays Hop, so the frames line up.
	SalienceWindow int `json:"salience_window"`
	// MultiPitch adds combs from a fixed estimate of two fundamentals per
	// frame (on a 40 ms window, the peak of a harmonic-against-gaps
	// salience, then the peak once its harmonics are cancelled); a
	// per-frame assignment from the fused features hands one to each face,
	// and the BiLSTM sees the pair's places, loudness and salience, so that
	// it can match each fundamental's loudness with a mouth's motion.
	MultiPitch bool `json:"multi_pitch"`
	// Consistency rescales the real masks so that the separated
	// spectrograms add up to the mixture: each output takes the share of
	// the remainder in proportion to its magnitude (see logLinearMasks).
	// Independent real masks in [0, 1] can leave part of a bin to no one;
	// the rescaling needs no weights, so a model trained without it can be
	// run with it, and it can also be trained through.
	Consistency bool `json:"consistency"`
	// Loss is LossCompressed ("" too, for files written before the field)
	// or LossSISDR.
	Loss Loss `json:"loss"`

	// VisualAux > 0 adds, in training only, an auxiliary loss of this
	// weight: each face's visual features must predict, through a linear
	// read-out, that speaker's loudness in every frame (log energy,
	// standardised per example). It gives the visual stream a direct
	// signal from the first step, where the separation loss alone reaches
	// it only once the network tells the faces apart (the 0 dB plateau).
	VisualAux float64 `json:"visual_aux,omitempty"`

	// Tilt > 0 tilts, in training only, each source's spectrum by a
	// slope drawn uniformly from ±Tilt dB per octave (pivoting at 1 kHz)
	// before it is mixed (see dsp.Tilter). Voices differ in spectral tilt
	// (the glottal pulse, the microphone, the room), and a model that only
	// heard synth's voices loses several dB on brighter speech.
	Tilt float64 `json:"tilt,omitempty"`

	// Training examples.
	Segment float64 `json:"segment"` // seconds of audio per training mixture (1.0)
	Seed    int64   `json:"seed"`    // weight initialisation
}

// DefaultConfig returns the recommended recipe: the paper's audio front
// end (16 kHz, 25 ms Hann, 10 ms hop, 512-point FFT, p = 0.3, two
// speakers) with widths scaled down for a CPU, real masks with harmonic
// combs (240 candidate fundamentals over 60–480 Hz), pitch tracking and
// pitch pairs on a 40 ms salience window, outputs that add up to the
// mixture, the SI-SDR loss, and in training the visual auxiliary loss at
// weight 2 and voices tilted by up to ±4 dB per octave. PlainConfig is
// the paper's model without the combs (complex masks,
// compressed-spectrogram loss).
func DefaultConfig() Config {
	c := PlainConfig()
	c.Mask, c.Combs, c.TrackPitch, c.MultiPitch, c.SalienceWindow = MaskReal, 240, true, true, 640
	c.Consistency, c.Loss, c.VisualAux, c.Tilt = true, LossSISDR, 2, 4
	return c
}

// PlainConfig returns the paper's model scaled down for a CPU: complex
// masks and the L2 loss of compressed spectrograms, no harmonic combs.
func PlainConfig() Config {
	return Config{
		Rate: 16000, NFFT: 512, WinLength: 400, Hop: 160, Power: 0.3,
		Speakers: 2, FPS: 25,
		MouthBox: [4]float64{0.3, 0.55, 0.7, 0.85}, MouthW: 24, MouthH: 16,
		AudioChannels: 64, Dilations: []int{1, 2, 4, 8},
		VisualDim: 32, VisualDil: []int{1, 2},
		LSTMHidden: 64, FCHidden: 128, Mask: MaskComplex,
		CombF0:  [2]float64{60, 480},
		Segment: 1.0, Seed: 1,
	}
}

// Validate reports the first problem with c, naming the field.
func (c Config) Validate() error {
	switch {
	case c.Rate < 1000 || c.Rate > 192000:
		return fmt.Errorf("separation: rate = %d, want 1000 … 192000", c.Rate)
	case c.NFFT < 16 || c.NFFT > 8192:
		return fmt.Errorf("separation: n_fft = %d, want 16 … 8192", c.NFFT)
	case c.WinLength < 2 || c.WinLength > c.NFFT:
		return fmt.Errorf("separation: win_length = %d, want 2 … NFFT=%d", c.WinLength, c.NFFT)
	case c.Hop < 1 || c.Hop > c.WinLength/2:
		return fmt.Errorf("separation: hop = %d, want 1 … WinLength/2=%d (the Hann window must overlap-add to a positive envelope)", c.Hop, c.WinLength/2)
	case !(c.Power > 0 && c.Power <= 1):
		return fmt.Errorf("separation: power = %v, want (0, 1]", c.Power)
	case c.Speakers < 1 || c.Speakers > 8:
		return fmt.Errorf("separation: speakers = %d, want 1 … 8", c.Speakers)
	case !(c.FPS > 0 && c.FPS <= 120):
		return fmt.Errorf("separation: fps = %v, want (0, 120]", c.FPS)
	case !(c.MouthBox[0] >= 0 && c.MouthBox[0] < c.MouthBox[2] && c.MouthBox[2] <= 1 &&
		c.MouthBox[1] >= 0 && c.MouthBox[1] < c.MouthBox[3] && c.MouthBox[3] <= 1):
		return fmt.Errorf("separation: mouth_box = %v, want 0 ≤ x0 < x1 ≤ 1 and 0 ≤ y0 < y1 ≤ 1", c.MouthBox)
	case c.MouthW < 4 || c.MouthH < 4 || c.MouthW*c.MouthH > 4096:
		return fmt.Errorf("separation: mouth_w×mouth_h = %d×%d, want each ≥ 4 and at most 4096 pixels", c.MouthW, c.MouthH)
	case c.AudioChannels < 1 || c.AudioChannels > 4096:
		return fmt.Errorf("separation: audio_channels = %d, want 1 … 4096", c.AudioChannels)
	case c.AudioStream == "tf":
		return fmt.Errorf("separation: audio_stream = \"tf\": the time-frequency stream was removed (7× the step time, no better separation); train a new model")
	case c.AudioStream != "" && c.AudioStream != "frames":
		return fmt.Errorf("separation: audio_stream = %q, want \"frames\"", c.AudioStream)
	case c.VisualDim < 1 || c.VisualDim > 4096:
		return fmt.Errorf("separation: visual_dim = %d, want 1 … 4096", c.VisualDim)
	case c.LSTMHidden < 1 || c.LSTMHidden > 4096:
		return fmt.Errorf("separation: lstm_hidden = %d, want 1 … 4096", c.LSTMHidden)
	case c.FCHidden < 1 || c.FCHidden > 8192:
		return fmt.Errorf("separation: fc_hidden = %d, want 1 … 8192", c.FCHidden)
	case c.Combs < 0 || c.Combs > 2048:
		return fmt.Errorf("separation: combs = %d, want 0 … 2048", c.Combs)
	case c.Combs > 0 && !(c.CombF0[0] >= 20 && c.CombF0[0] < c.CombF0[1] && c.CombF0[1] <= float64(c.Rate)/4):
		return fmt.Errorf("separation: comb_f0 = %v Hz, want 20 ≤ low < high ≤ Rate/4 = %v", c.CombF0, float64(c.Rate)/4)
	case c.SalienceWindow < 0 || c.SalienceWindow > 8192:
		return fmt.Errorf("separation: salience_window = %d, want 0 … 8192 samples", c.SalienceWindow)
	case c.MultiPitch && (c.Combs == 0 || c.Speakers != 2):
		return fmt.Errorf("separation: multi_pitch needs harmonic combs (combs > 0) and two speakers")
	case c.Consistency && (c.Speakers < 2 || c.Mask != MaskReal):
		return fmt.Errorf("separation: consistency needs real masks (mask = %q) and two or more speakers, whose outputs make up the mixture", MaskReal)
	case c.Loss != "" && c.Loss != LossCompressed && c.Loss != LossSISDR:
		return fmt.Errorf("separation: loss = %q, want %q or %q", c.Loss, LossCompressed, LossSISDR)
	case c.Loss == LossSISDR && (c.Mask != MaskReal || c.AudioOnly):
		return fmt.Errorf("separation: loss = %q needs real masks (mask = %q) and faces (not audio_only)", LossSISDR, MaskReal)
	case !(c.VisualAux >= 0 && c.VisualAux <= 100):
		return fmt.Errorf("separation: visual_aux = %v, want 0 (off) … 100", c.VisualAux)
	case !(c.Tilt >= 0 && c.Tilt <= 12):
		return fmt.Errorf("separation: tilt = %v dB/octave, want 0 (off) … 12", c.Tilt)
	case c.VisualAux > 0 && c.AudioOnly:
		return fmt.Errorf("separation: visual_aux needs faces (audio_only is set)")
	case c.TrackPitch && c.Combs == 0:
		return fmt.Errorf("separation: track_pitch needs harmonic combs (combs > 0)")
	case c.Mask != MaskComplex && c.Mask != MaskReal:
		return fmt.Errorf("separation: mask = %q, want %q or %q", c.Mask, MaskComplex, MaskReal)
	case !(c.Segment > 0 && c.Segment <= 30) || math.Round(c.Segment*c.FPS) < 1:
		return fmt.Errorf("separation: segment = %v s, want (0, 30] and at least one video frame", c.Segment)
	case c.AudioOnly && c.Speakers > 2:
		return fmt.Errorf("separation: audio_only supports 1 or 2 speakers (the permutation-invariant loss is written for two), got %d", c.Speakers)
	}
	for _, d := range append(append([]int(nil), c.Dilations...), c.VisualDil...) {
		if d < 1 || d > 64 {
			return fmt.Errorf("separation: Config dilation %d, want 1 … 64", d)
		}
	}
	return nil
}

// STFT returns the dsp configuration of the model's transform: periodic
// Hann window of WinLength, NFFT, Hop, centred with zero padding.
func (c Config) STFT() dsp.STFTConfig {
	return dsp.STFTConfig{NFFT: c.NFFT, Hop: c.Hop, WinLength: c.WinLength,
		Window: dsp.Hann(c.WinLength, true), Center: true, Pad: dsp.PadConstant}
}

// Bins returns NFFT/2+1.
func (c Config) Bins() int { return c.NFFT/2 + 1 }

// SegmentSamples returns the samples of a training mixture: a whole number
// of video frames, round(Segment·FPS)·Rate/FPS.
func (c Config) SegmentSamples() int {
	return int(math.Round(float64(c.SegmentFrames()) * float64(c.Rate) / c.FPS))
}

// SegmentFrames returns the video frames of a training mixture.
func (c Config) SegmentFrames() int { return int(math.Round(c.Segment * c.FPS)) }
