package nets

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveModelLoadConfig(t *testing.T) {
	type config struct {
		Channels int     `json:"channels"`
		Rate     float64 `json:"rate"`
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	ps := stTestParams()
	if err := SaveModel(path, "test", ParamSet(ps), config{Channels: 4, Rate: 16000}, map[string]string{"task": "test"}); err != nil {
		t.Fatal(err)
	}
	var cfg config
	meta, err := LoadConfig(path, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg != (config{4, 16000}) || meta["task"] != "test" || meta[MetaConfig] != `{"channels":4,"rate":16000}` {
		t.Fatalf("config %+v meta %v", cfg, meta)
	}
	if _, err := LoadSafetensors(path, cloneZero(ps)); err != nil {
		t.Fatal(err)
	}
	// A weights-only file has no config.
	bare := filepath.Join(dir, "bare.safetensors")
	if err := SaveSafetensors(bare, ps, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(bare, &cfg); err == nil || !strings.Contains(err.Error(), `no "config" entry`) {
		t.Fatalf("error %v", err)
	}
	if err := SaveModel(path, "test", ParamSet(ps), func() {}, nil); err == nil || !strings.Contains(err.Error(), "encoding the test config") {
		t.Fatalf("error %v", err)
	}
	var wrong struct{ Channels string }
	if _, err := LoadConfig(path, &wrong); err == nil || !strings.Contains(err.Error(), "config: json") {
		t.Fatalf("error %v", err)
	}
}

func TestLoadModel(t *testing.T) {
	type config struct {
		Channels int    `json:"channels"`
		WinLen   int    `json:"win_length"`
		Name     string // untagged fields keep their Go name
	}
	dir := t.TempDir()
	ps := stTestParams()
	build := func() (ParamSet, error) { return cloneZero(ps), nil }
	check := func(path string, want config) {
		t.Helper()
		var cfg config
		m, _, err := LoadModel(path, "test", &cfg, build)
		if err != nil {
			t.Fatal(err)
		}
		if cfg != want {
			t.Fatalf("config %+v, want %+v", cfg, want)
		}
		for i, p := range m {
			for j, v := range p.Data {
				if v != ps[i].Data[j] {
					t.Fatalf("%s[%d] = %v, want %v", p.Name, j, v, ps[i].Data[j])
				}
			}
		}
	}
	path := filepath.Join(dir, "m.safetensors")
	if err := SaveModel(path, "test", ParamSet(ps), config{4, 400, "a"}, nil); err != nil {
		t.Fatal(err)
	}
	check(path, config{4, 400, "a"})
	// A file of the older scheme: config under "<kind>.config" with Go
	// field names as keys.
	old := filepath.Join(dir, "old.safetensors")
	if err := SaveSafetensors(old, ps, map[string]string{"test.config": `{"Channels":3,"WinLen":320,"Name":"b"}`, "format": "test"}); err != nil {
		t.Fatal(err)
	}
	check(old, config{3, 320, "b"})
	var cfg config
	if _, _, err := LoadModel(path, "other", &cfg, build); err == nil || !strings.Contains(err.Error(), "holds a test model, not a other model") {
		t.Fatalf("error %v", err)
	}
	bare := filepath.Join(dir, "bare.safetensors")
	if err := SaveSafetensors(bare, ps, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadModel(bare, "test", &cfg, build); err == nil || !strings.Contains(err.Error(), "not a test model file") {
		t.Fatalf("error %v", err)
	}
	// The model must match the file's tensors.
	short := func() (ParamSet, error) { return cloneZero(ps[:1]), nil }
	if _, _, err := LoadModel(path, "test", &cfg, short); err == nil || !strings.Contains(err.Error(), "unexpected tensor") {
		t.Fatalf("error %v", err)
	}
}
