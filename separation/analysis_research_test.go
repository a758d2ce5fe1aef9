//go:build research

package separation

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand"
	"os"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"

	G "gorgonia.org/gorgonia"
)

// The analyses behind the design of harmonic combs, pitch pairs and
// consistent masks (docs/runs/separation.md). They are research, not tests:
// they build only with the research tag and need a corpus (and a model):
//
//	AVL_SEPARATION_DATA=spk go test -tags research ./separation -run Analysis -v
//	AVL_SEPARATION_DATA=spk AVL_SEPARATION_MODEL=m.safetensors go test -tags research ./separation -run Analysis -v

// analysisMixer returns a mixer over the val split of $AVL_SEPARATION_DATA
// (design decisions are made on val; the test speakers only score), or
// over $AVL_SEPARATION_SPLIT (a corpus of other voices has only test).
func analysisMixer(t *testing.T, cfg Config) *mixer {
	root := os.Getenv("AVL_SEPARATION_DATA")
	if root == "" {
		t.Skip("AVL_SEPARATION_DATA not set")
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	split := os.Getenv("AVL_SEPARATION_SPLIT")
	if split == "" {
		split = "val"
	}
	srcs, err := cfg.loadSources(context.Background(), ds.Split(split), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	mx, err := newMixer(cfg, srcs, cfg.SegmentFrames())
	if err != nil {
		t.Fatal(err)
	}
	return mx
}

// analysisModel loads $AVL_SEPARATION_MODEL.
func analysisModel(t *testing.T) *Model {
	path := os.Getenv("AVL_SEPARATION_MODEL")
	if path == "" {
		t.Skip("AVL_SEPARATION_MODEL not set")
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// psm returns the compressed mixture, the compressed sources and their
// phase-sensitive masks.
func psm(t *testing.T, cfg Config, ex *example) (*dsp.ComplexSpectrogram, []*dsp.ComplexSpectrogram, [][]float32) {
	X, err := cfg.Analyse(ex.mix)
	if err != nil {
		t.Fatal(err)
	}
	var S []*dsp.ComplexSpectrogram
	for _, s := range ex.srcs {
		a, err := cfg.Analyse(s)
		if err != nil {
			t.Fatal(err)
		}
		S = append(S, a)
	}
	masks, err := dsp.PhaseSensitiveMasks(X, S)
	if err != nil {
		t.Fatal(err)
	}
	return X, S, masks
}

func sisdri(t *testing.T, cfg Config, ref, mix []float64, Y *dsp.ComplexSpectrogram) float64 {
	y, err := cfg.Synthesise(Y, len(mix))
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := dsp.SISDR(ref, y)
	b, err2 := dsp.SISDR(ref, mix)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return a - b
}

// How sharp must a mask be? The best real mask, box-blurred over a few
// bins or frames: what it loses says what resolution a model needs.
func TestAnalysisMaskResolution(t *testing.T) {
	cfg := PlainConfig()
	mx := analysisMixer(t, cfg)
	r := rand.New(rand.NewSource(1))
	blurs := [][2]int{{1, 1}, {3, 1}, {5, 1}, {9, 1}, {1, 3}, {1, 5}, {1, 9}}
	sum := make([]float64, len(blurs))
	n := 0
	for range 50 {
		ex := mx.draw(r)
		X, _, masks := psm(t, cfg, ex)
		F, T := X.Bins, X.Frames
		for s := range ex.srcs {
			for k, w := range blurs {
				m := make([]float32, len(masks[s]))
				for tt := range T {
					for f := range F {
						var acc float32
						c := 0
						for t2 := max(0, tt-w[1]/2); t2 <= min(T-1, tt+w[1]/2); t2++ {
							for f2 := max(0, f-w[0]/2); f2 <= min(F-1, f+w[0]/2); f2++ {
								acc += masks[s][t2*F+f2]
								c++
							}
						}
						m[tt*F+f] = acc / float32(c)
					}
				}
				Y, err := dsp.ApplyMask(X, m, nil)
				if err != nil {
					t.Fatal(err)
				}
				sum[k] += sisdri(t, cfg, ex.srcs[s], ex.mix, Y)
			}
			n++
		}
	}
	for k, w := range blurs {
		t.Logf("oracle PSM blurred over %d bins × %d frames: SI-SDRi %.2f dB", w[0], w[1], sum[k]/float64(n))
		if k > 0 && sum[k] > sum[0] {
			t.Errorf("blurring raised SI-SDRi")
		}
	}
}

// Where does a model lose against the best real mask? Its mask below a
// cut-off frequency, the oracle above: the SI-SDRi as the cut-off rises.
func TestAnalysisModelBands(t *testing.T) {
	m := analysisModel(t)
	cfg := m.Config
	mx := analysisMixer(t, cfg)
	r := rand.New(rand.NewSource(1))
	cuts := []int{0, 8, 16, 32, 64, 128, cfg.Bins()}
	sum := make([]float64, len(cuts))
	n := 0
	for range 50 {
		ex := mx.draw(r)
		es, err := m.estimates(ex)
		if err != nil {
			t.Fatal(err)
		}
		X, _, masks := psm(t, cfg, ex)
		F := X.Bins
		for s := range ex.srcs {
			for k, c := range cuts {
				Y := &dsp.ComplexSpectrogram{Bins: F, Frames: X.Frames, Data: make([]complex128, len(X.Data))}
				for j := range Y.Data {
					if j%F < c {
						Y.Data[j] = es[s].Data[j]
					} else {
						Y.Data[j] = X.Data[j] * complex(float64(masks[s][j]), 0)
					}
				}
				sum[k] += sisdri(t, cfg, ex.srcs[s], ex.mix, Y)
			}
			n++
		}
	}
	hz := float64(cfg.Rate) / float64(cfg.NFFT)
	for k, c := range cuts {
		t.Logf("model below %5.0f Hz, oracle PSM above: SI-SDRi %.2f dB", float64(c)*hz, sum[k]/float64(n))
	}
	for k := range cuts {
		if math.IsNaN(sum[k]) {
			t.Fatalf("NaN SI-SDRi at cut %d", cuts[k])
		}
	}
}

// Does each face's comb follow that face's voice? A voice's fundamental
// in a frame is the peak of its clean recording's contrast salience (the
// pitch pair's, on a 40 ms window), where that peak stands out (more than
// 4 standard deviations over the candidates). The face's fundamental is
// its pitch layer's pick or, with MultiPitch, the one of the pitch pair
// the assignment hands it. Counted per face and frame: frames where only
// this voice is voiced (with, for comparison, how often the mixture's own
// salience peak is right), and frames where both are, with fundamentals
// more than 6 candidates apart (its own voice's, the other's, an octave
// off, or else).
func TestAnalysisPitchAssignment(t *testing.T) {
	m := analysisModel(t)
	cfg := m.Config
	if cfg.Combs == 0 {
		t.Skip("model without harmonic combs")
	}
	K := cfg.Combs
	octave := int(math.Round(float64(K-1) / math.Log2(cfg.CombF0[1]/cfg.CombF0[0])))
	mx := analysisMixer(t, cfg)
	r := rand.New(rand.NewSource(1))
	truthCfg := cfg.pitchConfig()
	truthBank := truthCfg.combs()
	near := func(a, b int) bool { return a-b <= 3 && b-a <= 3 }
	var single, singleOwn, singleMix, both, own, other, oct, frames, same, nq int
	var decided float64
	for range 50 {
		ex := mx.draw(r)
		ft, err := cfg.features(ex, false)
		if err != nil {
			t.Fatal(err)
		}
		prog := nets.NewProgram(func(p *nets.Pass) error {
			k, err := m.build(p)
			if err != nil {
				return err
			}
			outs := k.pitch
			if cfg.MultiPitch {
				outs = []*G.Node{k.assign}
			}
			for i, o := range outs {
				if err := p.Output(fmt.Sprint(i), o); err != nil {
					return err
				}
			}
			return nil
		}, nets.ProgramOptions{Mode: nets.Eval})
		pass, err := prog.Run(cfg.feeds([]*features{ft}, []*example{ex}, false)...)
		if err != nil {
			t.Fatal(err)
		}
		var picks, truth [2][]int
		var values [][]float32
		for i := 0; ; i++ {
			v, _, err := pass.Value(fmt.Sprint(i))
			if err != nil {
				break
			}
			values = append(values, v)
		}
		if cfg.MultiPitch { // the pair's first fundamental to face 1 if assign > ½
			for _, q := range values[0] {
				decided += math.Abs(float64(q) - 0.5)
				nq++
			}
			a, b, _, _, err := cfg.pitchPair(ex.mix, nil)
			if err != nil {
				t.Fatal(err)
			}
			for tt := range ft.t {
				if values[0][tt] < 0.5 {
					a[tt], b[tt] = b[tt], a[tt]
				}
			}
			picks = [2][]int{a, b}
		} else {
			for s, p := range values {
				for tt := range ft.t {
					picks[s] = append(picks[s], argmax(p[tt*K:(tt+1)*K]))
				}
			}
		}
		for s := range ex.srcs {
			S, err := truthCfg.Analyse(ex.srcs[s])
			if err != nil {
				t.Fatal(err)
			}
			sal, err := truthBank.ContrastSalience(S)
			if err != nil {
				t.Fatal(err)
			}
			for tt := range ft.t {
				j := argmax(sal[tt*K : (tt+1)*K])
				if sal[tt*K+j] <= 4 {
					j = -1
				}
				truth[s] = append(truth[s], j)
			}
		}
		prog.Close()
		for tt := range ft.t {
			if a, b := truth[0][tt], truth[1][tt]; a >= 0 && b >= 0 && (a-b > 6 || b-a > 6) {
				frames++
				if near(picks[0][tt], picks[1][tt]) {
					same++
				}
			}
			mixPeak := argmax(ft.sal[tt*K : (tt+1)*K])
			for s := range 2 {
				mine, theirs, pick := truth[s][tt], truth[1-s][tt], picks[s][tt]
				switch {
				case mine < 0:
				case theirs < 0:
					single++
					if near(pick, mine) {
						singleOwn++
					}
					if near(mixPeak, mine) {
						singleMix++
					}
				case mine-theirs > 6 || theirs-mine > 6:
					both++
					switch {
					case near(pick, mine):
						own++
					case near(pick, theirs):
						other++
					case near(pick, mine+octave) || near(pick, mine-octave):
						oct++
					}
				}
			}
		}
	}
	if single == 0 || both == 0 {
		t.Fatalf("no voiced frames (%d alone, %d together)", single, both)
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(b) }
	what := "the pitch layer's pick"
	if cfg.MultiPitch {
		what = "the fundamental the assignment hands the face"
	}
	t.Logf("only this voice voiced: %d speaker-frames; %s is its fundamental in %.1f%% (the mixture's salience peak: %.1f%%)", single, what, pct(singleOwn, single), pct(singleMix, single))
	t.Logf("both voiced, fundamentals apart: %d speaker-frames; %s is its own voice's in %.1f%%, the other's in %.1f%%, an octave off in %.1f%%, else %.1f%%", both, what,
		pct(own, both), pct(other, both), pct(oct, both), pct(both-own-other-oct, both))
	t.Logf("in those frames both faces get the same candidate in %.1f%%", pct(same, frames))
	if nq > 0 {
		t.Logf("mean |assignment − ½| over all frames: %.3f", decided/float64(nq))
	}
}

// How should the remainder of the mixture that a model's masks leave to no
// one be handed out? Its plain estimates against four ways of making the
// outputs add up to the mixture: half of the waveform's remainder to each,
// shares of the spectrogram's remainder in proportion to each output's
// magnitude (Config.Consistency) or power, and 5 iterations of multiple
// input spectrogram inversion (MISI: the magnitudes are kept, the phases
// made consistent with the mixture).
func TestAnalysisConsistency(t *testing.T) {
	m := analysisModel(t)
	cfg := m.Config
	if cfg.Speakers != 2 || cfg.Consistency {
		t.Skip("needs a two-speaker model trained without consistency")
	}
	mx := analysisMixer(t, cfg)
	st := cfg.STFT()
	names := []string{"plain masks", "waveform halves", "magnitude shares", "power shares", "MISI ×5"}
	sum := make([]float64, len(names))
	r := rand.New(rand.NewSource(1))
	n := 0
	for range 60 {
		ex := mx.draw(r)
		L := len(ex.mix)
		es, err := m.estimates(ex)
		if err != nil {
			t.Fatal(err)
		}
		X, err := dsp.STFT(ex.mix, st)
		if err != nil {
			t.Fatal(err)
		}
		lin := []*dsp.ComplexSpectrogram{dsp.DecompressSpectrogram(es[0], cfg.Power), dsp.DecompressSpectrogram(es[1], cfg.Power)}
		wave := func(S *dsp.ComplexSpectrogram) []float64 {
			y, err := dsp.ISTFT(S, st, L)
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		score := func(k int, ys [2][]float64) {
			for s := range ys {
				a, err1 := dsp.SISDR(ex.srcs[s], ys[s])
				b, err2 := dsp.SISDR(ex.srcs[s], ex.mix)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				sum[k] += a - b
			}
		}
		plain := [2][]float64{wave(lin[0]), wave(lin[1])}
		score(0, plain)
		var halves [2][]float64
		for s := range halves {
			halves[s] = make([]float64, L)
			for i := range L {
				halves[s][i] = plain[s][i] + (ex.mix[i]-plain[0][i]-plain[1][i])/2
			}
		}
		score(1, halves)
		for k, q := range []float64{1, 2} {
			var ys [2][]float64
			for s := range ys {
				o := &dsp.ComplexSpectrogram{Bins: X.Bins, Frames: X.Frames, Data: make([]complex128, len(X.Data))}
				for i, x := range X.Data {
					a, b := math.Pow(cmplx.Abs(lin[0].Data[i]), q), math.Pow(cmplx.Abs(lin[1].Data[i]), q)
					w := 0.5
					if a+b > 0 {
						w = [2]float64{a, b}[s] / (a + b)
					}
					o.Data[i] = lin[s].Data[i] + complex(w, 0)*(x-lin[0].Data[i]-lin[1].Data[i])
				}
				ys[s] = wave(o)
			}
			score(2+k, ys)
		}
		misi := plain
		for range 5 {
			var next [2][]float64
			for s := range misi {
				y := make([]float64, L)
				for i := range L {
					y[i] = misi[s][i] + (ex.mix[i]-misi[0][i]-misi[1][i])/2
				}
				Y, err := dsp.STFT(y, st)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range Y.Data {
					a := cmplx.Abs(lin[s].Data[i])
					if av := cmplx.Abs(v); av > 0 {
						Y.Data[i] = v * complex(a/av, 0)
					} else {
						Y.Data[i] = complex(a, 0)
					}
				}
				next[s] = wave(Y)
			}
			misi = next
		}
		score(4, misi)
		n += 2
	}
	for k, name := range names {
		t.Logf("%-17s SI-SDRi %.2f dB", name, sum[k]/float64(n))
	}
}
