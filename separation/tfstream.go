package separation

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/nets"
)

const (
	tfInputs  = 4 // |X|^p, Re and Im of the compressed mixture, and the bin's frequency
	tfSummary = 2 // channels per bin that the time-frequency map hands to the BiLSTM
)

// audioFrames is the StreamFrames audio stream: every STFT frame squeezed
// to AudioChannels features, [n, AudioChannels, t].
func (m *Model) audioFrames(k *graph) (*G.Node, error) {
	h, err := relu(m.audioIn.Forward(k.g, k.audio))
	if err != nil {
		return nil, err
	}
	for _, l := range m.audioConvs {
		r, err := relu(l.Forward(k.g, h))
		if err != nil {
			return nil, err
		}
		if h, err = G.Add(h, r); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// audioTF is the StreamTF audio stream. It returns the time-frequency
// feature map [n, TFChannels, t, F] and its per-frame summary for the
// BiLSTM, [n, tfSummary·F, t].
func (m *Model) audioTF(k *graph) (tfMap, summary *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: time-frequency stream: %v", r)
		}
	}()
	f, n, t := m.Config.Bins(), k.n, k.t
	x := G.Must(nets.Reshape(k.audio, tensor.Shape{n, 3, f, t}))
	x = G.Must(G.Transpose(x, 0, 1, 3, 2)) // [n, 3, t, F]
	ramp := make([]float32, n*t*f)
	for i := range ramp {
		ramp[i] = float32(i%f) / float32(f-1)
	}
	pos := G.NewConstant(tensor.New(tensor.WithShape(n, 1, t, f), tensor.WithBacking(ramp)), G.WithName("bin_position"))
	x = G.Must(G.Concat(1, x, pos))
	h := G.Must(relu(m.tfIn.Forward(k.g, x)))
	for _, l := range m.tfConvs {
		h = G.Must(G.Add(h, G.Must(relu(l.Forward(k.g, h)))))
	}
	s := G.Must(relu(m.tfSummary.Forward(k.g, h))) // [n, 2, t, F]
	s = G.Must(G.Transpose(s, 0, 1, 3, 2))         // [n, 2, F, t]
	s = G.Must(nets.Reshape(s, tensor.Shape{n, tfSummary * f, t}))
	return h, s, nil
}

// tfMasks turns the time-frequency map and the fused frame features
// fused [n, t, FCHidden] into raw masks, per speaker {re, im} of shape
// [n, t, F] (im nil for real masks): 3×3 convolutions over the map whose
// first layer adds, per STFT frame and channel, a bias computed from the
// fused features (the same for every bin), so what the faces say about a
// frame reaches every bin of it.
func (m *Model) tfMasks(k *graph, tfMap, fused *G.Node) (masks [][2]*G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: masks: %v", r)
		}
	}()
	c, n, t := m.Config.TFChannels, k.n, k.t
	z := G.Must(m.maskCond.Forward(k.g, fused)) // [n, t, C]
	z = G.Must(G.Transpose(z, 0, 2, 1))         // [n, C, t]
	z = G.Must(nets.Reshape(z, tensor.Shape{n, c, t, 1}))
	p := G.Must(m.maskConvs[0].Forward(k.g, tfMap))
	p = G.Must(relu(G.BroadcastAdd(p, z, nil, []byte{3})))
	p = G.Must(G.Add(p, G.Must(relu(m.maskConvs[1].Forward(k.g, p)))))
	out := G.Must(m.maskOut.Forward(k.g, p)) // [n, S or 2S, t, F]
	ch := func(i int) *G.Node { return G.Must(G.Slice(out, nil, G.S(i))) }
	for s := 0; s < m.Config.Speakers; s++ {
		if m.Config.Mask == MaskComplex {
			masks = append(masks, [2]*G.Node{ch(2 * s), ch(2*s + 1)})
		} else {
			masks = append(masks, [2]*G.Node{ch(s), nil})
		}
	}
	return masks, nil
}
