// Package separation pulls each visible speaker's voice out of a mixture,
// guided by their face: a small, CPU-sized version of Ephrat et al.,
// "Looking to Listen at the Cocktail Party: A Speaker-Independent
// Audio-Visual Model for Speech Separation" (SIGGRAPH 2018).
//
// The mixture's one-sided STFT (16 kHz, 25 ms Hann, 10 ms hop, 512-point
// FFT) is power-law compressed bin by bin (|X|^0.3·e^{iφ}, never the
// waveform). An audio stream and one visual stream per face (mouth crops →
// small CNN → dilated temporal convolutions → upsampled from 25 fps to the
// 100 frames/s of the STFT) are concatenated per frame and go through a
// BiLSTM and fully connected layers. The default audio stream
// (StreamFrames) squeezes each frame to a vector and predicts the masks
// from the fused vector; StreamTF keeps the frequency axis, as the paper's
// does: 2-D dilated convolutions over time and frequency, whose per-bin
// map also produces the masks through 2-D convolutions told per frame what
// the BiLSTM concluded. Either gives one complex (or real) ratio mask per
// face. Config.Combs adds to every mask a harmonic comb term: a softmax
// over candidate fundamentals per speaker and frame, fed the mixture's
// harmonic salience, picks a comb from a fixed bank, so a mask can pass
// one voice's harmonics and stop the other's bin by bin, which a
// frame-wise network does not learn on its own. Learned per-speaker
// softmaxes tend to pick the louder voice for both faces;
// Config.MultiPitch adds combs from a fixed estimate of two fundamentals
// per frame, of which the network only learns which face has which
// (Config.TrackPitch lets the BiLSTM follow the salience over time). Each mask multiplies the
// compressed mixture; the product is decompressed and inverted with dsp's
// one-sided ISTFT to a waveform as long as the mixture. Training minimises
// the L2 distance between masked and clean compressed spectrograms on
// mixtures made on the fly from clips of two different speakers (or one
// speaker and non-speech noise); the target order is the face order, so the
// faces tell the model which voice goes where. The audio-only variant
// (Config.AudioOnly) has no faces and learns with a permutation-invariant
// loss: it is the baseline that shows what the faces add.
//
// Real masks in [0, 1] leave part of many bins to no one. With
// Config.Consistency the masks are rescaled so the outputs add up to the
// mixture (each takes a share of the remainder in proportion to its
// magnitude); it has no weights, so Model.SetConsistency switches it on a
// model trained without it. Config.Loss = LossSISDR trains on the
// evaluation's own measure: the SI-SDR of the waveforms, through the
// inverse STFT.
//
// The package has the shape of every avlearn task: Config, DefaultConfig,
// Validate, New, Save, Load, Train, the inference verb Separate, and
// Evaluate on held-out speakers beside two oracle masks (the ideal ratio
// mask, and the phase-sensitive mask: the best real mask under the
// training loss), the audio-only model and the unprocessed mixture, and
// optionally on mixtures of similar voices (EvalOptions.Similar).
package separation
