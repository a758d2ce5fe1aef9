// Package dsp is avlearn's signal-processing core: windows, real FFTs,
// framing, the short-time Fourier transform and its inverse, mel filter
// banks, DCT, dB conversion, MFCC, Griffin-Lim, resampling, spectrogram
// compression and masks, harmonic pitch salience and separation metrics.
// It works on plain slices and imports nothing but the standard library
// and gonum's BLAS.
//
// # Conventions
//
// Results match torch 1.13 (torch.stft, torch.istft, torch.*_window) in
// float64: the tests compare against goldens that testdata/dsp/gen_stft.py
// made with torch, require agreement to 1e-10 of the largest value, and see
// about 1e-15.
//
//   - Windows are periodic for spectral analysis (torch's default,
//     scipy fftbins=True) and symmetric on request.
//   - FFT.Forward is numpy's rfft (unnormalised, n/2+1 bins); FFT.Inverse is
//     irfft (scaled by 1/n).
//   - Spectrograms are frame-major: bin k of frame t is at index t*Bins+k.
//     (torch and librosa return (bins, frames); avio writes that layout.)
//
// # No hidden defaults
//
// STFTConfig has no defaults to forget: every field is given. In
// particular torch.stft(center=True) pads by reflection (PadReflect) while
// librosa ≥ 0.10 pads with zeros (PadConstant); choose one. A window
// shorter than NFFT is zero-padded to NFFT, centred at (NFFT−WinLength)/2.
//
// The number of frames of n samples is, with P = NFFT/2 when Center is set
// and 0 otherwise,
//
//	frames = 1 + (n + 2P − NFFT) / Hop    (integer division; 0 if n + 2P < NFFT)
//
// that is 1 + n/Hop for Center with even NFFT, and 1 + (n−NFFT)/Hop
// without Center. STFT rejects what torch rejects: a signal no longer than
// P with reflect padding, and a signal shorter than NFFT without Center.
//
// # Speed
//
// PowerSpectrogram is the fast path for |STFT|^p: for a power-of-two NFFT,
// a radix-4 complex FFT of NFFT/2 points whose first pass also windows and
// packs the frame and whose last pass is fused with the real split step
// and |·|^p; no allocation per frame; frames shared among GOMAXPROCS
// goroutines. Other lengths use mixed radices 2, 3, 4, 5 and small odd
// primes (NFFT 400 = 2·4·2·5·5), and Bluestein's algorithm for large prime
// factors. On amd64 with AVX the power-of-two passes (the windowed load and
// first pass, the radix-4 passes, and the real split, with |·|² for power
// spectrograms) run in assembly, two complex values per instruction,
// rounding as the Go passes do: the same bits with or without AVX. STFT,
// PowerSpectrogram and ISTFT give the same bits whatever the number of
// goroutines. Framer gives the same frames and spectra one at a time for
// signals that do not fit in memory.
//
// MelBank keeps each mel filter as its run of non-zero bins, so a frame
// costs about two multiply-adds per bin. Resampling is polyphase: each
// phase's taps serve four output rows per pass, and on amd64 with AVX the
// dot products run in assembly that sums in the same order as the Go code
// beside it, so results are the same bits on every machine. Resampler
// resamples a signal that arrives in chunks, with ResampleWith's values.
package dsp
