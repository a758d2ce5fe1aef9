package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// SpeechRate is the sample rate, in Hz, of all synthesised speech.
const SpeechRate = 16000

// ctrlStep is the number of samples between updates of the synthesiser's
// control parameters (2 ms at SpeechRate).
const ctrlStep = 32

// TrackStep is the time in seconds between entries of Utterance.Track.
const TrackStep = float64(ctrlStep) / SpeechRate

// Voice holds the parameters of the source-filter synthesiser that stay
// fixed for one speaker.
type Voice struct {
	F0           float64 // mean fundamental frequency in Hz (≈ 80–300)
	FormantScale float64 // multiplies every formant frequency; ≈ 17 cm / vocal-tract length
	Breathiness  float64 // 0–1: aspiration noise in the glottal source, wider formant bandwidths
	Jitter       float64 // relative standard deviation of period-to-period F0 (e.g. 0.01)
	Shimmer      float64 // relative standard deviation of period-to-period amplitude (e.g. 0.05)
	Rate         float64 // syllables per second for RandomSyllables and default durations
}

// Validate reports whether the voice can be synthesised.
func (v Voice) Validate() error {
	switch {
	case !(v.F0 >= 40 && v.F0 <= 600):
		return fmt.Errorf("synth: voice F0 %g Hz out of range [40, 600]", v.F0)
	case !(v.FormantScale >= 0.5 && v.FormantScale <= 1.8):
		return fmt.Errorf("synth: voice formant scale %g out of range [0.5, 1.8]", v.FormantScale)
	case !(v.Breathiness >= 0 && v.Breathiness <= 1):
		return fmt.Errorf("synth: voice breathiness %g out of range [0, 1]", v.Breathiness)
	case !(v.Jitter >= 0 && v.Jitter <= 0.2), !(v.Shimmer >= 0 && v.Shimmer <= 0.5):
		return fmt.Errorf("synth: voice jitter %g / shimmer %g out of range", v.Jitter, v.Shimmer)
	case !(v.Rate > 0 && v.Rate <= 20):
		return fmt.Errorf("synth: voice rate %g syllables/s out of range (0, 20]", v.Rate)
	}
	return nil
}

// Articulation is the visible state of the mouth at one moment.
type Articulation struct {
	Open  float64 // jaw opening: 0 closed … 1 wide open (as for "a")
	Round float64 // lip shape: −1 spread (as for "i") … +1 rounded (as for "u")
}

// phone is the target of one speech sound. Formants are for a 17 cm vocal
// tract (FormantScale 1).
type phone struct {
	f           [4]float64 // formant frequencies, Hz
	av          float64    // voicing amplitude
	af, fc, fbw float64    // frication amplitude, centre and bandwidth
	ah          float64    // aspiration amplitude (through the formants)
	art         Articulation
}

// Vowels and Consonants are the phone inventory. A syllable is an optional
// consonant followed by a vowel ("ba", "si", "o").
var (
	Vowels     = []string{"a", "e", "i", "o", "u"}
	Consonants = []string{"p", "b", "m", "t", "d", "n", "k", "s", "f", "l"}
)

var vowelF = map[string][4]float64{
	"a": {730, 1220, 2440, 3400},
	"e": {530, 1840, 2480, 3500},
	"i": {280, 2250, 3000, 3700},
	"o": {570, 880, 2410, 3400},
	"u": {310, 870, 2240, 3400},
}

// VowelArticulation is the rule that ties what is heard to what is seen:
// jaw opening grows linearly with F1 and lip rounding falls linearly with
// F2, for the formants of a 17 cm vocal tract.
func VowelArticulation(f1, f2 float64) Articulation {
	return Articulation{
		Open:  clamp01(0.1 + 0.9*(f1-250)/(750-250)),
		Round: math.Max(-1, math.Min(1, (1500-f2)/700)),
	}
}

func vowelPhone(v string) phone {
	f := vowelF[v]
	a := VowelArticulation(f[0], f[1])
	// open vowels are intrinsically louder
	return phone{f: f, av: 0.55 + 0.45*a.Open, art: a}
}

// Token is one unit of an utterance: a syllable ("ba", "o") or, when Syl is
// empty, a pause. Dur is its length in seconds (0 means the voice's default:
// 1/Rate for a syllable, 0.15 s for a pause).
type Token struct {
	Syl string
	Dur float64
}

// Utterance is synthesised speech together with the articulation that
// produced it.
type Utterance struct {
	Audio []float64      // mono samples at SpeechRate, RMS over voiced parts ≈ 0.1
	Text  string         // syllables joined by "-", pauses as " "
	Track []Articulation // mouth state every TrackStep seconds
	// Active marks Track entries where sound is produced (voicing,
	// frication or a burst), which silent intervals and closures are not.
	Active []bool
}

