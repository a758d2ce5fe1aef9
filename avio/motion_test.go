package avio

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// A Float32 motion track keeps values beyond ±1 and its rate; NaN is
// refused with its index; a clip without one says so.
func TestClipMotion(t *testing.T) {
	dir := t.TempDir()
	c := &Clip{Name: "c", Dir: dir}
	want := []float64{0, 1.5, -2.25, 0.125}
	f, err := os.Create(c.MotionPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := EncodeWAV(f, &Audio{SampleRate: 100, Channels: [][]float64{want}}, Float32); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, rate, err := c.Motion()
	if err != nil || rate != 100 || len(got) != len(want) {
		t.Fatalf("Motion: %v at %d Hz (%v)", got, rate, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Motion: %v, want %v", got, want)
		}
	}
	f, _ = os.Create(c.MotionPath())
	EncodeWAV(f, &Audio{SampleRate: 100, Channels: [][]float64{{0, math.NaN()}}}, Float32)
	f.Close()
	if _, _, err := c.Motion(); err == nil {
		t.Fatal("NaN accepted")
	}
	c2 := &Clip{Name: "none", Dir: filepath.Join(dir, "none")}
	if _, _, err := c2.Motion(); err == nil {
		t.Fatal("missing motion track accepted")
	}
}
