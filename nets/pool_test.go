package nets

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestPoolGoldens(t *testing.T) {
	for _, name := range []string{"maxpool1d", "maxpool1d_soundnet", "maxpool2d", "avgpool1d", "avgpool2d"} {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			k, s, p := gd.ints("k"), gd.ints("s"), gd.ints("p")
			var l Layer
			switch gd.config["layer"] {
			case "maxpool1d":
				l = NewMaxPool1d(k[0], s[0], p[0])
			case "avgpool1d":
				l = NewAvgPool1d(k[0], s[0], p[0])
			case "maxpool2d":
				l = NewMaxPool2d([2]int{k[0], k[1]}, [2]int{s[0], s[1]}, [2]int{p[0], p[1]})
			case "avgpool2d":
				l = NewAvgPool2d([2]int{k[0], k[1]}, [2]int{s[0], s[1]}, [2]int{p[0], p[1]})
			}
			t.Logf("max relative error %.2g", coreCheckLayer(t, gd, Train, "", l.Forward, nil))
		})
	}
}

func TestPoolBadSizes(t *testing.T) {
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(1, 2, 5), G.WithName("x"))
	for _, l := range []Layer{NewMaxPool1d(3, 1, 2), NewMaxPool1d(8, 8, 0), NewAvgPool1d(0, 1, 0), NewMaxPool2d([2]int{2, 2}, [2]int{0, 0}, [2]int{0, 0})} {
		if _, err := l.Forward(g, x); err == nil {
			t.Errorf("%+v: want an error", l)
		}
	}
}
