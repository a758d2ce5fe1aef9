#!/usr/bin/python3
"""Writes the WAV fixtures of package avio and the values references read from them.

Run with Debian's python (numpy, scipy, torch 1.13, torchaudio 0.13):

    cd testdata/avio && /usr/bin/python3 gen_wav.py

For every fixture wav/NAME.wav, wav/expected.json holds
  rate, channels, bits, tag, subformat, frames, truncated,
  "numpy":      samples as float64, [channel][frame], decoded from the integers
                that were written with the documented scaling (int / 2**(bits-1),
                8-bit (u - 128) / 128, floats unchanged),
  "torchaudio": what torchaudio.load(path) returns (float32, normalize=True), or
                null where torchaudio cannot read the file or misreads it
                ("torchaudio_note" says why).
pcm16_write.json holds the int16 values torchaudio.save writes for a float
signal, the reference for avio.WriteWAV(PCM16).

Some files are built byte by byte (extensible, float64, LIST/odd chunks,
truncated data) because no library writes them on request.
"""
import json
import os
import struct
import wave

import numpy as np
import scipy.io.wavfile
import torch
import torchaudio

OUT = "wav"
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261126)
expected = {}

GUID_TAIL = bytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def chunk(cid, body):
    """A RIFF chunk with its pad byte when the body is odd-sized."""
    pad = b"\x00" if len(body) % 2 else b""
    return cid + struct.pack("<I", len(body)) + body + pad


def fmt_body(tag, nch, rate, bits, ext_sub=None, valid=None, mask=0):
    block = nch * bits // 8
    b = struct.pack("<HHIIHH", tag, nch, rate, rate * block, block, bits)
    if ext_sub is not None:
        b += struct.pack("<HHI", 22, valid or bits, mask) + struct.pack("<H", ext_sub) + GUID_TAIL
    elif tag != 1:
        b += struct.pack("<H", 0)
    return b


def riff(chunks):
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def signal(nch, n):
    """A few tones plus noise, in [-1, 1]."""
    t = np.arange(n)
    x = np.stack([0.6 * np.sin(2 * np.pi * (c + 1) * 440 * t / 8000) for c in range(nch)])
    return np.clip(x + 0.3 * rng.standard_normal((nch, n)), -1, 1)


