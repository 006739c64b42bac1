#!/usr/bin/env python3
"""Harmonization benchmark with ground truth, in the spirit of iHarmony4, on the bundled photos.

For each RGB photo in Samples/ (downscaled to about 1.5 MP) and each foreground mask (an
ellipse, a polygon, an object silhouette; 5-30 % of the image), the region's colour is perturbed
with a realistic, seeded transform (exposure, white balance, contrast, saturation). Every
method then tries to restore it from the composite; scores against the original photo:
MSE and PSNR over the image, fMSE (MSE inside the mask), on 8-bit values.

usage: harmonize_bench.py MELD ROOT RESULTS_MD [--seeds N]"""
import argparse, datetime, os, random, statistics, subprocess, sys, tempfile, time
import numpy as np
import pyvips

ap = argparse.ArgumentParser()
ap.add_argument("meld"); ap.add_argument("root"); ap.add_argument("results")
ap.add_argument("--seeds", type=int, default=2)
ap.add_argument("--only", help="run only identity and the methods whose name contains this")
a = ap.parse_args()
work = tempfile.mkdtemp(prefix="meld-harmonize-")
samples = os.path.join(a.root, "Samples")

def load(path, target=1_500_000):
    img = pyvips.Image.new_from_file(path)
    if img.hasalpha():
        img = img.flatten(background=[255, 255, 255])
    s = min(1.0, (target / (img.width * img.height)) ** 0.5)
    if s < 1:
        img = img.resize(s)
    return np.ndarray(buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands])

def save(arr, path):
    h, w = arr.shape[:2]
    bands = 1 if arr.ndim == 2 else arr.shape[2]
    pyvips.Image.new_from_memory(np.ascontiguousarray(arr).tobytes(), w, h, bands, "uchar").write_to_file(path)

def decode(c):  # sRGB codes -> linear
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)

def encode(l):
    l = np.clip(l, 0, 1)
    c = np.where(l <= 0.0031308, l * 12.92, 1.055 * l ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(c * 255), 0, 255).astype(np.uint8)

bulb = load(os.path.join(samples, "lightbulb_cutout.png"), 10**9)  # flattened; use alpha separately
bulb_alpha = pyvips.Image.new_from_file(os.path.join(samples, "lightbulb_cutout.png"))[3]

def mask_for(kind, h, w, rng):
    area = rng.uniform(0.05, 0.30) * h * w
    yy, xx = np.mgrid[0:h, 0:w]
    if kind == "ellipse":
        aspect = rng.uniform(0.6, 1.6)
        ry = (area / (np.pi * aspect)) ** 0.5; rx = ry * aspect
        ry, rx = min(ry, h * 0.45), min(rx, w * 0.45)
        cy, cx = rng.uniform(ry, h - ry), rng.uniform(rx, w - rx)
        m = (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1)
    elif kind == "polygon":
        r0 = min((area / np.pi) ** 0.5, 0.45 * min(h, w))
        cy, cx = rng.uniform(r0, h - r0), rng.uniform(r0, w - r0)
        n = rng.randint(5, 9)
        angles = sorted(rng.uniform(0, 2 * np.pi) for _ in range(n))
        radii = [r0 * rng.uniform(0.7, 1.25) for _ in range(n)]
        ang = np.arctan2(yy - cy, xx - cx) % (2 * np.pi)
        dist = np.hypot(yy - cy, xx - cx)
        # radius at each angle, interpolated between vertices
        a_ext = np.array(angles + [angles[0] + 2 * np.pi]); r_ext = np.array(radii + [radii[0]])
        m = dist <= np.interp(ang, a_ext, r_ext, period=None)
    else:  # object: the light-bulb silhouette
        sh = min(h * 0.9, (area * bulb_alpha.height / bulb_alpha.width) ** 0.5 / 0.62)
        alpha = bulb_alpha.resize(sh / bulb_alpha.height)
        am = np.ndarray(buffer=alpha.write_to_memory(), dtype=np.uint8, shape=[alpha.height, alpha.width]) > 127
        m = np.zeros((h, w), bool)
        y0, x0 = rng.randint(0, h - am.shape[0]), rng.randint(0, max(1, w - am.shape[1]))
        m[y0:y0 + am.shape[0], x0:x0 + am.shape[1]] = am[:, :min(am.shape[1], w - x0)]
    return m

def perturb(img, m, rng):
    lin = decode(img.astype(np.float64))
    ev = rng.uniform(-0.7, 0.7); t = rng.uniform(-0.15, 0.15); u = rng.uniform(-0.06, 0.06)
    gains = 2 ** ev * np.array([1 + t, 1 + u, 1 - t])
    out = lin * gains
    # saturation around luminance, then a contrast (gamma) change on the encoded values
    y = (out @ np.array([0.2126, 0.7152, 0.0722]))[..., None]
    out = y + (out - y) * rng.uniform(0.75, 1.3)
    enc = encode(out).astype(np.float64) / 255
    enc = enc ** rng.uniform(0.85, 1.18)
    pert = np.clip(np.rint(enc * 255), 0, 255).astype(np.uint8)
    res = img.copy(); res[m] = pert[m]
    return res, f"EV {ev:+.2f}, temp {t:+.2f}"

