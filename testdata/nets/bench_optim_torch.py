#!/usr/bin/python3
"""Peer timing for BenchmarkAdamStep / BenchmarkSGDMomentumStep (nets/optim_bench_test.go):
one optimiser step over 1M float32 parameters in torch 1.13 on the CPU.

    /usr/bin/python3 testdata/nets/bench_optim_torch.py [threads]
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
for name, mk in [
    ("Adam foreach=False", lambda ps: torch.optim.Adam(ps, lr=1e-3, weight_decay=1e-2, foreach=False)),
    ("Adam foreach=True", lambda ps: torch.optim.Adam(ps, lr=1e-3, weight_decay=1e-2, foreach=True)),
    ("SGD momentum", lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9)),
]:
    w = torch.randn(1000, 1000, requires_grad=True)
    w.grad = torch.randn(1000, 1000)
    opt = mk([w])
    for _ in range(5):
        opt.step()
    best = float("inf")
    for _ in range(5):
        n = 50
        t = time.perf_counter()
        for _ in range(n):
            opt.step()
        best = min(best, (time.perf_counter() - t) / n)
    print(f"{name}: {best * 1e3:.3f} ms/step ({torch.get_num_threads()} threads)")
