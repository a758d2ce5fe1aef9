//go:build ignore

package main

import (
	"log"
	"os"

	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/soundnet"
)

// shift moves every weight off its seeded initial value, so that a test
// can tell loaded weights from freshly drawn ones.
func shift(ps []*nets.Param) {
	for _, p := range ps {
		for i := range p.Data {
			p.Data[i] += 0.25 + 0.001*float32(i%7)
		}
	}
}

func main() {
	dir := os.Args[1]
	sc := soundnet.Config{Width: 0.0625, Objects: 3, Scenes: 2, Window: 10, Seed: 3}
	sm, err := soundnet.New(sc)
	if err != nil {
		log.Fatal(err)
	}
	shift(sm.Params())
	if err := sm.Save(dir + "/soundnet_v0.safetensors"); err != nil {
		log.Fatal(err)
	}
	tc := soundnet.DefaultImageTeacherConfig()
	tc.ObjectNames, tc.SceneNames = []string{"a", "b"}, []string{"x", "y", "z"}
	tm, err := soundnet.NewImageTeacher(tc)
	if err != nil {
		log.Fatal(err)
	}
	shift(tm.Params())
	if err := tm.Save(dir + "/teacher_v0.safetensors"); err != nil {
		log.Fatal(err)
	}
	c := separation.DefaultConfig()
	c.Mask, c.Combs, c.MultiPitch, c.TrackPitch, c.Consistency, c.Loss = separation.MaskReal, 24, true, true, true, separation.LossSISDR
	c.AudioChannels, c.LSTMHidden, c.FCHidden, c.VisualDim = 8, 8, 16, 8
	m, err := separation.New(c)
	if err != nil {
		log.Fatal(err)
	}
	shift(m.Params())
	if err := m.Save(dir + "/separation_v0.safetensors"); err != nil {
		log.Fatal(err)
	}
}
