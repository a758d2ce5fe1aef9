package synth

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// SceneRate is the sample rate, in Hz, of scene audio (SoundNet's).
const SceneRate = 22050

// SceneNames are the scene classes, in the order ScenesOptions.Scenes takes them.
var SceneNames = []string{"beach", "forest", "city", "kitchen", "stadium", "underwater", "desert", "office"}

// scenePlace completes a caption such as "a dog in the kitchen".
var scenePlace = []string{"at the beach", "in the forest", "in the city", "in the kitchen", "at the stadium", "underwater", "in the desert", "in the office"}

// ObjectNames are the object classes, in the order ScenesOptions.Objects takes them.
var ObjectNames = []string{"bird", "dog", "car", "bell", "phone", "drum", "whistle", "clock"}

// sceneProto is the centre of a scene class; every clip perturbs every
// field.
type sceneProto struct {
	sky, ground, tex RGB
	horizon          float64
	texture          int // 0 waves, 1 trunks, 2 buildings, 3 tiles, 4 crowd, 5 bubbles, 6 dunes, 7 desks
	// ambience
	lo, hi   float64 // noise band, Hz
	hum      float64 // hum fundamental, Hz (0: none)
	humLevel float64
	modRate  float64 // rhythmic amplitude modulation, Hz
	modDepth float64
	clicks   float64 // rate of click texture, per second
}

var sceneProtos = []sceneProto{
	{RGB{0.55, 0.75, 0.95}, RGB{0.9, 0.8, 0.55}, RGB{0.2, 0.45, 0.75}, 0.45, 0, 80, 1500, 0, 0, 0.15, 0.8, 0},
	{RGB{0.6, 0.75, 0.6}, RGB{0.2, 0.4, 0.15}, RGB{0.35, 0.25, 0.15}, 0.55, 1, 800, 7000, 0, 0, 0.5, 0.4, 0.5},
	{RGB{0.6, 0.6, 0.65}, RGB{0.3, 0.3, 0.32}, RGB{0.45, 0.45, 0.5}, 0.65, 2, 40, 800, 55, 0.3, 0.25, 0.3, 0},
	{RGB{0.85, 0.8, 0.65}, RGB{0.7, 0.7, 0.75}, RGB{0.55, 0.55, 0.6}, 0.6, 3, 200, 4000, 110, 0.5, 0, 0, 2},
	{RGB{0.15, 0.15, 0.35}, RGB{0.2, 0.6, 0.25}, RGB{0.8, 0.6, 0.5}, 0.4, 4, 300, 3000, 0, 0, 1.8, 0.5, 0},
	{RGB{0.1, 0.45, 0.6}, RGB{0.05, 0.25, 0.4}, RGB{0.7, 0.9, 1}, 0.3, 5, 30, 500, 0, 0, 0.8, 0.3, 4},
	{RGB{0.85, 0.7, 0.45}, RGB{0.85, 0.55, 0.3}, RGB{0.7, 0.45, 0.25}, 0.5, 6, 150, 2500, 0, 0, 0.08, 0.7, 0},
	{RGB{0.8, 0.82, 0.85}, RGB{0.45, 0.4, 0.35}, RGB{0.35, 0.3, 0.25}, 0.55, 7, 100, 3000, 120, 0.35, 0, 0, 5},
}

// objProto is the centre of an object class.
type objProto struct {
	shape int // 0 triangle, 1 square, 2 wide box, 3 circle, 4 small box, 5 ring, 6 star, 7 cross
	col   RGB
	size  float64
	sound int // same numbering as ObjectNames
	f     float64
}

var objProtos = []objProto{
	{0, RGB{0.85, 0.3, 0.15}, 0.08, 0, 3200},
	{1, RGB{0.55, 0.35, 0.2}, 0.11, 1, 450},
	{2, RGB{0.2, 0.35, 0.8}, 0.12, 2, 60},
	{3, RGB{0.9, 0.8, 0.2}, 0.09, 3, 900},
	{4, RGB{0.15, 0.15, 0.2}, 0.07, 4, 440},
	{5, RGB{0.75, 0.2, 0.3}, 0.1, 5, 90},
	{6, RGB{0.95, 0.95, 0.9}, 0.09, 6, 2000},
	{7, RGB{0.4, 0.6, 0.3}, 0.09, 7, 3000},
}

