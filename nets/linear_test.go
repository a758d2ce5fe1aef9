package nets

import (
	"math/rand"
	"testing"
)

func TestLinearGoldens(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, name := range []string{"linear", "linear_rank3", "linear_nobias"} {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			nobias, _ := gd.config["nobias"].(bool)
			l, err := NewLinear("fc", gd.int("in"), gd.int("out"), !nobias, rng)
			if err != nil {
				t.Fatal(err)
			}
			ps := map[string]*Param{"weight": l.Weight}
			if l.Bias != nil {
				ps["bias"] = l.Bias
			}
			t.Logf("max relative error %.2g", coreCheckLayer(t, gd, Train, "", l.Forward, ps))
		})
	}
}
