package synth

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strconv"
)

// Speaker is one synthetic identity: a face and a voice drawn together from
// a few hidden attributes (see the package documentation for the rules).
type Speaker struct {
	ID      string  // identity label, e.g. "s007"
	SexLike float64 // 0 … 1, bimodal; lowers F0, widens the jaw, thickens the brows
	Size    float64 // standard-normal body-size factor: taller face, longer vocal tract
	Breath  float64 // standard-normal factor: breathier voice, larger eyes
	Age     float64 // years: 18–80 for adults (lowers women's F0, slows and roughens the voice), 6–12 for children
	Face    Face
	Voice   Voice
}

// NewSpeaker draws an identity from r. The face–voice ties are stochastic:
// every visible and audible attribute is a noisy function of the hidden
// factors, so a model can learn the tendencies but not look an identity up.
func NewSpeaker(r *rand.Rand, id string) Speaker {
	n := r.NormFloat64
	sp := Speaker{ID: id}
	sp.SexLike = clamp01(0.2 + 0.6*float64(r.IntN(2)) + 0.1*n())
	sp.Size = n()
	sp.Breath = n()
	s := sp.SexLike

	// face
	f := Face{
		Width:      0.28 + 0.015*n() + 0.01*s,
		Height:     0.365 + 0.022*sp.Size + 0.008*s,
		Jaw:        clamp01(0.25 + 0.5*s + 0.1*n()),
		Brow:       clamp01(0.2 + 0.6*s + 0.12*n()),
		EyeSpacing: 0.42 + 0.04*n(),
		EyeSize:    0.15 + 0.02*(0.8*sp.Breath+0.6*n()),
		Nose:       0.3 + 0.04*n(),
		HairStyle:  r.IntN(HairStyles),
	}
	f.Width = math.Max(0.2, math.Min(0.34, f.Width))
	f.Height = math.Max(0.28, math.Min(0.44, f.Height))
	f.EyeSize = math.Max(0.08, math.Min(0.24, f.EyeSize))
	f.EyeSpacing = math.Max(0.3, math.Min(0.55, f.EyeSpacing))
	tone := r.Float64()
	light, dark := RGB{0.96, 0.8, 0.68}, RGB{0.42, 0.28, 0.2}
	f.Skin = dark.mix(light, tone)
	hairs := []RGB{{0.08, 0.07, 0.07}, {0.3, 0.18, 0.1}, {0.55, 0.4, 0.2}, {0.85, 0.7, 0.4}, {0.55, 0.55, 0.55}, {0.6, 0.25, 0.12}}
	f.Hair = hairs[r.IntN(len(hairs))]
	f.Lip = f.Skin.mix(RGB{0.7, 0.3, 0.3}, 0.45+0.2*r.Float64())
	irises := []RGB{{0.3, 0.2, 0.1}, {0.2, 0.4, 0.6}, {0.3, 0.5, 0.3}, {0.15, 0.1, 0.08}}
	f.Iris = irises[r.IntN(len(irises))]
	sp.Face = f

	// voice: vocal-tract length (cm) grows with size and SexLike; F0 falls
	// with SexLike (≈ 210 Hz at s = 0.2, ≈ 112 Hz at s = 0.8), spread wider
	// among men as measured in populations, and with age
	// in the lower voices' opposite direction (women's voices drop, men's
	// rise a little); older voices are slower, breathier, less steady.
	age := r.Float64()
	sp.Age = 18 + 62*age
	vtl := 14.2 + 3.6*s + 1.3*sp.Size + 0.3*n()
	sp.Voice = Voice{
		F0:           210 * math.Exp(-1.05*(s-0.2)+(0.06+0.08*s)*n()+age*(-0.12*(1-s)+0.06*s)),
		FormantScale: math.Max(0.7, math.Min(1.35, 17.0/vtl)),
		Breathiness:  math.Max(0.02, math.Min(0.8, 0.26+0.12*sp.Breath+0.08*(1-s)+0.05*age)),
		Jitter:       0.003 + 0.006*r.Float64() + 0.006*age,
		Shimmer:      0.02 + 0.04*r.Float64() + 0.03*age,
		Rate:         uniform(r, 4.2, 6.2) * (1 - 0.12*age),
		PitchRange:   uniform(r, 2, 5) + 1.2*(1-s),
		Creak:        clamp01(0.15 + 0.25*n()),
	}
	// one identity in twelve is a child of 6–12: a shorter face with larger
	// eyes and softer jaw and brows, a short vocal tract and a high voice
	// whatever the sex-like attribute (drawn last, so adults stay the same)
	if r.Float64() < 1.0/12 {
		sp.Age = 6 + 6*age
		sp.Face.Height = math.Max(0.28, math.Min(0.44, 0.315+0.015*sp.Size))
		sp.Face.Width *= 0.95
		sp.Face.Jaw *= 0.5
		sp.Face.Brow *= 0.5
		sp.Face.EyeSize = math.Min(0.24, sp.Face.EyeSize+0.025)
		vtl = 12 + 0.8*sp.Size + 0.3*n()
		sp.Voice.FormantScale = math.Max(1.2, math.Min(1.6, 17.0/vtl))
		sp.Voice.F0 = 270 * math.Exp(0.08*n())
		sp.Voice.Rate = uniform(r, 3.6, 5.2)
		sp.Voice.PitchRange = uniform(r, 3, 7)
	}
	return sp
}

