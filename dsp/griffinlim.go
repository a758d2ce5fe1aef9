package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// GriffinLimOptions sets GriffinLim. All fields are explicit; torchaudio's
// transforms.GriffinLim defaults are Iters 32, Momentum 0.99, Power 2,
// zero initial phase.
type GriffinLimOptions struct {
	// Iters is the number of phase-update iterations (torchaudio n_iter),
	// ≥ 0.
	Iters int
	// Momentum is the "fast Griffin-Lim" momentum of Perraudin, Balazs and
	// Søndergaard (2013), in [0, 1); 0 is the original algorithm. As in
	// torchaudio and librosa, the previous rebuilt spectrum is subtracted
	// with weight Momentum/(1+Momentum).
	Momentum float64
	// Power is the exponent of the input: 1 for a magnitude spectrogram,
	// 2 for a power spectrogram. Must be > 0.
	Power float64
	// Length is the number of output samples; ≤ 0 means the natural length
	// of ISTFT. When given, c.NumFrames(Length) must equal the number of
	// frames of the input.
	Length int
	// RandomPhase starts from phases drawn uniformly from [0, 2π) with a
	// PCG generator seeded by Seed (librosa's init="random" in
	// distribution; the numbers differ from any Python library). Otherwise
	// the start is zero phase (torchaudio rand_init=False, librosa
	// init=None).
	RandomPhase bool
	Seed        uint64
	// Observe, if not nil, is called after iteration i (1 … Iters) with the
	// spectral convergence of the signal of that iteration,
	// ‖S − |STFT(ISTFT(S·e^{jφ}))|‖_F / ‖S‖_F with S the target magnitude;
	// it falls as the phase estimate improves.
	Observe func(iter int, convergence float64)
}

// GriffinLim estimates a signal whose STFT magnitude is mag, a frame-major
// (frames × c.Bins()) magnitude (Power 1) or power (Power 2) spectrogram,
// by alternating ISTFT and STFT with config c and keeping the phase
// (Griffin and Lim 1984), with momentum. It follows
// torchaudio.functional.griffinlim: after the iterations the signal is
// ISTFT(mag^(1/Power) · e^{jφ}). With zero initial phase the result is
// deterministic and matches torchaudio given the same STFT settings
// (torchaudio always uses Center with reflect padding when rebuilding; set
// c.Center and c.Pad = PadReflect to match it).
func GriffinLim(mag []float64, frames int, c STFTConfig, o GriffinLimOptions) ([]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("dsp: GriffinLim: %w", err)
	}
	bins := c.Bins()
	switch {
	case frames < 1:
		return nil, fmt.Errorf("dsp: GriffinLim: frames = %d, want ≥ 1", frames)
	case len(mag) != frames*bins:
		return nil, fmt.Errorf("dsp: GriffinLim: spectrogram has %d values, want frames×bins = %d×%d", len(mag), frames, bins)
	case o.Iters < 0:
		return nil, fmt.Errorf("dsp: GriffinLim: Iters = %d, want ≥ 0", o.Iters)
	case !(o.Momentum >= 0 && o.Momentum < 1):
		return nil, fmt.Errorf("dsp: GriffinLim: Momentum = %v, want 0 ≤ Momentum < 1", o.Momentum)
	case !(o.Power > 0) || math.IsInf(o.Power, 0):
		return nil, fmt.Errorf("dsp: GriffinLim: Power = %v, want a finite value > 0", o.Power)
	case o.Length > 0 && c.NumFrames(o.Length) != frames:
		return nil, fmt.Errorf("dsp: GriffinLim: Length = %d gives %d frames, the spectrogram has %d", o.Length, c.NumFrames(o.Length), frames)
	}
	// Target magnitude.
	s := make([]float64, len(mag))
	var norm float64
	for i, v := range mag {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("dsp: GriffinLim: spectrogram value %v at frame %d bin %d; want finite and ≥ 0", v, i/bins, i%bins)
		}
		if o.Power == 1 {
			s[i] = v
		} else {
			s[i] = math.Pow(v, 1/o.Power)
		}
		norm += s[i] * s[i]
	}
	norm = math.Sqrt(norm)

	angles := make([]complex128, len(s))
	if o.RandomPhase {
		r := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
		for i := range angles {
			angles[i] = cmplx.Rect(1, 2*math.Pi*r.Float64())
		}
	} else {
		for i := range angles {
			angles[i] = 1
		}
	}
	spec := &ComplexSpectrogram{Bins: bins, Frames: frames, Data: make([]complex128, len(s))}
	synth := func() ([]float64, error) {
		for i, a := range angles {
			spec.Data[i] = complex(s[i], 0) * a
		}
		return ISTFT(spec, c, o.Length)
	}
	m := o.Momentum / (1 + o.Momentum)
	var prev []complex128
	for it := 1; it <= o.Iters; it++ {
		x, err := synth()
		if err != nil {
			return nil, fmt.Errorf("dsp: GriffinLim: iteration %d: %w", it, err)
		}
		rebuilt, err := STFT(x, c)
		if err != nil {
			return nil, fmt.Errorf("dsp: GriffinLim: iteration %d: %w", it, err)
		}
		if rebuilt.Frames != frames {
			return nil, fmt.Errorf("dsp: GriffinLim: the %d-sample signal gives %d frames, the spectrogram has %d; set Length", len(x), rebuilt.Frames, frames)
		}
		var diff float64
		for i, r := range rebuilt.Data {
			if o.Observe != nil {
				d := s[i] - cmplx.Abs(r)
				diff += d * d
			}
			a := r
			if prev != nil {
				a -= complex(m, 0) * prev[i]
			}
			angles[i] = a / complex(cmplx.Abs(a)+1e-16, 0)
		}
		prev = rebuilt.Data
		if o.Observe != nil {
			sc := 0.0
			if norm > 0 {
				sc = math.Sqrt(diff) / norm
			}
			o.Observe(it, sc)
		}
	}
	x, err := synth()
	if err != nil {
		return nil, fmt.Errorf("dsp: GriffinLim: %w", err)
	}
	return x, nil
}
