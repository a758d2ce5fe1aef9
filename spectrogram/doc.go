// Package spectrogram turns waveforms into spectrograms that carry the
// metadata that made them, and renders or exports them.
//
// One Config describes the whole front-end: the STFT (n_fft, hop, window,
// centring and padding), the magnitude exponent, an optional mel filterbank,
// decibel scaling and MFCC. DefaultConfig gives speech defaults (Hamming
// periodic window of 25 ms, 10 ms hop, n_fft the next power of two, centred
// frames with reflect padding, power spectrogram). Compute applies it to a
// whole signal; Stream applies it frame by frame in memory bounded by one
// frame, for signals of any length, with the same result.
//
// Numbers follow torchaudio.transforms.Spectrogram, MelSpectrogram,
// AmplitudeToDB and MFCC (and so librosa with the same settings); the tests
// compare against goldens made by torchaudio in testdata/spectrogram.
//
// Values are stored like torch and the .npy files avlearn writes: float32,
// (Bins, Frames) row-major, so Data[b*Frames+t] is bin b of frame t. Bin 0 is
// the lowest frequency (or the first MFCC coefficient). Image and WritePNG
// draw low frequencies at the bottom, with optional time and frequency axes.
//
// The transforms themselves (windows, STFT, mel filters, DCT, dB) live in
// package dsp; this package composes them and owns the type.
package spectrogram
