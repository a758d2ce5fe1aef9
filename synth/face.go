package synth

import "image"

// Face is a parametric frontal face. Lengths are fractions of the image
// size, so one Face renders at any resolution.
type Face struct {
	Width, Height float64 // head semi-axes (≈ 0.25–0.31 and 0.32–0.42)
	Jaw           float64 // 0 narrow, pointed chin … 1 wide, square jaw
	EyeSpacing    float64 // eye centre distance from the midline, fraction of Width (≈ 0.35–0.5)
	EyeSize       float64 // eye half-width, fraction of Width (≈ 0.1–0.2)
	Brow          float64 // brow thickness 0 thin … 1 heavy
	Nose          float64 // nose length, fraction of Height (≈ 0.2–0.4)
	HairStyle     int     // 0 short, 1 long, 2 fringe, 3 very short
	Skin          RGB
	Hair          RGB
	Lip           RGB
	Iris          RGB
}

// HairStyles is the number of hair styles a Face can have.
const HairStyles = 4

// Pose is everything about one picture of a face that is not the person:
// head pose, lighting, background, expression and mouth state.
type Pose struct {
	Roll       float64 // in-plane head rotation, radians
	Yaw        float64 // −1 … 1: turns the head; moves features sideways
	DX, DY     float64 // head offset, fraction of image size
	Scale      float64 // head size multiplier (0 means 1)
	Light      float64 // −1 … 1: horizontal light direction
	Bright     float64 // overall brightness multiplier (0 means 1)
	Background RGB
	BrowRaise  float64 // 0 … 1
	Smile      float64 // 0 … 1
	Mouth      Articulation
}

// Neutral is the pose of a reference picture: frontal, centred, evenly lit,
// mouth closed, on a mid-grey background.
func Neutral() Pose { return Pose{Scale: 1, Bright: 1, Background: RGB{0.55, 0.57, 0.6}} }

