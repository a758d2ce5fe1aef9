package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// phraseBreak is the shortest pause, in seconds, that ends an intonation
// phrase.
const phraseBreak = 0.1

// syllable records where one syllable lies, in control steps.
type syllable struct {
	start, vStart, vEnd, end int
	weak                     bool
	phrase                   int
}

// Speak synthesises tokens with voice v. Randomness (intonation, jitter,
// shimmer, noise, token-to-token formant variation) comes from r, so a
// seeded r gives identical samples. The result lasts the sum of the token
// durations, rounded to whole samples.
//
// The synthesiser: an LF glottal source whose shape (Rd) follows the
// voice's breathiness, loosens at voice onsets and offsets and tightens in
// creak, with jitter, shimmer and aspiration noise pulsed with the glottal
// flow; a cascade of five formant resonators and a nasal pole–zero pair,
// with formant targets per phone smoothed into trajectories (consonant
// targets follow locus equations towards the neighbouring vowel); a
// parallel noise branch shaped per consonant for fricatives and bursts.
// Pitch follows phrases: declination, accents on stressed syllables, a
// final fall or rise, intrinsic vowel pitch and slow drift.
func Speak(v Voice, tokens []Token, r *rand.Rand) (*Utterance, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	var text strings.Builder
	var segs []segment
	var syls []syllable
	var spans []phoneSteps
	total, pos, phrase := 0.0, 0, 0
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
			if d >= phraseBreak && len(syls) > 0 && syls[len(syls)-1].phrase == phrase {
				phrase++
			}
			if n > 0 {
				segs = append(segs, segment{n: n, ph: phone{f: schwaF}})
				spans = addPhone(spans, Silence, pos, pos+n)
				pos += n
			}
			continue
		}
		if text.Len() > 0 && !strings.HasSuffix(text.String(), " ") {
			text.WriteByte('-')
		}
		text.WriteString(t.Syl)
		n = max(n, 1)
		var fv [4]float64
		for j := range fv {
			fv[j] = math.Exp(0.045 * r.NormFloat64())
		}
		tempo := math.Max(0.6, math.Min(1.3, d/0.2))
		ss, vi, err := syllableSegments(t.Syl, n, t.Weak, fv, tempo)
		if err != nil {
			return nil, fmt.Errorf("synth: token %d: %w", i, err)
		}
		sy := syllable{start: pos, end: pos + n, weak: t.Weak, phrase: phrase}
		sy.vStart = pos + sumN(ss[:vi])
		sy.vEnd = sy.vStart + ss[vi].n
		syls = append(syls, sy)
		segs = append(segs, ss...)
		spans = syllablePhones(spans, t.Syl, ss, vi, pos)
		pos += n
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
		tg = append(tg, phone{f: schwaF})
	}
	tg = tg[:nctrl]

	// vowels swell quickly after their onset and fade towards their end,
	// so syllables stand out of the intensity envelope as they do in speech
	for _, sy := range syls {
		for c := sy.vStart; c < sy.vEnd && c < nctrl; c++ {
			x := float64(c-sy.vStart) / float64(max(1, sy.vEnd-sy.vStart))
			g := 1 - 0.65*(x-0.3)/0.7
			if x < 0.3 {
				g = 0.6 + 0.4*x/0.3
			}
			tg[c].av *= g
		}
	}

	u := &Utterance{Text: strings.TrimSpace(text.String()), Track: make([]Articulation, nctrl), Active: make([]bool, nctrl)}
	for _, sp := range spans {
		end := min(float64(sp.end)*TrackStep, float64(nsamp)/SpeechRate)
		u.Phones = append(u.Phones, PhoneSpan{Phone: sp.phone, Start: min(float64(sp.start)*TrackStep, end), End: end})
	}
	for i := range tg {
		u.Track[i] = tg[i].art
		u.Active[i] = tg[i].av > 0.05 || tg[i].af > 0.05 || tg[i].ah > 0.05
	}
	smoothTrack(u.Track)

	pitch, creak := intonation(v, tg, syls, r)
	u.Audio = render(v, tg, pitch, creak, nsamp, r)
	return u, nil
}

