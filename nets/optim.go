package nets

import (
	"fmt"
	"math"
	"sort"
)

// Optimizer updates parameters in place from their gradients.
//
// Step reads Param.Grad and writes Param.Data of every non-buffer
// parameter in ps (buffers are skipped). The same ps, in the same order or
// not, should be passed at every step: per-parameter state (momentum,
// moment estimates) is keyed by the *Param.
type Optimizer interface {
	Step(ps []*Param) error
	SetLR(lr float64)
	LR() float64
}

// Stateful is implemented by optimisers whose update depends on earlier
// steps (momentum buffers, Adam moments, the step count). State returns
// that state as Params that share the optimiser's memory, named after the
// parameters they belong to ("optim.exp_avg.fc.weight", …, "optim.step"),
// so that SaveSafetensors writes it and LoadSafetensors restores it: a
// training resumed from saved weights plus saved state continues exactly
// as if it had not stopped. State creates zero state for parameters that
// have none yet, so it can be called on a fresh optimiser before loading.
type Stateful interface {
	State(ps []*Param) []*Param
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, computing exactly what torch.optim.SGD
// computes with dampening 0:
//
//	g = grad + WeightDecay·p
//	b = g (first step), b = Momentum·b + g (later steps)
//	g = g + Momentum·b (Nesterov) or g = b
//	p = p − lr·g
//
// The arithmetic follows torch 1.13's float32 CPU kernels operation by
// operation (the goldens of testdata/nets/gen_train.py agree bit for bit).
// Like the step count of Adam, "first step" is counted for the optimiser
// as a whole: pass the same parameters at every step.
type SGD struct {
	Rate        float64 // learning rate
	Momentum    float64 // 0 disables momentum
	Nesterov    bool    // requires Momentum > 0
	WeightDecay float64 // L2 penalty added to the gradient

	buf map[*Param][]float32
	t   []float32 // steps taken, one element, as a tensor so it can be saved
}

// NewSGD returns SGD with learning rate lr and the given momentum.
func NewSGD(lr, momentum float64) *SGD { return &SGD{Rate: lr, Momentum: momentum} }

// LR returns the learning rate.
func (o *SGD) LR() float64 { return o.Rate }

// SetLR sets the learning rate (used by schedules).
func (o *SGD) SetLR(lr float64) { o.Rate = lr }

func (o *SGD) init() {
	if o.buf == nil {
		o.buf = map[*Param][]float32{}
	}
	if o.t == nil {
		o.t = []float32{0}
	}
}

func (o *SGD) buffer(p *Param) []float32 {
	b := o.buf[p]
	if b == nil {
		b = make([]float32, len(p.Data))
		o.buf[p] = b
	}
	return b
}

// Step applies one update.
func (o *SGD) Step(ps []*Param) error {
	if err := optimCheck("SGD", o.Rate, ps); err != nil {
		return err
	}
	if o.Nesterov && o.Momentum <= 0 {
		return fmt.Errorf("nets: SGD: Nesterov momentum requires Momentum > 0 (got %g)", o.Momentum)
	}
	o.init()
	first := o.t[0] == 0
	o.t[0]++
	lr, mom, wd := float32(o.Rate), float32(o.Momentum), float32(o.WeightDecay)
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		w := p.Data
		g := p.Grad[:len(w)]
		if mom == 0 {
			for i, gi := range g {
				if wd != 0 {
					gi = optimFMA(wd, w[i], gi)
				}
				w[i] = optimFMA(-lr, gi, w[i])
			}
			continue
		}
		b := o.buffer(p)[:len(w)]
		for i, gi := range g {
			if wd != 0 {
				gi = optimFMA(wd, w[i], gi)
			}
			bi := gi
			if !first {
				bi = float32(b[i]*mom) + gi
			}
			b[i] = bi
			if o.Nesterov {
				gi = optimFMA(mom, bi, gi)
			} else {
				gi = bi
			}
			w[i] = optimFMA(-lr, gi, w[i])
		}
	}
	return nil
}

