package synth

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/avlearn/avlearn/avio"
)

// SensorRate is the sample rate, in Hz, of sensor clips' audio.
const SensorRate = 16000

// MotionRate is the sample rate, in Hz, of sensor clips' motion track.
const MotionRate = 100

// Cues of the three streams of a sensor clip, by stream: what is heard,
// seen and felt when an event happens. 0 is nothing.
const (
	cueNone = iota
	cueBeep // audio: a few tone pips; frames: a flash of light; motion: a shake
	cueThud // audio: a low thump;      frames: an object crossing; motion: jolts
)

// SensorEvent is one event class of Sensors: its name and the cue it
// leaves in each stream (0 none, 1 or 2 one of two cues; see Sensors).
type SensorEvent struct {
	Name                  string
	Audio, Frames, Motion int
}

// SensorEvents are the event classes of Sensors. Each stream has three
// states (nothing, or one of two cues), and every pair of streams tells
// all nine classes apart while no single stream tells more than three
// groups apart: alarm is only heard, flash only seen, tremor only felt,
// and the others need two streams.
var SensorEvents = []SensorEvent{
	{"alarm", 1, 0, 0},     // beeps, nothing seen or felt
	{"flash", 0, 1, 0},     // a flash of light, silent, not felt
	{"tremor", 0, 0, 1},    // the ground shakes, silent, nothing seen
	{"slam", 2, 0, 2},      // a thump and a jolt off screen
	{"thunder", 2, 1, 1},   // a flash, a rumble, a shake
	{"collision", 1, 1, 2}, // an alarm beeps, lights flash, a jolt
	{"ball", 2, 2, 0},      // a ball crosses the view and lands with a thump, too far to feel
	{"robot", 1, 2, 1},     // a beeping robot crosses the view and shakes the floor
	{"footsteps", 0, 2, 2}, // someone walks past silently; the floor jolts at each step
}

// SensorsOptions configures Sensors.
type SensorsOptions struct {
	N        int     // number of clips (required)
	Seed     int64   // corpus seed
	Duration float64 // seconds per clip; 0 means 2
	FPS      float64 // frame rate; 0 means 10
	Size     int     // frame size in pixels; 0 means 32
	Workers  int     // parallel goroutines; 0 means GOMAXPROCS
	Progress Progress
	// Context, if not nil, stops the generation when it is cancelled,
	// with its error; the clips written so far stay.
	Context  context.Context
	ValFrac  float64 // fraction of clips in val; 0 means 0.15
	TestFrac float64 // fraction of clips in test; 0 means 0.15
}

func (o *SensorsOptions) defaults() error {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if o.Size == 0 {
		o.Size = 32
	}
	def(&o.Duration, 2)
	def(&o.FPS, 10)
	def(&o.ValFrac, 0.15)
	def(&o.TestFrac, 0.15)
	if !(o.Duration >= 1.5 && o.Duration <= 60) {
		return fmt.Errorf("synth: sensors: duration %g s out of range [1.5, 60]", o.Duration)
	}
	return checkFramesAndSplits("sensors", o.FPS, 60, o.Size, o.ValFrac, o.TestFrac)
}

// sensorClip holds one clip's drawn parameters.
type sensorClip struct {
	ev    SensorEvent
	onset float64 // seconds
	dur   float64
	// frames
	bg, obj    RGB
	pixNoise   float64
	flashGain  float64
	flashLen   float64
	drift      float64 // lighting drift over the clip (a distractor)
	objSize    float64 // fraction of the frame
	x0, y0     float64 // object path start and end (fractions)
	x1, y1     float64
	crossLen   float64 // seconds the object takes to cross
	boxX, boxY float64 // a static box (a distractor)
	boxCol     RGB
	frameSeed  uint64
}