methods = {
    "identity (do nothing)": None,
    "Reinhard Lab to the whole background": ["--method", "reinhard", "--reference", "whole"],
    "meld reinhard (ring)": ["--method", "reinhard"],
    "meld affine (ring)": ["--method", "affine"],
    "meld white-balance (ring)": ["--method", "white-balance"],
    "meld exposure (ring)": ["--method", "exposure"],
    "meld boundary (pairs across the edge)": ["--method", "boundary"],
    "meld auto (ring)": ["--method", "auto"],
    "meld auto (whole)": ["--method", "auto", "--reference", "whole"],
}
if a.only:
    methods = {k: v for k, v in methods.items() if v is None or a.only in k or "Reinhard" in k}
scores = {k: [] for k in methods}
times = []
cases = 0
photos = [f for f in sorted(os.listdir(samples)) if f.endswith((".jpg", ".png")) and f != "lightbulb_cutout.png"]
for photo in photos:
    img = load(os.path.join(samples, photo))
    if img.ndim != 3 or img.shape[2] != 3:
        continue
    h, w = img.shape[:2]
    for kind in ["ellipse", "polygon", "object"]:
        for seed in range(a.seeds):
            rng = random.Random(f"{photo}-{kind}-{seed}")
            m = mask_for(kind, h, w, rng)
            comp, desc = perturb(img, m, rng)
            base = os.path.join(work, f"{cases}")
            save(comp, base + "-comp.png"); save((m * 255).astype(np.uint8), base + "-mask.png")
            for index, (name, args) in enumerate(methods.items()):
                outfile = f"{base}-out{index}.png"  # distinct names: pyvips caches loads by file name
                if args is None:
                    out = comp
                else:
                    t0 = time.perf_counter()
                    r = subprocess.run([a.meld, "harmonize", base + "-comp.png", "--mask", base + "-mask.png", "-o", outfile, "--overwrite"] + args,
                                       capture_output=True, text=True)
                    dt = time.perf_counter() - t0
                    if r.returncode != 0:
                        sys.exit(f"meld failed: {r.stderr}")
                    if name == "meld auto (ring)":
                        times.append(dt / (h * w / 1e6))
                    out = np.ndarray(buffer=pyvips.Image.new_from_file(outfile).write_to_memory(), dtype=np.uint8, shape=img.shape)
                d = (out.astype(np.float64) - img) ** 2
                mse = d.mean(); fmse = d[m].mean()
                scores[name].append((mse, fmse))
            cases += 1
            print(f"case {cases}: {photo} {kind} {desc}: identity fMSE {scores['identity (do nothing)'][-1][1]:.0f}, "
                  f"auto {scores['meld auto (ring)'][-1][1]:.0f}, reinhard-whole {scores['Reinhard Lab to the whole background'][-1][1]:.0f}", file=sys.stderr)

ident = [s[1] for s in scores["identity (do nothing)"]]
lines = [f"# Harmonization benchmark, {datetime.date.today()}", "",
         f"{cases} cases: {len(set(photos))} bundled photos (RGB ones, ~1.5 MP) x 3 mask shapes (ellipse, polygon, light-bulb silhouette; 5-30 % of the image) x {a.seeds} seeded perturbations",
         "(exposure ±0.7 EV, white balance ±15 % red/blue, tint, saturation 0.75-1.3, contrast gamma 0.85-1.18). Scores on 8-bit values against the original photo:",
         "mean over cases of MSE (whole image) and fMSE (inside the mask), PSNR of the mean MSE; 'worse than identity' counts cases whose fMSE exceeds doing nothing.", "",
         "| method | MSE | PSNR dB | fMSE | fMSE vs Reinhard-whole | worse than identity |", "|---|---:|---:|---:|---:|---:|"]
reinhard = statistics.mean(s[1] for s in scores["Reinhard Lab to the whole background"])
for name in methods:
    mse = statistics.mean(s[0] for s in scores[name]); fmse = statistics.mean(s[1] for s in scores[name])
    worse = sum(1 for s, i in zip(scores[name], ident) if s[1] > i * 1.0001)
    lines.append(f"| {name} | {mse:.1f} | {10 * np.log10(255 ** 2 / mse):.2f} | {fmse:.1f} | {100 * (fmse / reinhard - 1):+.0f} % | {worse}/{cases} |")
lines += ["", f"meld harmonize (auto, ring), whole process incl. PNG decode/encode: median {statistics.median(times):.3f} s per megapixel."]
text = "\n".join(lines) + "\n"
print(text)
open(a.results, "w").write(text)