// State implements Stateful: "optim.momentum_buffer.<name>" for each
// learnable parameter (when Momentum ≠ 0) and the step count "optim.step"
// (I64).
func (o *SGD) State(ps []*Param) []*Param {
	o.init()
	var out []*Param
	if o.Momentum != 0 {
		for _, p := range sortedLearnable(ps) {
			out = append(out, &Param{Name: "optim.momentum_buffer." + p.Name, Shape: p.Shape, Data: o.buffer(p), Buffer: true})
		}
	}
	return append(out, &Param{Name: "optim.step", Shape: []int{}, Data: o.t, Buffer: true, DType: "I64"})
}

// Adam is torch.optim.Adam (amsgrad off): weight decay is an L2 term added
// to the gradient, and bias correction is applied as torch does:
//
//	g = grad + WeightDecay·p
//	m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//	p = p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)
//
// The arithmetic follows torch 1.13's float32 CPU kernels (foreach=False)
// operation by operation; the goldens agree bit for bit.
type Adam struct {
	Rate         float64
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
	// Decoupled selects AdamW: p = p·(1 − lr·WeightDecay) before the Adam
	// update, instead of adding WeightDecay·p to the gradient.
	Decoupled bool

	m, v map[*Param][]float32
	t    []float32 // step count, one element, as a tensor so it can be saved
}

// NewAdam returns Adam with torch's defaults (β = 0.9, 0.999, ε = 1e-8,
// no weight decay).
func NewAdam(lr float64) *Adam {
	return &Adam{Rate: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAdamW returns AdamW with torch's defaults (β = 0.9, 0.999, ε = 1e-8)
// and decoupled weight decay wd (torch's default is 0.01).
func NewAdamW(lr, wd float64) *Adam {
	return &Adam{Rate: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd, Decoupled: true}
}

// LR returns the learning rate.
func (o *Adam) LR() float64 { return o.Rate }

// SetLR sets the learning rate (used by schedules).
func (o *Adam) SetLR(lr float64) { o.Rate = lr }

// Steps returns the number of steps taken.
func (o *Adam) Steps() int {
	if o.t == nil {
		return 0
	}
	return int(o.t[0])
}

func (o *Adam) init() {
	if o.m == nil {
		o.m, o.v = map[*Param][]float32{}, map[*Param][]float32{}
	}
	if o.t == nil {
		o.t = []float32{0}
	}
}

func (o *Adam) moments(p *Param) (m, v []float32) {
	m, v = o.m[p], o.v[p]
	if m == nil {
		m, v = make([]float32, len(p.Data)), make([]float32, len(p.Data))
		o.m[p], o.v[p] = m, v
	}
	return m, v
}

// Step applies one update.
func (o *Adam) Step(ps []*Param) error {
	name := "Adam"
	if o.Decoupled {
		name = "AdamW"
	}
	if err := optimCheck(name, o.Rate, ps); err != nil {
		return err
	}
	if o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1 {
		return fmt.Errorf("nets: %s: betas (%g, %g) must lie in [0, 1)", name, o.Beta1, o.Beta2)
	}
	o.init()
	o.t[0]++
	t := float64(o.t[0])
	// Scalars are computed in float64 like torch's Python side, then used
	// in float32 arithmetic like torch's float32 kernels.
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2sqrt := float32(math.Sqrt(1 - math.Pow(o.Beta2, t)))
	k := adamScalars{
		a1: float64(float32(1 - o.Beta1)), wd: float64(float32(o.WeightDecay)),
		b1: float32(o.Beta1), b2: float32(o.Beta2), a2: float32(1 - o.Beta2), eps: float32(o.Eps),
		decay: float32(1 - o.Rate*o.WeightDecay), negStep: -float32(o.Rate / bc1), bc2sqrt: bc2sqrt,
	}
	switch {
	case k.wd == 0:
		k.mode = adamPlain
	case o.Decoupled:
		k.mode = adamDecoupled
	default:
		k.mode = adamL2
	}
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		m, v := o.moments(p)
		w, g := p.Data, p.Grad
		// Split in blocks of 8 so that every element takes the same
		// path (AVX or Go) whatever the number of cores.
		n := len(w)
		coreParallel((n+7)/8, 64, func(lo, hi int) {
			a, b := lo*8, min(hi*8, n)
			adamUpdate(w[a:b], g[a:b], m[a:b], v[a:b], &k)
		})
	}
	return nil
}

// adamScalars are the constants of one Adam step, in the types the update
// uses (the AVX kernel reads them at these offsets).
type adamScalars struct {
	a1, wd                                   float64 // float32 values, for the float64 fused multiply-adds
	b1, b2, a2, eps, decay, negStep, bc2sqrt float32
	mode                                     int32 // adamPlain, adamDecoupled or adamL2
}

const (
	adamPlain     = iota // no weight decay
	adamDecoupled        // AdamW: w·(1 − lr·wd) first
	adamL2               // wd·w added to the gradient
)

// adamUpdate applies one step to weights w, moments m and v from gradients
// g (all of len(w) at least): the AVX kernel on whole blocks of eight where
// it runs, adamUpdateGo on the rest; both give the same bits.
func adamUpdate(w, g, m, v []float32, k *adamScalars) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	i := 0
	if adamAVX && n >= 8 {
		i = n &^ 7
		adamKernelAVX(w[:i], g[:i], m[:i], v[:i], k)
	}
	adamUpdateGo(w[i:], g[i:], m[i:], v[i:], k)
}