def ints(x, bits):
    """Integer samples for x, with the extreme codes forced in."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    v = np.round(x * hi).astype(np.int64)
    v[0, 0], v[0, 1] = lo, hi
    return np.clip(v, lo, hi)


def interleave(v):
    return v.T.reshape(-1)


def pcm_bytes(v, bits):
    """Little-endian PCM bytes of integer samples v [ch][frame]."""
    flat = interleave(v)
    if bits == 8:
        return (flat + 128).astype(np.uint8).tobytes()
    if bits == 16:
        return flat.astype("<i2").tobytes()
    if bits == 24:
        u = (flat.astype(np.int64) & 0xFFFFFF).astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3]
        return u.tobytes()
    if bits == 32:
        return flat.astype("<i4").tobytes()
    raise ValueError(bits)


def scaled(v, bits):
    return (v.astype(np.float64) / 2 ** (bits - 1)).tolist()


def ta(path):
    try:
        w, sr = torchaudio.load(path)
    except Exception as e:  # noqa: BLE001 - record that torchaudio refuses
        print("torchaudio cannot read", path, ":", e)
        return None
    return w.numpy().astype(np.float64).tolist()


def record(name, rate, nch, bits, tag, sub, numpy_vals, frames, truncated=False, ta_note=None):
    """ta_note, when set, says why torchaudio is no reference for this file."""
    path = os.path.join(OUT, name)
    expected[name] = dict(rate=rate, channels=nch, bits=bits, tag=tag, subformat=sub,
                          frames=frames, truncated=truncated, numpy=numpy_vals,
                          torchaudio=None if ta_note else ta(path), torchaudio_note=ta_note)


# 1. 16-bit mono by scipy.
v = ints(signal(1, 300), 16)
scipy.io.wavfile.write(os.path.join(OUT, "pcm16_mono.wav"), 8000, v[0].astype(np.int16))
record("pcm16_mono.wav", 8000, 1, 16, 1, 1, scaled(v, 16), 300)

# 2. 16-bit stereo by the stdlib wave module.
v = ints(signal(2, 257), 16)
with wave.open(os.path.join(OUT, "pcm16_stereo.wav"), "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(16000)
    w.writeframes(pcm_bytes(v, 16))
record("pcm16_stereo.wav", 16000, 2, 16, 1, 1, scaled(v, 16), 257)

# 3. 8-bit unsigned mono, odd length so the data chunk carries a pad byte.
v = ints(signal(1, 201), 8)
with wave.open(os.path.join(OUT, "pcm8_mono.wav"), "wb") as w:
    w.setnchannels(1); w.setsampwidth(1); w.setframerate(11025)
    w.writeframes(pcm_bytes(v, 8))
record("pcm8_mono.wav", 11025, 1, 8, 1, 1, (v.astype(np.float64) / 128).tolist(), 201)

# 4. 24-bit stereo by the wave module.
v = ints(signal(2, 200), 24)
with wave.open(os.path.join(OUT, "pcm24_stereo.wav"), "wb") as w:
    w.setnchannels(2); w.setsampwidth(3); w.setframerate(22050)
    w.writeframes(pcm_bytes(v, 24))
record("pcm24_stereo.wav", 22050, 2, 24, 1, 1, scaled(v, 24), 200)

# 5. 32-bit integer mono by scipy.
v = ints(signal(1, 150), 32)
scipy.io.wavfile.write(os.path.join(OUT, "pcm32_mono.wav"), 48000, v[0].astype(np.int32))
record("pcm32_mono.wav", 48000, 1, 32, 1, 1, scaled(v, 32), 150)

# 6. 32-bit float stereo by scipy (tag 3), values a little outside [-1, 1] kept.
x = (signal(2, 220) * 1.2).astype(np.float32)
scipy.io.wavfile.write(os.path.join(OUT, "float32_stereo.wav"), 16000, x.T.copy())
record("float32_stereo.wav", 16000, 2, 32, 3, 3, x.astype(np.float64).tolist(), 220)

# 7. 64-bit float mono, hand-built with a fact chunk.
x = signal(1, 180)
data = interleave(x).astype("<f8").tobytes()
open(os.path.join(OUT, "float64_mono.wav"), "wb").write(riff([
    chunk(b"fmt ", fmt_body(3, 1, 16000, 64)),
    chunk(b"fact", struct.pack("<I", 180)),
    chunk(b"data", data)]))
record("float64_mono.wav", 16000, 1, 64, 3, 3, x.tolist(), 180)

# 8. Extensible PCM 16-bit, 3 channels.
v = ints(signal(3, 160), 16)
open(os.path.join(OUT, "ext_pcm16_3ch.wav"), "wb").write(riff([
    chunk(b"fmt ", fmt_body(0xFFFE, 3, 16000, 16, ext_sub=1, mask=0x7)),
    chunk(b"data", pcm_bytes(v, 16))]))
record("ext_pcm16_3ch.wav", 16000, 3, 16, 0xFFFE, 1, scaled(v, 16), 160)

# 9. Extensible float32 stereo.
x = signal(2, 140).astype(np.float32)
open(os.path.join(OUT, "ext_float32.wav"), "wb").write(riff([
    chunk(b"fmt ", fmt_body(0xFFFE, 2, 44100, 32, ext_sub=3, mask=0x3)),
    chunk(b"fact", struct.pack("<I", 140)),
    chunk(b"data", interleave(x).astype("<f4").tobytes())]))
record("ext_float32.wav", 44100, 2, 32, 0xFFFE, 3, x.astype(np.float64).tolist(), 140)

# 10. Extensible 24-bit PCM mono.
v = ints(signal(1, 120), 24)
open(os.path.join(OUT, "ext_pcm24.wav"), "wb").write(riff([
    chunk(b"fmt ", fmt_body(0xFFFE, 1, 48000, 24, ext_sub=1, mask=0x4)),
    chunk(b"data", pcm_bytes(v, 24))]))
record("ext_pcm24.wav", 48000, 1, 24, 0xFFFE, 1, scaled(v, 24), 120)

# 11. 16-bit mono with a LIST chunk before fmt, an odd-sized unknown chunk
#     (with its pad byte) between fmt and data, and a chunk after data.
v = ints(signal(1, 130), 16)
info = b"INFO" + chunk(b"ISFT", b"avlearn gen\x00")
open(os.path.join(OUT, "chunks_list_odd.wav"), "wb").write(riff([
    chunk(b"LIST", info),
    chunk(b"fmt ", fmt_body(1, 1, 8000, 16)),
    chunk(b"junk", b"odd"),
    chunk(b"data", pcm_bytes(v, 16)),
    chunk(b"id3 ", b"trailing tag")]))
record("chunks_list_odd.wav", 8000, 1, 16, 1, 1, scaled(v, 16), 130)

# 12. Truncated: the data chunk claims 400 frames, the file holds 100 and one
#     odd byte. Readers decode the 100 whole frames.
v = ints(signal(1, 100), 16)
b = riff([chunk(b"fmt ", fmt_body(1, 1, 8000, 16))]) + b"data" + struct.pack("<I", 800) + pcm_bytes(v, 16) + b"\x01"
open(os.path.join(OUT, "truncated.wav"), "wb").write(b)
record("truncated.wav", 8000, 1, 16, 1, 1, scaled(v, 16), 100, truncated=True)

# 13. Extensible, 24 valid bits in a 32-bit container (left-justified):
#     scaled by the container, 2**31, as libsndfile and sox do.
v = ints(signal(2, 110), 24) * 256
open(os.path.join(OUT, "ext_pcm24in32.wav"), "wb").write(riff([
    chunk(b"fmt ", fmt_body(0xFFFE, 2, 16000, 32, ext_sub=1, valid=24, mask=0x3)),
    chunk(b"data", pcm_bytes(v, 32))]))
# torchaudio 0.13's sox backend reports this file as PCM_F24LE and returns
# garbage (NaN, 1e27): it is no reference here.
record("ext_pcm24in32.wav", 16000, 2, 32, 0xFFFE, 1, scaled(v, 32), 110,
       ta_note="sox (torchaudio 0.13) misreads 24-in-32 extensible PCM as 24-bit float")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f)

# The PCM16 writer's reference: torchaudio.save of float values that probe
# rounding ties, clipping and ordinary samples.
probe = [0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -7.0,
         0.25 / 32768, 0.5 / 32768, 1.5 / 32768, 2.5 / 32768, -0.5 / 32768, -1.5 / 32768,
         -2.5 / 32768, 32767.5 / 32768, -32768.5 / 32768, 12345.5 / 32768, -12345.5 / 32768]
probe += (signal(1, 60)[0] * 1.1).astype(np.float32).astype(np.float64).tolist()
# torchaudio.save takes float32: keep only values float32 represents exactly.
probe = [float(np.float32(p)) for p in probe]
tmp = os.path.join(OUT, "_probe.wav")
torchaudio.save(tmp, torch.tensor([probe], dtype=torch.float32), 16000,
                encoding="PCM_S", bits_per_sample=16)
with wave.open(tmp) as w:
    written = np.frombuffer(w.readframes(w.getnframes()), "<i2").tolist()
os.remove(tmp)
with open("pcm16_write.json", "w") as f:
    json.dump({"input": probe, "int16": written}, f)
print("wrote", len(expected), "fixtures")
