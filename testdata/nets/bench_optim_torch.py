#!/usr/bin/python3
"""Peer timing for BenchmarkAdamStep / BenchmarkSGDMomentumStep (nets/optim_bench_test.go):
one optimiser step over 1M and 10M float32 parameters (one tensor) in torch 1.13 on the CPU.

    /usr/bin/python3 testdata/nets/bench_optim_torch.py [threads]

Adam with weight_decay 1e-2 (L2) and AdamW (decoupled, 1e-2), lr 1e-3,
each with foreach=False and foreach=True; prints the best of 5 timings of
a run of steps, wall and process CPU milliseconds per step.
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
cases = []
for n, label in [(1 << 20, "1M"), (10_000_000, "10M")]:
    for fe in (False, True):
        cases.append((f"Adam{label} foreach={fe}", n,
                      lambda ps, fe=fe: torch.optim.Adam(ps, lr=1e-3, weight_decay=1e-2, foreach=fe)))
    if n > 1 << 20:
        for fe in (False, True):
            cases.append((f"AdamW{label} foreach={fe}", n,
                          lambda ps, fe=fe: torch.optim.AdamW(ps, lr=1e-3, weight_decay=1e-2, foreach=fe)))
cases.append(("SGD momentum 1M", 1000 * 1000, lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9)))
for name, n, mk in cases:
    w = torch.randn(n, requires_grad=True)
    w.grad = torch.randn(n)
    opt = mk([w])
    for _ in range(3):
        opt.step()
    best, best_cpu = float("inf"), float("inf")
    steps = 50 if n <= 1 << 20 else 10
    for _ in range(5):
        c, t = time.process_time(), time.perf_counter()
        for _ in range(steps):
            opt.step()
        best = min(best, (time.perf_counter() - t) / steps)
        best_cpu = min(best_cpu, (time.process_time() - c) / steps)
    print(f"{name}: {best * 1e3:.3f} ms/step, cpu {best_cpu * 1e3:.3f} ms ({torch.get_num_threads()} threads)")
