package separation

import (
	"fmt"
	"math"
	"math/rand"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// combs returns the harmonic comb bank of c's STFT (see dsp.CombBank):
// Combs candidates log-spaced over CombF0, lobes as wide as the analysis
// window's main lobe.
//
// Harmonic combs (Config.Combs > 0). A mask that separates two voiced
// speakers must be sharp to a bin or two: it has to pass one voice's
// harmonics and stop the other's, a few bins apart below 1 kHz, where
// most of the energy is, and a frame-wise network squeezed through a few
// hundred features does not learn such a comb by itself. So each speaker's
// mask gets a term built from a fixed bank of harmonic combs, one per
// candidate fundamental frequency: the network picks a distribution over
// candidates per speaker and frame (softmax of a linear layer that sees
// the fused features and the mixture's harmonic salience), and per-bin
// gains, from the fused features, say how much each speaker's comb raises
// or lowers each mask.
func (c Config) combs() *dsp.CombBank {
	return dsp.CombBankFor(dsp.CombConfig{Rate: c.Rate, NFFT: c.NFFT, WinLength: c.WinLength, Combs: c.Combs, F0: c.CombF0})
}

// pairCombGain is the initial weight of a face's own comb (and minus that
// of the other's) in its mask's logit with MultiPitch. While the
// assignment is undecided both faces get the same comb and the two cancel,
// so a warm-started model keeps its masks; as soon as the assignment leans
// one way, the loss says whether that way was right.
const pairCombGain = 1

// pairFeatures describe the pitch pair of a frame to the BiLSTM: each
// fundamental's place among the candidates (0 … 1), the mean compressed
// magnitude on its comb's lobes (its loudness, which rises and falls with
// its speaker's mouth), and its salience (÷4).
const pairFeatures = 6

// salienceConfig returns c with the STFT the salience is measured on: a
// SalienceWindow-sample window, the next power of two as FFT size and the
// model's hop, so frame t is centred on sample t·Hop as the model's are.
func (c Config) salienceConfig() Config {
	if w := c.SalienceWindow; w > 0 && w != c.WinLength {
		c.WinLength, c.NFFT = w, 1
		for c.NFFT < w {
			c.NFFT *= 2
		}
	}
	return c
}

// salienceOf returns the harmonic salience of waveform x, [t, Combs]
// standardised per frame (see dsp.CombBank.Salience), on the salience
// STFT (salienceConfig); xc, x's compressed STFT with the model's own
// analysis, serves when that is the same. It also returns the salience
// STFT, which the pitch pair reuses when its analysis is the same too.
func (c Config) salienceOf(x []float64, xc *dsp.ComplexSpectrogram) ([]float32, *dsp.ComplexSpectrogram, error) {
	sc := c.salienceConfig()
	if !sameAnalysis(sc, c) {
		var err error
		if xc, err = sc.Analyse(x); err != nil {
			return nil, nil, err
		}
	}
	sal, err := sc.combs().Salience(xc)
	return sal, xc, err
}

// sameAnalysis reports whether a and b analyse a waveform alike (both
// derive from one Config, so only the STFT's sizes can differ).
func sameAnalysis(a, b Config) bool {
	return a.NFFT == b.NFFT && a.WinLength == b.WinLength && a.Hop == b.Hop
}

// pitchConfig returns c with the analysis the pitch pair and typicalF0
// use: a 40 ms window, which resolves the harmonics of low voices.
func (c Config) pitchConfig() Config {
	c.SalienceWindow = int(math.Round(0.04 * float64(c.Rate)))
	return c.salienceConfig()
}

// pitchPair estimates two fundamentals per frame of mixture x, as indices
// into the candidates, on a 40 ms analysis (see dsp.CombBank.PitchPair).
// sx, if not nil, is x's analysis by salienceOf, used when it is the same.
func (c Config) pitchPair(x []float64, sx *dsp.ComplexSpectrogram) (a, b []int, za, zb []float32, err error) {
	pc := c.pitchConfig()
	if sx == nil || !sameAnalysis(pc, c.salienceConfig()) {
		if sx, err = pc.Analyse(x); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	return pc.combs().PitchPair(sx)
}

// pairInputs returns the pitch pair's network inputs for mixture x, whose
// compressed STFT is xc and salience STFT sx (nil if there is none): per frame the first fundamental's comb (a, [t, F]),
// that comb minus the second's (d), and the pair's description for the
// BiLSTM (desc, [t, pairFeatures]).
func (c Config) pairInputs(x []float64, xc, sx *dsp.ComplexSpectrogram) (a, d, desc []float32, err error) {
	ia, ib, za, zb, err := c.pitchPair(x, sx)
	if err != nil {
		return nil, nil, nil, err
	}
	f, t, k := xc.Bins, xc.Frames, c.Combs
	if len(ia) != t {
		return nil, nil, nil, fmt.Errorf("separation: pitch pair has %d frames, the STFT %d", len(ia), t)
	}
	comb := c.combs().Combs()
	mag := xc.Power(1)
	a, d, desc = make([]float32, 0, t*f), make([]float32, 0, t*f), make([]float32, 0, t*pairFeatures)
	place := func(i int) float32 { return float32(i) / float32(max(1, k-1)) }
	for tt := range t {
		ra, rb := comb[ia[tt]*f:(ia[tt]+1)*f], comb[ib[tt]*f:(ib[tt]+1)*f]
		a = append(a, ra...)
		var ea, eb, na, nb float64 // magnitude on, and weight of, each comb's lobes
		for j := range ra {
			d = append(d, ra[j]-rb[j])
			m := mag[tt*f+j]
			ea, na = ea+float64(ra[j])*m, na+float64(ra[j])
			eb, nb = eb+float64(rb[j])*m, nb+float64(rb[j])
		}
		desc = append(desc, place(ia[tt]), place(ib[tt]), float32(ea/max(na, 1e-9)), float32(eb/max(nb, 1e-9)), za[tt]/4, zb[tt]/4)
	}
	return a, d, desc, nil
}

// combSalienceGain is the initial weight of a candidate's own salience in
// its pitch logit: enough that, from the start, the softmax leans towards
// the candidates whose harmonics carry the mixture's energy.
const combSalienceGain = 4

// newCombLayers adds the pitch layers (pitch{s}: fused features and
// salience → candidate logits) and the comb gains (comb{s}_{j}: fused
// features → per-bin weight of speaker j's comb in speaker s's mask).
// The gains start at zero, so a model warm-started from one without
// combs computes the same masks until training moves them. MultiPitch
// adds the pitch pair's combs: one assignment layer (assign: fused
// features → whether face 1 has the pair's first fundamental) and their
// gains (paircomb{s}_{j}), which start at ±pairCombGain.
func (m *Model) newCombLayers(rng *rand.Rand, must func(interface{ Params() []*nets.Param }, error)) {
	cfg := m.Config
	m.comb = cfg.combs().Combs()
	if cfg.MultiPitch {
		a, err := nets.NewLinear("assign", cfg.FCHidden, 1, true, rng)
		if err == nil { // start undecided: each face gets the mean of the two combs
			clear(a.Weight.Data)
			clear(a.Bias.Data)
		}
		must(a, err)
		m.assign = a
	}
	for s := 0; s < cfg.Speakers; s++ {
		m.newPitchLayer(s, rng, must)
		m.combGain = append(m.combGain, m.newGains("comb", s, 0, rng, must))
	}
	if cfg.MultiPitch {
		for s := 0; s < cfg.Speakers; s++ {
			m.pairGain = append(m.pairGain, m.newGains("paircomb", s, pairCombGain, rng, must))
		}
	}
}

// newGains returns speaker s's gain layers ({prefix}{s}_{j}: fused
// features → per-bin weight of comb j in s's mask), with zero weights and
// biases of +own for j = s and −own for the other.
func (m *Model) newGains(prefix string, s int, own float32, rng *rand.Rand, must func(interface{ Params() []*nets.Param }, error)) []*nets.Linear {
	cfg := m.Config
	var gains []*nets.Linear
	for j := 0; j < cfg.Speakers; j++ {
		g, err := nets.NewLinear(fmt.Sprintf("%s%d_%d", prefix, s+1, j+1), cfg.FCHidden, cfg.Bins(), true, rng)
		if err == nil {
			clear(g.Weight.Data)
			b := own
			if j != s {
				b = -own
			}
			for i := range g.Bias.Data {
				g.Bias.Data[i] = b
			}
		}
		must(g, err)
		gains = append(gains, g)
	}
	return gains
}

// combTerms returns, per speaker, the comb term to add to the mask's
// (real part's) logit, [n, t, F], given the fused features h [n, t, FC].
func (m *Model) combTerms(k *graph, h *G.Node) (terms []*G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: harmonic combs: %v", r)
		}
	}()
	cfg := m.Config
	f, kc := cfg.Bins(), cfg.Combs
	var combs, pair []*G.Node
	if cfg.MultiPitch {
		// comb of face 1: q·A + (1−q)·B = B + q·(A−B); of face 2: A − q·(A−B)
		z, err := m.assign.Forward(k.g, h)
		if err != nil {
			return nil, err
		}
		q, err := nets.Sigmoid(z)
		if err != nil {
			return nil, err
		}
		k.assign = q
		ones := G.NewConstant(tensor.New(tensor.WithShape(1, f), tensor.WithBacking(slices.Repeat([]float32{1}, f))), G.WithName("assign_ones"))
		q = G.Must(nets.Reshape(G.Must(G.Mul(G.Must(nets.Reshape(q, tensor.Shape{k.n * k.t, 1})), ones)), tensor.Shape{k.n, k.t, f}))
		qd := G.Must(G.HadamardProd(q, k.pairD))
		b := G.Must(G.Sub(k.pairA, k.pairD))
		pair = []*G.Node{G.Must(G.Add(b, qd)), G.Must(G.Sub(k.pairA, qd))}
	}
	in := G.Must(G.Concat(2, h, k.sal))
	bank := G.NewConstant(tensor.New(tensor.WithShape(kc, f), tensor.WithBacking(m.comb)), G.WithName("comb_bank"))
	for s := range m.pitch {
		z, err := m.pitch[s].Forward(k.g, in)
		if err != nil {
			return nil, err
		}
		p, err := nets.SoftmaxAxis(z, 2)
		if err != nil {
			return nil, err
		}
		k.pitch = append(k.pitch, p)
		p = G.Must(nets.Reshape(p, tensor.Shape{k.n * k.t, kc}))
		combs = append(combs, G.Must(nets.Reshape(G.Must(G.Mul(p, bank)), tensor.Shape{k.n, k.t, f})))
	}
	for s := range m.combGain {
		sum, err := weigh(k, h, m.combGain[s], combs)
		if err != nil {
			return nil, err
		}
		if pair != nil {
			x, err := weigh(k, h, m.pairGain[s], pair)
			if err != nil {
				return nil, err
			}
			sum = G.Must(G.Add(sum, x))
		}
		terms = append(terms, sum)
	}
	return terms, nil
}