// MouthAt averages the articulation over the time interval [t0, t1) seconds
// (clamped to the utterance).
func (u *Utterance) MouthAt(t0, t1 float64) Articulation {
	if len(u.Track) == 0 {
		return Articulation{}
	}
	i0 := int(math.Floor(t0 / TrackStep))
	i1 := int(math.Ceil(t1 / TrackStep))
	i0 = clampInt(i0, 0, len(u.Track)-1)
	i1 = clampInt(i1, i0+1, len(u.Track))
	var a Articulation
	for _, x := range u.Track[i0:i1] {
		a.Open += x.Open
		a.Round += x.Round
	}
	n := float64(i1 - i0)
	return Articulation{a.Open / n, a.Round / n}
}

// RandomSyllables draws a random syllable sequence filling about seconds of
// speech at the voice's rate, with short pauses between groups of 2–4
// syllables and silence before and after. Durations are set so the tokens
// last exactly seconds.
func RandomSyllables(r *rand.Rand, v Voice, seconds float64) []Token {
	if !(v.Rate > 0) || !(seconds > 0) {
		return []Token{{"", math.Max(seconds, 0.01)}}
	}
	lead, trail := uniform(r, 0.12, 0.3), uniform(r, 0.12, 0.3)
	avail := seconds - lead - trail
	toks := []Token{{"", lead}}
	if avail > 0.2 {
		var body []Token
		used := 0.0
		group := 2 + r.IntN(3)
		for {
			d := uniform(r, 0.8, 1.2) / v.Rate
			if used+d > avail {
				break
			}
			c := ""
			if r.Float64() < 0.85 {
				c = Consonants[r.IntN(len(Consonants))]
			}
			body = append(body, Token{c + Vowels[r.IntN(len(Vowels))], d})
			used += d
			if group--; group == 0 {
				p := uniform(r, 0.08, 0.2)
				if used+p < avail {
					body = append(body, Token{"", p})
					used += p
				}
				group = 2 + r.IntN(3)
			}
		}
		// stretch to fill the time exactly
		if used > 0 {
			k := avail / used
			for i := range body {
				body[i].Dur *= k
			}
		}
		toks = append(toks, body...)
	} else {
		toks[0].Dur += math.Max(avail, 0)
	}
	return append(toks, Token{"", trail})
}

// segment is a stretch of constant targets.
type segment struct {
	n  int // control steps
	ph phone
}