// ScenesOptions configures Scenes.
type ScenesOptions struct {
	N        int     // number of clips (required)
	Seed     int64   // corpus seed
	Scenes   int     // number of scene classes, 1–8; 0 means 6
	Objects  int     // number of object classes, 1–8; 0 means 6
	Duration float64 // seconds per clip; 0 means 5
	FPS      float64 // frame rate; 0 means 2
	Size     int     // frame size in pixels; 0 means 64
	Workers  int     // parallel goroutines; 0 means GOMAXPROCS
	Progress Progress
	// Context, if not nil, stops the generation when it is cancelled,
	// with its error; the clips written so far stay.
	Context  context.Context
	ValFrac  float64 // fraction of clips in val; 0 means 0.1
	TestFrac float64 // fraction of clips in test; 0 means 0.1
}

func (o *ScenesOptions) defaults() error {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if o.Scenes == 0 {
		o.Scenes = 6
	}
	if o.Objects == 0 {
		o.Objects = 6
	}
	if o.Size == 0 {
		o.Size = 64
	}
	def(&o.Duration, 5)
	def(&o.FPS, 2)
	def(&o.ValFrac, 0.1)
	def(&o.TestFrac, 0.1)
	switch {
	case o.Scenes < 1 || o.Scenes > len(sceneProtos):
		return fmt.Errorf("synth: scenes: number of scene classes must be 1–%d, got %d", len(sceneProtos), o.Scenes)
	case o.Objects < 1 || o.Objects > len(objProtos):
		return fmt.Errorf("synth: scenes: number of object classes must be 1–%d, got %d", len(objProtos), o.Objects)
	case !(o.Duration >= 0.5 && o.Duration <= 60):
		return fmt.Errorf("synth: scenes: duration %g s out of range [0.5, 60]", o.Duration)
	}
	return checkFramesAndSplits("scenes", o.FPS, 60, o.Size, o.ValFrac, o.TestFrac)
}

// splitOf assigns clip i to a split with a seeded draw, so the split sizes
// follow the fractions on average.
func splitOf(seed int64, i int, valFrac, testFrac float64) string {
	u := rngFor(seed, "clip-split", i).Float64()
	switch {
	case u < testFrac:
		return "test"
	case u < testFrac+valFrac:
		return "val"
	}
	return "train"
}

// appearance is one interval during which the object is on screen and
// sounding.
type appearance struct {
	t0, t1         float64
	x0, y0, x1, y1 float64 // start and end position (fractions of the image)
}

// sceneClip holds one clip's drawn parameters.
type sceneClip struct {
	scene, object int
	sp            sceneProto
	op            objProto
	seed          uint64 // texture layout
	apps          []appearance
	objScale      float64
	objRot        float64
}

func jitterRGB(r *rand.Rand, c RGB, s float64) RGB {
	return RGB{clamp01(c.R + s*r.NormFloat64()), clamp01(c.G + s*r.NormFloat64()), clamp01(c.B + s*r.NormFloat64())}
}

// logJitter multiplies v by exp(N(0, s)).
func logJitter(r *rand.Rand, v, s float64) float64 { return v * math.Exp(s*r.NormFloat64()) }

