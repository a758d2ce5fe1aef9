package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/avlearn/avlearn/dsp"
)

// AugmentOptions choose the recording conditions Augment simulates. Each
// effect has a probability (0 never, 1 always) and ranges from which its
// parameters are drawn uniformly; a zero range means the default given.
// The zero value changes nothing but the copy.
type AugmentOptions struct {
	Reverb float64    // probability of room reverberation
	RT60   [2]float64 // reverberation time, s; default 0.15–0.9
	DRR    [2]float64 // direct-to-reverberant energy ratio, dB; default −2–12

	Colour float64 // probability of microphone/channel colouring: a tilt and two broad peaks or dips of up to ±6 dB

	Telephone float64 // probability of a telephone channel: 300–3400 Hz at 8 kHz, resampled back

	Noise float64    // probability of background noise (a random mix of white, pink and brown noise with a slow level wobble)
	SNR   [2]float64 // signal-to-noise ratio, dB; default 0–30

	Level [2]float64 // gain, dB, applied to every clip; zero means no change

	Clip      float64    // probability of clipping
	ClipLevel [2]float64 // clipping threshold as a fraction of the peak; default 0.3–0.9
}

// Recording conditions by name, for AugmentPreset.
var augmentPresets = map[string]AugmentOptions{
	"clean": {},
	// rooms and microphones, mostly quiet
	"room": {Reverb: 0.8, Colour: 0.6, Noise: 0.3, SNR: [2]float64{15, 35}},
	// anything a phone or a camera records: rooms, channels, telephone
	// bands, noise down to 0 dB, levels and a little clipping
	"field": {Reverb: 0.6, Colour: 0.7, Telephone: 0.15, Noise: 0.8, SNR: [2]float64{0, 30},
		Level: [2]float64{-12, 6}, Clip: 0.05},
}

// AugmentPreset returns the recording conditions called name: "clean"
// (none), "room" (reverberation and microphone colour, light noise) or
// "field" (rooms, channels, telephone bands, noise down to 0 dB SNR, level
// changes, some clipping).
func AugmentPreset(name string) (AugmentOptions, error) {
	o, ok := augmentPresets[name]
	if !ok {
		return o, fmt.Errorf("synth: recording conditions %q: want clean, room or field", name)
	}
	return o, nil
}

// Validate reports whether the options are usable.
func (o AugmentOptions) Validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"reverb", o.Reverb}, {"colour", o.Colour}, {"telephone", o.Telephone}, {"noise", o.Noise}, {"clip", o.Clip}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("synth: augment: %s probability %g out of range [0, 1]", p.name, p.v)
		}
	}
	for _, rg := range []struct {
		name   string
		v      [2]float64
		lo, hi float64
	}{{"RT60", o.RT60, 0.01, 5}, {"DRR", o.DRR, -30, 40}, {"SNR", o.SNR, -20, 80}, {"level", o.Level, -60, 40}, {"clip level", o.ClipLevel, 0.01, 1}} {
		if rg.v == [2]float64{} {
			continue
		}
		if !(rg.v[0] >= rg.lo && rg.v[1] <= rg.hi && rg.v[0] <= rg.v[1]) {
			return fmt.Errorf("synth: augment: %s range %v must be ordered and inside [%g, %g]", rg.name, rg.v, rg.lo, rg.hi)
		}
	}
	return nil
}

func drawRange(r *rand.Rand, rg [2]float64, lo, hi float64) float64 {
	if rg == [2]float64{} {
		rg = [2]float64{lo, hi}
	}
	return uniform(r, rg[0], rg[1])
}

