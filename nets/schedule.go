package nets

import "math"

// Schedule gives the learning rate for a step (or epoch) number counted
// from 0. Fit calls it before every optimiser step with the number of
// steps taken so far, or, with TrainOptions.SchedulePerEpoch, once at the
// start of every epoch with the epoch index — the way torch's schedulers
// are stepped once per epoch.
type Schedule interface {
	LR(step int) float64
}

// ScheduleFunc adapts a function to Schedule.
type ScheduleFunc func(step int) float64

// LR implements Schedule.
func (f ScheduleFunc) LR(step int) float64 { return f(step) }

// Constant is a fixed learning rate.
type Constant float64

// LR implements Schedule.
func (c Constant) LR(int) float64 { return float64(c) }

// StepLR multiplies Base by Gamma every Every steps, like
// torch.optim.lr_scheduler.StepLR(step_size=Every, gamma=Gamma).
type StepLR struct {
	Base  float64
	Every int
	Gamma float64
}

// LR implements Schedule.
func (s StepLR) LR(step int) float64 {
	if s.Every <= 0 || step < 0 {
		return s.Base
	}
	return s.Base * math.Pow(s.Gamma, float64(step/s.Every))
}

// Cosine anneals from Base to Min over Steps steps along half a cosine,
// the closed form of torch.optim.lr_scheduler.CosineAnnealingLR(T_max=Steps,
// eta_min=Min). Past Steps it stays at Min (torch's would rise again
// along the cosine, which is rarely wanted).
type Cosine struct {
	Base, Min float64
	Steps     int
}

// LR implements Schedule.
func (c Cosine) LR(step int) float64 {
	if c.Steps <= 0 || step >= c.Steps {
		return c.Min
	}
	if step < 0 {
		step = 0
	}
	return c.Min + (c.Base-c.Min)*(1+math.Cos(math.Pi*float64(step)/float64(c.Steps)))/2
}

// Warmup scales Then by a factor that rises linearly from Start to 1 over
// the first Steps steps, like torch.optim.lr_scheduler.LinearLR(
// start_factor=Start, end_factor=1, total_iters=Steps) applied on top of
// Then (Then == nil counts as a constant 1, so Warmup gives the factor).
type Warmup struct {
	Then  Schedule
	Steps int
	Start float64
}

// LR implements Schedule.
func (w Warmup) LR(step int) float64 {
	base := 1.0
	if w.Then != nil {
		base = w.Then.LR(step)
	}
	if w.Steps <= 0 || step >= w.Steps {
		return base
	}
	if step < 0 {
		step = 0
	}
	return base * (w.Start + (1-w.Start)*float64(step)/float64(w.Steps))
}
