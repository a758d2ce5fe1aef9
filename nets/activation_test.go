package nets

import (
	"testing"

	G "gorgonia.org/gorgonia"
)

func TestActivationGoldens(t *testing.T) {
	fns := map[string]func(x *G.Node) (*G.Node, error){
		"relu":             ReLU,
		"leaky_relu":       func(x *G.Node) (*G.Node, error) { return LeakyReLU(x, 0.2) },
		"tanh":             Tanh,
		"sigmoid":          Sigmoid,
		"logsigmoid":       LogSigmoid,
		"softmax_dim1":     func(x *G.Node) (*G.Node, error) { return SoftmaxAxis(x, 1) },
		"softmax_last":     func(x *G.Node) (*G.Node, error) { return SoftmaxAxis(x, -1) },
		"log_softmax_last": func(x *G.Node) (*G.Node, error) { return LogSoftmaxAxis(x, -1) },
		"log_softmax_dim1": func(x *G.Node) (*G.Node, error) { return LogSoftmaxAxis(x, 1) },
	}
	for name, f := range fns {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			l := LayerFunc(f)
			t.Logf("max relative error %.2g", coreCheckLayer(t, gd, Train, "", l.Forward, nil))
		})
	}
	if _, err := LeakyReLU(nil, -1); err == nil {
		t.Fatal("negative slope: want error")
	}
}
