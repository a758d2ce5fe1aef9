#!/usr/bin/python3
"""Whole-process timings of `avl` against PyTorch/torchaudio in-process, on
one core, interleaved so that both sides see the same load.

    go build -o /tmp/avl ./cmd/avl
    /usr/bin/python3 testdata/cmd/bench_whole.py /tmp/avl [rounds] [job,job,...]

Jobs (default: all):
  stft       avl spectrogram --mel 0 (power, n_fft 512, Hamming 400, hop 160,
             centre reflect) → .npy   vs torch.stft(...).abs()**2
  mel        --mel 80 --mel-scale slaney --mel-norm slaney --db
             vs torchaudio MelSpectrogram(norm/mel_scale "slaney") + AmplitudeToDB
  mfcc       --mel 80 --mfcc 40 (HTK mels, top-db 80)   vs torchaudio MFCC(n_mfcc 40, n_mels 80)
  resample   avl resample --rate 16000 (high-quality filter)  vs torchaudio.functional.resample
  resample-ta  avl resample --rate 16000 --filter torchaudio  vs the same peer

Inputs are 10 minutes of audio written once as 16-bit WAV: the signal of
dsp's BenchmarkPowerSpectrogram10min at 16 kHz, and the three tones of
BenchmarkResample60s at 44.1 kHz. `avl` runs as a whole process with
GOMAXPROCS=1 (read the WAV, compute, write the output); the peer computes
in-process on one thread from a float32 tensor already in memory (no file
reading or writing), after one warm-up call. Each round runs both, in
alternating order. Printed per job: the median wall and CPU seconds of each
side over the rounds and their ratios avl/peer (CPU time is less disturbed
by other load on a shared machine).
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave

import numpy as np
import torch
import torchaudio

MIN = 10 * 60


def noise_signal(n, sr):
    """benchSignal of dsp/stft_bench_test.go."""
    i = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = i * np.uint64(0x9E3779B97F4A7C15) + np.uint64(12345)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    noise = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 - 0.5
    t = np.arange(n, dtype=np.float64) / sr
    return 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.1 * noise


def tones_signal(n, sr):
    """resampleBenchSignal of dsp/resample_bench_test.go."""
    t = np.arange(n, dtype=np.float64) / sr
    return 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.1 * np.sin(2 * np.pi * 9000 * t)


def write_wav(path, x, sr):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return torch.from_numpy(pcm.astype(np.float32) / 32768)


def main():
    avl = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    jobs = sys.argv[3].split(",") if len(sys.argv) > 3 else ["stft", "mel", "mfcc", "resample", "resample-ta"]
    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="avl-bench-")
    w16, w44 = os.path.join(tmp, "in16k.wav"), os.path.join(tmp, "in44k.wav")
    x16 = write_wav(w16, noise_signal(MIN * 16000, 16000), 16000)
    x44 = write_wav(w44, tones_signal(MIN * 44100, 44100), 44100)
    win = torch.hamming_window(400, periodic=True)
    stft = dict(n_fft=512, win_length=400, hop_length=160, window_fn=torch.hamming_window)
    mel = torch.nn.Sequential(
        torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_mels=80, norm="slaney", mel_scale="slaney", **stft),
        torchaudio.transforms.AmplitudeToDB("power"))
    mfcc = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=40, melkwargs=dict(n_mels=80, **stft))
    npy, wav = os.path.join(tmp, "out.npy"), os.path.join(tmp, "out.wav")
    spec = [avl, "spectrogram", w16, "-o", npy, "-q", "--meta=false"]
    cases = {
        "stft": (spec, lambda: torch.stft(x16, 512, hop_length=160, win_length=400, window=win, center=True,
                                          pad_mode="reflect", return_complex=True).abs() ** 2),
        "mel": (spec + ["--mel", "80", "--mel-scale", "slaney", "--mel-norm", "slaney", "--db"], lambda: mel(x16)),
        "mfcc": (spec + ["--mel", "80", "--mfcc", "40"], lambda: mfcc(x16)),
        "resample": ([avl, "resample", w44, "-o", wav, "--rate", "16000"],
                     lambda: torchaudio.functional.resample(x44, 44100, 16000)),
        "resample-ta": ([avl, "resample", w44, "-o", wav, "--rate", "16000", "--filter", "torchaudio"],
                        lambda: torchaudio.functional.resample(x44, 44100, 16000)),
    }
    env = dict(os.environ, GOMAXPROCS="1")
    print(f"torch {torch.__version__} torchaudio {torchaudio.__version__}, 1 thread; avl GOMAXPROCS=1; "
          f"{rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    with torch.no_grad():
        for name in jobs:
            cmd, peer = cases[name]
            peer()  # warm up: plans, filter banks, kernels
            ours, theirs = [], []
            for r in range(rounds):
                for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                    if side == 0:
                        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        t0 = time.perf_counter()
                        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                        t = time.perf_counter() - t0
                        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        ours.append((t, c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime))
                    else:
                        c0 = time.process_time()
                        t0 = time.perf_counter()
                        peer()
                        theirs.append((time.perf_counter() - t0, time.process_time() - c0))
            ow, oc = (statistics.median(v[i] for v in ours) for i in (0, 1))
            pw, pc = (statistics.median(v[i] for v in theirs) for i in (0, 1))
            print(f"{name:12s} avl wall {ow:.3f} s cpu {oc:.3f} s | peer wall {pw:.3f} s cpu {pc:.3f} s | "
                  f"ratio wall {ow / pw:.2f} cpu {oc / pc:.2f}  (avl walls " +
                  " ".join(f"{v[0]:.3f}" for v in ours) + ")", flush=True)
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
