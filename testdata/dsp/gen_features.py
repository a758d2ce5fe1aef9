#!/usr/bin/python3
"""Make the goldens for the feature half of package dsp (mel filterbanks, DCT,
dB, MFCC, resampling, Griffin-Lim, separation metrics).

Run from the repository root with Debian's Python (torch 1.13, torchaudio 0.13):

    /usr/bin/python3 testdata/dsp/gen_features.py

It writes testdata/dsp/features/*.npy (float64, C order) and
testdata/dsp/features/features.json, which lists every case with its
parameters and files. torch's default dtype is set to float64 so torchaudio
computes in double precision (its filterbanks and kernels follow the default
dtype); the goldens are therefore exact to rounding.

librosa is not installed here. librosa.filters.mel(sr, n_fft, n_mels, fmin,
fmax, htk, norm) is the transpose of torchaudio.functional.melscale_fbanks
with the same mel_scale ("htk" for htk=True, "slaney" otherwise) and norm,
so the slaney × slaney cases are librosa's default filterbank.
"""
import json
import math
import os

import numpy as np
import scipy.fft
import scipy.linalg
import scipy.signal
import torch
import torchaudio
import torchaudio.functional as F
import torchaudio.transforms as T

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "features")
os.makedirs(OUT, exist_ok=True)
cases = {"mel": [], "dct": [], "db": [], "mfcc": [], "resample": [], "griffinlim": [], "metrics": []}


def save(name, arr):
    arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float64))
    np.save(os.path.join(OUT, name + ".npy"), arr)
    return name + ".npy"


def test_signal(sr, seconds, seed):
    """Silence, then two chirpy tones and a little noise: deterministic."""
    rng = np.random.default_rng(seed)
    n = int(sr * seconds)
    t = np.arange(n) / sr
    x = 0.5 * np.sin(2 * np.pi * (220 * t + 400 * t * t)) + 0.25 * np.sin(2 * np.pi * 1375 * t)
    x += 0.01 * rng.standard_normal(n)
    x[: n // 8] = 0.0  # silence: exercises amin and top_db
    return x


# --- mel filterbanks -------------------------------------------------------
for n_fft, sr, n_mels, fmin, fmax in [(400, 16000, 40, 20.0, 7600.0), (512, 22050, 64, 50.0, 10000.0)]:
    for scale in ["htk", "slaney"]:
        for norm in [None, "slaney"]:
            fb = F.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm=norm, mel_scale=scale)
            name = f"mel_{n_fft}_{sr}_{scale}_{norm or 'none'}"
            cases["mel"].append(dict(n_fft=n_fft, sample_rate=sr, n_mels=n_mels, fmin=fmin, fmax=fmax,
                                     scale=scale, norm=norm or "none", file=save(name, fb.numpy().T)))

# --- DCT -------------------------------------------------------------------
for n_mfcc, n_mels in [(13, 40), (20, 64), (40, 40)]:
    for norm in ["ortho", None]:
        d = F.create_dct(n_mfcc, n_mels, norm)
        # librosa.feature.mfcc uses scipy's DCT-II; check the two agree.
        sp = scipy.fft.dct(np.eye(n_mels), type=2, norm=norm, axis=0)[:n_mfcc]
        assert np.allclose(sp, d.numpy().T, atol=1e-12), (n_mfcc, n_mels, norm)
        name = f"dct_{n_mfcc}_{n_mels}_{norm or 'none'}"
        cases["dct"].append(dict(n_mfcc=n_mfcc, n_mels=n_mels, ortho=norm == "ortho", file=save(name, d.numpy().T)))

# --- dB --------------------------------------------------------------------
rng = np.random.default_rng(1)
xdb = np.concatenate([np.zeros(4), 10.0 ** rng.uniform(-14, 2, 60), [1e-10, 1e-12, 1.0, 3.5]])
save("db_input", xdb)
for mult, amin, ref, top_db in [(10, 1e-10, 1.0, 80.0), (10, 1e-10, 1.0, None), (10, 1e-6, 2.5, 60.0),
                                (20, 1e-5, 1.0, 80.0), (20, 1e-10, 0.5, None), (10, 1e-3, 1e-4, 40.0)]:
    y = F.amplitude_to_DB(torch.tensor(xdb)[None, :], mult, amin, math.log10(max(amin, ref)), top_db)
    name = f"db_{len(cases['db'])}"
    cases["db"].append(dict(multiplier=mult, amin=amin, ref=ref, top_db=top_db or 0.0, input="db_input.npy",
                            file=save(name, y.numpy()[0])))

# --- MFCC (torchaudio's own STFT inside) -------------------------------------
x = test_signal(16000, 0.5, 2)
save("signal_16k", x)
for n_mfcc, kw in [(13, dict(n_fft=400, hop_length=160, n_mels=40, f_min=0.0, f_max=8000.0,
                             mel_scale="htk", norm=None)),
                   (20, dict(n_fft=512, hop_length=128, n_mels=64, f_min=30.0, f_max=7000.0,
                             mel_scale="slaney", norm="slaney"))]:
    mf = T.MFCC(sample_rate=16000, n_mfcc=n_mfcc, dct_type=2, norm="ortho", log_mels=False, melkwargs=kw)
    c = mf(torch.tensor(x))  # (n_mfcc, frames)
    mel = mf.MelSpectrogram(torch.tensor(x))  # (n_mels, frames), power 2
    name = f"mfcc_{n_mfcc}_{kw['n_fft']}"
    cases["mfcc"].append(dict(sample_rate=16000, n_mfcc=n_mfcc, n_fft=kw["n_fft"], hop=kw["hop_length"],
                              n_mels=kw["n_mels"], fmin=kw["f_min"], fmax=kw["f_max"], scale=kw["mel_scale"],
                              norm=kw["norm"] or "none", top_db=80.0, amin=1e-10, ref=1.0,
                              input="signal_16k.npy",
                              mel=save(name + "_melpower", mel.numpy().T),  # frames × n_mels
                              file=save(name, c.numpy().T)))  # frames × n_mfcc

