package eval

import (
	"fmt"
	"math"
)

// Classifier is multinomial softmax regression on standardised features:
// class scores W·z + B of z = Scale.Apply(row).
type Classifier struct {
	Scale  Standardiser // fitted on the training rows
	W      [][]float64  // [classes][dim]
	B      []float64    // [classes]
	Lambda float64      // L2 weight it was trained with
}

// TrainClassifier fits softmax regression on rows x with labels y in
// [0, k): it minimises the mean cross-entropy plus λ/2·‖W‖² (the biases are
// not penalised) by iters steps of full-batch gradient descent with
// Nesterov momentum 0.9, on features standardised with the statistics of x.
// The step is the inverse of a bound on the loss's curvature, so no
// learning rate needs tuning.
func TrainClassifier(x [][]float64, y []int, k int, lambda float64, iters int) (*Classifier, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("eval: classifier with %d rows and %d labels", n, len(y))
	}
	if k < 1 {
		return nil, fmt.Errorf("eval: classifier with %d classes", k)
	}
	if lambda < 0 || math.IsNaN(lambda) {
		return nil, fmt.Errorf("eval: L2 weight %v, want ≥ 0", lambda)
	}
	for _, v := range y {
		if v < 0 || v >= k {
			return nil, fmt.Errorf("eval: label %d outside [0, %d)", v, k)
		}
	}
	sc, err := FitStandardiser(x)
	if err != nil {
		return nil, err
	}
	d := len(x[0])
	c := &Classifier{Scale: sc, B: make([]float64, k), Lambda: lambda}
	z := sc.ApplyAll(x)
	c.W = make([][]float64, k)
	vw := make([][]float64, k)
	gw := make([][]float64, k)
	for q := range c.W {
		c.W[q], vw[q], gw[q] = make([]float64, d), make([]float64, d), make([]float64, d)
	}
	vb, gb := make([]float64, k), make([]float64, k)
	// The loss (1/n)Σ CE + λ/2‖W‖² has curvature at most ½·λmax(ZᵀZ/n) + λ
	// (the softmax Hessian is bounded by ½); that sets the step.
	lr := 1 / (0.5*topEigen(z) + lambda)
	const mom = 0.9
	p := make([]float64, k)
	// the look-ahead point of Nesterov momentum, formed once per step
	aw, ab := make([][]float64, k), make([]float64, k)
	for q := range aw {
		aw[q] = make([]float64, d)
	}
	for it := 0; it < iters; it++ {
		for q := range c.W {
			w, v, a, g := c.W[q], vw[q], aw[q], gw[q]
			for j := range a {
				a[j] = w[j] + mom*v[j]
				g[j] = lambda * a[j]
			}
			ab[q] = c.B[q] + mom*vb[q]
			gb[q] = 0
		}
		for i, r := range z {
			for q := range p {
				s, a := ab[q], aw[q][:len(r)]
				for j, v := range r {
					s += a[j] * v
				}
				p[q] = s
			}
			Softmax(p)
			p[y[i]]--
			for q, e := range p {
				e /= float64(n)
				gb[q] += e
				for j, v := range r {
					gw[q][j] += e * v
				}
			}
		}
		for q := range c.W {
			for j := range c.W[q] {
				vw[q][j] = mom*vw[q][j] - lr*gw[q][j]
				c.W[q][j] += vw[q][j]
			}
			vb[q] = mom*vb[q] - lr*gb[q]
			c.B[q] += vb[q]
		}
	}
	return c, nil
}

// Scores returns the class scores (logits) of feature row r.
func (c *Classifier) Scores(r []float64) []float64 {
	z := c.Scale.Apply(r)
	out := make([]float64, len(c.W))
	for q, w := range c.W {
		s := c.B[q]
		for j, v := range z {
			s += w[j] * v
		}
		out[q] = s
	}
	return out
}

// Predict returns the most likely class of feature row r.
func (c *Classifier) Predict(r []float64) int { return Argmax(c.Scores(r)) }

// Accuracy is the fraction of rows of x classified as y (NaN for no rows).
func (c *Classifier) Accuracy(x [][]float64, y []int) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	ok := 0
	for i, r := range x {
		if c.Predict(r) == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(x))
}

// topEigen returns the largest eigenvalue of ZᵀZ/n, Z with a column of
// ones appended for the bias, by 50 steps of power iteration.
func topEigen(z [][]float64) float64 {
	d := len(z[0])
	v := make([]float64, d+1)
	for j := range v {
		v[j] = 1 / math.Sqrt(float64(d+1))
	}
	lam := 1.0
	w := make([]float64, d+1)
	for it := 0; it < 50; it++ {
		clear(w)
		for _, r := range z {
			s := v[d] // bias column of ones
			for j, x := range r {
				s += x * v[j]
			}
			for j, x := range r {
				w[j] += s * x / float64(len(z))
			}
			w[d] += s / float64(len(z))
		}
		var norm float64
		for _, x := range w {
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			return 1
		}
		lam = norm
		for j := range v {
			v[j] = w[j] / norm
		}
	}
	return lam
}
