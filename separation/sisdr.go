package separation

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// addSISDRLoss adds the targets and the loss of LossSISDR: nets.SISDRLoss
// of each face's waveform, mean over faces. The linear estimate m·X goes
// through the inverse STFT, a nets.LinearMap whose gradient is
// dsp.ISTFTAdjoint. Waveform means are not removed (a voice's is ~0),
// unlike dsp.SISDR.
func (k *graph) addSISDRLoss(p *nets.Pass, cfg Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: SI-SDR loss: %v", r)
		}
	}()
	samples := cfg.SegmentSamples()
	if got := cfg.STFT().NumFrames(samples); got != k.t {
		return fmt.Errorf("separation: SI-SDR loss: graph of %d frames, a %d-sample segment has %d", k.t, samples, got)
	}
	f := cfg.Bins()
	in := func(name string) *G.Node {
		x, e := p.Input(name)
		if e != nil {
			panic(e)
		}
		return x
	}
	k.lr, k.li = in("mix_linear_re"), in("mix_linear_im")
	fwd, adj := cfg.istftMap(k.n, k.t, samples)
	var sum *G.Node
	for s := 0; s < cfg.Speakers; s++ {
		wav := in(fmt.Sprintf("target%d_wave", s+1))
		k.wav = append(k.wav, wav)
		part := func(x *G.Node) *G.Node {
			return G.Must(nets.Reshape(G.Must(G.HadamardProd(k.lin[s], x)), tensor.Shape{k.n, 1, k.t, f}))
		}
		spec := G.Must(G.Concat(1, part(k.lr), part(k.li)))
		y, err := nets.LinearMap(fmt.Sprintf("istft%d", s+1), spec, tensor.Shape{k.n, samples}, fwd, adj)
		if err != nil {
			return err
		}
		l, err := nets.SISDRLoss(y, wav)
		if err != nil {
			return err
		}
		if sum == nil {
			sum = l
		} else {
			sum = G.Must(G.Add(sum, l))
		}
	}
	k.loss = G.Must(G.Mul(sum, G.NewConstant(float32(1/float64(cfg.Speakers)))))
	return nil
}

// istftMap returns the inverse STFT of n spectrograms of t frames, laid
// out [n, 2 (re, im), t, F], to n waveforms of samples each, and its
// adjoint (dsp.ISTFTAdjoint), the gradient's way back.
func (c Config) istftMap(n, t, samples int) (fwd, adj func(dst, src []float32) error) {
	st := c.STFT()
	f := c.Bins()
	fwd = func(dst, src []float32) error {
		spec := &dsp.ComplexSpectrogram{Bins: f, Frames: t, Data: make([]complex128, t*f)}
		for e := range n {
			re, im := src[(2*e)*t*f:(2*e+1)*t*f], src[(2*e+1)*t*f:(2*e+2)*t*f]
			for i := range spec.Data {
				spec.Data[i] = complex(float64(re[i]), float64(im[i]))
			}
			y, err := dsp.ISTFT(spec, st, samples)
			if err != nil {
				return err
			}
			for i, v := range y {
				dst[e*samples+i] = float32(v)
			}
		}
		return nil
	}
	adj = func(dst, src []float32) error {
		g := make([]float64, samples)
		for e := range n {
			for i := range g {
				g[i] = float64(src[e*samples+i])
			}
			G, err := dsp.ISTFTAdjoint(g, st, t)
			if err != nil {
				return err
			}
			re, im := dst[(2*e)*t*f:(2*e+1)*t*f], dst[(2*e+1)*t*f:(2*e+2)*t*f]
			for i, v := range G.Data {
				re[i], im[i] = float32(real(v)), float32(imag(v))
			}
		}
		return nil
	}
	return fwd, adj
}
