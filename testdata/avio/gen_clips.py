#!/usr/bin/python3
"""Writes the clip-dataset and image fixtures of package avio (run with /usr/bin/python3).

    cd testdata/avio && /usr/bin/python3 gen_clips.py

clips/   a two-clip dataset in the documented layout (audio.wav, frames/%06d.png,
         meta.json) plus a stray file at the root, used by ExampleOpen and tests.
frames/  rgb.png (RGBA with alpha), rgb.jpg (quality 95, 4:4:4 chroma: Go's decoder does not do libjpeg's
         fancy upsampling of 4:2:0 chroma, so those differ more at colour edges), and frames.json with what
         PIL makes of them: the RGB pixels / 255 of each file, convert("L") / 255,
         and a bicubic resize to 8x6 of rgb.png followed by nothing else (the
         Go side uses Catmull-Rom, compared with a tolerance).
"""
import json
import os
import shutil
import wave

import numpy as np
from PIL import Image

rng = np.random.default_rng(11)

# --- clips ---
shutil.rmtree("clips", ignore_errors=True)
os.makedirs("clips")
open(os.path.join("clips", "README.txt"), "w").write("not a clip: files at the root are ignored\n")
for name, split, speaker, tone in [("c01", "train", "s01", 440.0), ("c02", "test", "s02", 660.0)]:
    d = os.path.join("clips", name)
    os.makedirs(os.path.join(d, "frames"))
    rate, n = 8000, 1600  # 0.2 s
    x = 0.5 * np.sin(2 * np.pi * tone * np.arange(n) / rate)
    with wave.open(os.path.join(d, "audio.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(np.round(x * 32767).astype("<i2").tobytes())
    for i in range(5):  # 5 frames at 25 fps = 0.2 s
        img = np.zeros((12, 16, 3), dtype=np.uint8)
        img[:, :, 0] = 40 * i
        img[:, :, 1] = np.arange(16)[None, :] * 15
        img[:, :, 2] = 200 if split == "train" else 50
        Image.fromarray(img).save(os.path.join(d, "frames", "%06d.png" % i))
    meta = {"fps": 25, "split": split, "labels": {"speaker": speaker, "caption": "a %g Hz tone" % tone},
            "source": {"generator": "gen_clips.py"}}
    json.dump(meta, open(os.path.join(d, "meta.json"), "w"), indent=2)

# --- image references ---
os.makedirs("frames", exist_ok=True)
rgba = rng.integers(0, 256, (10, 14, 4), dtype=np.uint8)
rgba[..., 3] = rng.integers(1, 256, (10, 14))  # keep alpha > 0: colour is defined
Image.fromarray(rgba, "RGBA").save("frames/rgb.png")
Image.fromarray(rgba[..., :3], "RGB").save("frames/rgb.jpg", quality=95, subsampling=0)
png = Image.open("frames/rgb.png").convert("RGB")
jpg = Image.open("frames/rgb.jpg").convert("RGB")
ref = {
    "png_rgb": (np.asarray(png, dtype=np.float64) / 255).transpose(2, 0, 1).reshape(-1).tolist(),
    "png_gray": (np.asarray(png.convert("L"), dtype=np.float64) / 255).reshape(-1).tolist(),
    "jpg_rgb": (np.asarray(jpg, dtype=np.float64) / 255).transpose(2, 0, 1).reshape(-1).tolist(),
    "png_bicubic_8x6": (np.asarray(png.resize((8, 6), Image.BICUBIC), dtype=np.float64) / 255)
    .transpose(2, 0, 1).reshape(-1).tolist(),
}
json.dump(ref, open("frames/frames.json", "w"))
print("wrote clips/ and frames/")
