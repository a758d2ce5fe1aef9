#!/usr/bin/python3
"""Times PyTorch on the shapes of nets.BenchmarkConvTranspose2dTrainStep:
ConvTranspose2d(64, 32, 4, stride 2, padding 1) on [8, 64, 16, 16],
forward + backward of mean(output).

    /usr/bin/python3 testdata/nets/bench_convtranspose.py [threads]
"""
import sys
import time

import torch

torch.manual_seed(1)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
ct = torch.nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
x = torch.randn(8, 64, 16, 16, requires_grad=True)
for _ in range(5):
    ct.zero_grad()
    ct(x).mean().backward()
n = 50
t0 = time.perf_counter()
for _ in range(n):
    ct.zero_grad()
    ct(x).mean().backward()
dt = (time.perf_counter() - t0) / n
print("torch %s, %d thread(s): %.2f ms per forward+backward" % (torch.__version__, torch.get_num_threads(), dt * 1e3))
