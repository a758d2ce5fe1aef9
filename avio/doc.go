// Package avio moves every byte that enters or leaves avlearn: WAV audio,
// NumPy .npy arrays, image frames and clip datasets.
//
// # WAV
//
// ReadWAV decodes PCM (8-bit unsigned, 16, 24, 32-bit), IEEE float (32,
// 64-bit) and WAVE_FORMAT_EXTENSIBLE files with any number of channels into
// float64 samples with the scaling torchaudio.load and soundfile.read use:
// an integer sample is divided by 2^(bits-1) (8-bit samples are first
// centred at 128), float samples are passed through unchanged. The format
// tag, not the bit depth, decides how bytes are read. Unknown chunks (LIST,
// fact, …) are skipped. A data chunk whose size field claims more bytes than
// the file holds is read as far as it goes and reported in WAVInfo.Truncated,
// as libsndfile and sox do. Compressed codecs (μ-law, A-law, ADPCM, MP3 …)
// are refused with an error that names them.
//
// WriteWAV stores 16-bit PCM or 32-bit float. Like every writer in this
// package it writes a temporary file in the destination directory and renames
// it, so an error never leaves a partial file behind.
//
// # NumPy arrays
//
// WriteNPY and WriteNPY64 write float32 and float64 arrays in C order, the
// layout numpy.load expects; ReadNPY reads the common numeric dtypes of
// either byte order and either memory order into float64 values in C order.
//
// # Bad input
//
// Every reader returns an error naming the file and the problem instead of
// panicking, and never allocates memory in proportion to a size field before
// checking it against the bytes really present.
package avio
