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
// OpenWAV (or NewWAVReader on any io.ReaderAt) returns a WAVReader that
// decodes the same files block by block, with ReadWAV's values and errors,
// so a long recording is processed in memory that does not grow with it.
//
// WriteWAV stores 16-bit PCM or 32-bit float; CreateWAV returns a
// WAVWriter that writes the same bytes a block of frames at a time, for
// audio of known length too long to hold. Like every writer in this
// package it writes a temporary file in the destination directory and renames
// it, so an error never leaves a partial file behind; WriteFileAtomic
// offers the same to the other packages.
//
// # NumPy arrays
//
// WriteNPY and WriteNPY64 write float32 and float64 arrays in C order, the
// layout numpy.load expects; ReadNPY reads the common numeric dtypes of
// either byte order and either memory order into float64 values in C order.
// CreateNPYColumns returns an NPYColumnWriter that writes a float32
// (rows, cols) array of known shape one column at a time (a spectrogram
// frame by frame) in memory that does not grow with cols.
//
// # Clip datasets
//
// A clip dataset is a folder of clip folders, each
//
//	ROOT/<clip>/audio.wav
//	ROOT/<clip>/frames/000000.png, 000001.png, …   (or .jpg; frame i shows time i/fps)
//	ROOT/<clip>/meta.json   {"fps": 25, "split": "train", "labels": {"speaker": "s03"}}
//
// which anyone can make from a video with ffmpeg (note -start_number 0:
// ffmpeg numbers images from 1 by default):
//
//	ffmpeg -i in.mp4 -vn -ac 1 -ar 16000 -c:a pcm_s16le CLIP/audio.wav
//	ffmpeg -i in.mp4 -vf fps=25 -start_number 0 CLIP/frames/%06d.png
//
// Open reads the folder names and meta.json files; a Clip reads its sound
// (mono, resampled on request), frames (as images or CHW float32 tensors)
// and aligned windows of both on demand. Loader turns clips into batches
// through a function of the caller's, in parallel, deterministically for a
// seed, with an LRU cache and a choice between stopping at a bad clip and
// skipping it. Check lists every problem of a dataset, naming the clip.
//
// # Bad input
//
// Every reader returns an error naming the file and the problem instead of
// panicking, and never allocates memory in proportion to a size field before
// checking it against the bytes really present.
package avio
