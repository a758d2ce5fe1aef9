// Package demo is the program behind "avl demo": it shows avlearn end to
// end on data it makes itself. Run builds small synthetic corpora (synth),
// runs the audio front-end (dsp, spectrogram), a small MLP (eval, nets),
// SoundNet distillation with linear probes (soundnet) and face-guided
// separation (separation), and writes figures, audio, model files and
// report.md into one folder:
//
//	report, err := demo.Run(ctx, demo.Options{Dir: "avl-demo", Seed: 1, Quick: true,
//		Scenes: 16, Speakers: 8, Captions: 6, Progress: os.Stderr})
//
// The same options give the same files and numbers, timings aside. The
// folder must be new, empty, or an earlier demo's, whose files are
// replaced; nothing else in it is touched. A step that fails is reported
// and the next ones still run; Run returns the report and the steps'
// errors joined.
package demo
