package synth

import (
	"fmt"
	"math"
	"strings"
)

// phone is the target of one speech sound. Formants are for a 17 cm vocal
// tract (FormantScale 1).
type phone struct {
	f     [4]float64 // formant targets F1–F4, Hz
	av    float64    // voicing amplitude
	ah    float64    // aspiration amplitude (noise through the formants)
	af    float64    // frication amplitude (noise through the frication filters)
	fric  fricShape  // spectrum of the frication noise
	nz    float64    // nasal antiformant, Hz; 0 for an oral sound
	burst bool       // frication starts abruptly (a stop release)
	pitch float64    // intrinsic pitch offset in semitones
	art   Articulation
}

// fricShape is the spectrum of frication noise: two resonances and a
// broadband high-passed part, with gains.
type fricShape struct {
	f1, bw1, g1 float64
	f2, bw2, g2 float64
	flat        float64
}

// Vowels and Consonants are the phone inventory. A syllable is an optional
// onset consonant, a vowel and an optional coda consonant ("ba", "o",
// "tis"). "c" is the fricative of "she", "y" the glide of "yes".
var (
	Vowels     = []string{"a", "e", "i", "o", "u"}
	Consonants = []string{"p", "b", "m", "t", "d", "n", "k", "g", "s", "z", "c", "f", "v", "h", "l", "r", "w", "y"}
)

var vowelF = map[string][4]float64{
	"a": {730, 1220, 2440, 3400},
	"e": {530, 1840, 2480, 3500},
	"i": {280, 2250, 3000, 3700},
	"o": {570, 880, 2410, 3400},
	"u": {310, 870, 2240, 3400},
}

// schwaF is the neutral vowel that unstressed vowels drift towards.
var schwaF = [4]float64{500, 1500, 2500, 3500}

// VowelArticulation is the rule that ties what is heard to what is seen:
// jaw opening grows linearly with F1 and lip rounding falls linearly with
// F2, for the formants of a 17 cm vocal tract.
func VowelArticulation(f1, f2 float64) Articulation {
	return Articulation{
		Open:  clamp01(0.1 + 0.9*(f1-250)/(750-250)),
		Round: math.Max(-1, math.Min(1, (1500-f2)/700)),
	}
}

// vowelPhone is the target of vowel v; weak (unstressed) vowels move 35 %
// of the way to schwa and are softer.
func vowelPhone(v string, weak bool) phone {
	f := vowelF[v]
	if weak {
		for j := range f {
			f[j] += 0.35 * (schwaF[j] - f[j])
		}
	}
	a := VowelArticulation(f[0], f[1])
	// open vowels are intrinsically louder, close vowels intrinsically higher
	p := phone{f: f, av: 0.55 + 0.45*a.Open, art: a, pitch: 0.5 * (1 - 2*a.Open)}
	if weak {
		p.av *= 0.7
	}
	return p
}

// Places and manners of articulation.
const (
	labial = iota
	alveolar
	postalveolar
	velar
	glottal
)

const (
	stop = iota
	fricative
	nasal
	approximant
)

type consonant struct {
	place, manner int
	voiced        bool
	dur           float64 // typical onset duration, ms (for a stop: the closure)
	fr            fricShape
	f             [4]float64 // own formants (approximants)
	nz            float64
	art           Articulation
}

var (
	closedLips = Articulation{0, 0}
	alveolarA  = Articulation{0.15, -0.1}
)

