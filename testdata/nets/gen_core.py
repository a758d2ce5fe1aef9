#!/usr/bin/python3
"""Goldens for the core layers of avlearn/nets (run with Debian's python3,
torch 1.13): for each case a fixed-seed input x, the layer's parameters,
its output y and the gradients of sum(y * R) (R a fixed random tensor)
w.r.t. x and every parameter. Written as safetensors files (by hand:
8-byte little-endian header length, JSON header, raw float32 data) with
the case settings as JSON in __metadata__["config"].

    /usr/bin/python3 testdata/nets/gen_core.py
"""
import json
import zlib
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
OUT = os.path.dirname(os.path.abspath(__file__))


def save(name, tensors, config):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"config": json.dumps(config, sort_keys=True)}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path = os.path.join(OUT, "core_" + name + ".safetensors")
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def run(fn, x, params):
    """y = fn(x); backward of sum(y*R); returns dict of tensors."""
    x = x.clone().requires_grad_(True)
    y = fn(x)
    R = torch.randn(y.shape)
    (y * R).sum().backward()
    out = {"x": x, "y": y, "R": R, "grad.x": x.grad}
    for k, p in params.items():
        out[k] = p
        out["grad." + k] = p.grad
    return out


def layer_case(name, mod, xshape, config):
    torch.manual_seed(zlib.crc32(name.encode()) % 1000)
    x = torch.randn(xshape)
    save(name, run(mod, x, dict(mod.named_parameters())), config)


def main():
    torch.manual_seed(0)
    # Linear
    layer_case("linear", nn.Linear(5, 3), (4, 5), {"layer": "linear", "in": 5, "out": 3})
    layer_case("linear_rank3", nn.Linear(6, 4), (2, 3, 6), {"layer": "linear", "in": 6, "out": 4})
    layer_case("linear_nobias", nn.Linear(5, 2, bias=False), (3, 5), {"layer": "linear", "in": 5, "out": 2, "nobias": True})
    # Conv1d
    for name, cfg, L in [
        ("conv1d_plain", dict(i=3, o=4, k=5, s=1, p=0, d=1, bias=True), 20),
        ("conv1d_strided", dict(i=2, o=3, k=4, s=2, p=3, d=2, bias=True), 17),
        ("conv1d_k1_nobias", dict(i=4, o=5, k=1, s=1, p=0, d=1, bias=False), 9),
        ("conv1d_soundnet", dict(i=2, o=6, k=16, s=2, p=8, d=1, bias=True), 61),
    ]:
        m = nn.Conv1d(cfg["i"], cfg["o"], cfg["k"], stride=cfg["s"], padding=cfg["p"], dilation=cfg["d"], bias=cfg["bias"])
        layer_case(name, m, (2, cfg["i"], L), dict(layer="conv1d", **cfg))
    # Conv2d
    for name, cfg, hw in [
        ("conv2d_plain", dict(i=3, o=4, k=[3, 3], s=[1, 1], p=[1, 1], d=[1, 1], bias=True), (7, 6)),
        ("conv2d_strided", dict(i=2, o=3, k=[3, 2], s=[2, 1], p=[1, 2], d=[2, 1], bias=True), (9, 8)),
        ("conv2d_nobias", dict(i=2, o=2, k=[2, 3], s=[1, 3], p=[0, 1], d=[1, 2], bias=False), (5, 10)),
    ]:
        m = nn.Conv2d(cfg["i"], cfg["o"], tuple(cfg["k"]), stride=tuple(cfg["s"]), padding=tuple(cfg["p"]), dilation=tuple(cfg["d"]), bias=cfg["bias"])
        layer_case(name, m, (2, cfg["i"]) + hw, dict(layer="conv2d", **cfg))
    # Pools
    for name, fn, shape, cfg in [
        ("maxpool1d", nn.MaxPool1d(3, 2, 1), (2, 3, 15), dict(layer="maxpool1d", k=3, s=2, p=1)),
        ("maxpool1d_soundnet", nn.MaxPool1d(8, 8), (2, 2, 70), dict(layer="maxpool1d", k=8, s=8, p=0)),
        ("maxpool2d", nn.MaxPool2d((3, 2), (2, 2), (1, 0)), (2, 2, 7, 8), dict(layer="maxpool2d", k=[3, 2], s=[2, 2], p=[1, 0])),
        ("avgpool1d", nn.AvgPool1d(4, 3, 2), (2, 3, 16), dict(layer="avgpool1d", k=4, s=3, p=2)),
        ("avgpool2d", nn.AvgPool2d(3, 2, 1), (2, 2, 7, 6), dict(layer="avgpool2d", k=[3, 3], s=[2, 2], p=[1, 1])),
    ]:
        layer_case(name, fn, shape, cfg)
    # Activations
    for name, fn, shape in [
        ("relu", F.relu, (3, 7)),
        ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), (3, 7)),
        ("tanh", torch.tanh, (3, 7)),
        ("sigmoid", torch.sigmoid, (3, 7)),
        ("logsigmoid", F.logsigmoid, (3, 7)),
        ("softmax_dim1", lambda x: F.softmax(x, dim=1), (2, 5, 3)),
        ("softmax_last", lambda x: F.softmax(x, dim=-1), (4, 6)),
        ("log_softmax_last", lambda x: F.log_softmax(x, dim=-1), (2, 3, 6)),
        ("log_softmax_dim1", lambda x: F.log_softmax(x, dim=1), (4, 6)),
    ]:
        torch.manual_seed(len(name))
        x = torch.randn(shape) * (20 if name == "logsigmoid" else 2)  # large |x| checks stability
        save(name, run(fn, x, {}), dict(layer=name))
    # BatchNorm: two training steps (running stats after both), gradients
    # of the second; then eval mode with those running stats.
    for name, mod, shape in [
        ("batchnorm1d_2d", nn.BatchNorm1d(4), (6, 4)),
        ("batchnorm1d_3d", nn.BatchNorm1d(4), (3, 4, 7)),
        ("batchnorm2d", nn.BatchNorm2d(3), (2, 3, 4, 5)),
    ]:
        torch.manual_seed(7)
        with torch.no_grad():
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.uniform_(-0.5, 0.5)
        w0, b0 = mod.weight.detach().clone(), mod.bias.detach().clone()
        mod.train()
        x1 = torch.randn(shape) * 3 + 1
        x2 = torch.randn(shape) * 2 - 0.5
        mod(x1)
        t = run(mod, x2, {})
        t["x1"] = x1
        t["weight"] = w0
        t["bias"] = b0
        t["grad.weight"] = mod.weight.grad.clone()
        t["grad.bias"] = mod.bias.grad.clone()
        t["running_mean"] = mod.running_mean.clone()
        t["running_var"] = mod.running_var.clone()
        t["num_batches_tracked"] = mod.num_batches_tracked.to(torch.float32).reshape(1)
        mod.weight.grad = None
        mod.bias.grad = None
        mod.eval()
        x3 = torch.randn(shape)
        e = run(mod, x3, {})
        for k, v in e.items():
            t["eval." + k] = v
        t["eval.grad.weight"] = mod.weight.grad
        t["eval.grad.bias"] = mod.bias.grad
        save(name, t, dict(layer=name, eps=1e-5, momentum=0.1))


if __name__ == "__main__":
    main()