// Augment returns x (mono, at rate Hz) as if recorded in the conditions
// drawn from o with r, in the order sound travels: room, microphone,
// channel, background noise, level, clipping. x is not changed; the result
// has the same length. The same r state gives the same result.
func Augment(x []float64, rate int, o AugmentOptions, r *rand.Rand) ([]float64, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if rate < 1000 {
		return nil, fmt.Errorf("synth: augment: sample rate %d Hz too low", rate)
	}
	y := append([]float64(nil), x...)
	if len(y) == 0 {
		return y, nil
	}
	// every draw is made whether or not the effect is on, so switching one
	// effect off does not change the others
	doReverb := r.Float64() < o.Reverb
	rt60, drr := drawRange(r, o.RT60, 0.15, 0.9), drawRange(r, o.DRR, -2, 12)
	roomSeed := r.Uint64()
	doColour := r.Float64() < o.Colour
	colourSeed := r.Uint64()
	doPhone := r.Float64() < o.Telephone
	doNoise := r.Float64() < o.Noise
	snr := drawRange(r, o.SNR, 0, 30)
	noiseSeed := r.Uint64()
	gain := 0.0
	if o.Level != [2]float64{} {
		gain = uniform(r, o.Level[0], o.Level[1])
	}
	doClip := r.Float64() < o.Clip
	clipAt := drawRange(r, o.ClipLevel, 0.3, 0.9)

	if doReverb {
		y = Reverberate(y, RoomResponse(rate, rt60, drr, rand.New(rand.NewPCG(roomSeed, 1))))
	}
	if doColour {
		colour(y, rate, rand.New(rand.NewPCG(colourSeed, 2)))
	}
	if doPhone {
		var err error
		if y, err = telephone(y, rate); err != nil {
			return nil, err
		}
	}
	if doNoise {
		addNoise(y, rate, snr, rand.New(rand.NewPCG(noiseSeed, 3)))
	}
	if gain != 0 {
		g := math.Pow(10, gain/20)
		for i := range y {
			y[i] *= g
		}
	}
	if doClip {
		peak := 0.0
		for _, v := range y {
			peak = math.Max(peak, math.Abs(v))
		}
		c := clipAt * peak
		for i, v := range y {
			y[i] = math.Max(-c, math.Min(c, v))
		}
	}
	return y, nil
}

// RoomResponse draws a synthetic room impulse response at rate Hz: a unit
// direct path, then after a 2–8 ms gap a tail of Gaussian noise decaying
// by 60 dB in rt60 seconds (high frequencies, above about 2 kHz, twice as
// fast), scaled so the direct-to-reverberant energy ratio is drr dB.
func RoomResponse(rate int, rt60, drr float64, r *rand.Rand) []float64 {
	n := int(math.Min(rt60, 2) * float64(rate))
	pre := int(uniform(r, 0.002, 0.008) * float64(rate))
	h := make([]float64, pre+n+1)
	h[0] = 1
	a := math.Exp(-2 * math.Pi * 2000 / float64(rate)) // one-pole low-pass at 2 kHz
	low, tail := 0.0, 0.0
	kLow := -6.9 / (rt60 * float64(rate))
	for i := 0; i < n; i++ {
		w := r.NormFloat64()
		low = a*low + (1-a)*w
		high := w - low
		v := low*math.Exp(kLow*float64(i)) + high*math.Exp(2*kLow*float64(i))
		h[pre+1+i] = v
		tail += v * v
	}
	if tail > 0 {
		k := math.Sqrt(math.Pow(10, -drr/10) / tail)
		for i := pre + 1; i < len(h); i++ {
			h[i] *= k
		}
	}
	return h
}

// Reverberate convolves x with the impulse response h by FFT and returns
// the first len(x) samples.
func Reverberate(x, h []float64) []float64 {
	if len(h) == 0 || len(x) == 0 {
		return append([]float64(nil), x...)
	}
	n := 1
	for n < len(x)+len(h)-1 {
		n *= 2
	}
	f := dsp.NewFFT(n)
	a := make([]float64, n)
	copy(a, x)
	b := make([]float64, n)
	copy(b, h)
	fa := f.Forward(nil, a)
	fb := f.Forward(nil, b)
	for k := range fa {
		fa[k] *= fb[k]
	}
	y := f.Inverse(a, fa)
	return append([]float64(nil), y[:len(x)]...)
}

