package separation

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/avlearn/avlearn/nets"
)

// define returns the declaration of the network's pass: with targets, the
// loss (for training, or validation in Eval mode); otherwise the masked
// mixtures "est1_re", "est1_im", … as outputs.
func (m *Model) define(targets bool) func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		k, err := m.build(p)
		if err != nil {
			return err
		}
		if targets {
			if err := k.addLoss(p, m.Config); err != nil {
				return err
			}
			if m.faceAux != nil && p.Has("act1") {
				if err := m.addVisualAux(p, k); err != nil {
					return err
				}
			}
			return p.Minimize(k.loss)
		}
		for s := range k.er {
			if err := p.Output(fmt.Sprintf("est%d_re", s+1), k.er[s]); err != nil {
				return err
			}
			if err := p.Output(fmt.Sprintf("est%d_im", s+1), k.ei[s]); err != nil {
				return err
			}
		}
		return nil
	}
}

// feeds returns the network's inputs for the examples exs and their
// features fs (and, with targets, the loss's targets), each stacked along
// a new batch axis.
func (c Config) feeds(fs []*features, exs []*example, targets bool) []nets.Feed {
	n, t, f := len(fs), fs[0].t, c.Bins()
	stack := func(name string, shape []int, get func(*features) []float32) nets.Feed {
		var data []float32
		for _, x := range fs {
			data = append(data, get(x)...)
		}
		return nets.Feed{Name: name, Shape: append([]int{n}, shape...), Data: data}
	}
	out := []nets.Feed{
		stack("audio", []int{3 * f, t}, func(x *features) []float32 { return x.audio }),
		stack("mix_re", []int{t, f}, func(x *features) []float32 { return x.xr }),
		stack("mix_im", []int{t, f}, func(x *features) []float32 { return x.xi }),
	}
	if c.Combs > 0 {
		out = append(out, stack("salience", []int{t, c.Combs}, func(x *features) []float32 { return x.sal }))
	}
	if c.MultiPitch {
		out = append(out,
			stack("pair_a", []int{t, f}, func(x *features) []float32 { return x.pairA }),
			stack("pair_d", []int{t, f}, func(x *features) []float32 { return x.pairD }),
			stack("pair", []int{t, pairFeatures}, func(x *features) []float32 { return x.pair }))
	}
	if !c.AudioOnly {
		vf := exs[0].vf
		for s := 0; s < c.Speakers; s++ {
			var v []float32
			for _, ex := range exs {
				v = append(v, ex.mouths[s]...)
			}
			out = append(out, nets.Feed{Name: fmt.Sprintf("face%d", s+1), Shape: []int{n * vf, 1, c.MouthH, c.MouthW}, Data: v})
		}
	}
	if !targets {
		return out
	}
	if fs[0].act != nil {
		for s := 0; s < c.Speakers; s++ {
			out = append(out, stack(fmt.Sprintf("act%d", s+1), []int{t, 1}, func(x *features) []float32 { return x.act[s] }))
		}
	}
	if c.Loss == LossSISDR {
		out = append(out,
			stack("mix_linear_re", []int{t, f}, func(x *features) []float32 { return x.lr }),
			stack("mix_linear_im", []int{t, f}, func(x *features) []float32 { return x.li }))
		for s := 0; s < c.Speakers; s++ {
			out = append(out, stack(fmt.Sprintf("target%d_wave", s+1), []int{len(fs[0].wav[s])}, func(x *features) []float32 { return x.wav[s] }))
		}
		return out
	}
	for s := 0; s < c.Speakers; s++ {
		out = append(out,
			stack(fmt.Sprintf("target%d_re", s+1), []int{t, f}, func(x *features) []float32 { return x.sr[s] }),
			stack(fmt.Sprintf("target%d_im", s+1), []int{t, f}, func(x *features) []float32 { return x.si[s] }))
	}
	return out
}

// addVisualAux adds Config.VisualAux times the auxiliary loss to k.loss:
// the mean over faces, frames and examples of the squared error between
// each face's read-out of its visual features and the speaker's
// standardised loudness (inputs "act1", "act2", …, [n, t, 1]).
func (m *Model) addVisualAux(p *nets.Pass, k *graph) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: visual auxiliary loss: %v", r)
		}
	}()
	var sum *G.Node
	for s, v := range k.vis {
		target, err := p.Input(fmt.Sprintf("act%d", s+1))
		if err != nil {
			return err
		}
		y, err := m.faceAux.Forward(k.g, G.Must(G.Transpose(v, 0, 2, 1))) // [n, t, 1]
		if err != nil {
			return err
		}
		e := G.Must(G.Mean(G.Must(G.Square(G.Must(G.Sub(y, target))))))
		if sum == nil {
			sum = e
		} else {
			sum = G.Must(G.Add(sum, e))
		}
	}
	w := m.Config.VisualAux / float64(len(k.vis))
	k.loss = G.Must(G.Add(k.loss, G.Must(G.Mul(sum, G.NewConstant(float32(w))))))
	return nil
}
