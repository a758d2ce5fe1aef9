#!/usr/bin/python3
"""PyTorch twin of separation.BenchmarkTrainStep's recipe model
(frames-64-combs240-multipitch-consistent-sisdr, i.e. separation.DefaultConfig()):
one training step on a batch of 8 fresh one-second two-speaker mixtures at
16 kHz with 25 fps mouth crops, on the CPU. Prints the parameter count beside
the shipped Go model's (read from the safetensors header of
separation/pretrained/separation.safetensors, which is the recipe; every name
and shape must match or the script stops), then wall and CPU seconds per step.

    /usr/bin/python3 testdata/separation/bench_step_torch.py [steps] [threads] [warm-up]

One step does what separation.Train does per step:
  * draw 8 mixtures: two clips of different speakers from a pool of 12 (6
    speakers), each brought to RMS 0.05 and given a random gain of ±5 dB, summed;
  * features: the mixture's STFT (periodic Hann 400 zero-padded to 512, hop
    160, centred with zero padding, 101 frames × 257 bins), compressed
    |X|^0.3·e^{iφ}; the audio input [|Xc|, Re, Im] (3·257 channels); a 40 ms
    STFT (Hann 640, FFT 1024) whose compressed magnitudes give the harmonic
    salience (matrix product with 240 salience combs, standardised per frame)
    and the pitch pair (contrast salience, arg-max, the magnitudes with the
    first fundamental's comb cancelled, contrast salience again, arg-max);
    the pair's combs on the model's 257 bins and its 6-value description;
    the uncompressed STFT (for the loss) and the target waveforms;
  * forward: audio stream (1×1 conv 771→64, four residual dilated k=3 convs),
    visual stream per face (two 3×3 stride-2 convs 1→8→16, FC 384→32, two
    residual dilated k=3 temporal convs, upsampled to STFT frames by a
    [25, 101] 0/1 matrix), concatenation with the salience and the pair's
    description (374 channels), BiLSTM 64+64, FC 128, FC 128, two mask heads
    (128→257), the comb terms (assignment sigmoid, two pitch softmaxes over
    240 candidates times the [240, 257] comb bank, eight 128→257 gains), the
    consistent log-linear masks (log-sigmoid / p, log-softmax over the two
    speakers), compressed masks exp(p·log m) applied to the compressed mixture
    (computed but unused by the loss, as in the Go graph), linear masks on the
    linear mixture, inverse STFT to 16,000 samples, negative SI-SDR (no mean
    removal), mean over the two faces; plus VisualAux (2) times the mean
    over faces of the squared error between a linear read-out of each
    face's visual features and its speaker's standardised log frame energy;
  * backward, gradient norm clipped at 5, Adam at 1e-3.

Approximated, and why:
  * the clips are synthetic harmonic tones with random mouth crops, not the
    synth.Speakers corpus the Go benchmark loads: the work of a step does not
    depend on the signal, and loading clips is setup in both programs;
  * features run batched in float32 with torch.stft; the Go code runs them
    per mixture in float64 (dsp), as it does the inverse STFT;
  * the 40 ms STFT is taken once and serves both the salience and the pitch
    pair; the Go code takes it twice (once for each);
  * arg-max ties and rounding of half-way harmonic numbers may break
    differently (torch.round rounds half to even), which changes no work.
"""
import json
import math
import os
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

RATE, NFFT, WIN, HOP, POWER = 16000, 512, 400, 160, 0.3
SAL_NFFT, SAL_WIN = 1024, 640
SPEAKERS, FPS, MOUTH_H, MOUTH_W = 2, 25, 16, 24
CHANNELS, DILATIONS = 64, (1, 2, 4, 8)
VISUAL, VISUAL_DIL = 32, (1, 2)
HIDDEN, FC = 64, 128
COMBS, F0 = 240, (60.0, 480.0)
PAIR = 6
VISUAL_AUX = 2.0  # Config.VisualAux
BATCH, SAMPLES, VFRAMES = 8, 16000, 25
BINS = NFFT // 2 + 1
FRAMES = 1 + SAMPLES // HOP

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.join(HERE, "..", "..", "separation", "pretrained", "separation.safetensors")


def candidates():
    i = torch.arange(COMBS, dtype=torch.float64)
    return F0[0] * (F0[1] / F0[0]) ** (i / max(1, COMBS - 1))


def comb_bank(nfft, win):
    """The combs [Combs, Bins] and salience weights of dsp.CombBank."""
    bins = nfft // 2 + 1
    hz = torch.arange(bins, dtype=torch.float64) * RATE / nfft
    sigma = RATE / win / 2
    f0 = candidates()[:, None]
    h = torch.clamp(torch.round(hz / f0), min=1)
    d = (hz - h * f0) / sigma
    comb = torch.where(h * f0 < RATE / 2 + 3 * sigma, torch.exp(-d * d / 2), torch.zeros(()))
    sal = comb / comb.sum(1, keepdim=True) - 1 / bins
    return comb.float(), sal.float()