// phoneSteps is a PhoneSpan in control steps.
type phoneSteps struct {
	phone      string
	start, end int
}

// addPhone appends phone ph over steps [a, b), merging it with a previous
// span of the same phone that ends at a (consecutive pauses).
func addPhone(spans []phoneSteps, ph string, a, b int) []phoneSteps {
	if b <= a {
		return spans
	}
	if k := len(spans) - 1; k >= 0 && spans[k].phone == ph && spans[k].end == a {
		spans[k].end = b
		return spans
	}
	return append(spans, phoneSteps{ph, a, b})
}

// syllablePhones appends the phones of syllable syl, rendered as segments
// ss (vowel at index vi) from step pos: the onset's phases, the vowel, the
// coda's phases. A syllable too short for its consonants is all vowel, as
// syllableSegments renders it.
func syllablePhones(spans []phoneSteps, syl string, ss []segment, vi, pos int) []phoneSteps {
	onset, v, coda, _ := parseSyllable(syl) // syllableSegments has checked it
	if len(ss) == 1 {
		return addPhone(spans, v, pos, pos+ss[0].n)
	}
	a := pos + sumN(ss[:vi])
	b := a + ss[vi].n
	if onset != "" {
		spans = addPhone(spans, onset, pos, a)
	}
	spans = addPhone(spans, v, a, b)
	if coda != "" {
		spans = addPhone(spans, coda, b, pos+sumN(ss))
	}
	return spans
}

// smoothTrack smooths the articulation with zero-phase one-pole filters
// (forwards and backwards), so the mouth anticipates and lags sounds
// symmetrically.
func smoothTrack(tr []Articulation) {
	open := make([]float64, len(tr))
	round := make([]float64, len(tr))
	for i, a := range tr {
		open[i], round[i] = a.Open, a.Round
	}
	smoothZeroPhase(open, 0.014)
	smoothZeroPhase(round, 0.014)
	for i := range tr {
		tr[i] = Articulation{open[i], round[i]}
	}
}

// smoothZeroPhase filters x (one value per control step) in place with a
// one-pole low-pass of time constant tau seconds, forwards then backwards.
func smoothZeroPhase(x []float64, tau float64) {
	if len(x) == 0 {
		return
	}
	a := math.Exp(-TrackStep / tau)
	prev := x[0]
	for i := range x {
		prev = a*prev + (1-a)*x[i]
		x[i] = prev
	}
	prev = x[len(x)-1]
	for i := len(x) - 1; i >= 0; i-- {
		prev = a*prev + (1-a)*x[i]
		x[i] = prev
	}
}

