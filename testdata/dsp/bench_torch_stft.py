#!/usr/bin/python3
"""Peer timing for dsp's BenchmarkPowerSpectrogram10min: torch.stft power
spectrogram of 10 minutes of 16 kHz audio on ONE thread.

    /usr/bin/python3 testdata/dsp/bench_torch_stft.py [repeats]

Config (same as the Go benchmark): n_fft 512, win_length 400, hop 160,
periodic Hamming, center=True, pad_mode="reflect"; computes
(torch.stft(...).abs() ** 2). With the argument "400" after repeats it
uses n_fft 400 instead (BenchmarkPowerSpectrogram10minNFFT400). The signal is the Go benchmark's: a 440 Hz
and a 3 kHz tone plus splitmix64-hash noise, bit for bit. Prints the time
of each run, then best and median seconds and x real time, for float32
(torch's default dtype) and float64 (the dtype dsp computes in), and the
process CPU seconds of each run (less disturbed by other load on a shared
machine).
"""
import statistics
import sys
import time

import numpy as np
import torch

SR = 16000
N = 10 * 60 * SR


def bench_signal(n):
    """Same formula as benchSignal in dsp/stft_bench_test.go."""
    i = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = i * np.uint64(0x9E3779B97F4A7C15) + np.uint64(12345)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    noise = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 - 0.5
    t = np.arange(n, dtype=np.float64) / SR
    return 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.1 * noise


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n_fft = int(sys.argv[2]) if len(sys.argv) > 2 else 512
    torch.set_num_threads(1)
    x64 = bench_signal(N)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"{N} samples ({N / SR:.0f} s), n_fft {n_fft} win 400 hop 160 hamming center reflect")
    for dtype in (torch.float32, torch.float64):
        x = torch.from_numpy(x64).to(dtype)
        win = torch.hamming_window(400, periodic=True, dtype=dtype)
        times, cpus = [], []
        for r in range(repeats):
            c0 = time.process_time()
            t0 = time.perf_counter()
            p = torch.stft(x, n_fft, hop_length=160, win_length=400, window=win, center=True,
                           pad_mode="reflect", normalized=False, onesided=True,
                           return_complex=True).abs() ** 2
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            assert p.shape == (n_fft // 2 + 1, 1 + N // 160)
            del p
        best, med = min(times), statistics.median(times)
        print(f"{str(dtype):14s} cpu " + " ".join(f"{t:.3f}" for t in cpus) + "\n" + f"{str(dtype):14s} runs " + " ".join(f"{t:.3f}" for t in times) +
              f"  best {best:.3f} s ({N / SR / best:.0f}x real time)"
              f"  median {med:.3f} s ({N / SR / med:.0f}x real time)")


if __name__ == "__main__":
    main()