func drawSceneClip(r *rand.Rand, scene, object int, dur float64) sceneClip {
	sp := sceneProtos[scene]
	// every parameter varies; class distributions overlap
	sp.sky = jitterRGB(r, sp.sky, 0.12)
	sp.ground = jitterRGB(r, sp.ground, 0.12)
	sp.tex = jitterRGB(r, sp.tex, 0.12)
	sp.horizon = math.Max(0.15, math.Min(0.85, sp.horizon+0.1*r.NormFloat64()))
	sp.lo = logJitter(r, sp.lo, 0.45)
	sp.hi = math.Max(sp.lo*1.5, logJitter(r, sp.hi, 0.45))
	sp.hi = math.Min(sp.hi, 0.45*SceneRate)
	if sp.hum > 0 {
		sp.hum = logJitter(r, sp.hum, 0.25)
		sp.humLevel *= uniform(r, 0.3, 1.5)
	}
	// a faint hum or click texture can show up in any scene
	if r.Float64() < 0.3 {
		sp.hum, sp.humLevel = uniform(r, 40, 250), uniform(r, 0.05, 0.3)
	}
	if r.Float64() < 0.3 {
		sp.clicks += uniform(r, 0.3, 3)
	}
	sp.modRate = logJitter(r, math.Max(sp.modRate, 0.05), 0.4)
	sp.modDepth = clamp01(sp.modDepth + 0.2*r.NormFloat64())
	op := objProtos[object]
	op.col = jitterRGB(r, op.col, 0.15)
	op.f = logJitter(r, op.f, 0.25)
	c := sceneClip{scene: scene, object: object, sp: sp, op: op, seed: r.Uint64(),
		objScale: logJitter(r, 1, 0.25), objRot: 0.3 * r.NormFloat64()}
	napp := 1 + r.IntN(3)
	slot := dur / float64(napp)
	for k := 0; k < napp; k++ {
		l := math.Min(slot*uniform(r, 0.5, 0.9), math.Max(0.6, slot*0.5))
		t0 := float64(k)*slot + uniform(r, 0, slot-l)
		a := appearance{t0: t0, t1: t0 + l,
			x0: uniform(r, 0.15, 0.85), y0: uniform(r, 0.2, 0.85)}
		a.x1 = math.Max(0.1, math.Min(0.9, a.x0+0.15*r.NormFloat64()))
		a.y1 = math.Max(0.15, math.Min(0.9, a.y0+0.05*r.NormFloat64()))
		c.apps = append(c.apps, a)
	}
	return c
}

