package nets_test

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/nets"
)

// A model file describes itself: the weights under their PyTorch names,
// and the configuration as JSON in the metadata.
func ExampleSaveSafetensors() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	w := nets.NewParam("fc.weight", 2, 3)
	b := nets.NewParam("fc.bias", 2)
	copy(w.Data, []float32{1, 2, 3, 4, 5, 6})
	cfg, _ := json.Marshal(map[string]int{"in": 3, "out": 2})
	if err := nets.SaveSafetensors(path, []*nets.Param{w, b}, map[string]string{nets.MetaConfig: string(cfg)}); err != nil {
		log.Fatal(err)
	}

	tensors, meta, err := nets.ReadSafetensors(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta[nets.MetaConfig])
	fmt.Println(tensors["fc.weight"].DType, tensors["fc.weight"].Shape)
	// Output:
	// {"in":3,"out":2}
	// F32 [2 3]
}

// LoadSafetensors fills a model by name and says exactly what does not fit.
func ExampleLoadSafetensors() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")
	w := nets.NewParam("fc.weight", 2, 3)
	copy(w.Data, []float32{1, 2, 3, 4, 5, 6})
	if err := nets.SaveSafetensors(path, []*nets.Param{w, nets.NewParam("fc.bias", 2)}, nil); err != nil {
		log.Fatal(err)
	}

	same := []*nets.Param{nets.NewParam("fc.weight", 2, 3), nets.NewParam("fc.bias", 2)}
	if _, err := nets.LoadSafetensors(path, same); err != nil {
		log.Fatal(err)
	}
	fmt.Println(same[0].Data)

	other := []*nets.Param{nets.NewParam("fc.weight", 2, 4), nets.NewParam("out.bias", 2)}
	_, err = nets.LoadSafetensors(path, other)
	fmt.Println(strings.ReplaceAll(err.Error(), path, "model.safetensors"))
	_, err = nets.LoadSafetensorsWith(path, other, nets.LoadOptions{AllowUnexpected: true})
	fmt.Println(strings.ReplaceAll(err.Error(), path, "model.safetensors"))
	// Output:
	// [1 2 3 4 5 6]
	// nets: model.safetensors: fc.weight: shape [2 3] in file, model expects [2 4]; missing tensor "out.bias"; unexpected tensor "fc.bias"
	// nets: model.safetensors: fc.weight: shape [2 3] in file, model expects [2 4]; missing tensor "out.bias"
}
