#!/usr/bin/python3
"""Writes the .npy fixtures of package avio with numpy (run with /usr/bin/python3).

    cd testdata/avio && /usr/bin/python3 gen_npy.py

npy/read_*.npy are arrays of many dtypes, byte orders, memory orders and
format versions; npy/read.json holds, per file, the shape, dtype string and
values in C order as float64. npy/write_*.npy are np.save outputs that
avio.WriteNPY / WriteNPY64 must reproduce byte for byte (inputs in write.json).
"""
import json
import os

import numpy as np

OUT = "npy"
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)
read = {}


def save(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version)
    back = np.load(path)
    read[name] = {"shape": list(arr.shape), "dtype": arr.dtype.str,
                  "data": np.ascontiguousarray(back).astype(np.float64).reshape(-1).tolist()}


save("read_f4.npy", rng.standard_normal((2, 3)).astype("<f4"))
save("read_f8.npy", rng.standard_normal(5))
save("read_i4.npy", rng.integers(-2**31, 2**31, (2, 2, 2)).astype("<i4"))
save("read_i8.npy", np.array([-2**53, 2**53, -1, 0, 7], dtype="<i8"))
save("read_u1.npy", np.array([[0, 1, 128], [200, 254, 255]], dtype="|u1"))
save("read_b1.npy", np.array([True, False, True, True]))
save("read_i2.npy", np.array([-32768, 32767, 5], dtype="<i2"))
save("read_i1.npy", np.array([-128, 127, -1], dtype="|i1"))
save("read_u2.npy", np.array([0, 65535, 300], dtype="<u2"))
save("read_big_f4.npy", rng.standard_normal((3, 2)).astype(">f4"))
save("read_big_i8.npy", np.array([-5, 1 << 40], dtype=">i8"))
save("read_fortran_f8.npy", np.asfortranarray(rng.standard_normal((3, 4))))
save("read_fortran_3d.npy", np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)))
save("read_v2.npy", rng.standard_normal((4, 2)).astype("<f4"), version=(2, 0))
save("read_scalar.npy", np.array(3.5))
save("read_empty.npy", np.zeros((0, 3), dtype="<f4"))
save("read_empty2.npy", np.zeros((3, 0), dtype="<f8"))
with open(os.path.join(OUT, "read.json"), "w") as f:
    json.dump(read, f)

write = {}
for name, arr in [("write_f4_2x3.npy", rng.standard_normal((2, 3)).astype(np.float32)),
                  ("write_f4_1d.npy", rng.standard_normal(7).astype(np.float32)),
                  ("write_f4_3d.npy", rng.standard_normal((2, 1, 3)).astype(np.float32)),
                  ("write_f4_empty.npy", np.zeros((0,), dtype=np.float32)),
                  ("write_f8_4x2.npy", rng.standard_normal((4, 2)))]:
    np.save(os.path.join(OUT, name), arr)
    write[name] = {"shape": list(arr.shape), "data": arr.astype(np.float64).reshape(-1).tolist()}
with open(os.path.join(OUT, "write.json"), "w") as f:
    json.dump(write, f)
print("wrote", len(read), "read and", len(write), "write fixtures")