def contrast_bank(nfft, win):
    """The contrast weights [Combs, Bins] of dsp.CombBank."""
    bins = nfft // 2 + 1
    hz = torch.arange(bins, dtype=torch.float64) * RATE / nfft
    sigma = RATE / win / 2
    f0 = candidates()[:, None]

    def lobe(at):
        d = (hz - at) / sigma
        return torch.exp(-d * d / 2)

    on = lobe(torch.clamp(torch.round(hz / f0), min=1) * f0)
    gap = torch.clamp(torch.floor(hz / f0 - 0.5) + 0.5, min=0.5)
    off = lobe(gap * f0) + lobe((gap + 1) * f0)
    return (on / on.sum(1, keepdim=True) - off / off.sum(1, keepdim=True)).float()


def upsampler():
    u = torch.zeros(VFRAMES, FRAMES)
    for j in range(FRAMES):
        u[min(VFRAMES - 1, int(math.floor(j * HOP * FPS / RATE + 1e-9))), j] = 1
    return u


class Recipe(nn.Module):
    """separation.DefaultConfig()'s network, with the Go model's tensor names."""

    def __init__(self, comb):
        super().__init__()
        self.audio_in = nn.Conv1d(3 * BINS, CHANNELS, 1)
        for i, d in enumerate(DILATIONS):
            setattr(self, f"audio_conv{i + 1}", nn.Conv1d(CHANNELS, CHANNELS, 3, padding=d, dilation=d))
        self.face_conv1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.face_conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        fh, fw = self.face_geom()
        self.face_fc = nn.Linear(16 * fh * fw, VISUAL)
        for i, d in enumerate(VISUAL_DIL):
            setattr(self, f"face_tconv{i + 1}", nn.Conv1d(VISUAL, VISUAL, 3, padding=d, dilation=d))
        lstm_in = CHANNELS + SPEAKERS * VISUAL + COMBS + PAIR
        self.blstm = nn.LSTM(lstm_in, HIDDEN, batch_first=True, bidirectional=True)
        self.fc1, self.fc2 = nn.Linear(2 * HIDDEN, FC), nn.Linear(FC, FC)
        for s in range(SPEAKERS):
            setattr(self, f"mask{s + 1}_re", nn.Linear(FC, BINS))
        self.assign = nn.Linear(FC, 1)
        with torch.no_grad():  # undecided assignment, as in newCombLayers
            self.assign.weight.zero_()
            self.assign.bias.zero_()
        for s in range(SPEAKERS):
            p = nn.Linear(FC + COMBS, COMBS)
            with torch.no_grad():  # salience block combSalienceGain·I
                p.weight[:, FC:] = 4 * torch.eye(COMBS)
            setattr(self, f"pitch{s + 1}", p)
            for j in range(SPEAKERS):
                setattr(self, f"comb{s + 1}_{j + 1}", self.gain(0.0))
        for s in range(SPEAKERS):
            for j in range(SPEAKERS):
                setattr(self, f"paircomb{s + 1}_{j + 1}", self.gain(1.0 if j == s else -1.0))
        self.face_aux = nn.Linear(VISUAL, 1)  # VisualAux read-out, drawn last as in Go
        self.register_buffer("comb", comb, persistent=False)
        self.register_buffer("up", upsampler(), persistent=False)

    @staticmethod
    def face_geom():
        o = lambda n: (n + 2 - 3) // 2 + 1
        return o(o(MOUTH_H)), o(o(MOUTH_W))

    @staticmethod
    def gain(bias):
        g = nn.Linear(FC, BINS)
        with torch.no_grad():
            g.weight.zero_()
            g.bias.fill_(bias)
        return g

    def visual(self, faces):  # [n·vf, 1, H, W] → [n, v, t]
        n = faces.shape[0] // VFRAMES
        y = F.relu(self.face_conv2(F.relu(self.face_conv1(faces))))
        y = F.relu(self.face_fc(y.reshape(n * VFRAMES, -1)))
        y = y.reshape(n, VFRAMES, VISUAL).transpose(1, 2)
        for i in range(len(VISUAL_DIL)):
            y = y + F.relu(getattr(self, f"face_tconv{i + 1}")(y))
        return (y.reshape(n * VISUAL, VFRAMES) @ self.up).reshape(n, VISUAL, FRAMES)

    def forward(self, audio, xr, xi, sal, pair_a, pair_d, pair, faces):
        n = audio.shape[0]
        h = F.relu(self.audio_in(audio))
        for i in range(len(DILATIONS)):
            h = h + F.relu(getattr(self, f"audio_conv{i + 1}")(h))
        vis = [self.visual(f) for f in faces]
        streams = [h] + vis + [sal.transpose(1, 2), pair.transpose(1, 2)]
        h, _ = self.blstm(torch.cat(streams, 1).transpose(1, 2))
        h = F.relu(self.fc2(F.relu(self.fc1(h))))  # [n, t, FC]
        raw = [getattr(self, f"mask{s + 1}_re")(h) for s in range(SPEAKERS)]
        # comb terms
        q = torch.sigmoid(self.assign(h))  # [n, t, 1]
        qd = q * pair_d
        pairs = [pair_a - pair_d + qd, pair_a - qd]
        x = torch.cat([h, sal], 2)
        combs = []
        for s in range(SPEAKERS):
            p = torch.softmax(getattr(self, f"pitch{s + 1}")(x), 2)
            combs.append((p.reshape(n * FRAMES, COMBS) @ self.comb).reshape(n, FRAMES, BINS))
        for s in range(SPEAKERS):
            for j in range(SPEAKERS):
                raw[s] = raw[s] + getattr(self, f"comb{s + 1}_{j + 1}")(h) * combs[j]
                raw[s] = raw[s] + getattr(self, f"paircomb{s + 1}_{j + 1}")(h) * pairs[j]
        # consistent linear masks: log_softmax_s(log σ(z_s) / p)
        log_lin = torch.log_softmax(torch.stack([F.logsigmoid(r) / POWER for r in raw], -1), -1)
        lins, est = [], []
        for s in range(SPEAKERS):
            m = torch.exp(POWER * log_lin[..., s])
            est.append((m * xr, m * xi))  # the compressed estimates (unused by the loss)
            lins.append(torch.exp(log_lin[..., s]))
        aux = [self.face_aux(v.transpose(1, 2))[..., 0] for v in vis]  # [n, t] per face
        return lins, est, aux


