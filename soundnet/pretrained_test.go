package soundnet

import (
	"context"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// TestPretrained checks the shipped model on a small scene corpus that no
// network has seen: its pool5 features must classify scenes better than
// MFCC and log-mel statistics (5-fold cross-validated linear probes).
func TestPretrained(t *testing.T) {
	m, err := Pretrained()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Config.Width != 0.25 || len(m.Config.SceneNames) != m.Config.Scenes {
		t.Errorf("shipped config %+v", m.Config)
	}
	dir := t.TempDir()
	if err := synth.Scenes(dir, synth.ScenesOptions{N: 120, Seed: 90125, Duration: 5}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ProbeTable(context.Background(), m, ds.Clips, nil, nil, ProbeOptions{Layers: []string{"pool5"}, Folds: 5, RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rs.Table("%.1f").String())
	pool5, mfcc, logmel := rs[0], rs[2], rs[3]
	if pool5.Name != "pool5" || mfcc.Name != "MFCC mean+std" || logmel.Name != "log-mel mean+std" {
		t.Fatalf("rows %s, %s, %s", pool5.Name, mfcc.Name, logmel.Name)
	}
	if pool5.TestAcc <= mfcc.TestAcc || pool5.TestAcc <= logmel.TestAcc {
		t.Errorf("shipped pool5 %.1f %% does not beat MFCC statistics %.1f %% and log-mel statistics %.1f %%",
			100*pool5.TestAcc, 100*mfcc.TestAcc, 100*logmel.TestAcc)
	}
}
