package synth

import (
	"math"
	"sync"
)

// The glottal source is the Liljencrants–Fant (LF) model of the glottal
// flow derivative, parameterised by Fant's single shape parameter Rd:
// ≈ 0.3 pressed, ≈ 1 modal, ≈ 2.7 breathy (a softer closure and a steeper
// spectral tilt). Pulse shapes are tabulated once, on a grid of Rd, as the
// glottal flow over one period; the synthesiser differentiates the flow
// sample by sample, which band-limits the sharp closure a little.

const (
	lfRdMin, lfRdMax, lfRdStep = 0.3, 2.7, 0.1
	lfTableLen                 = 1024
)

// lfPulse is one tabulated LF pulse: flow[i] is the glottal flow at phase
// i/lfTableLen of the period, for a flow derivative whose negative peak
// (the excitation at closure) is −1 in units of one period.
type lfPulse struct {
	flow    [lfTableLen + 1]float64
	maxFlow float64
}

var (
	lfOnce   sync.Once
	lfPulses []lfPulse
)

// lfTables returns the pulses for Rd = lfRdMin, lfRdMin+lfRdStep, … lfRdMax.
func lfTables() []lfPulse {
	lfOnce.Do(func() {
		n := int(math.Round((lfRdMax-lfRdMin)/lfRdStep)) + 1
		lfPulses = make([]lfPulse, n)
		for i := range lfPulses {
			lfPulses[i] = makeLFPulse(lfRdMin + float64(i)*lfRdStep)
		}
	})
	return lfPulses
}

// lfIndex returns the table index nearest to rd (clamped to the grid).
func lfIndex(rd float64) int {
	i := int(math.Round((rd - lfRdMin) / lfRdStep))
	return clampInt(i, 0, int(math.Round((lfRdMax-lfRdMin)/lfRdStep)))
}

// flowAt interpolates the pulse's flow at phase ∈ [0, 1).
func (p *lfPulse) flowAt(phase float64) float64 {
	x := phase * lfTableLen
	i := int(x)
	if i >= lfTableLen {
		return p.flow[lfTableLen]
	}
	fr := x - float64(i)
	return p.flow[i] + fr*(p.flow[i+1]-p.flow[i])
}

// makeLFPulse builds the LF pulse for rd from Fant's (1995) regressions of
// the timing parameters on Rd, with the period T0 = 1: rise time tp,
// excitation instant te, return-phase constant ta; the growth constant α
// is found so the flow returns to zero at the end of the period.
func makeLFPulse(rd float64) lfPulse {
	rap := (-1 + 4.8*rd) / 100
	rkp := (22.4 + 11.8*rd) / 100
	rgp := 0.25 * rkp / (0.11*rd/(0.5+1.2*rkp) - rap)
	tp := 1 / (2 * rgp)
	te := tp * (1 + rkp)
	ta := rap
	wg := math.Pi / tp
	// ε·ta = 1 − exp(−ε(1−te)), by fixed-point iteration from 1/ta
	eps := 1 / ta
	for k := 0; k < 50; k++ {
		eps = (1 - math.Exp(-eps*(1-te))) / ta
	}
	tailExp := math.Exp(-eps * (1 - te))
	// area of the return phase for Ee = 1
	aRet := -1 / (eps * ta) * ((1-tailExp)/eps - (1-te)*tailExp)
	// area of the open phase, E(t) = E0 e^{αt} sin(ωg t) with E(te) = −1
	openArea := func(alpha float64) float64 {
		e0 := -1 / (math.Exp(alpha*te) * math.Sin(wg*te))
		prim := func(t float64) float64 {
			return math.Exp(alpha*t) * (alpha*math.Sin(wg*t) - wg*math.Cos(wg*t)) / (alpha*alpha + wg*wg)
		}
		return e0 * (prim(te) - prim(0))
	}
	// openArea falls as α grows; bisect openArea(α) + aRet = 0
	lo, hi := -50.0, 200.0
	for k := 0; k < 100; k++ {
		mid := (lo + hi) / 2
		if openArea(mid)+aRet > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	alpha := (lo + hi) / 2
	e0 := -1 / (math.Exp(alpha*te) * math.Sin(wg*te))
	deriv := func(t float64) float64 {
		if t <= te {
			return e0 * math.Exp(alpha*t) * math.Sin(wg*t)
		}
		return -1 / (eps * ta) * (math.Exp(-eps*(t-te)) - tailExp)
	}
	// integrate the derivative (midpoint rule, 8 sub-steps per entry)
	var p lfPulse
	const sub = 8
	h := 1.0 / (lfTableLen * sub)
	u := 0.0
	for i := 0; i < lfTableLen; i++ {
		p.flow[i] = u
		for k := 0; k < sub; k++ {
			u += deriv((float64(i*sub+k)+0.5)*h) * h
		}
	}
	p.flow[lfTableLen] = u
	// remove the small residual of the numerical integration linearly so
	// the flow ends where it started, and flow is never negative
	for i := range p.flow {
		p.flow[i] -= u * float64(i) / lfTableLen
		p.flow[i] = math.Max(p.flow[i], 0)
		p.maxFlow = math.Max(p.maxFlow, p.flow[i])
	}
	return p
}
