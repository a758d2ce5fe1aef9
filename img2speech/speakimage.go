package img2speech

import (
	"fmt"
	"image"

	"github.com/avlearn/avlearn/avio"
)

// UnitsFromImage describes a picture in units: the collapsed unit
// sequence the captioner decodes from it, greedily (the most likely unit
// at every step, until the end). The picture is scaled to
// Config.ImageSize².
func (m *Model) UnitsFromImage(img image.Image) ([]int, error) {
	if m.durations == nil {
		return nil, fmt.Errorf("img2speech: the model cannot describe pictures (train the image stage)")
	}
	s := m.Config.ImageSize
	x, err := avio.ImageTensor(img, avio.FrameOptions{Width: s, Height: s})
	if err != nil {
		return nil, fmt.Errorf("img2speech: picture: %w", err)
	}
	us, err := m.unitsFromImages([][]float32{x}, nil)
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
