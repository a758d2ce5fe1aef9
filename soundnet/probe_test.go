package soundnet

import (
	"context"
	"math"
	"slices"
	"testing"
)

func TestProbeTable(t *testing.T) {
	clips := makeCorpus(t, t.TempDir(), 12)
	var train, test = clips[:8], clips[8:]
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	rs, err := ProbeTable(context.Background(), m, train, nil, test, ProbeOptions{Layers: []string{"pool5", "conv8"}})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"pool5", "conv8", "random-weight pool5", "MFCC mean+std", "log-mel mean+std"}
	if len(rs) != len(names) {
		t.Fatalf("%d results, want %d", len(rs), len(names))
	}
	for i, r := range rs {
		if r.Name != names[i] || r.TestN != 4 || r.TrainN != 8 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	// 150 Hz hum against a 3 kHz whistle: MFCC statistics separate them.
	if mf := rs[3]; mf.TestAcc != 1 || mf.Dim != 40 || mf.StdErr != 0 {
		t.Errorf("MFCC probe: %+v", mf)
	}
	if lm := rs[4]; lm.TestAcc != 1 || lm.Dim != 256 {
		t.Errorf("log-mel probe: %+v", lm)
	}
	// cross-validation over all 12 clips, and a few-label probe
	rs, err = ProbeTable(context.Background(), m, train, nil, test, ProbeOptions{Layers: []string{"pool5"}, Folds: 3, FewShot: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 || rs[0].TestN != 12 || rs[2].Name != "MFCC mean+std" || rs[2].TestAcc != 1 ||
		rs[4].Name != "pool5, 1 clips per class" || rs[4].TrainN != 2 || rs[4].TestN != 4 {
		t.Errorf("cross-validated table:\n%v", rs.Table("%.1f"))
	}
	if _, err := ProbeTable(context.Background(), m, train, nil, nil, ProbeOptions{}); err == nil {
		t.Error("no test clips and no folds: no error")
	}
}

// TestCentredSteps checks which steps descriptors pool: those centred on
// the input's samples, so a 5 s input padded to 9.5 s keeps about half its
// pool5 steps.
func TestCentredSteps(t *testing.T) {
	n := MinSamples()
	steps := Lengths(n)["pool5"]
	if j0, j1 := centredSteps("pool5", steps, 0, n); j0 != 0 || j1 != steps {
		t.Errorf("unpadded: steps %d…%d of %d kept", j0, j1, steps)
	}
	centre := func(j int) int { a, b := layerSpan("pool5", j); return (a + b) / 2 }
	j0, k := centredSteps("pool5", steps, 0, 5*Rate)
	if j0 != 0 || k < 2 || k >= steps || centre(k-1) >= 5*Rate || centre(k) < 5*Rate {
		t.Errorf("5 s of %d samples: %d of %d steps kept (last centre %d, next %d)", n, k, steps, centre(k-1), centre(k))
	}
	j0, j1 := centredSteps("pool5", steps, Rate, 3*Rate)
	if j0 == 0 || centre(j0-1) >= Rate || centre(j0) < Rate || centre(j1-1) >= 3*Rate || centre(j1) < 3*Rate {
		t.Errorf("1…3 s: steps %d…%d kept", j0, j1)
	}
	if a, b := layerSpan("conv1", 3); a != 3*2-32 || b != 3*2-32+63 {
		t.Errorf("conv1 step 3 sees %d…%d", a, b)
	}
	if j0, j1 := centredSteps("conv8", 1, 0, 10); j0 != 0 || j1 != 1 {
		t.Error("a step must always be kept")
	}
}

// TestClipDescriptorsLoop checks that a clip shorter than the receptive
// field is described by its own sound all around every step, never by
// zero padding: 2 s of a steady chord give the statistics of the same
// steps of a 20 s recording of the chord (which are centred on the
// looped clip's repeats, so far from the recording's ends that the
// network sees no padding there).
func TestClipDescriptorsLoop(t *testing.T) {
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	layers := []string{"pool5", "conv7"}
	margin := 0 // where the looped clip's first repeat starts
	for _, l := range layers {
		a, b := layerSpan(l, 0)
		margin = max(margin, (b-a+1)/2)
	}
	chord := func(i int) float64 { // 441 and 1323 Hz: whole cycles in 2 s
		i -= margin
		return 0.3*math.Sin(2*math.Pi*441*float64(i)/Rate) + 0.2*math.Sin(2*math.Pi*1323*float64(i)/Rate)
	}
	short := make([]float64, 2*Rate)
	for i := range short {
		short[i] = chord(i + margin)
	}
	long := make([]float32, 20*Rate)
	for i := range long {
		long[i] = float32(chord(i) * InputScale)
	}
	if c, lo, hi := loop([]float64{1, 2, 3}, 7, 2); !slices.Equal(c, []float64{2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2}) || lo != 2 || hi != 11 {
		t.Errorf("loop of 1, 2, 3 to 7 with margin 2: %v, body %d…%d", c, lo, hi)
	}
	got, err := m.ClipDescriptors(short, layers)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := m.run(long, 1, len(long), layers)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		f := fs[l][0]
		j0, j1 := centredSteps(l, f.Steps, margin, margin+10*Rate) // five repeats make 9.5 s
		mid := &FeatureMap{Channels: f.Channels, Steps: j1 - j0}
		for ch := 0; ch < f.Channels; ch++ {
			mid.Data = append(mid.Data, f.Data[ch*f.Steps+j0:ch*f.Steps+j1]...)
		}
		var diff, norm float64
		for i, v := range append(mid.Mean(), mid.Std()...) {
			diff += (got[l][i] - float64(v)) * (got[l][i] - float64(v))
			norm += float64(v) * float64(v)
		}
		if r := math.Sqrt(diff / norm); !(r < 1e-4) {
			t.Errorf("%s: 2 s clip's descriptor is %.3f (relative) from the recording's", l, r)
		}
	}
	if _, err := m.ClipDescriptors(nil, layers); err == nil {
		t.Error("empty waveform accepted")
	}
	if _, err := m.ClipDescriptors(short, []string{"fc9"}); err == nil {
		t.Error("unknown layer accepted")
	}
}
