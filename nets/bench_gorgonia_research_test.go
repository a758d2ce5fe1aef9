//go:build research && linux

package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkSoundNetTrainStepGorgonia is the "before" of the custom
// convolution ops: the same step with Gorgonia's own Conv2d (over
// [N, C, 1, L]), Rectify and MaxPool2D; batch norm stays ours (Gorgonia's
// resets its statistics per machine). It needs several GB, so it builds
// only with the research tag; run it in a process of its own for the RSS
// figure:
//
//	go test -tags research ./nets -run '^$' -bench SoundNetTrainStepGorgonia -benchtime 2x -cpu 1
func BenchmarkSoundNetTrainStepGorgonia(b *testing.B) {
	sb := &soundnetGorgonia
	sb.once.Do(func() {
		sb.err = func() error {
			rng := rand.New(rand.NewSource(1))
			const batch, samples = 4, 441000
			g := NewGraph(Train, 1)
			x := G.NewTensor(g.ExprGraph, tensor.Float32, 4, G.WithShape(batch, 1, 1, samples), G.WithName("audio"))
			h := x
			var all []*Param
			specs := []struct{ in, out, k, s, p, pool int }{
				{1, 16, 64, 2, 32, 8}, {16, 32, 32, 2, 16, 8}, {32, 64, 16, 2, 8, 0}, {64, 128, 8, 2, 4, 0},
				{128, 256, 4, 2, 2, 4}, {256, 512, 4, 2, 2, 0}, {512, 1024, 4, 2, 2, 0}, {1024, 1000, 8, 2, 0, -1},
			}
			for i, s := range specs {
				name := "conv" + string(rune('1'+i))
				c, err := NewConv1d(name+".conv", s.in, s.out, s.k, Conv1dOptions{Stride: s.s, Padding: s.p}, rng)
				if err != nil {
					return err
				}
				all = append(all, c.Params()...)
				w := G.Must(G.Reshape(g.Param(c.Weight), tensor.Shape{s.out, s.in, 1, s.k}))
				h, err = G.Conv2d(h, w, tensor.Shape{1, s.k}, []int{0, s.p}, []int{1, s.s}, []int{1, 1})
				if err != nil {
					return err
				}
				bias := G.Must(G.Reshape(g.Param(c.Bias), tensor.Shape{1, s.out, 1, 1}))
				h = G.Must(G.BroadcastAdd(h, bias, nil, []byte{0, 2, 3}))
				if s.pool < 0 {
					break
				}
				bn, err := NewBatchNorm2d(name+".bn", s.out)
				if err != nil {
					return err
				}
				all = append(all, bn.Params()...)
				if h, err = bn.Forward(g, h); err != nil {
					return err
				}
				h = G.Must(G.Rectify(h))
				if s.pool > 0 {
					h = G.Must(G.MaxPool2D(h, tensor.Shape{1, s.pool}, []int{0, 0}, []int{1, s.pool}))
				}
			}
			sh := h.Shape()
			y := G.Must(G.Reshape(h, tensor.Shape{sh[0], sh[1], sh[3]}))
			ls, err := LogSoftmaxAxis(y, 1)
			if err != nil {
				return err
			}
			sb.loss = G.Must(G.Neg(G.Must(G.Mean(ls))))
			if sb.m, err = NewMachine(g, sb.loss); err != nil {
				return err
			}
			audio := make([]float32, batch*samples)
			for i := range audio {
				audio[i] = float32(rng.NormFloat64() * 0.1)
			}
			sb.params = Learnable(all)
			sb.opt = NewAdam(1e-4)
			return Let(x, audio)
		}()
	})
	if sb.err != nil {
		b.Fatal(sb.err)
	}
	soundnetRun(b, sb)
}

var soundnetGorgonia soundnetState