// Render draws the face in pose p as a size×size image.
func (f Face) Render(size int, p Pose) *image.RGBA {
	size = max(size, 1)
	s := float64(size)
	if p.Scale == 0 {
		p.Scale = 1
	}
	if p.Bright == 0 {
		p.Bright = 1
	}
	cv := newCanvas(size, size, p.Background)
	// background gradient gives depth
	for y := 0; y < size; y++ {
		k := 1.1 - 0.25*float64(y)/s
		for x := 0; x < size; x++ {
			cv.pix[y*size+x] = cv.pix[y*size+x].scale(k)
		}
	}
	cv.setTransform((0.5+p.DX)*s, (0.5+p.DY)*s, s*p.Scale, p.Roll)
	W, H := f.Width, f.Height
	yw := p.Yaw * W * 0.25 // feature shift for yaw
	skin := f.Skin
	shade := skin.scale(0.82)
	hairDark := f.Hair.scale(0.8)

	// hair behind the head
	if f.HairStyle == 1 {
		cv.ellipse(0, -0.05*H, 1.22*W, 1.12*H, 0, f.Hair, 1)
		cv.rect(-1.22*W, -0.05*H, 1.22*W, 1.2*H, f.Hair, 1)
	}
	// shoulders and neck
	cloth := RGB{0.25 + 0.5*f.Hair.B, 0.3 + 0.4*f.Iris.G, 0.35 + 0.3*f.Skin.R}
	cv.ellipse(0, 1.62*H, 2.5*W, 0.55*H, 0, cloth, 1)
	cv.rect(-0.38*W, 0.4*H, 0.38*W, 1.25*H, shade, 1)
	// ears
	cv.ellipse(-1.0*W+0.3*yw, -0.02*H, 0.14*W, 0.24*H, 0, shade, 1)
	cv.ellipse(1.0*W+0.3*yw, -0.02*H, 0.14*W, 0.24*H, 0, shade, 1)
	// head: skull ellipse plus a jaw whose width at the chin follows Jaw
	cv.ellipse(0, 0, W, H, 0, skin, 1)
	// the chin drops a little as the jaw opens
	jw := (0.3 + 0.55*f.Jaw) * W
	drop := 0.06 * H * clamp01(p.Mouth.Open)
	cv.polygon([]float64{-0.97 * W, 0.97 * W, jw, -jw}, []float64{0.05 * H, 0.05 * H, 0.9*H + drop, 0.9*H + drop}, skin, 1)
	cv.ellipse(0, 0.88*H+drop, jw*1.02, 0.11*H, 0, skin, 1)
	// hair on top
	switch f.HairStyle {
	case 0, 1:
		cv.ellipse(0, -0.7*H, 1.05*W, 0.42*H, 0, f.Hair, 1)
	case 2:
		cv.ellipse(0, -0.7*H, 1.05*W, 0.42*H, 0, f.Hair, 1)
		cv.polygon([]float64{-0.95 * W, 0.9 * W, 0.6 * W, -0.8 * W}, []float64{-0.6 * H, -0.6 * H, -0.32 * H, -0.36 * H}, f.Hair, 1)
	case 3:
		cv.ellipse(0, -0.78*H, 0.98*W, 0.3*H, 0, f.Hair, 0.75)
	}
	// brows: thickness follows Brow
	by := -0.3*H - 0.05*H*p.BrowRaise
	bt := (0.025 + 0.05*f.Brow) * H
	ex := f.EyeSpacing * W
	for _, sx := range []float64{-1, 1} {
		cx := sx*ex + yw
		cv.polygon([]float64{cx - 0.22*W, cx + 0.22*W, cx + 0.22*W, cx - 0.22*W},
			[]float64{by - bt + sx*0.01*H, by - bt - sx*0.01*H, by + bt - sx*0.01*H, by + bt + sx*0.01*H}, hairDark, 0.95)
	}
	// eyes
	er := f.EyeSize * W
	for _, sx := range []float64{-1, 1} {
		cx := sx*ex + yw
		sq := 1 - 0.25*p.Yaw*sx // the far eye looks narrower
		cv.ellipse(cx, -0.12*H, er*sq, er*0.6, 0, RGB{0.95, 0.95, 0.93}, 1)
		cv.ellipse(cx+0.2*yw, -0.12*H, er*0.5*sq, er*0.5, 0, f.Iris, 1)
		cv.ellipse(cx+0.2*yw, -0.12*H, er*0.22*sq, er*0.22, 0, RGB{0.05, 0.05, 0.05}, 1)
	}
	// nose: a shaded wedge, length follows Nose
	nl := f.Nose * H
	cv.polygon([]float64{yw * 1.3, yw*1.3 + 0.13*W, yw*1.3 - 0.13*W}, []float64{-0.08 * H, -0.08*H + nl, -0.08*H + nl}, shade, 0.7)
	cv.ellipse(yw*1.3, -0.08*H+nl, 0.12*W, 0.035*H, 0, shade.scale(0.9), 0.8)
	// mouth: lips around a dark opening whose height follows Mouth.Open and
	// whose width narrows with Mouth.Round
	my := 0.5 * H
	mw := 0.34 * W * (1 - 0.28*p.Mouth.Round + 0.1*p.Smile)
	open := clamp01(p.Mouth.Open)
	oh := open * 0.2 * H
	cv.ellipse(yw*1.2, my, mw, 0.045*H+oh*0.6, 0, f.Lip, 1)
	if p.Smile > 0 {
		for _, sx := range []float64{-1, 1} {
			cv.ellipse(yw*1.2+sx*mw*0.9, my-0.02*H*p.Smile, 0.05*W, 0.02*H, 0, f.Lip, 0.8)
		}
	}
	if oh > 0.004 {
		cv.ellipse(yw*1.2, my, mw*0.8, oh*0.55, 0, RGB{0.12, 0.03, 0.05}, 1)
	} else {
		cv.rect(yw*1.2-mw*0.85, my-0.006*H, yw*1.2+mw*0.85, my+0.006*H, f.Lip.scale(0.55), 1)
	}

	// lighting: a horizontal gradient times the overall brightness
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			k := p.Bright * (1 + 0.35*p.Light*(float64(x)/s-0.5)*2)
			cv.pix[y*size+x] = cv.pix[y*size+x].scale(k)
		}
	}
	return cv.image()
}
