"""Golden spectrograms for package spectrogram, made by torchaudio.

    /usr/bin/python3 testdata/spectrogram/gen.py      (torch 1.13, torchaudio 0.13)

Every case runs one torchaudio transform chain in float64 on a fixture and
stores the result as float32 (bins, frames) .npy; cases.json records each
case's configuration in the field names of spectrogram.Config, and the Go
test builds its Config from there. WAV files are read with the standard
library and scaled by 1/32768 (torchaudio.load's convention); multi-channel
input is averaged to mono.
"""
import json
import math
import os
import wave

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float64)


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
        return x.reshape(-1, w.getnchannels()).mean(axis=1), w.getframerate()


def default(sr):
    win = int(math.floor(0.025 * sr + 0.5))
    hop = int(math.floor(0.010 * sr + 0.5))
    nfft = 1
    while nfft < win:
        nfft *= 2
    return dict(SampleRate=sr, NFFT=nfft, Hop=hop, WinLength=win, Window="hamming",
                Periodic=True, Center=True, Pad="reflect", Power=2.0, NMels=0,
                MelScale="htk", MelNorm="none", FMin=0.0, FMax=0.0, DB=False,
                TopDB=0.0, NMFCC=0)


WINDOWS = {"hamming": torch.hamming_window, "hann": torch.hann_window,
           "blackman": torch.blackman_window}


def window_fn(c):
    if c["Window"] == "rect":
        return lambda n, periodic=True: torch.ones(n)
    return WINDOWS[c["Window"]]


def compute(x, c):
    x = torch.from_numpy(x)
    stft = dict(n_fft=c["NFFT"], win_length=c["WinLength"], hop_length=c["Hop"],
                window_fn=window_fn(c), wkwargs={"periodic": c["Periodic"]},
                center=c["Center"], pad_mode=c["Pad"])
    fmax = c["FMax"] or None
    if c["NMFCC"]:
        assert c["Power"] == 2 and c["TopDB"] == 80
        t = torchaudio.transforms.MFCC(
            sample_rate=c["SampleRate"], n_mfcc=c["NMFCC"], norm="ortho", log_mels=False,
            melkwargs=dict(stft, f_min=c["FMin"], f_max=fmax, n_mels=c["NMels"],
                           power=2.0, norm=None if c["MelNorm"] == "none" else c["MelNorm"],
                           mel_scale=c["MelScale"]))
        return t(x)
    if c["NMels"]:
        t = torchaudio.transforms.MelSpectrogram(
            sample_rate=c["SampleRate"], f_min=c["FMin"], f_max=fmax, n_mels=c["NMels"],
            power=c["Power"], norm=None if c["MelNorm"] == "none" else c["MelNorm"],
            mel_scale=c["MelScale"], **stft)
    else:
        t = torchaudio.transforms.Spectrogram(power=c["Power"], **stft)
    y = t(x)
    if c["DB"]:
        stype = "power" if c["Power"] == 2 else "magnitude"
        y = torchaudio.transforms.AmplitudeToDB(stype, top_db=c["TopDB"] or None)(y)
    return y


speech, sr = read_wav(os.path.join(HERE, "..", "speech.wav"))
stereo, sr44 = read_wav(os.path.join(HERE, "stereo44k.wav"))
silence = np.zeros(4000)
inputs = {"speech.wav": (speech, sr), "spectrogram/stereo44k.wav": (stereo, sr44),
          "silence": (silence, 16000)}


def case(name, inp, **over):
    x, rate = inputs[inp]
    c = default(rate)
    c.update(over)
    return dict(name=name, input=inp, config=c)


cases = [
    case("linear_default", "speech.wav"),
    case("linear_hann_mag_nocenter", "speech.wav", Window="hann", NFFT=256,
         WinLength=256, Hop=128, Center=False, Power=1.0),
    case("linear_blackman_constant_db", "speech.wav", Window="blackman", NFFT=1024,
         WinLength=640, Hop=256, Pad="constant", DB=True, TopDB=80.0),
    case("linear_rect_symmetric_magdb", "speech.wav", Window="rect", Periodic=False,
         Power=1.0, DB=True),
    case("mel40_htk_db", "speech.wav", NMels=40, DB=True, TopDB=80.0),
    case("mel80_slaney_fminmax", "speech.wav", NMels=80, MelScale="slaney",
         MelNorm="slaney", FMin=20.0, FMax=7600.0),
    case("mel64_hamming_symmetric_mag", "speech.wav", NMels=64, Periodic=False, Power=1.0),
    case("mfcc13", "speech.wav", NMels=40, NMFCC=13, TopDB=80.0),
    case("stereo44k_mel128_db", "spectrogram/stereo44k.wav", NMels=128, DB=True,
         TopDB=80.0),
    case("silence_mel_db", "silence", NMels=40, DB=True, TopDB=80.0),
    case("silence_linear_db", "silence", DB=True),
]

for cs in cases:
    x, _ = inputs[cs["input"]]
    y = np.ascontiguousarray(compute(x, cs["config"]).numpy().astype(np.float32))
    cs["file"] = cs["name"] + ".npy"
    cs["shape"] = list(y.shape)
    np.save(os.path.join(HERE, cs["file"]), y)
    print(cs["name"], y.shape, float(np.abs(y).max()))

with open(os.path.join(HERE, "cases.json"), "w") as f:
    json.dump({"generator": "testdata/spectrogram/gen.py", "torch": torch.__version__,
               "torchaudio": torchaudio.__version__, "cases": cases}, f, indent=1)
