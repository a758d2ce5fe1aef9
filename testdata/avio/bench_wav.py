#!/usr/bin/python3
"""Times the peer of avio.ReadWAV: torchaudio.load (sox_io backend, float32 out)
on 10 s of 16 kHz 16-bit stereo, the input of BenchmarkReadWAV.

    /usr/bin/python3 testdata/avio/bench_wav.py
    go test -run '^$' -bench ReadWAV ./avio/
"""
import os
import tempfile
import time
import wave

import numpy as np
import torchaudio

n = 160000
t = np.arange(n)
x = ((t % 200) / 200 - 0.5)
pcm = np.round(np.stack([x, -x], axis=1) * 32767).astype("<i2").tobytes()
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "bench.wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(2); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(pcm)
    for _ in range(5):
        torchaudio.load(path)
    best = []
    for _ in range(5):
        reps = 50
        t0 = time.perf_counter()
        for _ in range(reps):
            torchaudio.load(path)
        best.append((time.perf_counter() - t0) / reps)
    print("torchaudio.load 10 s 16 kHz int16 stereo: median %.3f ms, min %.3f ms per file"
          % (np.median(best) * 1e3, min(best) * 1e3))