var consonants = map[string]consonant{
	"p": {place: labial, manner: stop, dur: 65, fr: fricShape{f1: 900, bw1: 1600, g1: 0.5, flat: 0.25}, art: closedLips},
	"b": {place: labial, manner: stop, voiced: true, dur: 55, fr: fricShape{f1: 900, bw1: 1600, g1: 0.5, flat: 0.2}, art: closedLips},
	"t": {place: alveolar, manner: stop, dur: 60, fr: fricShape{f1: 4200, bw1: 2500, g1: 1, f2: 2800, bw2: 1200, g2: 0.3}, art: alveolarA},
	"d": {place: alveolar, manner: stop, voiced: true, dur: 50, fr: fricShape{f1: 4000, bw1: 2500, g1: 0.9, f2: 2800, bw2: 1200, g2: 0.3}, art: alveolarA},
	"k": {place: velar, manner: stop, dur: 65, fr: fricShape{bw1: 900, g1: 1}, art: Articulation{0.2, 0}},
	"g": {place: velar, manner: stop, voiced: true, dur: 55, fr: fricShape{bw1: 900, g1: 0.9}, art: Articulation{0.2, 0}},
	"m": {place: labial, manner: nasal, voiced: true, dur: 70, nz: 1000, art: closedLips},
	"n": {place: alveolar, manner: nasal, voiced: true, dur: 60, nz: 1600, art: alveolarA},
	"s": {place: alveolar, manner: fricative, dur: 105, fr: fricShape{f1: 5500, bw1: 2500, g1: 1, f2: 7000, bw2: 1500, g2: 0.4}, art: Articulation{0.12, -0.5}},
	"z": {place: alveolar, manner: fricative, voiced: true, dur: 80, fr: fricShape{f1: 5300, bw1: 2500, g1: 0.8, f2: 7000, bw2: 1500, g2: 0.3}, art: Articulation{0.12, -0.5}},
	"c": {place: postalveolar, manner: fricative, dur: 110, fr: fricShape{f1: 2700, bw1: 1000, g1: 1, f2: 4500, bw2: 2500, g2: 0.6}, art: Articulation{0.15, 0.6}},
	"f": {place: labial, manner: fricative, dur: 95, fr: fricShape{f1: 6000, bw1: 4000, g1: 0.2, flat: 0.12}, art: Articulation{0.06, -0.2}},
	"v": {place: labial, manner: fricative, voiced: true, dur: 65, fr: fricShape{f1: 6000, bw1: 4000, g1: 0.15, flat: 0.08}, art: Articulation{0.06, -0.2}},
	"h": {place: glottal, manner: fricative, dur: 65},
	"l": {place: alveolar, manner: approximant, voiced: true, dur: 60, f: [4]float64{360, 1100, 2800, 3400}, art: Articulation{0.3, 0}},
	"r": {place: alveolar, manner: approximant, voiced: true, dur: 55, f: [4]float64{350, 1100, 1650, 3200}, art: Articulation{0.2, 0.4}},
	"w": {place: labial, manner: approximant, voiced: true, dur: 55, f: [4]float64{300, 700, 2300, 3300}, art: Articulation{0.12, 0.9}},
	"y": {place: postalveolar, manner: approximant, voiced: true, dur: 50, f: [4]float64{280, 2150, 2900, 3500}, art: Articulation{0.15, -0.6}},
}

// locus returns the formants at the constriction of a consonant next to a
// vowel with formants v: F2 follows locus equations (F2 = k·F2vowel + c,
// per place), F1 drops to the constriction value.
func locus(c consonant, v [4]float64) [4]float64 {
	f := v
	switch c.place {
	case labial:
		f[1] = 0.75*v[1] + 150
		f[2] = v[2] - 200
	case alveolar:
		f[1] = 0.4*v[1] + 1100
		f[2] = 0.5*v[2] + 1350
	case postalveolar:
		f[1] = 0.35*v[1] + 1350
		f[2] = 2500
	case velar:
		if v[1] > 1500 {
			f[1] = 0.9*v[1] + 200
		} else {
			f[1] = 0.7*v[1] + 500
		}
		f[2] = math.Max(v[2], f[1]+500)
	case glottal:
		return v
	}
	f[0] = 250
	return f
}

// parseSyllable splits a syllable into onset consonant, vowel and coda
// consonant ("" when absent).
func parseSyllable(syl string) (onset, vowel, coda string, err error) {
	i := strings.IndexAny(syl, "aeiou")
	bad := func(why string) (string, string, string, error) {
		return "", "", "", fmt.Errorf("syllable %q: %s (vowels %s; consonants %s)", syl, why,
			strings.Join(Vowels, " "), strings.Join(Consonants, " "))
	}
	if i < 0 {
		return bad("no vowel")
	}
	onset, vowel, coda = syl[:i], syl[i:i+1], syl[i+1:]
	if len(onset) > 1 || len(coda) > 1 {
		return bad("want at most one consonant before and after the vowel")
	}
	for _, c := range []string{onset, coda} {
		if _, ok := consonants[c]; c != "" && !ok {
			return bad(fmt.Sprintf("%q is not a consonant", c))
		}
	}
	return onset, vowel, coda, nil
}