// render draws the frame at time t.
func (c *sceneClip) render(size int, t float64) *image.RGBA {
	s := float64(size)
	sp := c.sp
	cv := newCanvas(size, size, sp.sky)
	hy := int(sp.horizon * s)
	for y := 0; y < size; y++ {
		var col RGB
		if y < hy {
			col = sp.sky.scale(1.1 - 0.3*float64(y)/float64(max(hy, 1)))
		} else {
			col = sp.ground.scale(0.9 + 0.2*float64(y-hy)/float64(max(size-hy, 1)))
		}
		for x := 0; x < size; x++ {
			cv.pix[y*size+x] = col
		}
	}
	cv.setTransform(0, 0, s, 0)
	tr := rand.New(rand.NewPCG(c.seed, 7)) // fixed layout across frames
	h := sp.horizon
	switch sp.texture {
	case 0: // waves: bands of water below the horizon
		for k := 0; k < 4; k++ {
			y := h + 0.03 + 0.05*float64(k)
			cv.rect(0, y, 1, y+0.02+0.01*tr.Float64(), sp.tex.scale(0.8+0.1*float64(k)), 0.8)
		}
	case 1: // tree trunks and crowns
		for k := 0; k < 5+tr.IntN(4); k++ {
			x := tr.Float64()
			w := uniform(tr, 0.02, 0.05)
			cv.rect(x-w, h-0.25, x+w, h+0.1, sp.tex, 1)
			cv.ellipse(x, h-0.3, uniform(tr, 0.07, 0.13), uniform(tr, 0.08, 0.15), 0, sp.ground.scale(1.3), 1)
		}
	case 2: // buildings with windows
		x := 0.0
		for x < 1 {
			w := uniform(tr, 0.1, 0.22)
			top := h - uniform(tr, 0.2, 0.5)
			cv.rect(x, top, x+w-0.01, h, sp.tex.scale(uniform(tr, 0.8, 1.2)), 1)
			for wy := top + 0.04; wy < h-0.05; wy += 0.08 {
				for wx := x + 0.02; wx < x+w-0.04; wx += 0.05 {
					cv.rect(wx, wy, wx+0.025, wy+0.035, RGB{0.9, 0.85, 0.5}, 0.7)
				}
			}
			x += w
		}
	case 3: // floor tiles
		for y := h; y < 1; y += 0.1 {
			cv.rect(0, y, 1, y+0.008, sp.tex, 0.8)
		}
		for x := 0.0; x < 1; x += 0.12 {
			cv.rect(x, h, x+0.008, 1, sp.tex, 0.8)
		}
		cv.rect(0.05, h-0.25, 0.4, h-0.05, sp.tex.scale(1.2), 1) // cupboard
	case 4: // crowd of dots in stands
		for k := 0; k < 60; k++ {
			cv.ellipse(tr.Float64(), tr.Float64()*h*0.9+0.05, 0.015, 0.015, 0, sp.tex.scale(uniform(tr, 0.6, 1.3)), 1)
		}
		cv.rect(0, h+0.15, 1, h+0.16, RGB{1, 1, 1}, 0.8)
	case 5: // bubbles
		for k := 0; k < 12; k++ {
			y := math.Mod(tr.Float64()-0.05*t, 1)
			if y < 0 {
				y++
			}
			cv.ellipse(tr.Float64(), y, 0.015+0.02*tr.Float64(), 0.015+0.02*tr.Float64(), 0, sp.tex, 0.5)
		}
	case 6: // dunes
		for k := 0; k < 3; k++ {
			cv.ellipse(tr.Float64(), h+0.05+0.1*float64(k), uniform(tr, 0.3, 0.5), 0.08, 0, sp.tex.scale(0.9+0.1*float64(k)), 1)
		}
	case 7: // desks and screens
		for k := 0; k < 3; k++ {
			x := 0.05 + 0.32*float64(k)
			cv.rect(x, h, x+0.25, h+0.04, sp.tex, 1)
			cv.rect(x+0.06, h-0.13, x+0.19, h-0.02, RGB{0.1, 0.12, 0.15}, 1)
		}
	}
	for _, a := range c.apps {
		if t < a.t0 || t >= a.t1 {
			continue
		}
		u := (t - a.t0) / (a.t1 - a.t0)
		drawObject(cv, c.op, a.x0+(a.x1-a.x0)*u, a.y0+(a.y1-a.y0)*u, c.op.size*c.objScale, c.objRot)
	}
	return cv.image()
}

// drawObject draws shape op.shape centred at (x, y) with radius sz.
func drawObject(cv *canvas, op objProto, x, y, sz, rot float64) {
	co, si := math.Cos(rot), math.Sin(rot)
	pts := func(px, py []float64) ([]float64, []float64) {
		xs, ys := make([]float64, len(px)), make([]float64, len(py))
		for i := range px {
			xs[i] = x + sz*(px[i]*co-py[i]*si)
			ys[i] = y + sz*(px[i]*si+py[i]*co)
		}
		return xs, ys
	}
	dark := op.col.scale(0.6)
	poly := func(px, py []float64) {
		xs, ys := pts(px, py)
		cv.polygon(xs, ys, op.col, 1)
	}
	switch op.shape {
	case 0: // triangle (a bird)
		poly([]float64{-1, 1, 0}, []float64{0.6, 0.6, -1})
	case 1:
		poly([]float64{-1, 1, 1, -1}, []float64{-1, -1, 1, 1})
	case 2: // wide box with wheels
		poly([]float64{-1.4, 1.4, 1.4, -1.4}, []float64{-0.6, -0.6, 0.5, 0.5})
		cv.ellipse(x-0.8*sz, y+0.6*sz, 0.3*sz, 0.3*sz, 0, RGB{0.05, 0.05, 0.05}, 1)
		cv.ellipse(x+0.8*sz, y+0.6*sz, 0.3*sz, 0.3*sz, 0, RGB{0.05, 0.05, 0.05}, 1)
		return
	case 3:
		cv.ellipse(x, y, sz, sz, 0, op.col, 1)
		return
	case 4:
		poly([]float64{-0.55, 0.55, 0.55, -0.55}, []float64{-1, -1, 1, 1})
		return
	case 5: // ring
		cv.ellipse(x, y, sz, sz, 0, op.col, 1)
		cv.ellipse(x, y, sz*0.55, sz*0.55, 0, dark, 1)
		return
	case 6: // six-pointed star
		poly([]float64{-0.87, 0.87, 0}, []float64{0.5, 0.5, -1})
		poly([]float64{-0.87, 0.87, 0}, []float64{-0.5, -0.5, 1})
		return
	case 7: // cross
		poly([]float64{-1, 1, 1, -1}, []float64{-0.3, -0.3, 0.3, 0.3})
		poly([]float64{-0.3, 0.3, 0.3, -0.3}, []float64{-1, -1, 1, 1})
		return
	}
}