// Sensors writes clips of synchronised sensor streams of one event each
// (clip i is event i mod 9, see SensorEvents): audio.wav at 16 kHz
// (SensorRate), frames at 10 fps of 32×32 pixels, and motion.wav
// (avio.MotionFile), a one-axis accelerometer track in g at 100 Hz
// (MotionRate) read with avio's (*Clip).Motion. Labels: "event" (the
// class name) and "onset" (seconds, when every cue starts).
//
// Every clip has background noise in each stream: wide-band noise at a
// random level and, in 30 % of clips, a hum (audio); a random background
// colour, pixel noise, a static box and, in 30 % of clips, a slow change
// of lighting (frames); sensor noise and a slow sway (motion). Cues start
// together at the onset, uniform in 0.2 s … Duration − 1.2 s, each at a
// random strength, some of them faint:
//
//	audio   1: 2–4 tone pips at 1.2–2.5 kHz     2: a low thump, 50–120 Hz, decaying in 60–150 ms
//	frames  1: the whole frame brightens for 0.1–0.3 s
//	        2: a square of random colour crosses the view in 0.5–1.2 s
//	motion  1: a 6–14 Hz shake for 0.5–1.2 s   2: 1–3 jolts (damped 15–30 Hz ringing)
//
// Splits are drawn per clip (15 % val, 15 % test by default).
func Sensors(dir string, o SensorsOptions) error {
	if err := (common{N: o.N, Workers: o.Workers}).check("sensors"); err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	n := int(math.Round(o.Duration * SensorRate))
	nm := int(math.Round(o.Duration * MotionRate))
	nframes := max(1, int(math.Round(o.Duration*o.FPS)))
	gen := func(i int) (*clip, error) {
		r := rngFor(o.Seed, "sensors-clip", i)
		c := drawSensorClip(r, SensorEvents[i%len(SensorEvents)], o.Duration)
		audio := c.audio(r, n)
		motion := c.motion(r, nm)
		return &clip{
			name:    fmt.Sprintf("%06d", i),
			audio:   audio,
			rate:    SensorRate,
			nframes: nframes,
			frame:   func(k int) image.Image { return c.render(o.Size, k, float64(k)/o.FPS) },
			fps:     o.FPS,
			split:   splitOf(o.Seed, i, o.ValFrac, o.TestFrac),
			labels: map[string]string{
				"event": c.ev.Name,
				"onset": strconv.FormatFloat(c.onset, 'f', 3, 64),
			},
			files: []clipFile{{avio.MotionFile, func(w io.Writer) error {
				return avio.EncodeWAV(w, &avio.Audio{SampleRate: MotionRate, Channels: [][]float64{motion}}, avio.Float32)
			}}},
		}, nil
	}
	sample := func(c *clip) image.Image {
		t, _ := strconv.ParseFloat(c.labels["onset"], 64)
		return c.frame(min(c.nframes-1, int(math.Ceil((t+0.1)*c.fps))))
	}
	return generate(dir, common{N: o.N, Seed: o.Seed, Workers: o.Workers, Progress: o.Progress, Context: o.Context}, gen, sample)
}

func drawSensorClip(r *rand.Rand, ev SensorEvent, dur float64) *sensorClip {
	c := &sensorClip{ev: ev, dur: dur, onset: uniform(r, 0.2, dur-1.2)}
	c.bg = RGB{uniform(r, 0.1, 0.6), uniform(r, 0.1, 0.6), uniform(r, 0.1, 0.6)}
	c.obj = RGB{r.Float64(), r.Float64(), r.Float64()}
	c.pixNoise = uniform(r, 0.02, 0.08)
	c.flashGain = uniform(r, 0.1, 0.5)
	c.flashLen = uniform(r, 0.1, 0.3)
	if r.Float64() < 0.3 {
		c.drift = uniform(r, -0.25, 0.25)
	}
	c.objSize = uniform(r, 0.12, 0.25)
	side := r.IntN(4) // the object enters from a side and leaves by the opposite one
	a, b := uniform(r, 0.2, 0.8), uniform(r, 0.2, 0.8)
	switch side {
	case 0:
		c.x0, c.y0, c.x1, c.y1 = -0.2, a, 1.2, b
	case 1:
		c.x0, c.y0, c.x1, c.y1 = 1.2, a, -0.2, b
	case 2:
		c.x0, c.y0, c.x1, c.y1 = a, -0.2, b, 1.2
	default:
		c.x0, c.y0, c.x1, c.y1 = a, 1.2, b, -0.2
	}
	c.crossLen = uniform(r, 0.5, 1.2)
	c.boxX, c.boxY = uniform(r, 0.1, 0.7), uniform(r, 0.1, 0.7)
	c.boxCol = RGB{r.Float64(), r.Float64(), r.Float64()}
	c.frameSeed = r.Uint64()
	return c
}

