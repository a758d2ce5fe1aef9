package fusion_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/fusion"
	"github.com/avlearn/avlearn/synth"
)

// Classify fresh sensor clips with the shipped model, with every sensor,
// then with the microphone out.
func ExamplePretrained() {
	dir, _ := os.MkdirTemp("", "sensors")
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "c")
	if err := synth.Sensors(root, synth.SensorsOptions{N: 18, Seed: 99}); err != nil {
		fmt.Println(err)
		return
	}
	ds, err := avio.Open(root)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := fusion.Pretrained()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	right, deaf := 0, 0
	for _, c := range ds.Clips {
		p, err := m.Classify(c)
		if err != nil {
			fmt.Println(err)
			return
		}
		q, err := m.Classify(c, fusion.StreamAudio)
		if err != nil {
			fmt.Println(err)
			return
		}
		if p.Class == c.Meta.Labels["event"] {
			right++
		}
		if q.Class == c.Meta.Labels["event"] {
			deaf++
		}
	}
	fmt.Printf("%s: %d of %d events right, %d without audio\n", m.Name(), right, len(ds.Clips), deaf)
	// Output:
	// attention fusion: 18 of 18 events right, 17 without audio
}
