// Package img2speech is to say what a picture shows with no text in
// between, as Hsu et al. (ACL 2021): speech is turned into discrete units,
// an image is described in those units, and the units are spoken.
//
// What is built so far: the speech ↔ unit autoencoder that defines the
// units before any image is seen, and a first image → units captioner:
//
//   - the front-end: 40 log-mel bands (dB) of speech pre-emphasised with
//     0.97, a 25 ms Hamming window every 10 ms, standardised band by band
//     with the training set's statistics;
//   - an encoder of 1-D convolutions over time that gives one vector per
//     4 frames (40 ms), quantised by a codebook of Config.Codes vectors
//     (nets.VQ): each 40 ms of speech becomes one unit, and Collapse drops
//     consecutive repeats, as the paper's units;
//   - a decoder of convolutions over the unit sequence, at the unit rate,
//     back to the mel frames: training minimises its error plus the VQ
//     loss, re-seeding codes no batch chooses;
//   - a vocoder without learning: the decoder's log-mel frames, a linear
//     spectrogram estimated from them (spectrogram.InvertMel), Griffin-Lim
//     (MelFromUnits, Speak). Speak takes units with their durations, one
//     per 40 ms, as Units gives them;
//   - image → units (TrainImage, after Train): a CNN over the picture
//     (ImageSize², three stride-2 convolutions) whose cells an LSTM attends
//     to at every step (Show, Attend and Tell), trained with teacher
//     forcing on the collapsed units of each clip's spoken caption, decoded
//     greedily.
//
// Evaluate measures the units against the phones the speech was made of
// (a "phones" label of each phone's times, which synth.Captions writes):
// frame-level phone purity on held-out speech, beside k-means on MFCCs
// with as many clusters and a single unit for everything; and how far
// speech → units → speech is from the original (log-mel distance), beside
// the vocoder fed the true spectrogram; and, with EvalOptions.Images, the
// unit error rate of the units decoded from each picture beside those
// decoded from another picture.
//
//	m, err := img2speech.New(img2speech.DefaultConfig())
//	rep, err := img2speech.Train(ctx, m, img2speech.Data{Train: ds.Split("train"), Val: ds.Split("val")}, img2speech.TrainOptions{})
//	units, err := m.Units(samples) // 16 kHz mono: one unit per 40 ms
//	seq := img2speech.Collapse(units)
//	speech, err := m.Speak(units)
//	met, err := img2speech.Evaluate(m, ds.Split("test"), img2speech.EvalOptions{Reference: ds.Split("train")})
//	fmt.Print(met.Table())
//
// Not built yet: beam search; a decoder that speaks a collapsed unit
// sequence (durations dropped, with attention and a stop token), so a
// picture cannot be spoken end to end yet; the speech recogniser that
// judges generated speech; a shipped model. "avl img2speech train|eval" drives what exists.
package img2speech
