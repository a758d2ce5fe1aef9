package synth

import (
	"image"
	"math"
	"strconv"
	"testing"
)

func labelFloat(t *testing.T, c testClip, key string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(c.meta.Labels[key], 64)
	if err != nil {
		t.Fatalf("%s: label %s: %v", c.dir, key, err)
	}
	return v
}

// chinHeight measures, on a neutral reference face, the distance from the
// image centre (the head centre) down to the lowest skin pixel of the centre
// column, as a fraction of the image size. Skin colour is read off the
// cheek.
func chinHeight(img image.Image) float64 {
	b := img.Bounds()
	s := b.Dx()
	cr, cg, cb, _ := img.At(b.Min.X+s/2+s*15/100, b.Min.Y+s/2+s*5/100).RGBA()
	for y := s - 1; y > s/2; y-- {
		r, g, bb, _ := img.At(b.Min.X+s/2, b.Min.Y+y).RGBA()
		d := math.Abs(float64(r)-float64(cr)) + math.Abs(float64(g)-float64(cg)) + math.Abs(float64(bb)-float64(cb))
		if d < 3*4*257 {
			return (float64(y) + 1 - float64(s)/2) / float64(s)
		}
	}
	return 0
}

// TestSpeakerTies checks the face–voice rules on the written files: pitch
// measured from the audio against the sex-like attribute, a formant
// measurement against the chin height measured on the reference picture,
// and mouth opening in the frames against the loudness of the sound.
func TestSpeakerTies(t *testing.T) {
	dir := t.TempDir()
	const k, per = 20, 2 // speakers, clips per speaker
	if err := Speakers(dir, SpeakersOptions{N: k * per, Seed: 3, Speakers: k, Duration: 2, Size: 48}); err != nil {
		t.Fatal(err)
	}
	clips := readCorpus(t, dir)
	if len(clips) != k*per {
		t.Fatalf("%d clips, want %d", len(clips), k*per)
	}
	var logF0, sex, f0Label, cent, chin, fscale []float64
	var rOpen []float64
	var allA, allE []float64
	for _, c := range clips {
		f0 := pitch(c.audio, c.rate)
		if f0 == 0 {
			t.Fatalf("%s: no voiced frame found", c.dir)
		}
		logF0 = append(logF0, math.Log(f0))
		f0Label = append(f0Label, labelFloat(t, c, "f0_hz"))
		sex = append(sex, labelFloat(t, c, "sex_like"))
		fscale = append(fscale, labelFloat(t, c, "formant_scale"))
		cent = append(cent, spectralCentroid(c.audio, c.rate, 200, 4500))
		chin = append(chin, chinHeight(readPNG(t, c.dir+"/face.png")))

		// mouth opening vs loudness, frame by frame
		var area, en []float64
		fps := c.meta.FPS
		for i, fr := range c.frames {
			s0 := int(float64(i) / fps * float64(c.rate))
			s1 := min(len(c.audio), int(float64(i+1)/fps*float64(c.rate)))
			area = append(area, mouthArea(fr))
			en = append(en, rms(c.audio[s0:s1]))
		}
		rOpen = append(rOpen, pearson(area, en))
		allA = append(allA, area...)
		allE = append(allE, en...)
	}
	// the estimator agrees with the label it measures
	for i := range logF0 {
		if e := math.Abs(math.Exp(logF0[i])/f0Label[i] - 1); e > 0.15 {
			t.Errorf("clip %d: estimated F0 %.1f Hz vs label %.1f Hz", i, math.Exp(logF0[i]), f0Label[i])
		}
	}
	rF0 := pearson(logF0, sex)
	// formants: average the centroid over each speaker's clips (clip i shows
	// speaker i mod k) to reduce the effect of which phones were said
	spCent, spChin, spScale := make([]float64, k), make([]float64, k), make([]float64, k)
	for i := range clips {
		spCent[i%k] += cent[i] / per
		spChin[i%k] = chin[i]
		spScale[i%k] = fscale[i]
	}
	rCent := pearson(spCent, spScale)
	rChin := pearson(spCent, spChin)
	rMouth := pearson(allA, allE)
	meanR := 0.0
	for _, r := range rOpen {
		meanR += r / float64(len(rOpen))
	}
	var fh []float64
	for _, c := range clips {
		fh = append(fh, labelFloat(t, c, "face_height"))
	}
	t.Logf("diag: corr(chin, face_height label) = %.3f, corr(formant_scale, face_height) labels = %.3f", pearson(chin, fh), pearson(fscale, fh))
	t.Logf("corr(log F0 measured, sex_like) = %.3f", rF0)
	t.Logf("per speaker: corr(spectral centroid, formant_scale label) = %.3f", rCent)
	t.Logf("per speaker: corr(spectral centroid, chin height measured on face.png) = %.3f", rChin)
	t.Logf("corr(mouth dark area, frame RMS): pooled %.3f, mean per clip %.3f", rMouth, meanR)
	if rF0 > -0.8 {
		t.Errorf("corr(log F0, sex_like) = %.3f, want < -0.8", rF0)
	}
	if rCent < 0.5 {
		t.Errorf("corr(centroid, formant_scale) = %.3f, want > 0.5", rCent)
	}
	if rChin > -0.4 {
		t.Errorf("corr(centroid, chin height) = %.3f, want < -0.4 (taller faces, longer tracts, lower formants)", rChin)
	}
	if rMouth < 0.5 || meanR < 0.5 {
		t.Errorf("mouth/energy correlation pooled %.3f, per clip %.3f, want > 0.5", rMouth, meanR)
	}
}