// weigh returns Σ_j gains[j](h) ⊙ combs[j].
func weigh(k *graph, h *G.Node, gains []*nets.Linear, combs []*G.Node) (*G.Node, error) {
	var sum *G.Node
	for j, g := range gains {
		w, err := g.Forward(k.g, h)
		if err != nil {
			return nil, err
		}
		x := G.Must(G.HadamardProd(w, combs[j]))
		if sum == nil {
			sum = x
		} else {
			sum = G.Must(G.Add(sum, x))
		}
	}
	return sum, nil
}

// WarmStart returns a new model of config cfg whose tensors are copied
// from old wherever old has one of the same name and shape; the rest are
// initialised as New does. A matrix that gained input columns (the
// BiLSTM's, with TrackPitch) keeps old's columns and gets zeros in the
// new ones. Use it to add harmonic combs (whose gains start at zero) or
// pitch tracking to a trained model: it starts from the same masks.
func WarmStart(cfg Config, old *Model) (*Model, error) {
	// The BiLSTM's extra inputs sit after the faces, the salience before
	// the pair's description; widening copies old's columns in place, so
	// old's extra inputs must stay where they are.
	o := old.Config
	if o.TrackPitch && (!cfg.TrackPitch || cfg.Combs != o.Combs) || o.MultiPitch && (!cfg.MultiPitch || cfg.TrackPitch != o.TrackPitch) {
		return nil, fmt.Errorf("separation: the model's BiLSTM reads the salience of its %d combs (track_pitch %v) and the pitch pair (multi_pitch %v); keep those and add only what comes after them (pitch tracking before pitch pairs)", o.Combs, o.TrackPitch, o.MultiPitch)
	}
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	have := map[string]*nets.Param{}
	for _, p := range old.params {
		have[p.Name] = p
	}
	for _, p := range m.params {
		q, ok := have[p.Name]
		switch {
		case !ok:
		case slices.Equal(q.Shape, p.Shape):
			copy(p.Data, q.Data)
		case len(p.Shape) == 2 && len(q.Shape) == 2 && p.Shape[0] == q.Shape[0] && p.Shape[1] > q.Shape[1]:
			wide, narrow := p.Shape[1], q.Shape[1]
			for r := range p.Shape[0] {
				row := p.Data[r*wide : (r+1)*wide]
				copy(row, q.Data[r*narrow:(r+1)*narrow])
				clear(row[narrow:])
			}
		}
	}
	return m, nil
}

