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
	if err := SaveModel(path, ParamSet(ps), config{Channels: 4, Rate: 16000}, map[string]string{"task": "test"}); err != nil {
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
	if err := SaveModel(path, ParamSet(ps), func() {}, nil); err == nil || !strings.Contains(err.Error(), "encoding config") {
		t.Fatalf("error %v", err)
	}
	var wrong struct{ Channels string }
	if _, err := LoadConfig(path, &wrong); err == nil || !strings.Contains(err.Error(), "config: json") {
		t.Fatalf("error %v", err)
	}
}