// intonation returns the pitch contour in semitones relative to v.F0 and
// the amount of creak (0–1), one value per control step.
func intonation(v Voice, tg []phone, syls []syllable, r *rand.Rand) (pitch, creak []float64) {
	n := len(tg)
	pitch = make([]float64, n)
	creak = make([]float64, n)
	span := v.PitchRange
	if span == 0 {
		span = 4
	}
	span *= math.Exp(0.15 * r.NormFloat64()) // livelier or flatter utterances
	set := make([]bool, n)
	for i := 0; i < len(syls); {
		j := i
		for j < len(syls) && syls[j].phrase == syls[i].phrase {
			j++
		}
		ph := syls[i:j]
		t0, t1 := ph[0].start, ph[len(ph)-1].end
		top := 0.3*span + 0.3*r.NormFloat64()
		drop := span * uniform(r, 0.5, 0.9)
		for c := t0; c < t1; c++ {
			pitch[c] += top - drop*float64(c-t0)/float64(max(1, t1-t0))
			set[c] = true
		}
		// accents: the first stressed syllable always, later ones often
		first := true
		for _, s := range ph {
			if s.weak || (!first && r.Float64() > 0.55) {
				continue
			}
			first = false
			amp := span * uniform(r, 0.3, 0.8)
			centre := float64(s.vStart) + uniform(r, 0.3, 0.8)*float64(s.vEnd-s.vStart)
			sigma := math.Max(3, 0.3*float64(s.end-s.start))
			for c := max(0, int(centre-3*sigma)); c < min(n, int(centre+3*sigma)+1); c++ {
				z := (float64(c) - centre) / sigma
				pitch[c] += amp * math.Exp(-0.5*z*z)
			}
		}
		// boundary tone on the last syllable: mostly a fall, sometimes a rise
		last := ph[len(ph)-1]
		rise := r.Float64() < 0.2
		doCreak := !rise && r.Float64() < v.Creak
		for c := last.vStart; c < last.end; c++ {
			x := float64(c-last.vStart) / float64(max(1, last.end-last.vStart))
			if rise {
				pitch[c] += 0.7 * span * x
			} else {
				pitch[c] -= 0.5 * span * x
				if doCreak {
					creak[c] = clamp01(2*x - 0.6)
				}
			}
		}
		i = j
	}
	// pauses hold the pitch before them; leading silence the first pitch
	last := math.NaN()
	for c := range pitch {
		if set[c] {
			last = pitch[c]
		} else if !math.IsNaN(last) {
			pitch[c] = last
		}
	}
	if first := slices.Index(set, true); first > 0 {
		for c := 0; c < first; c++ {
			pitch[c] = pitch[first]
		}
	}
	// microprosody: vowel-intrinsic pitch, raised onsets after voiceless consonants
	micro := make([]float64, n)
	for c := range tg {
		micro[c] = tg[c].pitch
	}
	smoothZeroPhase(micro, 0.02)
	// slow drift
	p1, p2 := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
	f1, f2 := uniform(r, 0.5, 1.2), uniform(r, 1.5, 3)
	for c := range pitch {
		t := float64(c) * TrackStep
		pitch[c] += micro[c] + 0.25*math.Sin(2*math.Pi*f1*t+p1) + 0.15*math.Sin(2*math.Pi*f2*t+p2)
	}
	smoothZeroPhase(pitch, 0.02)
	// centre the voiced part on the voice's F0, with a small per-utterance key shift
	sum, cnt := 0.0, 0
	for c := range pitch {
		if tg[c].av >= 0.3 {
			sum += pitch[c]
			cnt++
		}
	}
	shift := 0.6 * r.NormFloat64()
	if cnt > 0 {
		shift -= sum / float64(cnt)
	}
	for c := range pitch {
		pitch[c] += shift
	}
	smoothZeroPhase(creak, 0.02)
	return pitch, creak
}

