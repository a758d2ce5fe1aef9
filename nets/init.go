package nets

import (
	"math"
	"math/rand"
)

// FanIn returns PyTorch's fan_in of a weight shape: shape[1] times the
// receptive field (the product of shape[2:]); for a vector, its length.
func FanIn(shape []int) int {
	if len(shape) < 2 {
		if len(shape) == 1 {
			return shape[0]
		}
		return 1
	}
	f := shape[1]
	for _, d := range shape[2:] {
		f *= d
	}
	return f
}

// FanOut returns PyTorch's fan_out: shape[0] times the receptive field.
func FanOut(shape []int) int {
	if len(shape) < 2 {
		return FanIn(shape)
	}
	f := shape[0]
	for _, d := range shape[2:] {
		f *= d
	}
	return f
}

// Uniform fills p with draws from U(-bound, bound). A nil rng leaves p as
// it is: layers built with a nil rng keep zero weights, to be loaded from a
// state dict.
func Uniform(p *Param, bound float64, rng *rand.Rand) {
	if rng == nil {
		return
	}
	for i := range p.Data {
		p.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// KaimingUniform fills p as torch.nn.init.kaiming_uniform_ with negative
// slope a, fan_in mode and the leaky_relu gain: U(-b, b) with
// b = sqrt(6 / ((1 + a²) fan_in)). PyTorch's default for Linear and Conv
// weights is a = √5, which gives b = 1/sqrt(fan_in).
func KaimingUniform(p *Param, a float64, rng *rand.Rand) {
	gain := math.Sqrt(2 / (1 + a*a))
	Uniform(p, gain*math.Sqrt(3/float64(FanIn(p.Shape))), rng)
}

// XavierUniform fills p as torch.nn.init.xavier_uniform_ with gain 1:
// U(-b, b) with b = sqrt(6 / (fan_in + fan_out)).
func XavierUniform(p *Param, rng *rand.Rand) {
	Uniform(p, math.Sqrt(6/float64(FanIn(p.Shape)+FanOut(p.Shape))), rng)
}

// initDefault applies PyTorch's default initialisation of a Linear or
// Conv layer: weight kaiming_uniform(a=√5), bias U(±1/sqrt(fan_in)). The
// draws come from rng (the values differ from PyTorch's generator, the
// distribution does not).
func initDefault(w, b *Param, rng *rand.Rand) {
	KaimingUniform(w, math.Sqrt(5), rng)
	if b != nil {
		Uniform(b, 1/math.Sqrt(float64(FanIn(w.Shape))), rng)
	}
}
