#!/usr/bin/python3
"""Goldens for the training half of package nets (torch 1.13, Debian).

Run from the repository root:  /usr/bin/python3 testdata/nets/gen_train.py

Writes, next to this script:
  train_twin.safetensors          state_dict of a small torch model (Conv1d ->
                                  BatchNorm1d -> ReLU -> flatten -> Linear), with the
                                  I64 buffer bn1.num_batches_tracked
  train_twin_io.safetensors       an input batch and the model's eval-mode output
  train_twin_steps.safetensors    a batch, MSE targets and the losses of 3 training
                                  steps (SGD, momentum 0.9) from train_twin's weights
  train_twin_after.safetensors    the state_dict after those 3 steps
  train_mixed.safetensors         tensors stored as F16, BF16, F64, I64, I32, U8
  train_mixed_expect.safetensors  their values converted to float32 by torch
  train_optim.safetensors         SGD (momentum, Nesterov, weight decay), Adam (L2)
                                  and AdamW (decoupled) parameters after each of 5
                                  steps from fixed params and gradients;
                                  clip_grad_norm_ input and output; the learning
                                  rates of StepLR, CosineAnnealingLR and LinearLR
and checks train_go_written.safetensors (written by
`go test ./nets -run TestGoWrittenForPython -update`) with a reader that applies
the reference implementation's validation rules (header length bounds, offsets
contiguous from 0 and covering the data exactly, sizes matching dtype x shape),
so a file written by Go is known to parse in Python.

There is no safetensors package in Debian, so files are written by hand with
the layout of safetensors.torch.save_file: 8-byte little-endian header length,
compact JSON header ("__metadata__" first, then tensors in data order), padded
with spaces to a multiple of 8, tensors sorted by descending dtype then name.
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# Order of the reference implementation's Dtype enum (writers sort by it, descending).
DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
          "I32", "U32", "F32", "F64", "I64", "U64"]
TORCH2ST = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16",
            torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32",
            torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
ST2TORCH = {v: k for k, v in TORCH2ST.items()}
SIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "F16": 2, "BF16": 2, "I32": 4,
        "F32": 4, "F64": 8, "I64": 8}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def save(path, tensors, meta=None):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES.index(TORCH2ST[kv[1].dtype]), kv[0]))
    header, blobs, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": TORCH2ST[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def load(path):
    """Reads a safetensors file, enforcing the reference validation rules."""
    data = open(path, "rb").read()
    assert len(data) >= 8, "too short"
    (n,) = struct.unpack("<Q", data[:8])
    assert n <= 100_000_000 and 8 + n <= len(data), "bad header length"
    h = json.loads(data[8:8 + n].decode("utf-8"))
    meta = h.pop("__metadata__", None)
    assert meta is None or all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())
    body = data[8 + n:]
    pos, out = 0, {}
    for name, info in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == pos, f"{name}: offsets not contiguous"
        numel = int(np.prod(info["shape"], dtype=np.int64))
        assert e - b == numel * SIZE[info["dtype"]], f"{name}: size mismatch"
        raw = bytearray(body[b:e])
        if info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if raw else torch.zeros(0, dtype=torch.bfloat16)
        else:
            t = torch.frombuffer(raw, dtype=ST2TORCH[info["dtype"]]) if raw else torch.zeros(0, dtype=ST2TORCH[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
        pos = e
    assert pos == len(body), "tensors do not cover the data region"
    return out, meta


class Twin(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv1d(2, 4, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm1d(4)
        self.fc = torch.nn.Linear(4 * 8, 3)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return self.fc(y.flatten(1))


def twin():
    torch.manual_seed(0)
    m = Twin()
    m.train()
    with torch.no_grad():  # a few training passes so the running statistics are not trivial
        for _ in range(3):
            m(torch.randn(5, 2, 8) * 2 + 0.5)
        m.bn1.weight.copy_(torch.rand(4) + 0.5)
        m.bn1.bias.copy_(torch.randn(4) * 0.1)
    m.eval()
    x = torch.randn(2, 2, 8)
    with torch.no_grad():
        y = m(x)
    sd = m.state_dict()
    save(os.path.join(HERE, "train_twin.safetensors"), dict(sd), {"config": json.dumps({"in": 2, "conv": 4, "len": 8, "out": 3})})
    save(os.path.join(HERE, "train_twin_io.safetensors"), {"input": x, "output": y})
    back, meta = load(os.path.join(HERE, "train_twin.safetensors"))
    for k, v in sd.items():
        assert torch.equal(back[k], v), k

    # Three training steps from these weights: train-mode BatchNorm, MSE
    # loss, backward, SGD with momentum; the state_dict afterwards.
    m.train()
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    xt, target = torch.randn(4, 2, 8), torch.randn(4, 3)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(m(xt), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    save(os.path.join(HERE, "train_twin_steps.safetensors"),
         {"input": xt, "target": target, "losses": torch.tensor(losses, dtype=torch.float64)})
    save(os.path.join(HERE, "train_twin_after.safetensors"), dict(m.state_dict()))
    print("twin: keys", list(sd.keys()), "output", y.flatten()[:3].tolist())


def mixed():
    g = torch.Generator().manual_seed(1)
    base = torch.randn(2, 3, generator=g) * 3
    ts = {
        "h": base.to(torch.float16), "bf": base.to(torch.bfloat16), "d": base.to(torch.float64) / 7,
        "i64": torch.tensor([-3, 0, 12345678], dtype=torch.int64),
        "i32": torch.tensor([[-7, 9]], dtype=torch.int32), "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 4),
    }
    save(os.path.join(HERE, "train_mixed.safetensors"), ts, {"note": "mixed dtypes"})
    save(os.path.join(HERE, "train_mixed_expect.safetensors"), {k: v.to(torch.float32) for k, v in ts.items()})


def optim_goldens():
    g = torch.Generator().manual_seed(2)
    w0 = torch.randn(3, 4, generator=g)
    b0 = torch.randn(5, generator=g)
    grads = [(torch.randn(3, 4, generator=g) * 0.5, torch.randn(5, generator=g) * 2) for _ in range(5)]
    out = {"w0": w0, "b0": b0}
    for k, (gw, gb) in enumerate(grads):
        out[f"grad{k}.w"], out[f"grad{k}.b"] = gw, gb
    cfgs = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
        "sgdplain": lambda ps: torch.optim.SGD(ps, lr=0.3),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.05, foreach=False),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.999), eps=1e-8, weight_decay=0.1, foreach=False),
    }
    for name, mk in cfgs.items():
        w = w0.clone().requires_grad_()
        b = b0.clone().requires_grad_()
        opt = mk([w, b])
        for k, (gw, gb) in enumerate(grads):
            w.grad, b.grad = gw.clone(), gb.clone()
            opt.step()
            out[f"{name}.{k}.w"], out[f"{name}.{k}.b"] = w.detach().clone(), b.detach().clone()
    # clip_grad_norm_
    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    w.grad, b.grad = grads[0][0].clone(), grads[0][1].clone()
    norm = torch.nn.utils.clip_grad_norm_([w, b], 1.5)
    out["clip.w"], out["clip.b"] = w.grad.clone(), b.grad.clone()
    out["clip.norm"] = norm.detach().to(torch.float64).reshape(())

    def lrs(mk, n):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        s = mk(opt)
        v = []
        for _ in range(n):
            v.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
        return torch.tensor(v, dtype=torch.float64)
    out["sched.steplr"] = lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 30)
    out["sched.cosine"] = lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 21)
    out["sched.linear"] = lrs(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=5), 10)
    save(os.path.join(HERE, "train_optim.safetensors"), out, {"torch": torch.__version__})


def check_go_written():
    path = os.path.join(HERE, "train_go_written.safetensors")
    if not os.path.exists(path):
        print("train_go_written.safetensors missing: run go test ./nets -run TestGoWrittenForPython -update")
        return
    ts, meta = load(path)
    want_a = (torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5 - 1)
    assert torch.equal(ts["layer.a"], want_a), ts["layer.a"]
    assert ts["layer.count"].dtype == torch.int64 and ts["layer.count"].item() == 7
    assert ts["z"].shape == (2, 0)
    assert meta == {"config": '{"x":1,"name":"ünï <&>"}', "epoch": "2"}, meta
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    # the writer's layout: I64 first, then F32 by name
    names = [k for k in json.loads(raw[8:8 + n]) if k != "__metadata__"]
    assert names == ["layer.count", "layer.a", "z"], names
    print("train_go_written.safetensors: parsed and checked OK")


if __name__ == "__main__":
    twin()
    mixed()
    optim_goldens()
    check_go_written()