// biquad is an RBJ-cookbook second-order filter.
type biquad struct{ b0, b1, b2, a1, a2, x1, x2, y1, y2 float64 }

func newBiquad(kind string, f, q float64, rate float64) biquad {
	w := 2 * math.Pi * math.Min(f, 0.49*rate) / rate
	cw, sw := math.Cos(w), math.Sin(w)
	al := sw / (2 * q)
	var b0, b1, b2 float64
	switch kind {
	case "lp":
		b0, b1, b2 = (1-cw)/2, 1-cw, (1-cw)/2
	case "hp":
		b0, b1, b2 = (1+cw)/2, -(1 + cw), (1+cw)/2
	default: // band-pass, 0 dB peak
		b0, b1, b2 = al, 0, -al
	}
	a0 := 1 + al
	return biquad{b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: -2 * cw / a0, a2: (1 - al) / a0}
}

func (b *biquad) step(x float64) float64 {
	y := b.b0*x + b.b1*b.x1 + b.b2*b.x2 - b.a1*b.y1 - b.a2*b.y2
	b.x2, b.x1 = b.x1, x
	b.y2, b.y1 = b.y1, y
	return y
}

func rms(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

// ambience synthesises the scene's background sound.
func (c *sceneClip) ambience(r *rand.Rand, n int) []float64 {
	sp := c.sp
	out := make([]float64, n)
	hp := newBiquad("hp", sp.lo, 0.707, SceneRate)
	lp := newBiquad("lp", sp.hi, 0.707, SceneRate)
	ph := r.Float64() * 2 * math.Pi
	// slowly wandering second modulation keeps the rhythm from being a pure tone
	ph2, rate2 := r.Float64()*2*math.Pi, sp.modRate*uniform(r, 1.7, 2.9)
	hw := [4]float64{1, uniform(r, 0, 0.8), uniform(r, 0, 0.5), uniform(r, 0, 0.3)}
	click := newBiquad("bp", uniform(r, 1500, 5000), 2, SceneRate)
	for i := range out {
		t := float64(i) / SceneRate
		env := 1 - sp.modDepth*(0.5+0.35*math.Sin(2*math.Pi*sp.modRate*t+ph)+0.15*math.Sin(2*math.Pi*rate2*t+ph2))
		v := lp.step(hp.step(r.NormFloat64())) * env
		if sp.hum > 0 {
			h := 0.0
			for k, w := range hw {
				h += w * math.Sin(2*math.Pi*sp.hum*float64(k+1)*t)
			}
			v += sp.humLevel * 0.3 * h
		}
		imp := 0.0
		if sp.clicks > 0 && r.Float64() < sp.clicks/SceneRate {
			imp = 20
		}
		v += click.step(imp)
		out[i] = v
	}
	return out
}

// events synthesises the object's sounds inside its appearances.
func (c *sceneClip) events(r *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	op := c.op
	for _, a := range c.apps {
		i0 := int(a.t0 * SceneRate)
		i1 := min(n, int(a.t1*SceneRate))
		if i1-i0 < 100 {
			continue
		}
		switch op.sound {
		case 0, 6: // chirps (bird) or a held whistle
			cnt := 2 + r.IntN(4)
			if op.sound == 6 {
				cnt = 1
			}
			for k := 0; k < cnt; k++ {
				l := int(SceneRate * uniform(r, 0.06, 0.15))
				if op.sound == 6 {
					l = (i1 - i0) * 3 / 4
				}
				s := i0 + r.IntN(max(1, i1-i0-l))
				f0 := op.f * uniform(r, 0.85, 1.15)
				sweep := uniform(r, -0.5, 0.8)
				if op.sound == 6 {
					sweep = uniform(r, -0.05, 0.05)
				}
				ph := 0.0
				for j := 0; j < l && s+j < n; j++ {
					u := float64(j) / float64(l)
					f := f0 * (1 + sweep*u)
					if op.sound == 6 {
						f *= 1 + 0.02*math.Sin(2*math.Pi*6*float64(j)/SceneRate)
					}
					ph += 2 * math.Pi * f / SceneRate
					out[s+j] += math.Sin(ph) * math.Sin(math.Pi*u)
				}
			}
		case 1, 5: // barks (harmonic noisy bursts) or drum hits (decaying pitch drop)
			cnt := 1 + r.IntN(3)
			if op.sound == 5 {
				cnt = 2 + r.IntN(4)
			}
			for k := 0; k < cnt; k++ {
				l := int(SceneRate * uniform(r, 0.12, 0.25))
				s := i0 + r.IntN(max(1, i1-i0-l))
				f0 := op.f * uniform(r, 0.8, 1.2)
				bp := newBiquad("bp", f0*3, 1.5, SceneRate)
				ph := 0.0
				for j := 0; j < l && s+j < n; j++ {
					u := float64(j) / float64(l)
					var v float64
					if op.sound == 1 {
						ph += 2 * math.Pi * f0 * (1 - 0.2*u) / SceneRate
						v = (math.Sin(ph) + 0.5*math.Sin(2*ph) + 0.3*math.Sin(3*ph) + 0.5*bp.step(r.NormFloat64())) * math.Sin(math.Pi*u)
					} else {
						ph += 2 * math.Pi * f0 * (1 + 1.5*math.Exp(-u*8)) / SceneRate
						v = (math.Sin(ph) + 0.3*bp.step(r.NormFloat64())*math.Exp(-u*20)) * math.Exp(-u*5)
					}
					out[s+j] += v
				}
			}
		case 2: // engine: low harmonic drone gliding in pitch over the whole appearance
			f0 := op.f
			glide := uniform(r, -0.3, 0.5)
			ph := 0.0
			for j := i0; j < i1; j++ {
				u := float64(j-i0) / float64(i1-i0)
				ph += 2 * math.Pi * f0 * (1 + glide*u) / SceneRate
				env := math.Sin(math.Pi * u)
				out[j] += env * (math.Sin(ph) + 0.7*math.Sin(2*ph) + 0.5*math.Sin(3*ph) + 0.4*math.Sin(4*ph+1) + 0.3*math.Sin(6*ph))
			}
		case 3: // bell: inharmonic partials with exponential decay
			cnt := 1 + r.IntN(2)
			for k := 0; k < cnt; k++ {
				s := i0 + r.IntN(max(1, (i1-i0)/2))
				dec := uniform(r, 2, 6)
				parts := [4]float64{1, 2.76, 5.4, 8.93}
				for j := s; j < i1; j++ {
					tt := float64(j-s) / SceneRate
					v := 0.0
					for q, p := range parts {
						v += math.Sin(2*math.Pi*op.f*p*tt) * math.Exp(-dec*tt*float64(q+1)) / float64(q+1)
					}
					out[j] += v
				}
			}
		case 4: // phone: two-tone beeps on/off
			on, off := uniform(r, 0.15, 0.4), uniform(r, 0.1, 0.3)
			for j := i0; j < i1; j++ {
				tt := float64(j-i0) / SceneRate
				if math.Mod(tt, on+off) < on {
					out[j] += 0.5*math.Sin(2*math.Pi*op.f*tt) + 0.5*math.Sin(2*math.Pi*op.f*1.09*tt)
				}
			}
		case 7: // clock: periodic clicks
			period := uniform(r, 0.25, 0.5)
			bp := newBiquad("bp", op.f, 3, SceneRate)
			for j := i0; j < i1; j++ {
				tt := float64(j-i0) / SceneRate
				imp := 0.0
				if math.Mod(tt, period) < 1.0/SceneRate {
					imp = 30
				}
				out[j] += bp.step(imp)
			}
		}
	}
	return out
}

// sceneAudio mixes ambience and events at a random event-to-ambience ratio.
func (c *sceneClip) audio(r *rand.Rand, n int) []float64 {
	amb := c.ambience(r, n)
	ev := c.events(r, n)
	ka := uniform(r, 0.03, 0.1) / math.Max(rms(amb), 1e-9)
	// event level relative to the ambience, measured while the object is
	// on screen
	var se float64
	var ne int
	for _, a := range c.apps {
		i0, i1 := int(a.t0*SceneRate), min(n, int(a.t1*SceneRate))
		for i := i0; i < i1; i++ {
			se += ev[i] * ev[i]
		}
		ne += max(0, i1-i0)
	}
	ke := 0.0
	if se > 0 {
		ke = ka * rms(amb) * math.Pow(10, uniform(r, -2, 12)/20) / math.Sqrt(se/float64(ne))
	}
	for i := range amb {
		amb[i] = softClip(amb[i]*ka + ev[i]*ke)
	}
	return amb
}

// Scenes writes a scene/object corpus to dir: o.N clips at SceneRate with
// frames at o.FPS; each clip has one scene class (background picture and
// ambience) and one object class (a shape on screen while its sound plays).
// See the package documentation for the classes and what varies.
func Scenes(dir string, o ScenesOptions) error {
	if err := (common{N: o.N, Workers: o.Workers}).check("scenes"); err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	n := int(math.Round(o.Duration * SceneRate))
	nframes := max(1, int(math.Round(o.Duration*o.FPS)))
	gen := func(i int) (*clip, error) {
		r := rngFor(o.Seed, "scenes-clip", i)
		sc, ob := r.IntN(o.Scenes), r.IntN(o.Objects)
		c := drawSceneClip(r, sc, ob, o.Duration)
		return &clip{
			name:    fmt.Sprintf("%06d", i),
			audio:   c.audio(r, n),
			rate:    SceneRate,
			nframes: nframes,
			frame:   func(k int) image.Image { return c.render(o.Size, float64(k)/o.FPS) },
			fps:     o.FPS,
			split:   splitOf(o.Seed, i, o.ValFrac, o.TestFrac),
			labels: map[string]string{
				"scene":   SceneNames[sc],
				"object":  ObjectNames[ob],
				"caption": "a " + ObjectNames[ob] + " " + scenePlace[sc],
				"visible": c.visibleString(o.FPS, nframes),
			},
		}, nil
	}
	sample := func(c *clip) image.Image {
		v := c.labels["visible"]
		for k := 0; k < c.nframes; k++ {
			if k < len(v) && v[k] == '1' {
				return c.frame(k)
			}
		}
		return c.frame(0)
	}
	return generate(dir, common{N: o.N, Seed: o.Seed, Workers: o.Workers, Progress: o.Progress, Context: o.Context}, gen, sample)
}

// visibleString has one character per frame: '1' where the object is on
// screen, '0' elsewhere.
func (c *sceneClip) visibleString(fps float64, nframes int) string {
	b := make([]byte, nframes)
	for k := range b {
		b[k] = '0'
		t := float64(k) / fps
		for _, a := range c.apps {
			if t >= a.t0 && t < a.t1 {
				b[k] = '1'
			}
		}
	}
	return string(b)
}