// audio returns n samples at SensorRate: background and the event's cue.
func (c *sensorClip) audio(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	bg := uniform(r, 0.01, 0.05)
	for i := range x {
		x[i] = bg * r.NormFloat64()
	}
	if r.Float64() < 0.3 { // a hum somewhere in the room
		f, a := uniform(r, 50, 300), bg*uniform(r, 0.5, 2)
		for i := range x {
			x[i] += a * math.Sin(2*math.Pi*f*float64(i)/SensorRate)
		}
	}
	level := bg * math.Pow(10, uniform(r, 0, 24)/20) // 0 … 24 dB above the noise
	t0 := int(c.onset * SensorRate)
	switch c.ev.Audio {
	case cueBeep:
		f := uniform(r, 1200, 2500)
		pips := 2 + r.IntN(3)
		gap := uniform(r, 0.12, 0.25)
		for p := 0; p < pips; p++ {
			s0 := t0 + int(float64(p)*gap*SensorRate)
			for k := 0; k < int(0.08*SensorRate) && s0+k < n; k++ {
				env := math.Sin(math.Pi * float64(k) / (0.08 * SensorRate))
				x[s0+k] += level * env * math.Sin(2*math.Pi*f*float64(k)/SensorRate)
			}
		}
	case cueThud:
		f, tau := uniform(r, 50, 120), uniform(r, 0.06, 0.15)
		var lp float64
		for k := 0; t0+k < n && float64(k) < 6*tau*SensorRate; k++ {
			t := float64(k) / SensorRate
			env := math.Exp(-t / tau)
			lp += 0.05 * (r.NormFloat64() - lp) // low-passed noise for the impact
			x[t0+k] += 2 * level * env * (math.Sin(2*math.Pi*f*t) + 2*lp)
		}
	}
	return x
}

// motion returns n samples at MotionRate of vertical acceleration in g
// (gravity removed).
func (c *sensorClip) motion(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	noise := uniform(r, 0.005, 0.02)
	sf, sa, sp := uniform(r, 0.3, 2), uniform(r, 0, 0.03), uniform(r, 0, 2*math.Pi)
	for i := range x {
		t := float64(i) / MotionRate
		x[i] = noise*r.NormFloat64() + sa*math.Sin(2*math.Pi*sf*t+sp)
	}
	level := noise * math.Pow(10, uniform(r, 6, 26)/20)
	t0 := int(c.onset * MotionRate)
	switch c.ev.Motion {
	case cueBeep: // shake
		f, l := uniform(r, 6, 14), uniform(r, 0.5, 1.2)
		for k := 0; t0+k < n && float64(k) < l*MotionRate; k++ {
			t := float64(k) / MotionRate
			x[t0+k] += level * math.Sin(math.Pi*t/l) * math.Sin(2*math.Pi*f*t)
		}
	case cueThud: // jolts
		jolts := 1 + r.IntN(3)
		gap := uniform(r, 0.25, 0.45)
		for j := 0; j < jolts; j++ {
			s0 := t0 + int(float64(j)*gap*MotionRate)
			f := uniform(r, 15, 30)
			a := 2 * level * uniform(r, 0.7, 1.3)
			for k := 0; s0+k < n && k < MotionRate/4; k++ {
				t := float64(k) / MotionRate
				x[s0+k] += a * math.Exp(-t/0.05) * math.Cos(2*math.Pi*f*t)
			}
		}
	}
	return x
}

// render draws frame k (time t).
func (c *sensorClip) render(size, k int, t float64) image.Image {
	s := float64(size)
	light := 1 + c.drift*t/c.dur
	if c.ev.Frames == cueBeep && t >= c.onset && t < c.onset+c.flashLen {
		light += c.flashGain
	}
	cv := newCanvas(size, size, c.bg.scale(light))
	cv.rect(c.boxX*s, c.boxY*s, (c.boxX+0.2)*s, (c.boxY+0.2)*s, c.boxCol.scale(light), 1)
	if c.ev.Frames == cueThud && t >= c.onset && t < c.onset+c.crossLen {
		u := (t - c.onset) / c.crossLen
		x, y := c.x0+(c.x1-c.x0)*u, c.y0+(c.y1-c.y0)*u
		h := c.objSize / 2
		cv.rect((x-h)*s, (y-h)*s, (x+h)*s, (y+h)*s, c.obj.scale(light), 1)
	}
	r := rngFor(int64(c.frameSeed), "sensors-pixels", k)
	for i := range cv.pix {
		p := &cv.pix[i]
		p.R += c.pixNoise * r.NormFloat64()
		p.G += c.pixNoise * r.NormFloat64()
		p.B += c.pixNoise * r.NormFloat64()
	}
	return cv.image()
}
