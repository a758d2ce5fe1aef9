"""Times torchaudio on the input of spectrogram's Go benchmarks.

    /usr/bin/python3 testdata/spectrogram/bench_torchaudio.py [threads]

speech.wav tiled to 30 s (480000 samples, 16 kHz), float32 as torchaudio
users run it, with the DefaultConfig front-end (Hamming 400/512, hop 160,
centre reflect); the median of repeated runs is printed per transform.
Compare with: go test ./spectrogram -run XXX -bench Compute
"""
import os
import sys
import time
import wave

import numpy as np
import torch
import torchaudio

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
torch.set_num_threads(threads)
here = os.path.dirname(os.path.abspath(__file__))
with wave.open(os.path.join(here, "..", "speech.wav")) as w:
    one = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
x = torch.from_numpy(np.resize(one, 480000).copy())

stft = dict(n_fft=512, win_length=400, hop_length=160, window_fn=torch.hamming_window)
cases = {
    "Linear": torch.nn.Sequential(torchaudio.transforms.Spectrogram(power=2.0, **stft)),
    "MelDB": torch.nn.Sequential(
        torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_mels=80, **stft),
        torchaudio.transforms.AmplitudeToDB("power", top_db=80)),
    "MFCC": torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13,
                                       melkwargs=dict(n_mels=40, **stft)),
}
print(f"torch {torch.__version__} torchaudio {torchaudio.__version__}, {threads} threads, 480000 samples")
with torch.no_grad():
    for name, t in cases.items():
        t(x)  # warm up (mel filters, FFT plans)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            t(x)
            times.append(time.perf_counter() - t0)
        print(f"{name:8s} median {1e3 * float(np.median(times)):.2f} ms")