// Labels returns the speaker's attributes as clip labels (see the package
// documentation for the keys).
func (sp Speaker) Labels() map[string]string {
	f3 := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	return map[string]string{
		"speaker":       sp.ID,
		"sex_like":      f3(sp.SexLike),
		"face_height":   f3(sp.Face.Height),
		"face_width":    f3(sp.Face.Width),
		"jaw":           f3(sp.Face.Jaw),
		"brow":          f3(sp.Face.Brow),
		"eye_size":      f3(sp.Face.EyeSize),
		"eye_spacing":   f3(sp.Face.EyeSpacing),
		"nose":          f3(sp.Face.Nose),
		"f0_hz":         strconv.FormatFloat(sp.Voice.F0, 'f', 1, 64),
		"formant_scale": f3(sp.Voice.FormantScale),
		"breathiness":   f3(sp.Voice.Breathiness),
		"age":           strconv.FormatFloat(sp.Age, 'f', 0, 64),
	}
}

// SpeakersOptions configures Speakers.
type SpeakersOptions struct {
	N        int     // number of clips (required)
	Seed     int64   // corpus seed
	Speakers int     // number of identities; 0 means max(4, N/10)
	Duration float64 // seconds per clip; 0 means 2.5
	FPS      float64 // frame rate; 0 means 25
	Size     int     // frame size in pixels; 0 means 64
	Workers  int     // parallel goroutines; 0 means GOMAXPROCS
	Progress Progress
	// Context, if not nil, stops the generation when it is cancelled,
	// with its error; the clips written so far stay.
	Context  context.Context
	ValFrac  float64 // fraction of identities held out for val; 0 means 0.15
	TestFrac float64 // fraction of identities held out for test; 0 means 0.15
	NoJitter bool    // render talking frames in the neutral pose (for tests and demos)
	// Augment records every clip's audio in conditions drawn for that
	// clip (reverberation, noise …); the zero value keeps it clean.
	Augment AugmentOptions
}