def shipped_shapes():
    with open(SHIPPED, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        head = json.loads(f.read(n))
    head.pop("__metadata__", None)
    return {k: v["shape"] for k, v in head.items()}


def check_params(net):
    ours = {k: list(v.shape) for k, v in net.state_dict().items()}
    go = shipped_shapes()
    if ours != go:
        for k in sorted(set(ours) | set(go)):
            if ours.get(k) != go.get(k):
                print(f"  {k}: twin {ours.get(k)}, Go {go.get(k)}")
        sys.exit("the twin's tensors differ from the Go recipe model's")
    count = lambda d: sum(math.prod(s) for s in d.values())
    return count(ours), count(go), len(ours)


class Corpus:
    """12 one-second clips of 6 speakers: harmonic voices and mouth crops."""

    def __init__(self, g):
        t = torch.arange(SAMPLES) / RATE
        self.clips = []
        for i in range(12):
            f0 = 90 + 25 * (i % 6) + 20 * torch.sin(2 * math.pi * 3 * t + i)
            phase = 2 * math.pi * torch.cumsum(f0, 0) / RATE
            x = sum(torch.sin(h * phase) / h for h in range(1, 30)) + 0.05 * torch.randn(SAMPLES, generator=g)
            mouths = torch.rand(VFRAMES, MOUTH_H, MOUTH_W, generator=g) * 2 - 1
            self.clips.append((i % 6, x.double(), mouths))
        self.g = g

    def batch(self):
        """Mixtures [n, samples], sources [2][n, samples], faces [2][n·vf, 1, H, W]."""
        srcs, faces = [[] for _ in range(SPEAKERS)], [[] for _ in range(SPEAKERS)]
        for _ in range(BATCH):
            used = []
            while len(used) < SPEAKERS:
                spk, x, mo = self.clips[int(torch.randint(len(self.clips), (1,), generator=self.g))]
                if spk in used:
                    continue
                gain = 10 ** ((10 * float(torch.rand(1, generator=self.g)) - 5) / 20)
                s = len(used)
                used.append(spk)
                srcs[s].append(x * (0.05 / x.square().mean().sqrt() * gain))
                faces[s].append(mo)
        srcs = [torch.stack(s) for s in srcs]
        faces = [torch.stack(f).reshape(BATCH * VFRAMES, 1, MOUTH_H, MOUTH_W) for f in faces]
        return sum(srcs), srcs, faces


def stft(x, nfft, win):
    return torch.stft(x, nfft, HOP, win, torch.hann_window(win, periodic=True), center=True,
                      pad_mode="constant", return_complex=True).transpose(1, 2)  # [n, t, bins]


def compress(X):
    mag = X.abs()
    return X * torch.where(mag > 0, mag, torch.ones(())).pow(POWER - 1), mag.pow(POWER)


def standardised(mag, weights):
    s = mag @ weights.T  # [n, t, Combs]
    mean = s.mean(-1, keepdim=True)
    sd = (s - mean).square().mean(-1, keepdim=True).sqrt()
    return torch.where(sd > 1e-6, (s - mean) / sd, torch.zeros(()))


def features(mix, banks):
    """The network's inputs and the loss's linear mixture, as separation.features makes them."""
    comb, comb40, sal40, contrast40 = banks
    x = mix.float()
    X = stft(x, NFFT, WIN)
    xc, mag = compress(X)
    audio = torch.cat([mag, xc.real, xc.imag], 2).transpose(1, 2)  # [n, 3F, t]
    _, mag40 = compress(stft(x, SAL_NFFT, SAL_WIN))
    sal = standardised(mag40, sal40)
    z = standardised(mag40, contrast40)
    za, ia = z.max(-1)
    zr = standardised(mag40 * (1 - comb40[ia]), contrast40)
    zb, ib = zr.max(-1)
    ra, rb = comb[ia], comb[ib]  # [n, t, F]
    ea = (ra * mag).sum(-1) / ra.sum(-1).clamp(min=1e-9)
    eb = (rb * mag).sum(-1) / rb.sum(-1).clamp(min=1e-9)
    place = lambda i: i.float() / max(1, COMBS - 1)
    pair = torch.stack([place(ia), place(ib), ea, eb, za / 4, zb / 4], -1)
    return (audio.contiguous(), xc.real.contiguous(), xc.imag.contiguous(), sal, ra, ra - rb, pair,
            X.real.contiguous(), X.imag.contiguous())


def loudness(x):
    """Per frame (window WIN of ones, centred in NFFT), standardised log energy: separation's VisualAux target."""
    frames = F.pad(x.float(), (NFFT // 2, NFFT // 2)).unfold(-1, NFFT, HOP)
    off = (NFFT - WIN) // 2
    e = frames[..., off:off + WIN].square().sum(-1)  # [n, t]
    top = e.max(-1, keepdim=True).values
    e = torch.log(e + 1e-6 * top)
    mean = e.mean(-1, keepdim=True)
    dev = (e - mean).square().mean(-1, keepdim=True).sqrt()
    return torch.where(dev > 1e-6, (e - mean) / dev, torch.zeros(()))


def neg_sisdr(est, ref):
    d2 = (est * ref).sum(1).square()
    noise = est.square().sum(1) * ref.square().sum(1) - d2
    return (torch.log(noise + 1e-8) - torch.log(d2 + 1e-8)).mean() * (10 / math.log(10))


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    warm = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    comb, _ = comb_bank(NFFT, WIN)
    comb40, sal40 = comb_bank(SAL_NFFT, SAL_WIN)
    banks = (comb, comb40, sal40, contrast_bank(SAL_NFFT, SAL_WIN))
    net = Recipe(comb).train()
    twin, go, tensors = check_params(net)
    print(f"parameters: twin {twin:,}, Go recipe model {go:,} ({tensors} tensors, names and shapes match)")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    corpus = Corpus(torch.Generator().manual_seed(1))
    window = torch.hann_window(WIN, periodic=True)

    def step():
        mix, srcs, faces = corpus.batch()
        with torch.no_grad():
            audio, xr, xi, sal, pa, pd, pair, lr, li = features(mix, banks)
            acts = [loudness(src) for src in srcs]
        lins, _, aux = net(audio, xr, xi, sal, pa, pd, pair, faces)
        loss = 0
        for s in range(SPEAKERS):
            spec = torch.complex(lins[s] * lr, lins[s] * li).transpose(1, 2)  # [n, F, t]
            y = torch.istft(spec, NFFT, HOP, WIN, window, center=True, length=SAMPLES)
            loss = loss + neg_sisdr(y, srcs[s].float())
        loss = loss / SPEAKERS
        loss = loss + VISUAL_AUX / SPEAKERS * sum((a - t).square().mean() for a, t in zip(aux, acts))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5)
        opt.step()
        return loss.item()

    for _ in range(warm):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss = step()
    dt = (time.perf_counter() - t0) / steps
    cpu = (time.process_time() - c0) / steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(f"torch {torch.__version__} threads={threads}: {dt:.3f} s/step ({cpu:.3f} CPU s/step) over {steps} steps "
          f"after {warm} warm-up, peak RSS {rss:.0f} MiB, loss {loss:.2f} dB")


if __name__ == "__main__":
    main()