// typicalF0 returns the typical fundamental of voice x (see
// dsp.CombBank.TypicalF0); false if it has too few voiced frames.
// Whatever the model's combs, it uses 240 candidates over 60–480 Hz and a
// 40 ms window, which resolves the harmonics of low voices.
func (c Config) typicalF0(x []float64) (float64, bool) {
	c.Combs, c.CombF0 = 240, [2]float64{60, 480}
	pc := c.pitchConfig()
	X, err := pc.Analyse(x)
	if err != nil {
		return 0, false
	}
	f0, ok, err := pc.combs().TypicalF0(X)
	return f0, ok && err == nil
}

// newPitchLayer adds speaker s's pitch layer (pitch{s}: fused features and
// salience → candidate logits), its salience block combSalienceGain·I.
func (m *Model) newPitchLayer(s int, rng *rand.Rand, must func(interface{ Params() []*nets.Param }, error)) {
	cfg := m.Config
	k, in := cfg.Combs, cfg.FCHidden+cfg.Combs
	p, err := nets.NewLinear(fmt.Sprintf("pitch%d", s+1), in, k, true, rng)
	if err == nil {
		w := p.Weight.Data // [k, FCHidden+k]
		for i := 0; i < k; i++ {
			clear(w[i*in+cfg.FCHidden : (i+1)*in])
			w[i*in+cfg.FCHidden+i] = combSalienceGain
		}
	}
	must(p, err)
	m.pitch = append(m.pitch, p)
}
