package soundnet

import (
	"testing"

	"github.com/avlearn/avlearn/nets"
)

// TestLoadOldFiles reads model files written before the shared model-file
// scheme (testdata/compat): their configs decode and every weight loads.
func TestLoadOldFiles(t *testing.T) {
	m, err := Load("../testdata/compat/soundnet_v0.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Config; c.Width != 0.0625 || c.Objects != 3 || c.Scenes != 2 || c.Window != 10 || c.Seed != 3 {
		t.Errorf("soundnet config %+v", c)
	}
	sameAsFile(t, "../testdata/compat/soundnet_v0.safetensors", m.Params())
	tc, err := LoadImageTeacher("../testdata/compat/teacher_v0.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if o, s := tc.Classes(); len(o) != 2 || len(s) != 3 || s[2] != "z" {
		t.Errorf("teacher classes %v %v", o, s)
	}
	sameAsFile(t, "../testdata/compat/teacher_v0.safetensors", tc.Params())
	if _, err := LoadImageTeacher("../testdata/compat/soundnet_v0.safetensors"); err == nil {
		t.Error("a SoundNet file loaded as an image teacher")
	}
}

// sameAsFile checks that ps hold the values of the tensors of path.
func sameAsFile(t *testing.T, path string, ps []*nets.Param) {
	t.Helper()
	ts, _, err := nets.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		v, err := ts[p.Name].Float32()
		if err != nil || len(v) != len(p.Data) {
			t.Fatalf("%s: %v (%d values, want %d)", p.Name, err, len(v), len(p.Data))
		}
		for i := range v {
			if v[i] != p.Data[i] {
				t.Fatalf("%s[%d] = %v, file has %v", p.Name, i, p.Data[i], v[i])
			}
		}
	}
}

func TestMetricsTable(t *testing.T) {
	m := Metrics{ObjectTop1: 0.5, SceneTop1: 0.25, ObjectKL: 0.1, SceneKL: 0.2, PriorObjectTop1: 0.125, PriorObjectKL: 1, PriorSceneKL: 2}
	tb := m.Table()
	if len(tb.Rows) != 2 || tb.Rows[0].Values[0] != 50 || tb.Rows[0].Values[2] != 25 || tb.Rows[1].Values[0] != 12.5 || tb.Rows[1].Values[3] != 2 {
		t.Fatalf("table rows %+v", tb.Rows)
	}
}
