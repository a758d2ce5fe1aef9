package separation

import (
	"strings"
	"testing"
)

func TestExtend(t *testing.T) {
	c := tinyConfig()
	c.Mask = MaskReal
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Extend(m, Changes{TrackPitch: true}); err == nil || !strings.Contains(err.Error(), "need harmonic combs") {
		t.Fatalf("tracking without combs: %v", err)
	}
	on := true
	e, err := Extend(m, Changes{Combs: 12, TrackPitch: true, Consistency: &on, Loss: LossSISDR})
	if err != nil {
		t.Fatal(err)
	}
	if e == m || m.Config.Combs != 0 {
		t.Fatal("growing the model changed it in place")
	}
	if g := e.Config; g.Combs != 12 || !g.TrackPitch || !g.Consistency || g.Loss != LossSISDR || g.MultiPitch {
		t.Fatalf("extended config %+v", g)
	}
	// Weightless switches keep the model.
	off := false
	same, err := Extend(e, Changes{Consistency: &off})
	if err != nil || same != e || same.Config.Consistency {
		t.Fatalf("switching consistency off: %v, same model %v, consistency %v", err, same == e, same.Config.Consistency)
	}
	// An invalid result is refused, naming the setting.
	cm, err := New(tinyConfig()) // complex masks
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Extend(cm, Changes{Loss: LossSISDR}); err == nil || !strings.Contains(err.Error(), "loss") {
		t.Fatalf("SI-SDR loss on complex masks: %v", err)
	}
}