// adamUpdateGo is the update of one element after another, operation by
// operation as torch 1.13's float32 kernel does it.
func adamUpdateGo(w, g, m, v []float32, k *adamScalars) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	a1, wd := float32(k.a1), float32(k.wd)
	for i, gi := range g {
		wi := w[i]
		switch k.mode {
		case adamDecoupled:
			wi = float32(wi * k.decay)
		case adamL2:
			gi = optimFMA(wd, wi, gi)
		}
		mi := optimFMA(a1, gi, float32(m[i]*k.b1))
		vi := float32(v[i]*k.b2) + float32(float32(k.a2*gi)*gi)
		m[i], v[i] = mi, vi
		den := float32(float32(math.Sqrt(float64(vi)))/k.bc2sqrt) + k.eps
		w[i] = wi + float32(float32(k.negStep*mi)/den)
	}
}

// State implements Stateful: "optim.exp_avg.<name>", "optim.exp_avg_sq.<name>"
// for each learnable parameter, and the step count "optim.step" (I64).
func (o *Adam) State(ps []*Param) []*Param {
	o.init()
	var out []*Param
	for _, p := range sortedLearnable(ps) {
		m, v := o.moments(p)
		out = append(out,
			&Param{Name: "optim.exp_avg." + p.Name, Shape: p.Shape, Data: m, Buffer: true},
			&Param{Name: "optim.exp_avg_sq." + p.Name, Shape: p.Shape, Data: v, Buffer: true})
	}
	return append(out, &Param{Name: "optim.step", Shape: []int{}, Data: o.t, Buffer: true, DType: "I64"})
}

// optimFMA returns a·b + c rounded once, as torch's vectorised CPU kernels
// compute add(x, y, alpha) on machines with FMA; the explicit float32
// conversions elsewhere stop the compiler from fusing other products, so
// that every operation rounds where torch's does.
func optimFMA(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// optimCheck validates what every optimiser needs.
func optimCheck(name string, lr float64, ps []*Param) error {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("nets: %s: learning rate %g must be finite and ≥ 0", name, lr)
	}
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		if len(p.Grad) != len(p.Data) {
			return fmt.Errorf("nets: %s: parameter %q has %d gradient values for %d weights", name, p.Name, len(p.Grad), len(p.Data))
		}
	}
	return nil
}

// sortedLearnable returns the learnable params of ps sorted by name, so
// that optimiser state names come out in a stable order.
func sortedLearnable(ps []*Param) []*Param {
	out := Learnable(ps)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
