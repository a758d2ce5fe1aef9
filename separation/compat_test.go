package separation

import (
	"testing"

	"github.com/avlearn/avlearn/nets"
)

// TestLoadOldFile reads a model file written before the shared model-file
// scheme (testdata/compat): the config, saved with Go field names, decodes
// and every weight loads.
func TestLoadOldFile(t *testing.T) {
	const path = "../testdata/compat/separation_v0.safetensors"
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config
	if c.Mask != MaskReal || c.Combs != 24 || !c.MultiPitch || !c.TrackPitch || !c.Consistency || c.Loss != LossSISDR ||
		c.AudioChannels != 8 || c.LSTMHidden != 8 || c.FCHidden != 16 || c.VisualDim != 8 || c.NFFT != 512 || c.WinLength != 400 {
		t.Errorf("config %+v", c)
	}
	ts, _, err := nets.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		v, err := ts[p.Name].Float32()
		if err != nil || len(v) != len(p.Data) {
			t.Fatalf("%s: %v", p.Name, err)
		}
		for i := range v {
			if v[i] != p.Data[i] {
				t.Fatalf("%s[%d] = %v, file has %v", p.Name, i, p.Data[i], v[i])
			}
		}
	}
}
