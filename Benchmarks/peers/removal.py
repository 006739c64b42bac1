#!/usr/bin/env python3
"""Object removal with ground truth: Meld's `meld edit remove` against OpenCV's inpaint (Telea,
Navier-Stokes) and PyPI's pypatchmatch, on the same holes cut into real photos, in one run.

Each bundled photo is resized to about 1 MP (Lanczos, PIL) and saved as PNG; holes (rectangles
and blobs of circles, 1-8 % of the image, fixed seeds) are cut; every method fills them; PSNR and
SSIM (8-bit sRGB, Gaussian 11x11 window, sigma 1.5, mean of R, G, B) are scored over the hole
pixels only against the original. Times: OpenCV and pypatchmatch are the library call alone;
meld is the whole process (PNG decode, fill, PNG encode) and its I/O-only baseline (`meld
convert` of the same PNG) is reported beside it.

    python removal.py MELD_BINARY SAMPLES_DIR OUT_DIR
    (MELD_REMOVE_ARGS="--patch-size 9" passes extra options to `meld edit remove`.)
    (MELD_ONLY=1 reruns meld only and reuses the peers' fills and times saved in OUT_DIR/work by
    an earlier full run: the peers are deterministic, and pypatchmatch takes seconds per case.)
Writes OUT_DIR/removal.md (the table), OUT_DIR/removal.json and side-by-side crops in OUT_DIR/crops/.
"""
import json, os, resource, subprocess, sys, time
import numpy as np
import cv2
from PIL import Image

try:
    from patchmatch import patch_match
    patch_match.set_random_seed(0)
except Exception as e:  # pragma: no cover
    patch_match = None
    print(f"removal: pypatchmatch unavailable ({e})", file=sys.stderr)

meld, samples, out = sys.argv[1], sys.argv[2], sys.argv[3]
work = os.path.join(out, "work")
os.makedirs(work, exist_ok=True)
os.makedirs(os.path.join(out, "crops"), exist_ok=True)

PHOTOS = ["fig_in_red_bowl.jpg", "citrus_fruits.jpg", "bridge_at_night.jpg", "toy_bird_lamp.jpg", "dandelion_meadow_16mp.jpg"]
HOLES = [("rect", 0.02), ("rect", 0.06), ("blob", 0.03), ("blob", 0.08)]


def one_megapixel(name):
    im = Image.open(os.path.join(samples, name)).convert("RGB")
    s = (1_000_000 / (im.width * im.height)) ** 0.5
    im = im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)
    path = os.path.join(work, name.rsplit(".", 1)[0] + ".png")
    im.save(path)
    return path, np.asarray(im)


