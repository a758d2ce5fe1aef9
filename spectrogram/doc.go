// Package spectrogram turns waveforms into spectrograms that carry the
// metadata that made them, and renders, exports and inverts them.
//
// One Config describes the whole front-end: the STFT (n_fft, hop, window,
// centring and padding), the magnitude exponent, an optional mel filterbank,
// decibel scaling and MFCC. DefaultConfig gives speech defaults (Hamming
// periodic window of 25 ms, 10 ms hop, n_fft the next power of two, centred
// frames with reflect padding, power spectrogram). Compute applies it to a
// whole signal; Stream applies it frame by frame, in memory that does not
// grow with the signal, with bit-identical results.
//
// Numbers follow torchaudio.transforms.Spectrogram, MelSpectrogram,
// AmplitudeToDB and MFCC; the tests compare Compute with goldens made by
// torchaudio (testdata/spectrogram/gen.py) and require agreement within
// 1e-4 of the largest reference value (they agree to float32 rounding).
//
// Values are stored like torch and the .npy files avlearn writes: float32,
// (Bins, Frames) row-major, so Data[b*Frames+t] is bin b of frame t. Bin 0 is
// the lowest frequency (or the first MFCC coefficient). WriteNPY saves the
// values, WriteMeta the Config beside them as JSON. CreateNPY returns an
// NPYWriter that takes a Stream's frames one by one and writes the same
// .npy bytes as WriteNPY without holding the spectrogram in memory. Image and WritePNG draw
// low frequencies at the bottom in viridis or magma (the published 256-entry
// tables), with optional time and frequency axes. Invert rebuilds a waveform
// from a linear spectrogram by Griffin-Lim.
//
// The transforms themselves (windows, STFT, mel filters, DCT, dB,
// Griffin-Lim) live in package dsp; this package composes them and owns the
// type.
package spectrogram