// colour applies a random gentle equaliser in place: a first-order tilt
// (adding up to half the first difference, which brightens, or blending
// up to half-way towards a 1.5 kHz one-pole low-pass, which darkens) and
// two peaking filters of ±6 dB at most, 150 Hz–0.4·rate, Q 0.5–1.5.
func colour(x []float64, rate int, r *rand.Rand) {
	// tilt: mix the signal with its first difference (brighter) or a
	// one-pole low-pass (darker)
	tilt := uniform(r, -0.5, 0.5)
	var prev, lpState float64
	a := math.Exp(-2 * math.Pi * 1500 / float64(rate))
	for i, v := range x {
		var t float64
		if tilt > 0 {
			t = v + tilt*(v-prev)
		} else {
			lpState = a*lpState + (1-a)*v
			t = v + (-tilt)*(lpState-v)
		}
		prev = v
		x[i] = t
	}
	for k := 0; k < 2; k++ {
		f := math.Exp(uniform(r, math.Log(150), math.Log(0.4*float64(rate))))
		gainDB := uniform(r, -6, 6)
		q := uniform(r, 0.5, 1.5)
		peaking(x, float64(rate), f, q, gainDB)
	}
}

// peaking filters x in place with a peaking equaliser (audio-EQ cookbook).
func peaking(x []float64, rate, f, q, gainDB float64) {
	A := math.Pow(10, gainDB/40)
	w := 2 * math.Pi * f / rate
	alpha := math.Sin(w) / (2 * q)
	cw := math.Cos(w)
	a0 := 1 + alpha/A
	b0, b1, b2 := (1+alpha*A)/a0, -2*cw/a0, (1-alpha*A)/a0
	a1, a2 := -2*cw/a0, (1-alpha/A)/a0
	var x1, x2, y1, y2 float64
	for i, v := range x {
		y := b0*v + b1*x1 + b2*x2 - a1*y1 - a2*y2
		x2, x1 = x1, v
		y2, y1 = y1, y
		x[i] = y
	}
}

// telephone band-limits x to 300–3400 Hz through an 8 kHz channel: down
// to 8 kHz (dsp.Resample's anti-aliasing filter), a band-pass, and back up.
func telephone(x []float64, rate int) ([]float64, error) {
	const tel = 8000
	lo, err := dsp.Resample(x, rate, tel)
	if err != nil {
		return nil, fmt.Errorf("synth: augment: telephone: %w", err)
	}
	// two cascaded second-order high-passes at 300 Hz and low-passes at
	// 3400 Hz give a 24 dB/octave band edge on each side
	filters := []biquad{newBiquad("hp", 300, math.Sqrt2/2, tel), newBiquad("hp", 300, math.Sqrt2/2, tel),
		newBiquad("lp", 3400, math.Sqrt2/2, tel), newBiquad("lp", 3400, math.Sqrt2/2, tel)}
	for i, v := range lo {
		for k := range filters {
			v = filters[k].step(v)
		}
		lo[i] = v
	}
	y, err := dsp.Resample(lo, tel, rate)
	if err != nil {
		return nil, fmt.Errorf("synth: augment: telephone: %w", err)
	}
	out := make([]float64, len(x))
	copy(out, y)
	return out, nil
}

// addNoise adds background noise to x in place at snr dB relative to the
// power of x: white, pink-ish (one-pole at 300 Hz plus white) and brown
// (leaky integration) noise in random proportions, with a slow (0.1–1 Hz)
// level wobble of up to ±3 dB.
func addNoise(x []float64, rate int, snr float64, r *rand.Rand) {
	px := 0.0
	for _, v := range x {
		px += v * v
	}
	px /= float64(len(x))
	if px == 0 {
		return
	}
	ww, wp, wb := r.Float64(), r.Float64(), r.Float64()
	fw, ph := uniform(r, 0.1, 1), r.Float64()*2*math.Pi
	depth := uniform(r, 0, 3)
	aPink := math.Exp(-2 * math.Pi * 300 / float64(rate))
	aBrown := math.Exp(-2 * math.Pi * 30 / float64(rate))
	nz := make([]float64, len(x))
	var pink, brown, pn float64
	for i := range nz {
		w := r.NormFloat64()
		pink = aPink*pink + (1-aPink)*w
		brown = aBrown*brown + (1-aBrown)*w
		wob := math.Pow(10, depth*math.Sin(2*math.Pi*fw*float64(i)/float64(rate)+ph)/20)
		// the pink and brown parts are scaled to a power comparable to white
		nz[i] = wob * (ww*w + wp*pink*4 + wb*brown*13)
		pn += nz[i] * nz[i]
	}
	pn /= float64(len(nz))
	if pn == 0 {
		return
	}
	k := math.Sqrt(px / pn / math.Pow(10, snr/10))
	for i := range x {
		x[i] += k * nz[i]
	}
}
