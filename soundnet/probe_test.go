package soundnet

import (
	"context"
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

// TestRealSteps checks that descriptors pool the steps centred on real
// samples: a 5 s input padded to 9.5 s keeps about half its pool5 steps.
func TestRealSteps(t *testing.T) {
	n := MinSamples()
	steps := Lengths(n)["pool5"]
	if k := realSteps("pool5", steps, n); k != steps {
		t.Errorf("unpadded: %d of %d steps kept", k, steps)
	}
	k := realSteps("pool5", steps, 5*Rate)
	a, b := layerSpan("pool5", k-1)
	c, d := layerSpan("pool5", k)
	if k < 2 || k >= steps || (a+b)/2 >= 5*Rate || (c+d)/2 < 5*Rate {
		t.Errorf("5 s of %d samples: %d of %d steps kept (last centre %d, next %d)", n, k, steps, (a+b)/2, (c+d)/2)
	}
	if a, b := layerSpan("conv1", 3); a != 3*2-32 || b != 3*2-32+63 {
		t.Errorf("conv1 step 3 sees %d…%d", a, b)
	}
	if realSteps("conv8", 1, 10) != 1 {
		t.Error("a step must always be kept")
	}
}
