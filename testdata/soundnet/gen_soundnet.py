#!/usr/bin/python3
"""Golden for avlearn/soundnet: a SoundNet-8 at width 1/8 (channels 2, 4,
8, 16, 32, 64, 128; heads of 5 objects and 3 scenes) written in PyTorch
1.13 with the layer table of Aytar et al. 2016 and the state_dict names the
Go model uses, random weights and non-trivial BatchNorm statistics, run in
eval mode on a fixed 9.5 s input.

  soundnet8_w0125.safetensors   the state_dict (as converted original
                                weights would be: no avlearn metadata)
  soundnet8_w0125_out.safetensors  conv5, pool5, conv8_objs, conv8_scns
                                for the input, shape [C, T]

The input is integer arithmetic (identical in Go): x[i] = ((i*7919) % 2001
- 1000)/2000 + 0.1*(-1)^(i//50), scaled by 256 before conv1.

    /usr/bin/python3 testdata/soundnet/gen_soundnet.py
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(5)
OUT = os.path.dirname(os.path.abspath(__file__))

TABLE = [(16, 64, 2, 32, 8), (32, 32, 2, 16, 8), (64, 16, 2, 8, 0), (128, 8, 2, 4, 0),
         (256, 4, 2, 2, 4), (512, 4, 2, 2, 0), (1024, 4, 2, 2, 0)]
WIDTH, OBJS, SCNS = 0.125, 5, 3


class SoundNet8(nn.Module):
    def __init__(self):
        super().__init__()
        cin = 1
        self.pools = []
        for i, (out, k, s, p, pool) in enumerate(TABLE):
            c = max(1, round(out * WIDTH))
            setattr(self, "conv%d" % (i + 1), nn.Conv1d(cin, c, k, s, p))
            setattr(self, "bn%d" % (i + 1), nn.BatchNorm1d(c))
            self.pools.append(pool)
            cin = c
        self.conv8_objs = nn.Conv1d(cin, OBJS, 8, 2)
        self.conv8_scns = nn.Conv1d(cin, SCNS, 8, 2)

    def forward(self, x):
        out = {}
        for i, pool in enumerate(self.pools):
            x = torch.relu(getattr(self, "bn%d" % (i + 1))(getattr(self, "conv%d" % (i + 1))(x)))
            out["conv%d" % (i + 1)] = x
            if pool:
                x = nn.functional.max_pool1d(x, pool, pool)
                out["pool%d" % (i + 1)] = x
        out["conv8_objs"] = self.conv8_objs(x)
        out["conv8_scns"] = self.conv8_scns(x)
        return out


def save(path, tensors, meta=None):
    header, blobs, off = {}, [], 0
    # I64 first, then F32, each by name (the order avlearn writes)
    items = sorted(tensors.items(), key=lambda kv: (kv[1].dtype != torch.int64, kv[0]))
    for k, t in items:
        if t.dtype == torch.int64:
            b, dt = t.numpy().astype("<i8").tobytes(), "I64"
        else:
            b, dt = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes(), "F32"
        header[k] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


m = SoundNet8()
with torch.no_grad():
    for i in range(7):
        bn = getattr(m, "bn%d" % (i + 1))
        c = bn.num_features
        bn.weight.copy_(1 + 0.2 * torch.randn(c))
        bn.bias.copy_(0.1 * torch.randn(c))
        # rough scale of each layer's pre-BN activations, so the net stays in range
        bn.running_mean.copy_(torch.randn(c))
        bn.running_var.copy_(torch.rand(c) * 50 + 10 if i == 0 else torch.rand(c) * 2 + 0.5)
        bn.num_batches_tracked.fill_(100 + i)
m.eval()

n = 209475  # round(9.5 * 22050)
i = np.arange(n, dtype=np.int64)
x = ((i * 7919) % 2001 - 1000) / 2000.0 + 0.1 * np.where((i // 50) % 2 == 0, 1.0, -1.0)
xt = torch.from_numpy((x * 256).astype(np.float32)).reshape(1, 1, n)
with torch.no_grad():
    out = m(xt)

save(os.path.join(OUT, "soundnet8_w0125.safetensors"), dict(m.state_dict()))
save(os.path.join(OUT, "soundnet8_w0125_out.safetensors"),
     {k: out[k][0] for k in ["conv5", "pool5", "conv8_objs", "conv8_scns"]},
     {"samples": str(n), "torch": torch.__version__})
for k in ["conv5", "pool5", "conv8_objs", "conv8_scns"]:
    print(k, tuple(out[k].shape), float(out[k].abs().mean()))
