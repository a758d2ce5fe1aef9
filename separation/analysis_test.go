package separation

import (
	"context"
	"math"
	"math/rand"
	"os"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// The analyses behind separation/README.md's argument for harmonic combs.
// They need a corpus (and a model), so they run only when pointed at them:
//
//	AVL_SEPARATION_DATA=spk go test ./separation -run Analysis -v
//	AVL_SEPARATION_DATA=spk AVL_SEPARATION_MODEL=m.safetensors go test ./separation -run Analysis -v

// analysisMixer returns a mixer over the val split of $AVL_SEPARATION_DATA
// (design decisions are made on val; the test speakers only score).
func analysisMixer(t *testing.T, cfg Config) *mixer {
	root := os.Getenv("AVL_SEPARATION_DATA")
	if root == "" {
		t.Skip("AVL_SEPARATION_DATA not set")
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := cfg.loadSources(context.Background(), ds.Split("val"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	mx, err := newMixer(cfg, srcs, cfg.SegmentFrames())
	if err != nil {
		t.Fatal(err)
	}
	return mx
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
	return X, S, PhaseSensitiveMasks(X, S)
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
	cfg := DefaultConfig()
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
				Y, err := ApplyMask(X, m, nil)
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
	path := os.Getenv("AVL_SEPARATION_MODEL")
	if path == "" {
		t.Skip("AVL_SEPARATION_MODEL not set")
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
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