// render runs the source-filter synthesiser over the control targets and
// normalises the level of the sounding parts to an RMS of 0.1.
func render(v Voice, tg []phone, pitch, creak []float64, nsamp int, r *rand.Rand) []float64 {
	nctrl := len(tg)
	// formant and antiformant trajectories
	var fr [4][]float64
	for j := range fr {
		fr[j] = make([]float64, nctrl)
		for c := range tg {
			fr[j][c] = tg[c].f[j]
		}
		tau := 0.022
		if j == 0 {
			tau = 0.014
		}
		smoothZeroPhase(fr[j], tau)
	}
	nasalPole := 270.0
	nz := make([]float64, nctrl)
	for c := range tg {
		nz[c] = nasalPole
		if tg[c].nz > 0 {
			nz[c] = tg[c].nz
		}
	}
	smoothZeroPhase(nz, 0.012)

	var (
		pulses          = lfTables()
		pulse           = &pulses[lfIndex(1)]
		res             [5]resonator
		npole           resonator
		nzero           antiresonator
		bp1, bp2        biquad
		shape           fricShape
		cav, cah, caf   float64
		phase, prevFlow float64
		periodMul       = 1.0
		ampMul          = 1.0
		prevNoise       float64
		prevOut         float64
		rdBase          = 0.5 + 1.2*v.Breathiness
		bwMul           = 1 + 0.6*v.Breathiness
		baseBW          = [5]float64{60, 90, 150, 200, 280}
		activeSum       float64
		activeN         int
		out             = make([]float64, nsamp)
		attack          = math.Exp(-TrackStep / 0.004)
		release         = math.Exp(-TrackStep / 0.008)
		fricSmooth      = math.Exp(-TrackStep / 0.005)
	)
	npole.set(nasalPole, 100)
	step := func(cur, target float64) float64 {
		a := release
		if target > cur {
			a = attack
		}
		return a*cur + (1-a)*target
	}
	for c := 0; c < nctrl; c++ {
		t := tg[c]
		cav = step(cav, t.av)
		cah = step(cah, t.ah)
		if t.burst && (c == 0 || !tg[c-1].burst) {
			caf = t.af // a release is abrupt
		} else {
			caf = fricSmooth*caf + (1-fricSmooth)*t.af
		}
		if t.af > 0 && t.fric != shape {
			shape = t.fric
			f1 := math.Max(shape.f1*v.FormantScale, 500)
			bp1 = newBiquad("bp", f1, f1/shape.bw1, SpeechRate)
			if shape.f2 > 0 {
				f2 := shape.f2 * v.FormantScale
				bp2 = newBiquad("bp", f2, f2/shape.bw2, SpeechRate)
			}
		}
		for j := 0; j < 4; j++ {
			f := math.Min(fr[j][c]*v.FormantScale, 0.45*SpeechRate)
			res[j].set(f, baseBW[j]*bwMul)
		}
		res[4].set(math.Min(4500*v.FormantScale, 0.45*SpeechRate), baseBW[4]*bwMul)
		nzero.set(nz[c], 100)

		cr := creak[c]
		f0 := v.F0 * math.Exp2(pitch[c]/12) * (1 - 0.45*cr)
		jit, shim := v.Jitter*(1+8*cr), v.Shimmer*(1+3*cr)
		// laxer pulses at onsets and offsets, tenser in creak and on high pitch
		rd := rdBase + 0.5*(1-math.Min(1, cav/0.5)) - 0.04*pitch[c] - 0.6*cr
		// a pulse train's power grows with its rate: keep the level of
		// pitch excursions within about ±3 dB of the voice's own
		amp := cav * math.Pow(v.F0/f0, 0.35)
		breath := 0.06 * v.Breathiness * cav
		for k := 0; k < ctrlStep; k++ {
			n := c*ctrlStep + k
			if n >= nsamp {
				break
			}
			dphi := f0 / SpeechRate / periodMul
			phase += dphi
			if phase >= 1 {
				phase -= 1
				periodMul = 1 + jit*r.NormFloat64()
				ampMul = math.Max(0, 1+shim*r.NormFloat64())
				pulse = &pulses[lfIndex(rd)]
			}
			flow := pulse.flowAt(phase)
			src := (flow - prevFlow) / dphi * amp * ampMul
			prevFlow = flow
			noise := r.Float64()*2 - 1
			src += noise * (0.35*cah + breath*(0.2+0.8*flow/pulse.maxFlow))
			y := nzero.step(npole.step(src))
			for j := range res {
				y = res[j].step(y)
			}
			if caf > 1e-4 {
				fn := r.Float64()*2 - 1
				nf := shape.g1 * bp1.step(fn)
				if shape.f2 > 0 {
					nf += shape.g2 * bp2.step(fn)
				}
				nf += shape.flat * (fn - prevNoise)
				prevNoise = fn
				y += 0.3 * caf * nf
			}
			// a gentle lift of the high frequencies stands for the poles
			// above F5 that a five-formant cascade leaves out
			out[n] = y - 0.6*prevOut
			prevOut = y
			if cav > 0.1 || caf > 0.1 || cah > 0.1 {
				activeSum += y * y
				activeN++
			}
		}
	}
	if activeN > 0 && activeSum > 0 {
		k := 0.1 / math.Sqrt(activeSum/float64(activeN))
		for i := range out {
			out[i] = softClip(out[i] * k)
		}
	}
	return out
}

func softClip(x float64) float64 {
	if x > 0.9 || x < -0.9 {
		return math.Tanh(x)
	}
	return x
}

