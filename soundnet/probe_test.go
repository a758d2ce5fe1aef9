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
	names := []string{"pool5", "conv8", "random-weight pool5", "MFCC mean+std"}
	if len(rs) != len(names) {
		t.Fatalf("%d results, want %d", len(rs), len(names))
	}
	for i, r := range rs {
		if r.Name != names[i] || r.TestN != 4 || r.TrainN != 8 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	// 150 Hz hum against a 3 kHz whistle: MFCC statistics separate them.
	if mf := rs[3]; mf.TestAcc != 1 || mf.Dim != 40 {
		t.Errorf("MFCC probe: %+v", mf)
	}
}
