package fusion

import (
	"bytes"
	_ "embed" // the shipped model
	"fmt"

	"github.com/avlearn/avlearn/nets"
)

//go:embed pretrained/fusion.safetensors
var pretrained []byte

// Pretrained returns the shipped model: attention fusion of audio, frames and
// motion trained on a synth.Sensors corpus (pretrained/README.md is its
// model card: data, command, figures, limits).
func Pretrained() (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModelFrom(bytes.NewReader(pretrained), int64(len(pretrained)), "the shipped fusion model", Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	return m, nil
}