// Speak synthesises tokens with voice v. Randomness (jitter, shimmer,
// noise, intonation) comes from r, so a seeded r gives identical samples.
// The result lasts the sum of the token durations, rounded to whole samples.
func Speak(v Voice, tokens []Token, r *rand.Rand) (*Utterance, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	var text strings.Builder
	var segs []segment
	total := 0.0
	for i, t := range tokens {
		d := t.Dur
		if t.Syl == "" {
			if d == 0 {
				d = 0.15
			}
		} else if d == 0 {
			d = 1 / v.Rate
		}
		if !(d > 0 && d < 60) {
			return nil, fmt.Errorf("synth: token %d (%q): duration %g s out of range (0, 60)", i, t.Syl, d)
		}
		// keep token boundaries on the cumulative grid so rounding never accumulates
		n := int(math.Round((total+d)*SpeechRate/ctrlStep)) - int(math.Round(total*SpeechRate/ctrlStep))
		total += d
		if t.Syl == "" {
			if text.Len() > 0 && !strings.HasSuffix(text.String(), " ") {
				text.WriteByte(' ')
			}
			if n > 0 {
				segs = append(segs, segment{n: n, ph: phone{f: vowelF["e"], art: Articulation{0, 0}}})
			}
			continue
		}
		if text.Len() > 0 && !strings.HasSuffix(text.String(), " ") {
			text.WriteByte('-')
		}
		text.WriteString(t.Syl)
		if n < 1 {
			n = 1
		}
		ss, err := syllableSegments(t.Syl, n)
		if err != nil {
			return nil, fmt.Errorf("synth: token %d: %w", i, err)
		}
		segs = append(segs, ss...)
	}
	nsamp := int(math.Round(total * SpeechRate))
	if nsamp < 1 {
		return nil, fmt.Errorf("synth: nothing to say: %d tokens lasting %g s", len(tokens), total)
	}
	nctrl := (nsamp + ctrlStep - 1) / ctrlStep
	// expand targets to control steps
	tg := make([]phone, 0, nctrl)
	for _, s := range segs {
		for k := 0; k < s.n; k++ {
			tg = append(tg, s.ph)
		}
	}
	for len(tg) < nctrl {
		tg = append(tg, phone{f: vowelF["e"]})
	}
	tg = tg[:nctrl]

	u := &Utterance{Text: strings.TrimSpace(text.String()), Track: make([]Articulation, nctrl), Active: make([]bool, nctrl)}
	// articulation: zero-phase smoothing (forward and backward one-pole
	// filters) so the mouth anticipates and lags sounds symmetrically
	artSmooth := math.Exp(-TrackStep / 0.014)
	for i := range tg {
		u.Track[i] = tg[i].art
		u.Active[i] = tg[i].av > 0.05 || tg[i].af > 0.05 || tg[i].ah > 0.05
	}
	for pass := 0; pass < 2; pass++ {
		prev := u.Track[0]
		if pass == 1 {
			prev = u.Track[nctrl-1]
		}
		for k := 0; k < nctrl; k++ {
			i := k
			if pass == 1 {
				i = nctrl - 1 - k
			}
			prev.Open = artSmooth*prev.Open + (1-artSmooth)*u.Track[i].Open
			prev.Round = artSmooth*prev.Round + (1-artSmooth)*u.Track[i].Round
			u.Track[i] = prev
		}
	}

	// intonation: declination plus a random accent per syllable (semitones)
	accent := make([]float64, nctrl)
	{
		pos := 0
		for _, s := range segs {
			a := r.NormFloat64() * 1.2
			for k := 0; k < s.n && pos < nctrl; k++ {
				accent[pos] = a
				pos++
			}
		}
	}

	out := make([]float64, nsamp)
	var (
		// smoothed control state
		cf         = tg[0].f
		cav, caf   = 0.0, 0.0
		cah, cfc   = 0.0, tg[0].fc
		cfbw       = 1000.0
		cacc       = 0.0
		fSmooth    = math.Exp(-TrackStep / 0.012)
		aSmooth    = math.Exp(-TrackStep / 0.004)
		pSmooth    = math.Exp(-TrackStep / 0.05)
		res        [4]resonator
		fric       resonator
		phase      = 0.0
		periodMul  = 1.0
		ampMul     = 1.0
		prevFlow   = 0.0
		oq         = 0.55 + 0.2*v.Breathiness
		tp, tn     = 0.66 * oq, 0.34 * oq
		bwMul      = 1 + 0.8*v.Breathiness
		baseBW     = [4]float64{70, 100, 160, 250}
		activeSum  = 0.0
		activeN    = 0
		activeMask = make([]bool, nsamp)
	)
	for c := 0; c < nctrl; c++ {
		t := tg[c]
		for j := 0; j < 4; j++ {
			cf[j] = fSmooth*cf[j] + (1-fSmooth)*t.f[j]
		}
		cav = aSmooth*cav + (1-aSmooth)*t.av
		caf = aSmooth*caf + (1-aSmooth)*t.af
		cah = aSmooth*cah + (1-aSmooth)*t.ah
		if t.af > 0 {
			cfc, cfbw = t.fc, t.fbw
		}
		cacc = pSmooth*cacc + (1-pSmooth)*accent[c]
		for j := 0; j < 4; j++ {
			f := math.Min(cf[j]*v.FormantScale, 0.45*SpeechRate)
			res[j].set(f, baseBW[j]*bwMul)
		}
		fric.set(math.Min(cfc*v.FormantScale, 0.44*SpeechRate), cfbw)
		tt := float64(c) / float64(nctrl)
		f0 := v.F0 * math.Exp2(cacc/12) * (1.08 - 0.16*tt)
		gain := 1 / (f0 / SpeechRate) / 40 // keep the pulse derivative's level independent of F0
		for k := 0; k < ctrlStep; k++ {
			n := c*ctrlStep + k
			if n >= nsamp {
				break
			}
			phase += f0 / SpeechRate / periodMul
			if phase >= 1 {
				phase -= 1
				periodMul = 1 + v.Jitter*r.NormFloat64()
				ampMul = math.Max(0, 1+v.Shimmer*r.NormFloat64())
			}
			var flow float64
			switch {
			case phase < tp:
				flow = 0.5 * (1 - math.Cos(math.Pi*phase/tp))
			case phase < oq:
				flow = math.Cos(0.5 * math.Pi * (phase - tp) / tn)
			}
			src := (flow - prevFlow) * gain * cav * ampMul
			prevFlow = flow
			noise := r.Float64()*2 - 1
			src += noise * (0.3*cah + 0.08*v.Breathiness*cav*(0.3+flow))
			y := src
			for j := range res {
				y = res[j].step(y)
			}
			y += fric.step((r.Float64()*2 - 1) * caf * 0.12)
			out[n] = y
			if cav > 0.1 || caf > 0.1 || cah > 0.1 {
				activeSum += y * y
				activeN++
				activeMask[n] = true
			}
		}
	}
	// normalise the level of the sounding parts
	if activeN > 0 && activeSum > 0 {
		k := 0.1 / math.Sqrt(activeSum/float64(activeN))
		for i := range out {
			out[i] = softClip(out[i] * k)
		}
	}
	u.Audio = out
	return u, nil
}

