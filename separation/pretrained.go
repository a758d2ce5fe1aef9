package separation

import (
	"bytes"
	_ "embed" // the shipped model
	"fmt"

	"github.com/avlearn/avlearn/nets"
)

//go:embed pretrained/separation.safetensors
var pretrained []byte

// Pretrained returns the shipped model: the recipe (DefaultConfig) trained
// on a synth speakers corpus. Its model card, pretrained/README.md, gives
// the data, the commands, the training time, the held-out figures and the
// limits.
func Pretrained() (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModelFrom(bytes.NewReader(pretrained), int64(len(pretrained)), "the shipped separation model", Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return m, nil
}
