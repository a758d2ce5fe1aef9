package synth

import (
	"math"
	"strconv"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// Sensor corpora are a function of the seed, readable by avio with their
// motion track, one event per clip in turn, and each cue is in its
// stream: the motion track is stronger after the onset when the event is
// felt, the audio when it is heard, the frames change more when it is seen.
func TestSensors(t *testing.T) {
	gen := func(seed int64, workers int) string {
		dir := t.TempDir()
		if err := Sensors(dir, SensorsOptions{N: 18, Seed: seed, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir := gen(3, 1)
	if a, b, c := hashDir(t, dir), hashDir(t, gen(3, 2)), hashDir(t, gen(4, 2)); a != b || a == c {
		t.Fatalf("same seed, other workers: equal %v; other seed: equal %v", a == b, a == c)
	}
	ds, err := avio.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Clips) != 18 {
		t.Fatalf("%d clips, want 18", len(ds.Clips))
	}
	// mean cue strength after the onset relative to before, by cue state
	var felt, heard, seen [2][]float64
	for i, c := range ds.Clips {
		ev := SensorEvents[i%len(SensorEvents)]
		if c.Meta.Labels["event"] != ev.Name || c.NumFrames != 20 {
			t.Fatalf("clip %s: event %q, %d frames; want %q, 20", c.Name, c.Meta.Labels["event"], c.NumFrames, ev.Name)
		}
		onset, err := strconv.ParseFloat(c.Meta.Labels["onset"], 64)
		if err != nil {
			t.Fatal(err)
		}
		m, rate, err := c.Motion()
		if err != nil || rate != MotionRate || len(m) != 2*MotionRate {
			t.Fatalf("clip %s: motion of %d samples at %d Hz (%v)", c.Name, len(m), rate, err)
		}
		a, err := c.Audio(0)
		if err != nil {
			t.Fatal(err)
		}
		felt[b2i(ev.Motion > 0)] = append(felt[b2i(ev.Motion > 0)], ratio(m, int(onset*MotionRate), MotionRate))
		heard[b2i(ev.Audio > 0)] = append(heard[b2i(ev.Audio > 0)], ratio(a, int(onset*SensorRate), SensorRate))
		var diff [2]float64 // frame change around the onset vs at the start
		k0 := int(math.Ceil(onset * c.Meta.FPS))
		for j, k := range []int{1, k0 + 1} {
			x, _ := c.FrameTensor(k-1, avio.FrameOptions{})
			y, _ := c.FrameTensor(min(k+1, c.NumFrames-1), avio.FrameOptions{})
			for p := range x {
				diff[j] += math.Abs(float64(x[p] - y[p]))
			}
		}
		seen[b2i(ev.Frames > 0)] = append(seen[b2i(ev.Frames > 0)], diff[1]/diff[0])
	}
	for name, s := range map[string][2][]float64{"motion": felt, "audio": heard, "frames": seen} {
		if a, b := mean(s[0]), mean(s[1]); !(b > 1.5*a) {
			t.Errorf("%s: after/before onset %.2f with a cue, %.2f without", name, b, a)
		}
	}
	if err := Sensors(t.TempDir(), SensorsOptions{N: 1, Duration: 1}); err == nil {
		t.Error("duration 1 s accepted")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ratio is the RMS of one second of x after sample k over the RMS before.
func ratio(x []float64, k, rate int) float64 {
	rms := func(s []float64) float64 {
		var e float64
		for _, v := range s {
			e += v * v
		}
		return math.Sqrt(e / float64(max(1, len(s))))
	}
	return rms(x[k:min(len(x), k+rate)]) / rms(x[:k])
}
