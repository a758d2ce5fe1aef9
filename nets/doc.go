// Package nets holds the neural-network building blocks of avlearn: layers
// that keep PyTorch's parameter names, layouts and numerics, built on
// Gorgonia expression graphs in float32, with the machinery to run them.
//
// A model owns its parameters as [Param] values outside any graph. A
// [Program] runs the model: its define function declares one pass — the
// inputs it reads, the layers' Forward, the outputs and, for training, the
// loss — and the program compiles it once per set of input shapes (batch
// size and length may vary), binds the parameters (sharing their Data) and
// leaves the gradients in Param.Grad for an optimiser:
//
//	prog := nets.NewProgram(func(p *nets.Pass) error {
//		x, _ := p.Input("audio")
//		y, err := model.Forward(p.Graph(), x)
//		... // p.Output("y", y), or p.Minimize(loss)
//	}, nets.ProgramOptions{Mode: nets.Train, Seed: seed})
//	defer prog.Close()
//	for each batch { pass, err := prog.Run(nets.Feed{"audio", shape, data}); opt.Step(params) }
//
// Underneath, a [Graph] binds the parameters in one mode ([Train] or
// [Eval]) and a [Machine] runs it; both stay available for graphs a
// Program cannot express. Model files: [SaveModel] and [LoadModel] (one
// metadata scheme for every task).
//
// The core layers — [Linear], [Conv1d], [Conv2d], [BatchNorm] (1d and 2d),
// [Pool1d] and [Pool2d] (max and average), and the activations [ReLU],
// [LeakyReLU], [Tanh], [Sigmoid], [SoftmaxAxis], [LogSoftmaxAxis] — are
// custom Gorgonia ops checked against PyTorch 1.13 (forward and gradients,
// testdata/nets/gen_core.py). Their weights start as PyTorch's defaults
// (kaiming_uniform with a = √5, see [KaimingUniform]).
//
// Why custom ops: Gorgonia's BatchNorm resets its statistics for every new
// machine and its Dropout seeds from the clock, so batch normalisation here
// keeps PyTorch's running_mean, running_var and num_batches_tracked
// buffers and updates them after each training pass. Convolutions run as a
// cache-blocked float32 matrix product (AVX2/FMA kernel on amd64) that
// packs its panels straight from the signal (implicit im2col), and every op
// reuses its output buffer from pass to pass. BenchmarkSoundNetTrainStep
// times a SoundNet-8 training step; README.md compares it with PyTorch's.
//
// Sequence and utility layers, also checked against PyTorch
// (testdata/nets/gen_seq.py): [LSTM] (multi-layer, bidirectional,
// batch-first; weight_ih_l0 … with gate order i, f, g, o), [Embedding],
// [LayerNorm], [Dropout] (mask drawn from the graph's seeded source),
// [AdditiveAttention] (Bahdanau), the vector quantiser [VQ] (straight-through
// gradient, commitment loss, code usage), the fusion blocks [Concat] and
// [GatedSum], and [ConvTranspose2d] for learned 2× upsampling. Losses:
// [MSELoss], [L1Loss], [CrossEntropyLoss], [KLDivLoss] (batchmean, as
// torch.nn.KLDivLoss) and [CosineLoss].
//
// Training: the optimisers [SGD], [Adam] and AdamW ([NewAdamW]) follow
// torch's update formulas step for step; [ClipGradNorm] and the schedules
// ([StepLR], [Cosine], [Warmup]) complete them. [Fit] runs epochs over a
// [Task] with seeded shuffling, validation, early stopping, a keep-best
// checkpoint, a clear stop on a NaN loss, context cancellation, progress
// with ETA and loss curves (CSV and PNG). Checkpoints are safetensors files
// ([SaveSafetensors], [LoadSafetensors], [SaveModel]) holding tensors under
// PyTorch's state_dict names and the model's config as metadata, so a
// state_dict saved in Python loads into the Go twin by name.
package nets
