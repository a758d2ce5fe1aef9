package nets

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The losses below return scalar nodes and follow torch.nn.functional with
// its default reduction ('mean'; 'batchmean' for KLDivLoss). All inputs are
// Float32 nodes.

// MSELoss is mean((pred − target)²) over all elements, as F.mse_loss.
func MSELoss(pred, target *G.Node) (_ *G.Node, err error) {
	defer seqRecover("MSELoss", &err)
	if err := lossSameShape("MSELoss", pred, target); err != nil {
		return nil, err
	}
	d, err := G.Sub(pred, target)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq)
}

// L1Loss is mean(|pred − target|) over all elements, as F.l1_loss.
func L1Loss(pred, target *G.Node) (_ *G.Node, err error) {
	defer seqRecover("L1Loss", &err)
	if err := lossSameShape("L1Loss", pred, target); err != nil {
		return nil, err
	}
	d, err := G.Sub(pred, target)
	if err != nil {
		return nil, err
	}
	a, err := G.Abs(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(a)
}

// CrossEntropyLoss is F.cross_entropy(logits, target): logits [N, C] are
// unnormalised scores, target [N] holds class indices (Float32 with
// integral values, or Int); the result is the mean over the N rows of
// −log softmax(logits)[target]. The log-softmax is computed stably.
func CrossEntropyLoss(logits, target *G.Node) (_ *G.Node, err error) {
	defer seqRecover("CrossEntropyLoss", &err)
	s := logits.Shape()
	if s.Dims() != 2 {
		return nil, fmt.Errorf("nets: CrossEntropyLoss: logits shape %v, want [N, C]", s)
	}
	if target.Shape().TotalSize() != s[0] {
		return nil, fmt.Errorf("nets: CrossEntropyLoss: target shape %v, want [%d]", target.Shape(), s[0])
	}
	ls, err := LogSoftmax(logits)
	if err != nil {
		return nil, err
	}
	oh, err := OneHot(target, s[1])
	if err != nil {
		return nil, err
	}
	picked, err := G.HadamardProd(oh, ls)
	if err != nil {
		return nil, err
	}
	sum, err := G.Sum(picked)
	if err != nil {
		return nil, err
	}
	return G.Mul(sum, G.NewConstant(float32(-1/float64(s[0]))))
}

// KLDivLoss is torch.nn.KLDivLoss(reduction='batchmean')(student, teacher):
// student holds log-probabilities, teacher probabilities, both [N, …]; the
// result is Σ teacher·(log teacher − student) / N with 0·log 0 taken as 0.
// This is the distillation loss KL(teacher ‖ student) averaged over the batch.
func KLDivLoss(studentLogProb, teacherProb *G.Node) (_ *G.Node, err error) {
	defer seqRecover("KLDivLoss", &err)
	if err := lossSameShape("KLDivLoss", studentLogProb, teacherProb); err != nil {
		return nil, err
	}
	n := studentLogProb.Shape()
	if n.Dims() == 0 {
		return nil, fmt.Errorf("nets: KLDivLoss: inputs must have a batch dimension")
	}
	// log(t + tiny) equals log t in float32 for every t that matters and
	// keeps t·log t finite (and 0) at t = 0, as PyTorch's xlogy does.
	lt, err := G.Log(G.Must(G.Add(teacherProb, G.NewConstant(float32(1e-30)))))
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(lt, studentLogProb)
	if err != nil {
		return nil, err
	}
	p, err := G.HadamardProd(teacherProb, d)
	if err != nil {
		return nil, err
	}
	sum, err := G.Sum(p)
	if err != nil {
		return nil, err
	}
	return G.Mul(sum, G.NewConstant(float32(1/float64(n[0]))))
}

// CosineLoss is mean(1 − cos(a, b)) with the cosine taken along the last
// axis of a and b, [N, D] (or [D]), as (1 − F.cosine_similarity(a, b,
// dim=-1)).mean(). A zero vector gives cos = 0 instead of NaN (PyTorch
// clamps the norm product with eps 1e-8 likewise).
func CosineLoss(a, b *G.Node) (_ *G.Node, err error) {
	defer seqRecover("CosineLoss", &err)
	if err := lossSameShape("CosineLoss", a, b); err != nil {
		return nil, err
	}
	s := a.Shape()
	if s.Dims() == 1 {
		if a, err = Reshape(a, tensor.Shape{1, s[0]}); err != nil {
			return nil, err
		}
		if b, err = Reshape(b, tensor.Shape{1, s[0]}); err != nil {
			return nil, err
		}
	} else if s.Dims() != 2 {
		return nil, fmt.Errorf("nets: CosineLoss: input shape %v, want [N, D] or [D]", s)
	}
	dot := G.Must(G.Sum(G.Must(G.HadamardProd(a, b)), 1))
	na := G.Must(G.Sum(G.Must(G.Square(a)), 1))
	nb := G.Must(G.Sum(G.Must(G.Square(b)), 1))
	den := G.Must(G.Sqrt(G.Must(G.Add(G.Must(G.HadamardProd(na, nb)), G.NewConstant(float32(1e-16))))))
	cos := G.Must(G.HadamardDiv(dot, den))
	m, err := G.Mean(cos)
	if err != nil {
		return nil, err
	}
	return G.Sub(G.NewConstant(float32(1)), m)
}

// SISDRLoss is minus the mean scale-invariant signal-to-distortion ratio,
// in dB, of the rows of est against those of ref, [N, T] (or [T]): per row
// 10·log10(d² / (Σest²·Σref² − d²)) with d = ⟨est, ref⟩, the ratio of
// α·ref (α = d/Σref², the best-fitting target) to est − α·ref. Means are
// not removed (asteroid's zero_mean=False); for zero-mean rows it equals
// the usual SI-SDR. A tiny constant keeps a perfect or silent row finite.
func SISDRLoss(est, ref *G.Node) (_ *G.Node, err error) {
	defer seqRecover("SISDRLoss", &err)
	if err := lossSameShape("SISDRLoss", est, ref); err != nil {
		return nil, err
	}
	s := est.Shape()
	if s.Dims() == 1 {
		est, ref = G.Must(Reshape(est, tensor.Shape{1, s[0]})), G.Must(Reshape(ref, tensor.Shape{1, s[0]}))
	} else if s.Dims() != 2 {
		return nil, fmt.Errorf("nets: SISDRLoss: input shape %v, want [N, T] or [T]", s)
	}
	eps := G.NewConstant(float32(1e-8))
	d2 := G.Must(G.Square(G.Must(G.Sum(G.Must(G.HadamardProd(est, ref)), 1))))
	ee := G.Must(G.Sum(G.Must(G.Square(est)), 1))
	rr := G.Must(G.Sum(G.Must(G.Square(ref)), 1))
	noise := G.Must(G.Sub(G.Must(G.HadamardProd(ee, rr)), d2))
	neg := G.Must(G.Sub(G.Must(G.Log(G.Must(G.Add(noise, eps)))), G.Must(G.Log(G.Must(G.Add(d2, eps))))))
	return G.Mul(G.Must(G.Mean(neg)), G.NewConstant(float32(10/math.Ln10)))
}

// LogSoftmax is log softmax over the last axis of a [N, C] node:
// LogSoftmaxAxis(x, 1) with the rank checked.
func LogSoftmax(x *G.Node) (*G.Node, error) {
	if err := lossRank2("LogSoftmax", x); err != nil {
		return nil, err
	}
	return LogSoftmaxAxis(x, 1)
}

// Softmax is softmax over the last axis of a [N, C] node: SoftmaxAxis(x, 1)
// with the rank checked.
func Softmax(x *G.Node) (*G.Node, error) {
	if err := lossRank2("Softmax", x); err != nil {
		return nil, err
	}
	return SoftmaxAxis(x, 1)
}

func lossRank2(name string, x *G.Node) error {
	if x == nil {
		return fmt.Errorf("nets: %s: nil input", name)
	}
	if s := x.Shape(); s.Dims() != 2 {
		return fmt.Errorf("nets: %s: input shape %v, want [N, C]", name, s)
	}
	return nil
}

func lossSameShape(name string, a, b *G.Node) error {
	if !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("nets: %s: shapes %v and %v differ", name, a.Shape(), b.Shape())
	}
	return nil
}

// seqRecover turns a panic of G.Must during graph construction into an
// error, so that the layers of this file group can chain Gorgonia calls
// without letting a panic escape to the user.
func seqRecover(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("nets: %s: building graph: %v", what, r)
	}
}
