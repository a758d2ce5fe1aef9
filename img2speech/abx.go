package img2speech

import (
	"math"
	"math/rand"
)

// abxTriplets is the number of (A, B, X) triplets drawn per measure.
const abxTriplets = 20000

// phoneSegment is one stretch of frames of one phone (not silence) in an
// utterance, with its representation.
type phoneSegment struct {
	phone, speaker string
	vec            []float64
}

// phoneSegments cuts utterances into runs of frames of one phone (silence
// left out) and represents each by rep(utterance index, first frame, end
// frame).
func phoneSegments(us []*utterance, rep func(i, a, b int) []float64) []phoneSegment {
	var out []phoneSegment
	for i, u := range us {
		for a := 0; a < len(u.phones); {
			b := a + 1
			for b < len(u.phones) && u.phones[b] == u.phones[a] {
				b++
			}
			if u.phones[a] != silencePhone {
				out = append(out, phoneSegment{phone: u.phones[a], speaker: u.speaker, vec: rep(i, a, b)})
			}
			a = b
		}
	}
	return out
}

// silencePhone is the phone name of pauses in the "phones" label.
const silencePhone = "sil"

// unitHistogram represents frames [a, b) by the share of each of k units
// among them (units: one per stride frames).
func unitHistogram(units []int, k, stride, a, b int) []float64 {
	h := make([]float64, k)
	for t := a; t < b; t++ {
		h[units[min(t/stride, len(units)-1)]]++
	}
	for i := range h {
		h[i] /= float64(b - a)
	}
	return h
}

// abxError is the ABX error across speakers: the share of triplets where
// X (a phone said by one speaker) is not closer (cosine distance) to A
// (the same phone by another speaker) than to B (another phone by A's
// speaker); ties count half. It returns NaN when no triplet exists.
func abxError(segs []phoneSegment, seed int64) float64 {
	byPhone := map[string][]int{}
	bySpeaker := map[string][]int{}
	for i, s := range segs {
		byPhone[s.phone] = append(byPhone[s.phone], i)
		bySpeaker[s.speaker] = append(bySpeaker[s.speaker], i)
	}
	r := rand.New(rand.NewSource(seed))
	errs, n := 0.0, 0
	for try := 0; try < 20*abxTriplets && n < abxTriplets; try++ {
		x := segs[r.Intn(len(segs))]
		same := byPhone[x.phone]
		a := segs[same[r.Intn(len(same))]]
		if a.speaker == x.speaker {
			continue
		}
		others := bySpeaker[a.speaker]
		b := segs[others[r.Intn(len(others))]]
		if b.phone == x.phone {
			continue
		}
		da, db := cosineDistance(x.vec, a.vec), cosineDistance(x.vec, b.vec)
		switch {
		case da > db:
			errs++
		case da == db:
			errs += 0.5
		}
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return errs / float64(n)
}

func cosineDistance(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 || bb == 0 {
		return 1
	}
	return 1 - ab/math.Sqrt(aa*bb)
}
