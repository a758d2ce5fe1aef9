#!/usr/bin/python3
"""Peer timing for dsp's BenchmarkResample60s: torchaudio.functional.resample
of one minute of 44.1 kHz audio to 16 kHz on ONE thread.

    /usr/bin/python3 testdata/dsp/bench_resample.py [repeats]

The signal is the Go benchmark's (440 Hz, 3 kHz and 9 kHz tones). Two
settings, as in the Go benchmark: torchaudio's default (Hann window,
lowpass_filter_width 6, rolloff 0.99) and dsp's default filter expressed in
torchaudio (kaiser_window, width 32, rolloff 0.94, beta 12). Each is timed
in float32 (torch's default dtype) and float64 (the dtype dsp computes in);
the kernel is rebuilt on every call, as dsp.ResampleWith does. Prints the
runs, best and median seconds, and x real time.
"""
import statistics
import sys
import time

import numpy as np
import torch
import torchaudio
import torchaudio.functional as F


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.set_num_threads(1)
    sr, n = 44100, 60 * 44100
    t = np.arange(n, dtype=np.float64) / sr
    x64 = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.1 * np.sin(2 * np.pi * 9000 * t)
    print(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, threads {torch.get_num_threads()}, "
          f"{n} samples (60 s) 44100 -> 16000 Hz")
    for name, kw in [("torchaudio", dict()),
                     ("default", dict(lowpass_filter_width=32, rolloff=0.94,
                                      resampling_method="kaiser_window", beta=12.0))]:
        for dtype in (torch.float32, torch.float64):
            x = torch.from_numpy(x64).to(dtype)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                y = F.resample(x, 44100, 16000, **kw)
                times.append(time.perf_counter() - t0)
                assert y.shape == (60 * 16000,)
            best, med = min(times), statistics.median(times)
            print(f"{name:10s} {str(dtype):14s} runs " + " ".join(f"{t:.3f}" for t in times) +
                  f"  best {best:.3f} s ({60 / best:.0f}x real time)  median {med:.3f} s ({60 / med:.0f}x)")


if __name__ == "__main__":
    main()
