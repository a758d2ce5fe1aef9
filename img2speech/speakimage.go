package img2speech

import (
	"fmt"
	"image"

	"github.com/avlearn/avlearn/avio"
)

// DefaultBeam is the beam width of the image → units decoding.
const DefaultBeam = 4

// UnitsFromImage describes a picture in units: the collapsed unit
// sequence the captioner decodes from it by beam search (DefaultBeam
// hypotheses; the most likely sequence found). The picture is scaled to
// Config.ImageSize².
func (m *Model) UnitsFromImage(img image.Image) ([]int, error) {
	x, err := avio.ImageTensor(img, m.Config.imageOptions())
	if err != nil {
		return nil, fmt.Errorf("img2speech: picture: %w", err)
	}
	us, err := m.unitsFromImages([][]float32{x}, DefaultBeam, nil)
	if err != nil {
		return nil, err
	}
	return us[0], nil
}

// SpeakImage says what a picture shows, with no text in between: the
// units UnitsFromImage decodes, held for their durations (Expand) and
// spoken (Speak). It returns the speech, mono at Config.Rate, and the
// collapsed unit sequence.
func (m *Model) SpeakImage(img image.Image) ([]float64, []int, error) {
	seq, err := m.UnitsFromImage(img)
	if err != nil {
		return nil, nil, err
	}
	if len(seq) == 0 {
		return nil, nil, fmt.Errorf("img2speech: the model decoded no units from the picture")
	}
	u, err := m.Expand(seq)
	if err != nil {
		return nil, nil, err
	}
	y, err := m.Speak(u)
	if err != nil {
		return nil, nil, err
	}
	return y, seq, nil
}
