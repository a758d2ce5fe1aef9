#!/usr/bin/python3
"""Times PyTorch on the shapes of nets.BenchmarkLSTMTrainStep: one forward +
backward pass of a 2-layer bidirectional batch-first LSTM (N=8, T=50,
input 40, hidden 64), loss = mean(output).

    /usr/bin/python3 testdata/nets/bench_lstm.py [threads]
"""
import sys
import time

import torch

torch.manual_seed(1)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
lstm = torch.nn.LSTM(40, 64, num_layers=2, bidirectional=True, batch_first=True)
x = torch.randn(8, 50, 40)
for _ in range(5):
    lstm.zero_grad()
    lstm(x)[0].mean().backward()
n = 50
t0 = time.perf_counter()
for _ in range(n):
    lstm.zero_grad()
    lstm(x)[0].mean().backward()
dt = (time.perf_counter() - t0) / n
print("torch %s, %d thread(s): %.2f ms per forward+backward" % (torch.__version__, torch.get_num_threads(), dt * 1e3))
