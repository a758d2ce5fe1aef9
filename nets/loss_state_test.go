package nets

import (
	"math/rand"
	"strings"
	"testing"
)

// TestSeqLayersLoadPyTorchStateDict loads one safetensors file written from
// the PyTorch modules of gen_seq.py (their state_dicts under prefixes, as a
// model would save them) into the Go layers built with the same prefixes:
// every name and shape must match, and the values must be the goldens'.
func TestSeqLayersLoadPyTorchStateDict(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	rnn, err := NewLSTM("rnn", LSTMConfig{Input: 3, Hidden: 4, Layers: 2, Bidirectional: true, BatchFirst: true}, rng)
	if err != nil {
		t.Fatal(err)
	}
	attn, _ := NewAdditiveAttention("attn", 5, 6, 7, rng)
	quant, _ := NewVQ("quant", 8, 4, 0.25, rng)
	norm, _ := NewLayerNorm("norm", 3, 4)
	up, _ := NewConvTranspose2d("up", ConvTranspose2dConfig{In: 3, Out: 2, Kernel: 4, Stride: 2, Padding: 1, Bias: true}, rng)
	emb, _ := NewEmbedding("emb", 10, 6, rng)
	fuse, _ := NewGatedSum("fuse", 4, 3, rng)
	ps, err := Collect(rnn, attn, quant, norm, up, emb, fuse)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := LoadSafetensors("../testdata/nets/seq_state.safetensors", ps)
	if err != nil {
		t.Fatal(err)
	}
	if meta["source"] != "gen_seq.py" {
		t.Errorf("metadata %v", meta)
	}
	cases := map[string]string{"rnn": "bilstm", "attn": "attention", "quant": "vq", "norm": "layernorm",
		"up": "convt_k4s2p1", "emb": "embedding", "fuse": "gated3"}
	for _, p := range ps {
		prefix, name, _ := strings.Cut(p.Name, ".")
		want, _ := seqGolden(t, cases[prefix], name)
		seqCompare(t, p.Name, p.Data, want)
	}
}
