package soundnet

import (
	"bytes"
	_ "embed" // the shipped model
	"fmt"

	"github.com/avlearn/avlearn/nets"
)

//go:embed pretrained/soundnet.safetensors
var pretrained []byte

// Pretrained returns the shipped model: a width-0.25 SoundNet-8 distilled
// from an image teacher on unlabelled synth.Scenes video, whose pool5
// features serve scene and object probes on corpora it never heard
// (pretrained/README.md is its model card: data, command, figures,
// limits).
func Pretrained() (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModelFrom(bytes.NewReader(pretrained), int64(len(pretrained)), "the shipped soundnet model", Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	return m, nil
}
