#!/usr/bin/python3
"""Generate the dsp STFT goldens with torch 1.13 (float64).

Run from the repository root or anywhere:  /usr/bin/python3 testdata/dsp/gen_stft.py

Writes, next to this script:
  stft_golden.json  index: one entry per array with its parameters, shape and
                    offset (in float64 values) into the binary file
  stft_golden.bin   all arrays as raw little-endian float64, concatenated

Entries:
  signal        the deterministic test signal (chirps + tones + noise)
  window        torch.{hamming,hann,blackman}_window(n, periodic, float64)
                and torch.ones(n) for "rect"
  stft_power    |torch.stft(x, ...)|**2 as (frames, bins), frame-major
  stft_complex  torch.stft(...) as (frames, bins, 2) real/imag
  istft         torch.istft(X * mask, ...) of a modified spectrogram (mask below)
"""
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))

entries = []
chunks = []
offset = 0


def add(kind, arr, **params):
    global offset
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f8"))
    entries.append({"kind": kind, "shape": list(a.shape), "offset": offset,
                    "count": int(a.size), **params})
    chunks.append(a.tobytes())
    offset += a.size


def signal(n, sr=16000, seed=1234):
    t = np.arange(n) / sr
    rng = np.random.default_rng(seed)
    x = 0.5 * np.sin(2 * np.pi * (200 * t + 0.5 * 3000 * t ** 2))   # linear chirp 200 Hz → 3.2 kHz/s
    x += 0.3 * np.sin(2 * np.pi * (1000 * t + 0.5 * -800 * t ** 2))  # falling chirp
    x += 0.2 * np.sin(2 * np.pi * 5500 * t)                         # tone
    x += 0.1 * rng.standard_normal(n)                               # noise
    return x


x = signal(4001)
add("signal", x, name="chirps")

WINDOWS = {
    "hamming": lambda n, p: torch.hamming_window(n, periodic=p),
    "hann": lambda n, p: torch.hann_window(n, periodic=p),
    "blackman": lambda n, p: torch.blackman_window(n, periodic=p),
    "rect": lambda n, p: torch.ones(n),
}
for name, fn in WINDOWS.items():
    for periodic in (True, False):
        for n in (1, 2, 7, 400, 512):
            add("window", fn(n, periodic).numpy(), name=name, n=n, periodic=periodic)

# (name, signal length, n_fft, hop, win_length, window name or None, center, pad_mode)
CASES = [
    ("hamming400", 4001, 400, 160, 400, "hamming", True, "reflect"),
    ("hamming512win400", 4001, 512, 160, 400, "hamming", True, "reflect"),
    ("hann512win401const", 4001, 512, 128, 401, "hann", True, "constant"),
    ("blackman400win300nocenter", 4001, 400, 100, 300, "blackman", False, "reflect"),
    ("rect512", 4001, 512, 256, 512, None, True, "reflect"),
    ("hann441odd", 4001, 441, 147, 441, "hann", True, "reflect"),
    ("hamming400hop97", 3333, 400, 97, 400, "hamming", True, "reflect"),
    ("short300reflect", 300, 512, 160, 400, "hamming", True, "reflect"),
    ("short100const", 100, 512, 160, 400, "hamming", True, "constant"),
    ("exact512nocenter", 512, 512, 160, 512, "hann", False, "reflect"),
]


def run_stft(n, n_fft, hop, win, wname, center, pad):
    w = None if wname is None else WINDOWS[wname](win, True)
    X = torch.stft(torch.from_numpy(x[:n]), n_fft, hop_length=hop, win_length=win,
                   window=w, center=center, pad_mode=pad, normalized=False,
                   onesided=True, return_complex=True)
    return X, w


for name, n, n_fft, hop, win, wname, center, pad in CASES:
    X, _ = run_stft(n, n_fft, hop, win, wname, center, pad)
    p = (X.abs() ** 2).T.contiguous().numpy()  # (frames, bins)
    add("stft_power", p, name=name, samples=n, n_fft=n_fft, hop=hop, win_length=win,
        window=wname or "none", center=center, pad_mode=pad)
    if name in ("hamming512win400", "hann441odd", "blackman400win300nocenter"):
        c = torch.view_as_real(X.T.contiguous()).numpy()  # (frames, bins, 2)
        add("stft_complex", c, name=name, samples=n, n_fft=n_fft, hop=hop, win_length=win,
            window=wname or "none", center=center, pad_mode=pad)

# istft of a modified spectrogram, X[k, t] * (0.5 + 0.4*cos(0.37*k + 1.3*t)),
# so the result is not simply x: checks the overlap-add and envelope
# normalisation themselves. The Go test applies the same mask to its own STFT.
ISTFT_CASES = [
    # name, n, n_fft, hop, win, window, center, length (None = natural)
    ("hann512hop128", 4001, 512, 128, 512, "hann", True, None),
    ("hann512hop128len4001", 4001, 512, 128, 512, "hann", True, 4001),
    ("hamming400nocenter", 4001, 400, 100, 400, "hamming", False, None),
    ("hann441odd_len4100", 4001, 441, 147, 441, "hann", True, 4100),
]
for name, n, n_fft, hop, win, wname, center, length in ISTFT_CASES:
    X, w = run_stft(n, n_fft, hop, win, wname, center, "reflect")
    k = np.arange(X.shape[0])[:, None]
    t = np.arange(X.shape[1])[None, :]
    mask = torch.from_numpy(0.5 + 0.4 * np.cos(0.37 * k + 1.3 * t))
    Y = X * mask
    y = torch.istft(Y, n_fft, hop_length=hop, win_length=win, window=w, center=center,
                    normalized=False, onesided=True, length=length, return_complex=False)
    add("istft", y.numpy(), name=name, samples=n, n_fft=n_fft, hop=hop, win_length=win,
        window=wname, center=center, length=length or 0)

with open(os.path.join(HERE, "stft_golden.bin"), "wb") as f:
    for c in chunks:
        f.write(c)
with open(os.path.join(HERE, "stft_golden.json"), "w") as f:
    json.dump({"generator": "testdata/dsp/gen_stft.py", "torch": torch.__version__,
               "numpy": np.__version__, "dtype": "float64 little-endian",
               "entries": entries}, f, indent=1)
print(f"{len(entries)} entries, {offset * 8} bytes")
