package img2speech

import (
	"bytes"
	_ "embed" // the shipped models
	"fmt"

	"github.com/avlearn/avlearn/nets"
)

var (
	//go:embed pretrained/img2speech.safetensors
	pretrained []byte
	//go:embed pretrained/judge.safetensors
	pretrainedJudge []byte
)

// Pretrained returns the shipped model: speech units, image → units and
// the units' durations, trained on a synth.Captions corpus with two voices
// held out. Its model card, pretrained/README.md, gives the data, the
// commands, the training time, the held-out figures and the limits.
func Pretrained() (*Model, error) {
	var cfg Config
	m, meta, err := nets.LoadModelFrom(bytes.NewReader(pretrained), int64(len(pretrained)), "the shipped img2speech model", Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	if err := m.setMeta(meta); err != nil {
		return nil, fmt.Errorf("img2speech: the shipped model: %w", err)
	}
	return m, nil
}

// PretrainedRecogniser returns the shipped judge: a Recogniser of the
// caption words trained on the clean speech of 14 synthetic voices, not
// the two that Pretrained's figures hold out (pretrained/README.md).
func PretrainedRecogniser() (*Recogniser, error) {
	var cfg RecogniserConfig
	r, _, err := nets.LoadModelFrom(bytes.NewReader(pretrainedJudge), int64(len(pretrainedJudge)), "the shipped img2speech recogniser", RecogniserKind, &cfg,
		func() (*Recogniser, error) { return NewRecogniser(cfg) })
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	return r, nil
}
