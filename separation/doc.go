// Package separation pulls each visible speaker's voice out of a mixture,
// guided by their face: a small, CPU-sized version of Ephrat et al.,
// "Looking to Listen at the Cocktail Party: A Speaker-Independent
// Audio-Visual Model for Speech Separation" (SIGGRAPH 2018).
//
// # Use
//
// Load a model and give it a mono mixture at Config.Rate and one face video
// per speaker; it returns one waveform per face, in face order, each as
// long as the mixture:
//
//	m, err := separation.Load("face2.safetensors")
//	voices, err := m.Separate(mix, []separation.FaceTrack{a, b})
//
// To make a model: New(cfg), then Train(ctx, m, Data{Train, Val},
// TrainOptions) on clips with a "speaker" label (mixtures are drawn on the
// fly from clips of different speakers, or one speaker and non-speech
// noise when Config.Speakers is 1), then Save. Evaluate scores a model on
// held-out speakers beside the baselines that give the figure its meaning:
// the oracle ideal ratio mask, the oracle phase-sensitive mask (the best
// real mask), an audio-only model of the same size and the unprocessed
// mixture, and optionally mixtures of similar voices (EvalOptions.Similar).
// The command line does the same: avl separation train|eval, avl separate.
// separation/README.md has the current figures and the commands that
// reproduce them.
//
// # Model
//
// The mixture's one-sided STFT (16 kHz, 25 ms Hann, 10 ms hop, 512-point
// FFT) is power-law compressed bin by bin (|X|^0.3·e^{iφ}, never the
// waveform). An audio stream and one visual stream per face (mouth crops →
// small CNN → dilated temporal convolutions → upsampled from 25 fps to the
// 100 frames/s of the STFT) are concatenated per frame and go through a
// BiLSTM and fully connected layers, which give one complex or real ratio
// mask per face (Config.Mask). Each mask multiplies the compressed mixture;
// the product is decompressed and inverted with dsp's one-sided ISTFT.
// The faces fix the output order: training targets follow the face order.
// The audio-only variant (Config.AudioOnly) has no faces and learns with a
// permutation-invariant loss.
//
// Options, all in Config and saved with the model:
//
//   - Combs adds to every mask a harmonic comb term: per speaker and frame a
//     softmax over candidate fundamentals, fed the mixture's harmonic
//     salience, picks a comb from a fixed bank, so a mask can pass one
//     voice's harmonics and stop the other's bin by bin. TrackPitch lets the
//     BiLSTM follow the salience over time.
//   - MultiPitch adds combs from a fixed estimate of two fundamentals per
//     frame, of which the network only learns which face has which.
//   - Consistency rescales real masks so that the outputs add up to the
//     mixture (each takes a share of the remainder in proportion to its
//     magnitude). It has no weights: Model.SetConsistency switches it on for
//     a model trained without it.
//   - Loss: LossCompressed, the paper's L2 of compressed spectrograms, or
//     LossSISDR, the SI-SDR of the waveforms through the inverse STFT (real
//     masks).
//
// The package has the shape of every avlearn task (docs/ARCHITECTURE.md):
// Config, DefaultConfig, Validate, New, Train, the inference verb
// Separate, Evaluate, Save and Load. What was tried and measured on the way
// to the current recipe is in docs/runs/separation.md.
package separation
