package lipsync

import (
	"bytes"
	_ "embed" // the shipped model
	"fmt"

	"github.com/avlearn/avlearn/nets"
)

//go:embed pretrained/lipsync.safetensors
var pretrained []byte

// Pretrained returns the shipped model: a sync expert and a generator
// trained on a synth.Speakers corpus (pretrained/README.md is its model
// card: data, command, figures, limits).
func Pretrained() (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModelFrom(bytes.NewReader(pretrained), int64(len(pretrained)), "the shipped lipsync model", Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("lipsync: %w", err)
	}
	return m, nil
}
