#!/usr/bin/python3
"""Peer timing for BenchmarkSgemm/square1024 (nets/gemm_bench_test.go):
torch.mm of two random 1024×1024 float32 matrices on the CPU.

    /usr/bin/python3 testdata/nets/bench_mm_torch.py [threads] [rounds]

After three warm-up products, each round times 10 products; prints the
BLAS torch was built with and, per round and as medians, milliseconds per
product and GFLOP/s from wall and from process CPU time.
"""
import re
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
print(f"torch {torch.__version__}, {threads} thread(s), BLAS_INFO={blas.group(1) if blas else '?'}")
n = 1024
a, b = torch.randn(n, n), torch.randn(n, n)
for _ in range(3):
    torch.mm(a, b)
flops = 2 * n ** 3
walls, cpus = [], []
for r in range(rounds):
    c, t = time.process_time(), time.perf_counter()
    for _ in range(10):
        torch.mm(a, b)
    walls.append((time.perf_counter() - t) / 10)
    cpus.append((time.process_time() - c) / 10)
    print(f"round {r + 1}: {walls[-1] * 1e3:.1f} ms wall ({flops / walls[-1] / 1e9:.1f} GFLOP/s), "
          f"{cpus[-1] * 1e3:.1f} ms CPU ({flops / cpus[-1] / 1e9:.1f} GFLOP/s)")
w, c = statistics.median(walls), statistics.median(cpus)
print(f"median: {w * 1e3:.1f} ms wall ({flops / w / 1e9:.1f} GFLOP/s), {c * 1e3:.1f} ms CPU ({flops / c / 1e9:.1f} GFLOP/s)")