func (o *SpeakersOptions) defaults() error {
	if o.Speakers == 0 {
		o.Speakers = max(4, o.N/10)
	}
	if o.Duration == 0 {
		o.Duration = 2.5
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	if o.Size == 0 {
		o.Size = 64
	}
	if o.ValFrac == 0 {
		o.ValFrac = 0.15
	}
	if o.TestFrac == 0 {
		o.TestFrac = 0.15
	}
	switch {
	case o.Speakers < 1:
		return fmt.Errorf("synth: speakers: number of identities must be >= 1, got %d", o.Speakers)
	case !(o.Duration >= 0.3 && o.Duration <= 60):
		return fmt.Errorf("synth: speakers: duration %g s out of range [0.3, 60]", o.Duration)
	}
	if err := o.Augment.Validate(); err != nil {
		return err
	}
	return checkFramesAndSplits("speakers", o.FPS, 120, o.Size, o.ValFrac, o.TestFrac)
}

// SpeakerSet draws the identities of a corpus and assigns each to a split.
// Splits are by identity: a test speaker never appears in train or val.
// The first identities in a seeded shuffle go to test, then val, the rest
// to train; each held-out split gets at least one identity when there are
// three or more.
func SpeakerSet(seed int64, k int, valFrac, testFrac float64) ([]Speaker, []string) {
	if k < 1 {
		return nil, nil
	}
	sps := make([]Speaker, k)
	for i := range sps {
		sps[i] = NewSpeaker(rngFor(seed, "speaker", i), fmt.Sprintf("s%03d", i))
	}
	split := make([]string, k)
	perm := rngFor(seed, "split", 0).Perm(k)
	nt := int(math.Round(testFrac * float64(k)))
	nv := int(math.Round(valFrac * float64(k)))
	if k >= 3 {
		nt, nv = max(nt, 1), max(nv, 1)
	}
	for j, i := range perm {
		switch {
		case j < nt:
			split[i] = "test"
		case j < nt+nv:
			split[i] = "val"
		default:
			split[i] = "train"
		}
	}
	return sps, split
}

// TalkingFace renders the frames of a talking face for an utterance: frame
// i shows time i/fps, and its mouth is the utterance's articulation averaged
// over [i/fps, (i+1)/fps). base is the clip's pose; the head also moves a
// little from frame to frame when r is not nil. u must not be nil.
func TalkingFace(f Face, u *Utterance, fps float64, nframes, size int, base Pose, r *rand.Rand) []image.Image {
	frame := talkingFrames(f, u, fps, size, base, r)
	frames := make([]image.Image, max(nframes, 0))
	for i := range frames {
		frames[i] = frame(i)
	}
	return frames
}

// talkingFrames returns a function that renders frame i of TalkingFace.
func talkingFrames(f Face, u *Utterance, fps float64, size int, base Pose, r *rand.Rand) func(i int) image.Image {
	var ph1, ph2, amp float64
	if r != nil {
		ph1, ph2, amp = r.Float64()*2*math.Pi, r.Float64()*2*math.Pi, uniform(r, 0.002, 0.008)
	}
	return func(i int) image.Image {
		p := base
		t := float64(i) / fps
		p.Mouth = u.MouthAt(t, t+1/fps)
		p.DY += amp * math.Sin(2*math.Pi*0.7*t+ph1)
		p.Roll += 2 * amp * math.Sin(2*math.Pi*0.4*t+ph2)
		return f.Render(size, p)
	}
}

// randomPose draws the per-clip pose, lighting and expression jitter.
func randomPose(r *rand.Rand) Pose {
	return Pose{
		Roll:       0.06 * r.NormFloat64(),
		Yaw:        0.25 * r.NormFloat64(),
		DX:         0.02 * r.NormFloat64(),
		DY:         0.02 * r.NormFloat64(),
		Scale:      1 + 0.05*r.NormFloat64(),
		Light:      uniform(r, -0.6, 0.6),
		Bright:     uniform(r, 0.8, 1.15),
		Background: RGB{uniform(r, 0.2, 0.9), uniform(r, 0.2, 0.9), uniform(r, 0.2, 0.9)},
		BrowRaise:  r.Float64(),
		Smile:      r.Float64() * 0.8,
	}
}

// Speakers writes a talking-face corpus to dir: o.N clips, each one
// speaker saying a random syllable sequence, with 16 kHz audio, frames at
// o.FPS and the speaker's neutral reference picture face.png. Clip i shows
// speaker i mod o.Speakers. See the package documentation for the labels
// and the face–voice rules.
func Speakers(dir string, o SpeakersOptions) error {
	if err := (common{N: o.N, Workers: o.Workers}).check("speakers"); err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	sps, split := SpeakerSet(o.Seed, o.Speakers, o.ValFrac, o.TestFrac)
	refs := make([]image.Image, len(sps))
	for i, sp := range sps {
		refs[i] = sp.Face.Render(o.Size, Neutral())
	}
	nframes := max(1, int(math.Round(o.Duration*o.FPS)))
	gen := func(i int) (*clip, error) {
		k := i % len(sps)
		sp := sps[k]
		r := rngFor(o.Seed, "speakers-clip", i)
		u, err := Speak(sp.Voice, RandomSyllables(r, sp.Voice, o.Duration), r)
		if err != nil {
			return nil, err
		}
		pose := Neutral()
		var jr *rand.Rand
		if !o.NoJitter {
			pose, jr = randomPose(r), r
		}
		labels := sp.Labels()
		labels["caption"] = u.Text
		audio := u.Audio
		if o.Augment != (AugmentOptions{}) {
			if audio, err = Augment(audio, SpeechRate, o.Augment, rngFor(o.Seed, "speakers-augment", i)); err != nil {
				return nil, err
			}
		}
		return &clip{
			name:       fmt.Sprintf("%06d", i),
			audio:      audio,
			rate:       SpeechRate,
			nframes:    nframes,
			frame:      talkingFrames(sp.Face, u, o.FPS, o.Size, pose, jr),
			fps:        o.FPS,
			split:      split[k],
			labels:     labels,
			extraNames: []string{"face.png"},
			extras:     []image.Image{refs[k]},
		}, nil
	}
	sample := func(c *clip) image.Image { return c.frame(c.nframes / 2) }
	return generate(dir, common{N: o.N, Seed: o.Seed, Workers: o.Workers, Progress: o.Progress, Context: o.Context}, gen, sample)
}