def make_hole(kind, fraction, h, w, seed):
    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    area = fraction * h * w
    if kind == "rect":
        aspect = rng.uniform(0.6, 1.6)
        rw, rh = int(round((area * aspect) ** 0.5)), int(round((area / aspect) ** 0.5))
        x, y = rng.integers(w // 8, w - rw - w // 8), rng.integers(h // 8, h - rh - h // 8)
        m[y:y + rh, x:x + rw] = 255
    else:
        cx, cy = rng.integers(w // 4, 3 * w // 4), rng.integers(h // 4, 3 * h // 4)
        yy, xx = np.mgrid[0:h, 0:w]
        r0 = (area / np.pi) ** 0.5 * 0.55
        while (m > 0).sum() < area:
            r = r0 * rng.uniform(0.5, 1.0)
            m[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = 255
            cx = int(np.clip(cx + rng.normal(0, r0 * 0.8), r0, w - r0))
            cy = int(np.clip(cy + rng.normal(0, r0 * 0.8), r0, h - r0))
    return m


def ssim_map(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)
    mu_a, mu_b = blur(a), blur(b)
    saa, sbb, sab = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2, blur(a * b) - mu_a * mu_b
    return ((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))


def score(result, truth, hole):
    inside = hole > 0
    d = result[inside].astype(np.float64) - truth[inside].astype(np.float64)
    mse = (d * d).mean()
    psnr = 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
    ssim = np.mean([ssim_map(result[..., c], truth[..., c])[inside].mean() for c in range(3)])
    return psnr, ssim


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_meld(src, mask, dst):
    global meld_cpu
    c = child_cpu()
    t = time.perf_counter()
    extra = os.environ.get("MELD_REMOVE_ARGS", "").split()
    subprocess.run([meld, "edit", "remove", src, "--mask", mask, "-o", dst, "--overwrite", "--compression", "1"] + extra, check=True)
    elapsed = time.perf_counter() - t
    meld_cpu = child_cpu() - c
    return np.asarray(Image.open(dst).convert("RGB")), elapsed


def meld_io(src):
    c = child_cpu()
    t = time.perf_counter()
    subprocess.run([meld, "convert", src, "-o", os.path.join(work, "io.png"), "--overwrite", "--compression", "1"], check=True)
    return time.perf_counter() - t, child_cpu() - c


meld_only = os.environ.get("MELD_ONLY") == "1"
peer_times_path = os.path.join(work, "peer-times.json")
peer_times = json.load(open(peer_times_path)) if meld_only else {}
methods = ["meld", "opencv-telea", "opencv-ns"] + (["pypatchmatch"] if patch_match else [])
rows, case_id = [], 0
for photo in PHOTOS:
    src, truth = one_megapixel(photo)
    h, w = truth.shape[:2]
    io_time, io_cpu = min(meld_io(src) for _ in range(2))
    for kind, fraction in HOLES:
        case_id += 1
        hole = make_hole(kind, fraction, h, w, seed=case_id)
        mask_path = os.path.join(work, f"case{case_id}-mask.png")
        Image.fromarray(hole).save(mask_path)
        holed = truth.copy()
        holed[hole > 0] = 0
        holed_path = os.path.join(work, f"case{case_id}-holed.png")
        Image.fromarray(holed).save(holed_path)
        bgr = cv2.cvtColor(holed, cv2.COLOR_RGB2BGR)
        results = {}
        results["meld"] = run_meld(holed_path, mask_path, os.path.join(work, f"case{case_id}-meld.png"))
        if meld_only:
            for m in methods[1:]:
                img = np.asarray(Image.open(os.path.join(work, f"case{case_id}-{m}.png")).convert("RGB"))
                results[m] = (img, peer_times[f"{case_id}-{m}"])
        for name, flag in [] if meld_only else [("opencv-telea", cv2.INPAINT_TELEA), ("opencv-ns", cv2.INPAINT_NS)]:
            t = time.perf_counter()
            r = cv2.inpaint(bgr, hole, 3, flag)
            results[name] = (cv2.cvtColor(r, cv2.COLOR_BGR2RGB), time.perf_counter() - t)
        if patch_match and not meld_only:
            t = time.perf_counter()
            r = patch_match.inpaint(holed, hole, patch_size=3)
            results["pypatchmatch"] = (r, time.perf_counter() - t)
        if not meld_only:
            for m in methods[1:]:
                Image.fromarray(results[m][0]).save(os.path.join(work, f"case{case_id}-{m}.png"))
                peer_times[f"{case_id}-{m}"] = results[m][1]
        row = {"case": case_id, "photo": photo, "size": f"{w}x{h}", "hole": kind,
               "fraction": round(float((hole > 0).mean()), 4), "meld_io_s": io_time,
               "meld_cpu_s": round(meld_cpu, 3), "meld_io_cpu_s": round(io_cpu, 3)}
        for m in methods:
            img, secs = results[m]
            p, s = score(img, truth, hole)
            row[m] = {"psnr": round(float(p), 2), "ssim": round(float(s), 4), "seconds": round(secs, 3)}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
        # Side-by-side crop around the hole: truth, holed, each method.
        ys, xs = np.nonzero(hole)
        pad = 40
        y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + pad)
        x0, x1 = max(0, xs.min() - pad), min(w, xs.max() + pad)
        tiles = [truth, holed] + [results[m][0] for m in methods]
        strip = np.concatenate([t[y0:y1, x0:x1] for t in tiles], axis=1)
        Image.fromarray(strip).save(os.path.join(out, "crops", f"case{case_id:02d}.jpg"), quality=85)

if not meld_only:
    json.dump(peer_times, open(peer_times_path, "w"))
with open(os.path.join(out, "removal.json"), "w") as f:
    json.dump(rows, f, indent=1)

def mean(m, k):
    return np.mean([r[m][k] for r in rows])

lines = ["| method | PSNR in hole (dB, mean) | SSIM in hole (mean) | wins PSNR | wins SSIM | time per case (median) |",
         "|---|---:|---:|---:|---:|---:|"]
for m in methods:
    wins_p = sum(1 for r in rows if max(methods, key=lambda k: r[k]["psnr"]) == m)
    wins_s = sum(1 for r in rows if max(methods, key=lambda k: r[k]["ssim"]) == m)
    t = np.median([r[m]["seconds"] for r in rows])
    label = f"{t:.3f} s" + (f" (whole process; CPU {np.median([r['meld_cpu_s'] for r in rows]):.2f} s, of which PNG I/O "
                             f"{np.median([r['meld_io_cpu_s'] for r in rows]):.2f} s)" if m == "meld" else "")
    lines.append(f"| {m} | {mean(m, 'psnr'):.2f} | {mean(m, 'ssim'):.4f} | {wins_p}/{len(rows)} | {wins_s}/{len(rows)} | {label} |")
lines += ["", "| case | photo | hole | " + " | ".join(f"{m} PSNR / SSIM" for m in methods) + " |",
          "|---|---|---|" + "---:|" * len(methods)]
for r in rows:
    lines.append(f"| {r['case']} | {r['photo']} {r['size']} | {r['hole']} {100 * r['fraction']:.1f} % | "
                 + " | ".join(f"{r[m]['psnr']:.2f} / {r[m]['ssim']:.3f}" for m in methods) + " |")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "removal.md"), "w").write(text)
print(text)
