package lipsync

import (
	"math"
	"slices"
)

// MouthOpening measures how open the mouth is in a lower-half crop
// ([3, k, k], values in [0, 1], as the networks see it): the share of the
// mouth region (rows 15–65 %, columns 25–75 % of the crop) that is much
// darker than the region's median — the inside of an open mouth. It reads
// pixels only, so it scores real and generated frames alike; on
// synth.Speakers faces it follows the synthesiser's true opening
// (TestMouthOpeningFollowsTruth).
func mouthOpening(crop []float32, k int) float64 {
	y0, y1 := int(0.15*float64(k)), int(math.Ceil(0.65*float64(k)))
	x0, x1 := int(0.25*float64(k)), int(math.Ceil(0.75*float64(k)))
	luma := make([]float64, 0, (y1-y0)*(x1-x0))
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			i := y*k + x
			luma = append(luma, 0.299*float64(crop[i])+0.587*float64(crop[k*k+i])+0.114*float64(crop[2*k*k+i]))
		}
	}
	sorted := slices.Clone(luma)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if med <= 0 {
		return 0
	}
	// a soft threshold between 40 % and 20 % of the median: a closed
	// mouth's lip line stays above it, the open mouth's inside falls below
	var s float64
	for _, l := range luma {
		s += min(1, max(0, (0.4*med-l)/(0.2*med)))
	}
	return s / float64(len(luma))
}

// openings measures every crop.
func openings(crops [][]float32, k int) []float64 {
	out := make([]float64, len(crops))
	for i, c := range crops {
		out[i] = mouthOpening(c, k)
	}
	return out
}

// corrAcc accumulates the correlation of paired series, each pair
// centred on its own means first, so that what is compared is how the
// mouth moves within a clip, not how wide one face's mouth is.
type corrAcc struct{ sxy, sxx, syy float64 }

// add adds the pair x, y (their common length).
func (a *corrAcc) add(x, y []float64) {
	n := min(len(x), len(y))
	if n < 2 {
		return
	}
	var mx, my float64
	for i := 0; i < n; i++ {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	for i := 0; i < n; i++ {
		dx, dy := x[i]-mx, y[i]-my
		a.sxy += dx * dy
		a.sxx += dx * dx
		a.syy += dy * dy
	}
}

// r is Pearson's correlation; 0 when a series does not move.
func (a *corrAcc) r() float64 {
	if a.sxx <= 0 || a.syy <= 0 {
		return 0
	}
	return a.sxy / math.Sqrt(a.sxx*a.syy)
}
