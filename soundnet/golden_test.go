package soundnet

import (
	"math"
	"testing"

	"github.com/avlearn/avlearn/nets"
)

// TestTorchGolden loads a PyTorch SoundNet-8 state_dict (width 1/8, made by
// testdata/soundnet/gen_soundnet.py with the paper's layer table) by name
// and compares conv5, pool5 and both conv8 heads in eval mode.
func TestTorchGolden(t *testing.T) {
	m, err := New(Config{Width: 0.125, Objects: 5, Scenes: 3, Window: 9.5})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.LoadWeights("../testdata/soundnet/soundnet8_w0125.safetensors"); err != nil {
		t.Fatal(err)
	}
	want, _, err := nets.ReadSafetensors("../testdata/soundnet/soundnet8_w0125_out.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	const n = 209475
	wave := make([]float64, n)
	for i := range wave {
		s := 0.1
		if (i/50)%2 == 1 {
			s = -0.1
		}
		wave[i] = float64((i*7919)%2001-1000)/2000 + s
	}
	for _, layer := range []string{"conv5", "pool5", "conv8_objs", "conv8_scns"} {
		f, err := m.Features(wave, layer)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[layer]
		if !ok {
			t.Fatalf("golden has no %s", layer)
		}
		wv, err := w.Float32()
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Shape) != 2 || w.Shape[0] != f.Channels || w.Shape[1] != f.Steps {
			t.Fatalf("%s: Go %d×%d, torch %v", layer, f.Channels, f.Steps, w.Shape)
		}
		var maxErr, scale float64
		for i, v := range wv {
			maxErr = math.Max(maxErr, math.Abs(float64(f.Data[i]-v)))
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		if maxErr > 1e-4*math.Max(scale, 1) {
			t.Errorf("%s: max |Go − torch| = %.3g (max |torch| %.3g)", layer, maxErr, scale)
		}
		t.Logf("%s %d×%d: max error %.2g of %.3g", layer, f.Channels, f.Steps, maxErr, scale)
	}
}
