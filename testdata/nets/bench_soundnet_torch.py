#!/usr/bin/python3
"""PyTorch peer of nets.BenchmarkSoundNetTrainStep: one training step
(forward, backward, Adam) of SoundNet-8's convolution stack (Aytar et al.
2016) on a batch of 4 clips of 20 s at 22,050 Hz, on the CPU with one
thread. Prints seconds per step and the peak resident set size.

    /usr/bin/python3 testdata/nets/bench_soundnet_torch.py [steps] [threads]
"""
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(i, o, k, s, p, pool=0):
    layers = [nn.Conv1d(i, o, k, stride=s, padding=p), nn.BatchNorm1d(o), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool1d(pool, pool))
    return layers


def soundnet8():
    return nn.Sequential(
        *block(1, 16, 64, 2, 32, 8),
        *block(16, 32, 32, 2, 16, 8),
        *block(32, 64, 16, 2, 8),
        *block(64, 128, 8, 2, 4),
        *block(128, 256, 4, 2, 2, 4),
        *block(256, 512, 4, 2, 2),
        *block(512, 1024, 4, 2, 2),
        nn.Conv1d(1024, 1000, 8, stride=2),
    )


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = soundnet8().train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x = torch.randn(4, 1, 441000) * 0.1

    def step():
        opt.zero_grad()
        y = net(x)  # [4, 1000, 4]
        loss = -F.log_softmax(y, dim=1).mean()
        loss.backward()
        opt.step()
        return loss.item(), tuple(y.shape)

    step()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        loss, shape = step()
    dt = (time.perf_counter() - t0) / steps
    cpu = (time.process_time() - c0) / steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(f"torch {torch.__version__} threads={threads}: {dt:.3f} s/step ({cpu:.3f} CPU s/step), peak RSS {rss:.0f} MiB, output {shape}, loss {loss:.4f}")


if __name__ == "__main__":
    main()
