package synth

import (
	"fmt"
	"math"
	"strconv"
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
// fixed for one speaker. The zero values of PitchRange and Creak mean
// 4 semitones and no creak.
type Voice struct {
	F0           float64 // mean fundamental frequency in Hz (≈ 80–300)
	FormantScale float64 // multiplies every formant frequency; ≈ 17 cm / vocal-tract length
	Breathiness  float64 // 0–1: laxer glottal pulses (LF Rd), aspiration noise, wider formant bandwidths
	Jitter       float64 // relative standard deviation of period-to-period F0 (e.g. 0.01)
	Shimmer      float64 // relative standard deviation of period-to-period amplitude (e.g. 0.05)
	Rate         float64 // articulation rate, syllables per second of speech (pauses excluded)
	PitchRange   float64 // size of pitch accents and declination in semitones (≈ 2–8)
	Creak        float64 // 0–1: chance of creaky voice at the end of a falling phrase
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
	case !(v.PitchRange >= 0 && v.PitchRange <= 24), !(v.Creak >= 0 && v.Creak <= 1):
		return fmt.Errorf("synth: voice pitch range %g semitones (want [0, 24]) / creak %g (want [0, 1]) out of range", v.PitchRange, v.Creak)
	}
	return nil
}

// Articulation is the visible state of the mouth at one moment.
type Articulation struct {
	Open  float64 // jaw opening: 0 closed … 1 wide open (as for "a")
	Round float64 // lip shape: −1 spread (as for "i") … +1 rounded (as for "u")
}

// Token is one unit of an utterance: a syllable ("ba", "o", "tis") or, when
// Syl is empty, a pause. Dur is its length in seconds (0 means the voice's
// default: 1/Rate for a syllable, 0.15 s for a pause). A Weak syllable is
// unstressed: its vowel is softer and nearer schwa and it carries no pitch
// accent. Pauses of 0.1 s or more end an intonation phrase.
type Token struct {
	Syl  string
	Dur  float64
	Weak bool
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
	// Phones are the phones said and the pauses ("sil"), in order, with
	// the times the synthesiser gave them; they cover the whole utterance.
	Phones []PhoneSpan
}

// PhoneSpan is one phone of an utterance (a consonant, a vowel or "sil"
// for a pause) from Start to End seconds. A consonant's span holds all
// its phases (closure, burst, aspiration).
type PhoneSpan struct {
	Phone      string
	Start, End float64
}

// Silence is the phone name of pauses in PhoneSpan.
const Silence = "sil"

// FormatPhones writes spans as the "phones" label of caption clips:
// "sil:0.000-0.150 l:0.150-0.212 e:0.212-0.330 …" (seconds).
func FormatPhones(spans []PhoneSpan) string {
	var b strings.Builder
	for i, s := range spans {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%.3f-%.3f", s.Phone, s.Start, s.End)
	}
	return b.String()
}

// ParsePhones reads a label written by FormatPhones; an error names the
// first malformed span.
func ParsePhones(label string) ([]PhoneSpan, error) {
	var out []PhoneSpan
	for _, f := range strings.Fields(label) {
		name, times, ok := strings.Cut(f, ":")
		a, b, ok2 := strings.Cut(times, "-")
		if !ok || !ok2 || name == "" {
			return nil, fmt.Errorf("synth: phone span %q: want PHONE:START-END", f)
		}
		t0, err0 := strconv.ParseFloat(a, 64)
		t1, err1 := strconv.ParseFloat(b, 64)
		if err0 != nil || err1 != nil || !(t0 >= 0 && t1 >= t0 && t1 < 1e6) {
			return nil, fmt.Errorf("synth: phone span %q: want times 0 ≤ START ≤ END", f)
		}
		out = append(out, PhoneSpan{Phone: name, Start: t0, End: t1})
	}
	return out, nil
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
