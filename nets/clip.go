package nets

import "math"

// ClipGradNorm rescales the gradients of the learnable parameters in ps so
// that their total L2 norm (the norm of all gradients concatenated) is at
// most maxNorm, as torch.nn.utils.clip_grad_norm_ does: every gradient is
// multiplied by maxNorm/(norm + 1e-6) when that factor is below 1. It
// returns the norm before clipping.
//
// Unlike torch, a non-finite norm (a NaN or Inf gradient) leaves the
// gradients unchanged; the returned norm lets the caller stop (Fit does).
// maxNorm ≤ 0 only measures.
func ClipGradNorm(ps []*Param, maxNorm float64) float64 {
	var ss float64
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		for _, g := range p.Grad {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm <= 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return norm
	}
	c := float32(coef)
	for _, p := range ps {
		if p.Buffer {
			continue
		}
		for i := range p.Grad {
			p.Grad[i] *= c
		}
	}
	return norm
}
