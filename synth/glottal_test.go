package synth

import (
	"math"
	"testing"
)

// TestLFPulse checks the tabulated LF pulses against the model's
// definition: the flow derivative's negative peak (the excitation) is −1
// at te, the flow peaks at tp, starts and ends at zero, and the return
// phase lasts about ta; laxer pulses (higher Rd) open longer and close
// more softly.
func TestLFPulse(t *testing.T) {
	prevTe, prevTa := 0.0, 0.0
	for _, rd := range []float64{0.3, 1, 2.7} {
		p := makeLFPulse(rd)
		rkp := (22.4 + 11.8*rd) / 100
		rgp := 0.25 * rkp / (0.11*rd/(0.5+1.2*rkp) - (-1+4.8*rd)/100)
		tp := 1 / (2 * rgp)
		te := tp * (1 + rkp)
		minD, argMin, argMax := 0.0, 0, 0
		for i := 0; i < lfTableLen; i++ {
			d := (p.flow[i+1] - p.flow[i]) * lfTableLen
			if d < minD {
				minD, argMin = d, i
			}
			if p.flow[i] > p.flow[argMax] {
				argMax = i
			}
		}
		// for lax pulses the open phase's minimum may come just before te,
		// where E(te) = −1 still holds
		ie := int(te*lfTableLen) - 1
		atTe := (p.flow[ie+1] - p.flow[ie]) * lfTableLen
		gotTe, gotTp := float64(argMin)/lfTableLen, float64(argMax)/lfTableLen
		if math.Abs(atTe+1) > 0.05 || minD < -1.05 || math.Abs(gotTe-te) > 0.02 || math.Abs(gotTp-tp) > 0.01 {
			t.Errorf("Rd %g: derivative %.3f at te %.3f, minimum %.3f at %.3f (want −1 there), flow peak at %.3f (want %.3f)", rd, atTe, te, minD, gotTe, gotTp, tp)
		}
		if p.flow[0] != 0 || p.flow[lfTableLen] > 1e-3*p.maxFlow {
			t.Errorf("Rd %g: flow starts at %g and ends at %g of its peak", rd, p.flow[0], p.flow[lfTableLen]/p.maxFlow)
		}
		// the return phase: the derivative recovers to 1/e of its peak
		// after about ta (the exponential's time constant)
		i := argMin
		for i < lfTableLen-1 && (p.flow[i+1]-p.flow[i])*lfTableLen < minD/math.E {
			i++
		}
		ta := (-1 + 4.8*rd) / 100
		gotTa := float64(i-argMin) / lfTableLen
		if math.Abs(gotTa-ta) > 0.3*ta+1.5/lfTableLen || gotTe <= prevTe || gotTa <= prevTa {
			t.Errorf("Rd %g: te %.3f, return time %.4f (want ≈ %.4f); both must exceed the tenser pulse's (%.3f, %.4f)", rd, gotTe, gotTa, ta, prevTe, prevTa)
		}
		prevTe, prevTa = gotTe, gotTa
	}
}
