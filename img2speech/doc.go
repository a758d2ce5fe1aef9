// Package img2speech is to say what a picture shows with no text in
// between, as Hsu et al. (ACL 2021): speech is turned into discrete units,
// an image is described in those units, and the units are spoken.
//
// The parts:
//
//   - the front-end: 40 log-mel bands (dB) of speech pre-emphasised with
//     0.97, a 25 ms Hamming window every 10 ms, standardised band by band
//     with the training set's statistics;
//   - speech → units (Train): an encoder of 1-D convolutions over time
//     that gives one vector per 4 frames (40 ms), quantised by a codebook
//     of Config.Codes vectors (nets.VQ): each 40 ms of speech becomes one
//     unit, and Collapse drops consecutive repeats, as the paper's units;
//     a decoder of convolutions over the unit sequence gives back the mel
//     frames, and training minimises its error plus the VQ loss;
//   - units → speech without learning: the decoder's log-mel frames, a
//     linear spectrogram estimated from them (spectrogram.InvertMel),
//     Griffin-Lim (MelFromUnits, Speak). Speak takes units with their
//     durations, one per 40 ms; Expand gives a collapsed sequence each
//     unit's mean duration in the training captions;
//   - image → units (TrainImage, after Train; WithCaptioner gives a
//     trained unit stage a new captioner): a CNN over the picture
//     (ImageSize²; with Config.ImageStem a stride-1 convolution, then
//     three stride-2 ones), first taught to name single objects in
//     labelled pictures synth draws (PretrainImage, as the paper's
//     ImageNet-trained encoder), whose cells (with
//     Config.CapCoords, and their coordinates) an LSTM attends to at
//     every step (Show, Attend and Tell), starting from a state computed from the picture, trained
//     with teacher forcing on the collapsed units of each clip's spoken
//     caption; beam search at inference (UnitsFromImage; SpeakImage says
//     a picture end to end). Units depend on the voice that said them,
//     so the captioner is told the voice of each caption (a learnt
//     vector per training speaker, Config.CapVoices) and speaks in one
//     of them (Model.SetVoice);
//   - the judge (Recogniser, TrainRecogniser): a small network trained
//     only on clean corpus speech that labels every 20 ms with a caption
//     word or silence, so that generated speech can be turned back into
//     words (Words).
//
// Evaluate measures the units against the phones the speech was made of
// (a "phones" label of each phone's times, which synth.Captions writes):
// frame-level phone purity and ABX on held-out speech, beside k-means on
// MFCCs with as many clusters and a single unit; speech → units → speech
// by log-mel distance and by the judge's word error, beside the clean
// speech and the vocoder fed the true spectrogram; and, with
// EvalOptions.Images, image → units → speech by unit error, the judge's
// word error, content words (colour, shape, position), count and BLEU-4,
// beside shuffled pictures and the true units.
//
//	m, err := img2speech.Pretrained() // or New, Train, TrainImage
//	speech, units, err := m.SpeakImage(picture) // 16 kHz mono, collapsed units
//	judge, err := img2speech.PretrainedRecogniser()
//	words, err := judge.Words(speech)
//	met, err := img2speech.Evaluate(m, ds.Split("test"), img2speech.EvalOptions{Reference: ds.Split("train"), Images: true, Judge: judge, Resynthesis: 20})
//	fmt.Print(met.Table(), met.ResynthesisTable(), met.ImageTable())
//
// Not built: a decoder that speaks a collapsed unit sequence itself
// (attention and a stop token) instead of mean durations, and a learned
// vocoder.
package img2speech