// segment is a stretch of constant targets.
type segment struct {
	n  int // control steps
	ph phone
}

// syllableSegments splits n control steps of a syllable into the phases of
// its consonants and its vowel. fv perturbs the vowel's formants (token-to-
// token variation); tempo scales the consonant durations. It also returns
// the index of the vowel's segment.
func syllableSegments(syl string, n int, weak bool, fv [4]float64, tempo float64) ([]segment, int, error) {
	onset, v, coda, err := parseSyllable(syl)
	if err != nil {
		return nil, 0, err
	}
	vp := vowelPhone(v, weak)
	for j := range vp.f {
		vp.f[j] *= fv[j]
	}
	if n < 8 {
		return []segment{{n: n, ph: vp}}, 0, nil
	}
	ms := func(x float64) int { return max(1, int(math.Round(x*tempo/1000/TrackStep))) }
	var pre, post []segment
	if onset != "" {
		pre = consonantSegments(consonants[onset], vp, ms, false)
	}
	if coda != "" {
		post = consonantSegments(consonants[coda], vp, ms, true)
	}
	// consonants take at most 65 % of the syllable
	used := sumN(pre) + sumN(post)
	if lim := n * 65 / 100; used > lim {
		k := float64(lim) / float64(used)
		for _, s := range [][]segment{pre, post} {
			for i := range s {
				s[i].n = max(1, int(float64(s[i].n)*k))
			}
		}
		used = sumN(pre) + sumN(post)
	}
	if used >= n {
		return []segment{{n: n, ph: vp}}, 0, nil
	}
	out := append(pre, segment{n: n - used, ph: vp})
	return append(out, post...), len(pre), nil
}

// consonantSegments returns the phases of consonant c next to vowel vp:
// for a stop, closure, burst and (voiceless onsets) aspiration; coda stops
// are released more weakly and without aspiration.
func consonantSegments(c consonant, vp phone, ms func(float64) int, coda bool) []segment {
	loc := locus(c, vp.f)
	k := 1.0
	if coda {
		k = 0.85
	}
	switch c.manner {
	case stop:
		fr := c.fr
		if c.place == velar {
			fr.f1 = loc[1] * 1.05 // velar bursts are compact, near the F2 locus
		}
		clo := phone{f: loc, art: c.art}
		if c.voiced {
			clo.av = 0.04 // voice bar
			clo.f[0] = 180
		}
		relAmp := 0.7
		if coda {
			relAmp = 0.3
		}
		burst := phone{f: loc, af: relAmp, fric: fr, burst: true, art: Articulation{c.art.Open + 0.1, c.art.Round}}
		burstMs := [...]float64{labial: 8, alveolar: 12, postalveolar: 12, velar: 16}[c.place]
		segs := []segment{{n: ms(c.dur * k), ph: clo}, {n: ms(burstMs), ph: burst}}
		if !c.voiced && !coda {
			vot := [...]float64{labial: 45, alveolar: 55, postalveolar: 55, velar: 65}[c.place]
			asp := phone{f: vp.f, ah: 0.55, art: vp.art, pitch: 1.5}
			segs = append(segs, segment{n: ms(vot), ph: asp})
		}
		return segs
	case fricative:
		if c.place == glottal {
			return []segment{{n: ms(c.dur * k), ph: phone{f: vp.f, ah: 0.5, art: vp.art, pitch: 1}}}
		}
		p := phone{f: loc, af: 0.6, fric: c.fr, art: c.art, pitch: 1}
		if c.voiced {
			p.av, p.af, p.pitch = 0.2, 0.35, 0
		}
		return []segment{{n: ms(c.dur * k), ph: p}}
	case nasal:
		f := loc
		f[0] = 260
		return []segment{{n: ms(c.dur * k), ph: phone{f: f, av: 0.35, nz: c.nz, art: c.art}}}
	default: // approximant
		return []segment{{n: ms(c.dur * k), ph: phone{f: c.f, av: 0.4, art: c.art}}}
	}
}

func sumN(s []segment) int {
	t := 0
	for _, x := range s {
		t += x.n
	}
	return t
}
