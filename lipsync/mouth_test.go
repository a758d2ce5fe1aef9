package lipsync

import (
	"math/rand/v2"
	"testing"

	"github.com/avlearn/avlearn/synth"
)

// TestMouthOpeningFollowsTruth checks the pixel measure of mouth opening
// against the synthesiser's own articulation, frame by frame, on faces
// in random poses, lighting and skin tones.
func TestMouthOpeningFollowsTruth(t *testing.T) {
	c := DefaultConfig()
	sps, _ := synth.SpeakerSet(7, 6, 0.15, 0.15)
	var acc corrAcc
	for k, sp := range sps {
		r := rand.New(rand.NewPCG(uint64(k), 3))
		u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, 2), r)
		if err != nil {
			t.Fatal(err)
		}
		pose := synth.Neutral()
		pose.Yaw, pose.Light, pose.Bright = 0.3*(r.Float64()-0.5), r.Float64()-0.5, 0.8+0.3*r.Float64()
		frames := synth.TalkingFace(sp.Face, u, 25, 50, c.Size, pose, r)
		var truth, got []float64
		for i, img := range frames {
			f, err := c.faceTensor(img)
			if err != nil {
				t.Fatal(err)
			}
			truth = append(truth, u.MouthAt(float64(i)/25, float64(i+1)/25).Open)
			got = append(got, mouthOpening(c.lowerHalf(f), c.crop()))
		}
		acc.add(truth, got)
	}
	if r := acc.r(); r < 0.9 {
		t.Errorf("measured mouth opening vs the synthesiser's: r = %.3f, want ≥ 0.9", r)
	} else {
		t.Logf("measured mouth opening vs the synthesiser's: r = %.3f", r)
	}
}