# --- resampling -------------------------------------------------------------
for frm, to, width, rolloff, method, beta in [(44100, 16000, 6, 0.99, "sinc_interpolation", None),
                                              (22050, 16000, 6, 0.99, "sinc_interpolation", None),
                                              (8000, 16000, 6, 0.99, "sinc_interpolation", None),
                                              (48000, 44100, 16, 0.9, "kaiser_window", 12.0),
                                              (16000, 44100, 8, 0.95, "kaiser_window", 8.0)]:
    x = test_signal(frm, 0.05, 3)
    x[: len(x) // 8] = np.random.default_rng(4).standard_normal(len(x) // 8)  # edges matter too
    y = F.resample(torch.tensor(x), frm, to, lowpass_filter_width=width, rolloff=rolloff,
                   resampling_method=method, beta=beta)
    name = f"resample_{frm}_{to}_{method}"
    cases["resample"].append(dict(**{"from": frm, "to": to}, lowpass_filter_width=width, rolloff=rolloff,
                                  method=method, beta=beta or 0.0, input=save(name + "_in", x),
                                  file=save(name, y.numpy())))

# --- separation metrics ----------------------------------------------------
# BSS Eval v3 SDR for one source (mir_eval.separation.bss_eval_sources with one
# reference; mir_eval is not installed, this follows its _project): the
# estimate is projected on the reference delayed by 0..flen-1 samples, with
# FFT correlations and the Toeplitz normal equations.
def bss_sdr(ref, est, flen):
    n = len(ref)
    nfft = int(2 ** np.ceil(np.log2(n + flen - 1)))
    sf = np.fft.rfft(ref, nfft)
    ssf = np.fft.irfft(sf * np.conj(sf), nfft)
    G = scipy.linalg.toeplitz(np.concatenate([ssf[:1], ssf[-1:-flen:-1]]), ssf[:flen])
    ef = np.fft.rfft(est, nfft)
    D = np.fft.irfft(np.conj(sf) * ef, nfft)[:flen]
    C = np.linalg.solve(G, D)
    proj = scipy.signal.fftconvolve(C, ref)  # length n + flen - 1
    e = np.concatenate([est, np.zeros(flen - 1)]) - proj
    return 10 * np.log10(np.sum(proj ** 2) / np.sum(e ** 2))


def si_sdr(ref, est):
    ref = ref - ref.mean()
    est = est - est.mean()
    t = (est @ ref) / (ref @ ref) * ref
    return 10 * np.log10(np.sum(t ** 2) / np.sum((est - t) ** 2))


ref = test_signal(16000, 0.25, 5)[500:]
ref += 0.05  # a DC offset: SI-SDR removes it, SDR and SNR do not
save("metrics_ref", ref)
rng = np.random.default_rng(6)
for i, (label, est) in enumerate([
        ("noisy", ref + 0.05 * rng.standard_normal(len(ref))),
        ("scaled", 0.3 * ref + 0.01 * rng.standard_normal(len(ref))),
        ("filtered", np.convolve(ref, [0.6, 0.3, -0.1])[: len(ref)] + 0.02 * rng.standard_normal(len(ref))),
        ("delayed", np.concatenate([np.zeros(40), ref[:-40]]) + 0.01 * rng.standard_normal(len(ref)))]):
    snr = 10 * np.log10(np.sum(ref ** 2) / np.sum((ref - est) ** 2))
    for flen in [512, 1]:
        cases["metrics"].append(dict(label=label, input="metrics_ref.npy", est=save(f"metrics_est_{label}", est),
                                     filter_len=flen, snr=snr, sdr=bss_sdr(ref, est, flen), si_sdr=si_sdr(ref, est)))

# --- Griffin-Lim (zero initial phase: deterministic) --------------------------
x = test_signal(16000, 0.1, 7)
n_fft, hop = 256, 64
win = torch.hann_window(n_fft, periodic=True)
X = torch.stft(torch.tensor(x), n_fft, hop, n_fft, win, center=True, pad_mode="reflect", return_complex=True)
mag = X.abs()  # (bins, frames)
save("gl_signal", x)
for n_iter, momentum, power in [(0, 0.99, 1.0), (4, 0.99, 1.0), (16, 0.99, 2.0), (8, 0.0, 1.0)]:
    y = F.griffinlim(mag ** power, win, n_fft, hop, n_fft, power, n_iter, momentum, len(x), False)
    name = f"gl_{n_iter}_{momentum}_{power}"
    cases["griffinlim"].append(dict(n_fft=n_fft, hop=hop, n_iter=n_iter, momentum=momentum, power=power,
                                    length=len(x), input="gl_signal.npy", file=save(name, y.numpy())))

with open(os.path.join(OUT, "features.json"), "w") as f:
    json.dump(dict(generator="testdata/dsp/gen_features.py", torch=torch.__version__,
                   torchaudio=torchaudio.__version__, numpy=np.__version__, cases=cases), f, indent=1)