func softClip(x float64) float64 {
	if x > 0.9 || x < -0.9 {
		return math.Tanh(x)
	}
	return x
}

// syllableSegments splits n control steps of a syllable into consonant
// phases and the vowel.
func syllableSegments(syl string, n int) ([]segment, error) {
	var c, v string
	switch len(syl) {
	case 1:
		v = syl
	case 2:
		c, v = syl[:1], syl[1:]
	default:
		return nil, fmt.Errorf("syllable %q: want a vowel optionally preceded by one consonant", syl)
	}
	if _, ok := vowelF[v]; !ok {
		return nil, fmt.Errorf("syllable %q: %q is not a vowel (%s)", syl, v, strings.Join(Vowels, " "))
	}
	if c != "" && !strings.Contains(strings.Join(Consonants, ""), c) {
		return nil, fmt.Errorf("syllable %q: %q is not a consonant (%s)", syl, c, strings.Join(Consonants, " "))
	}
	vp := vowelPhone(v)
	if c == "" || n < 8 {
		return []segment{{n: n, ph: vp}}, nil
	}
	ms := func(x float64) int { return max(1, int(math.Round(x/1000/TrackStep))) }
	closed := Articulation{0, 0}
	alv := Articulation{0.15, -0.1}
	var cons []segment
	switch c {
	case "p", "b", "t", "d", "k":
		var art Articulation
		var fc, fbw float64
		switch c {
		case "p", "b":
			art, fc, fbw = closed, 900, 1500
		case "t", "d":
			art, fc, fbw = alv, 4200, 2000
		default:
			art, fc, fbw = Articulation{0.2, 0}, 2300, 1000
		}
		voiced := c == "b" || c == "d"
		clo := phone{f: [4]float64{200, vp.f[1], vp.f[2], vp.f[3]}, art: art}
		if voiced {
			clo.av = 0.12
		}
		burst := phone{f: vp.f, af: 0.6, fc: fc, fbw: fbw, art: Articulation{art.Open + 0.1, art.Round}}
		cons = []segment{{n: ms(55), ph: clo}, {n: ms(12), ph: burst}}
		if !voiced {
			asp := phone{f: vp.f, ah: 0.25, art: vp.art}
			cons = append(cons, segment{n: ms(30), ph: asp})
		}
	case "m":
		cons = []segment{{n: ms(70), ph: phone{f: [4]float64{250, 1100, 2300, 3300}, av: 0.4, art: closed}}}
	case "n":
		cons = []segment{{n: ms(65), ph: phone{f: [4]float64{250, 1600, 2600, 3400}, av: 0.4, art: alv}}}
	case "s":
		cons = []segment{{n: ms(95), ph: phone{f: vp.f, af: 0.5, fc: 5000, fbw: 2000, art: Articulation{0.12, -0.5}}}}
	case "f":
		cons = []segment{{n: ms(90), ph: phone{f: vp.f, af: 0.6, fc: 3500, fbw: 4000, art: Articulation{0.06, -0.2}}}}
	case "l":
		cons = []segment{{n: ms(60), ph: phone{f: [4]float64{360, 1300, 2900, 3500}, av: 0.65, art: Articulation{0.3, 0}}}}
	default:
		return nil, fmt.Errorf("syllable %q: %q is not a consonant (%s)", syl, c, strings.Join(Consonants, " "))
	}
	used := 0
	for _, s := range cons {
		used += s.n
	}
	// consonants take at most 60% of the syllable
	if lim := n * 6 / 10; used > lim && used > 0 {
		k := float64(lim) / float64(used)
		used = 0
		for i := range cons {
			cons[i].n = max(1, int(float64(cons[i].n)*k))
			used += cons[i].n
		}
	}
	if used >= n {
		used = n - 1
		cons[len(cons)-1].n -= (sumN(cons) - used)
	}
	return append(cons, segment{n: n - sumN(cons), ph: vp}), nil
}

func sumN(s []segment) int {
	t := 0
	for _, x := range s {
		t += x.n
	}
	return t
}

// resonator is a second-order IIR resonator with unit gain at 0 Hz (Klatt):
// y[n] = a·x[n] + b·y[n−1] + c·y[n−2].
type resonator struct{ a, b, c, y1, y2 float64 }

func (r *resonator) set(f, bw float64) {
	const T = 1.0 / SpeechRate
	r.c = -math.Exp(-2 * math.Pi * bw * T)
	r.b = 2 * math.Exp(-math.Pi*bw*T) * math.Cos(2*math.Pi*f*T)
	r.a = 1 - r.b - r.c
}

func (r *resonator) step(x float64) float64 {
	y := r.a*x + r.b*r.y1 + r.c*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}