// consonant frequencies for random text (roughly those of English)
var (
	onsetWeights = map[string]float64{"t": 9, "n": 7, "s": 7, "r": 6, "l": 6, "d": 5, "k": 5, "m": 5, "h": 3,
		"p": 3, "b": 3, "w": 3, "f": 3, "v": 2, "y": 2, "g": 2, "z": 1, "c": 2}
	codaWeights = map[string]float64{"n": 8, "t": 6, "s": 6, "r": 3, "l": 4, "m": 3, "d": 3, "k": 3, "z": 2, "c": 1}
)

// pick draws a key of w with probability proportional to its weight, in
// the order of Consonants so the draw is deterministic.
func pick(r *rand.Rand, w map[string]float64) string {
	tot := 0.0
	for _, c := range Consonants {
		tot += w[c]
	}
	x := r.Float64() * tot
	for _, c := range Consonants {
		if x -= w[c]; x < 0 && w[c] > 0 {
			return c
		}
	}
	return "t"
}

// RandomSyllables draws random speech filling seconds at the voice's
// rate (varied by a few per cent per utterance): intonation phrases of
// 4–12 syllables separated by pauses of 0.1–0.3 s, with silence before and
// after; words of one to three syllables with one stressed syllable;
// syllables V, CV or CVC. Stressed and phrase-final syllables are longer.
// Durations are stretched slightly so the tokens last exactly seconds.
func RandomSyllables(r *rand.Rand, v Voice, seconds float64) []Token {
	if !(v.Rate > 0) || !(seconds > 0) {
		return []Token{{Dur: math.Max(seconds, 0.01)}}
	}
	lead, trail := uniform(r, 0.1, 0.3), uniform(r, 0.1, 0.3)
	avail := seconds - lead - trail
	toks := []Token{{Dur: lead}}
	if avail < 0.15 {
		toks[0].Dur += math.Max(avail, 0)
		return append(toks, Token{Dur: trail})
	}
	rate := v.Rate * math.Exp(0.06*r.NormFloat64())
	var body []Token
	used := 0.0
	for {
		if len(body) > 0 {
			p := uniform(r, 0.1, 0.3)
			if used+p+0.8/rate > avail {
				break
			}
			body = append(body, Token{Dur: p})
			used += p
		}
		// a phrase: as many syllables as wanted and as fit
		want := 4 + r.IntN(9)
		var ph []Token
		phDur := 0.0
		for len(ph) < want {
			nw := 1 + r.IntN(3)
			stressed := 0
			switch {
			case nw == 1 && r.Float64() < 0.4:
				stressed = -1 // a function word
			case nw > 1 && r.Float64() < 0.3:
				stressed = 1
			}
			for k := 0; k < nw && len(ph) < want; k++ {
				syl, shape := Vowels[r.IntN(len(Vowels))], 0.8
				if x := r.Float64(); x < 0.94 {
					syl, shape = pick(r, onsetWeights)+syl, 1
					if x < 0.3 {
						syl, shape = syl+pick(r, codaWeights), 1.25
					}
				}
				weak := k != stressed
				w := shape * math.Exp(0.1*r.NormFloat64())
				if weak {
					w *= 0.75
				} else {
					w *= 1.2
				}
				d := w / rate / 1.05
				if used+phDur+d > avail {
					want = len(ph)
					break
				}
				ph = append(ph, Token{Syl: syl, Dur: d, Weak: weak})
				phDur += d
			}
		}
		if len(ph) == 0 {
			break
		}
		// phrase-final lengthening
		ext := 0.35 * ph[len(ph)-1].Dur
		if used+phDur+ext <= avail {
			ph[len(ph)-1].Dur += ext
			phDur += ext
		}
		body = append(body, ph...)
		used += phDur
	}
	if len(body) > 0 && body[len(body)-1].Syl == "" {
		used -= body[len(body)-1].Dur
		body = body[:len(body)-1]
	}
	// stretch to fill the time exactly
	if used > 0 {
		k := avail / used
		for i := range body {
			body[i].Dur *= k
		}
	} else {
		toks[0].Dur += avail
	}
	toks = append(toks, body...)
	return append(toks, Token{Dur: trail})
}
