// Package nets holds the neural-network building blocks of avlearn: layers
// that keep PyTorch's parameter names, layouts and numerics, built on
// Gorgonia expression graphs in float32, with the machinery to run them.
//
// A model owns its parameters as [Param] values outside any graph. A
// [Graph] binds them (sharing their Data) in one mode, [Train] or [Eval];
// each [Layer] adds its computation with Forward; a [Machine] compiles the
// graph once and runs it for every batch, leaving gradients in Param.Grad
// for an optimiser to use.
//
//	g := nets.NewGraph(nets.Train, seed)
//	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(n, 1, l), G.WithName("x"))
//	y, err := conv.Forward(g, x)
//	...
//	m, err := nets.NewMachine(g, loss)
//	for each batch { nets.Let(x, batch); m.Run(); opt.Step(params) }
//
// Layers avoid Gorgonia's stateful BatchNorm and Dropout ops: batch
// normalisation here keeps PyTorch's running_mean, running_var and
// num_batches_tracked buffers and updates them after each training pass,
// and convolution and pooling use custom ops with im2col and a blocked
// float32 matrix product, which are much faster and lighter than the
// generic ones for 1-D audio.
package nets
