// Package fusion classifies events from several synchronised sensors at
// once — sound, pictures and motion — the way a car fuses everything
// around it, and keeps working when a sensor drops out.
//
// A model reads some of a clip's streams (Config.Streams: audio.wav,
// frames/ and motion.wav, see avio.MotionFile), encodes each, and fuses
// the encodings with one of four blocks (Config.Fusion: early, late,
// gated, attention; see package nets). Every block takes a stream mask,
// so a missing sensor is told, not zero-filled, and training hides
// streams, zeroes them or adds noise at random so the model learns to do
// without each:
//
//	m, err := fusion.New(fusion.DefaultConfig())
//	rep, err := fusion.Train(ctx, m, fusion.Data{Train: ds.Split("train"), Val: ds.Split("val")}, fusion.TrainOptions{})
//	p, err := m.Classify(clip)                       // all streams
//	p, err = m.Classify(clip, fusion.StreamAudio)    // the microphone is out
//	met, err := fusion.Evaluate(m, ds.Split("test"), fusion.EvalOptions{Baselines: singles})
//	fmt.Print(met.Table().Markdown(), met.Summary())
//
// Pretrained returns the shipped model, trained on synth.Sensors.
//
// Evaluate puts each model beside its baselines (single-stream models,
// the other blocks) with all streams, and with one stream at a time
// zeroed, missing or noisy. synth.Sensors writes a corpus where no single
// stream tells every event apart; "avl fusion train|eval" and
// examples/fusion run the comparison, docs/runs/fusion.md has the
// figures.
package fusion
