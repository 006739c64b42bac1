#!/usr/bin/env python3
"""Cut-out benchmark with known answers.

Objects with an exact alpha — the bundled light-bulb cut-out (a real alpha channel) and two
rendered objects with anti-aliased analytic alpha (a mug whose handle has a hole, a bottle with a
thin neck and a 3 px antenna-like stem) — are composited in linear light onto plain, gradient
(linear and vignetted radial) and lightly textured backgrounds, with object shading, sensor noise
and JPEG compression (q 85). Every method cuts the object out again; scores against the known
alpha:

  IoU   of the binary masks (alpha >= 0.5)
  SAD   mean absolute alpha error (0..1) in the edge band: pixels within 6 px of the true edge

Timing: the whole `meld cutout` process on a 12 MP (4000x3000) product photo, interleaved with
OpenCV's grabCut (opencv-python-headless) on the same photo, medians of N runs, as a ratio.

usage: cutout_bench.py MELD ROOT RESULTS_MD [--runs N] [--size WxH] [--seeds N]"""
import argparse, datetime, os, statistics, subprocess, sys, tempfile, time
import numpy as np
import pyvips

ap = argparse.ArgumentParser()
ap.add_argument("meld"); ap.add_argument("root"); ap.add_argument("results")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--size", default="1200x900")
ap.add_argument("--seeds", type=int, default=2)
ap.add_argument("--no-peer", action="store_true")
ap.add_argument("--keep", help="folder to keep inputs and outputs in")
a = ap.parse_args()
work = a.keep or tempfile.mkdtemp(prefix="meld-cutout-")
os.makedirs(work, exist_ok=True)
W, H = map(int, a.size.split("x"))

def decode(c):
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)

def encode(l):
    l = np.clip(l, 0, 1)
    return np.where(l <= 0.0031308, l * 12.92, 1.055 * l ** (1 / 2.4) - 0.055) * 255

def save(arr, path, **kw):
    h, w = arr.shape[:2]
    bands = 1 if arr.ndim == 2 else arr.shape[2]
    pyvips.Image.new_from_memory(np.ascontiguousarray(arr).tobytes(), w, h, bands, "uchar").write_to_file(path, **kw)

def load(path):
    img = pyvips.Image.new_from_file(path)
    return np.ndarray(buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands])

# ---- objects: (linear RGB float, alpha float) at a given height ------------------------------
def lightbulb(height):
    img = pyvips.Image.new_from_file(os.path.join(a.root, "Samples", "lightbulb_cutout.png"))
    img = img.resize(height / img.height, kernel="lanczos3")
    arr = np.ndarray(buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, 4]).astype(np.float64)
    return decode(arr[..., :3]), arr[..., 3] / 255.0

def supersampled(height, width, inside, colour):
    """Alpha by 4x4 supersampling of a predicate over normalised coordinates."""
    ss = 4
    ys = (np.arange(height * ss) + 0.5) / (height * ss)
    xs = (np.arange(width * ss) + 0.5) / (width * ss) * width / height
    X, Y = np.meshgrid(xs, ys)
    m = inside(X, Y).astype(np.float64)
    alpha = m.reshape(height, ss, width, ss).mean(axis=(1, 3))
    cx = (np.arange(width) + 0.5) / height
    cy = (np.arange(height) + 0.5) / height
    CX, CY = np.meshgrid(cx, cy)
    return colour(CX, CY), alpha

def mug(height):
    width = int(height * 1.25)
    def inside(x, y):
        body = (x > 0.05) & (x < 0.8) & (y > 0.1) & (y < 0.95)
        cx, cy = 0.8, 0.5
        r = np.hypot((x - cx) / 0.3, (y - cy) / 0.28)
        handle = (r < 1) & (r > 0.6) & (x > 0.78)
        return body | handle
    def colour(x, y):
        shade = 0.35 + 0.5 * np.clip(1 - np.abs(x - 0.3) * 1.2, 0, 1)
        return np.stack([0.55 * shade, 0.08 * shade + 0.02, 0.06 * shade + 0.02], axis=-1)
    return supersampled(height, width, inside, colour)

def bottle(height):
    width = int(height * 0.5)
    def inside(x, y):
        body = (np.abs(x - 0.25) < 0.16) & (y > 0.38) & (y < 0.98)
        shoulder = (np.hypot((x - 0.25) / 0.16, (y - 0.38) / 0.12) < 1)
        neck = (np.abs(x - 0.25) < 0.045) & (y > 0.1) & (y < 0.4)
        stem = (np.abs(x - 0.25) < 0.004) & (y > 0.02) & (y < 0.12)  # a thin wire: ~3 px at 900 px
        return body | shoulder | neck | stem
    def colour(x, y):
        shade = 0.25 + 0.6 * np.clip(1 - np.abs(x - 0.2) * 3, 0, 1)
        return np.stack([0.05 * shade + 0.01, 0.25 * shade + 0.02, 0.12 * shade + 0.02], axis=-1)
    return supersampled(height, width, inside, colour)

# ---- backgrounds (linear) ------------------------------------------------------------------------
def background(kind, rng, w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = decode(np.array(rng.choice([[235, 235, 232], [200, 205, 212], [120, 118, 115], [228, 214, 190], [60, 64, 70]])))
    if kind == "plain":
        return np.broadcast_to(base, (h, w, 3)).copy()
    if kind == "gradient":
        t = y / h
        top, bottom = base * 1.15, base * 0.6
        lin = top * (1 - t)[..., None] + bottom * t[..., None]
        r = np.hypot((x - w / 2) / w, (y - h * 0.45) / h)
        vignette = (1 - 0.9 * r ** 2)[..., None]
        return np.clip(lin * vignette, 0, 1)
    if kind == "textured":
        # Low-contrast paper/linen: smoothed noise at two scales.
        n1 = pyvips.Image.gaussnoise(w // 4, h // 4, sigma=1).resize(4, kernel="cubic").crop(0, 0, w, h).numpy()
        n2 = rng.normal(0, 1, (h, w))
        tex = 1 + 0.06 * n1 / max(1e-9, n1.std()) + 0.03 * n2
        return np.clip(base * tex[..., None], 0, 1)
    raise ValueError(kind)

def scene(obj, kind, seed, w, h):
    rng = np.random.default_rng(seed)
    bg = background(kind, rng, w, h)
    colour, alpha = obj(int(h * rng.uniform(0.55, 0.75)))
    oh, ow = alpha.shape
    ox = int((w - ow) * rng.uniform(0.3, 0.7)); oy = int((h - oh) * rng.uniform(0.4, 0.8))
    full_alpha = np.zeros((h, w)); full_alpha[oy:oy + oh, ox:ox + ow] = alpha
    fg = np.zeros((h, w, 3)); fg[oy:oy + oh, ox:ox + ow] = colour
    # Object shading: a soft light from the upper left.
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.85 + 0.3 * np.clip(1 - np.hypot(xx - ox, yy - oy) / max(ow, oh) / 1.5, 0, 1)
    fg = fg * light[..., None]
    comp = fg * full_alpha[..., None] + bg * (1 - full_alpha[..., None])
    codes = encode(comp) + rng.normal(0, 1.5, comp.shape)  # sensor noise, ~1.5 codes
    return np.clip(codes, 0, 255).astype(np.uint8), full_alpha, (ox, oy, ow, oh)

def scores(alpha, truth):
    a_bin, t_bin = alpha >= 0.5, truth >= 0.5
    union = np.logical_or(a_bin, t_bin).sum()
    iou = np.logical_and(a_bin, t_bin).sum() / union if union else 1.0
    edge = t_bin ^ np.roll(t_bin, 1, 0) | t_bin ^ np.roll(t_bin, 1, 1)
    band = pyvips.Image.new_from_memory((edge * 255).astype(np.uint8).tobytes(), truth.shape[1], truth.shape[0], 1, "uchar")
    band = band.morph(pyvips.Image.mask_ideal(1, 1, 1).new_from_image(255).embed(0, 0, 13, 13, extend="copy"), "dilate").numpy() > 0
    sad = np.abs(alpha - truth)[band].mean()
    return iou, sad

def run_meld(inp, out, box=None):
    cmd = [a.meld, "cutout", inp, "-o", out, "--overwrite"]
    if box: cmd += ["--box", ",".join(map(str, box))]
    subprocess.run(cmd, check=True, capture_output=True)
    return load(out)[..., 3] / 255.0

def run_grabcut(inp, box):
    import cv2
    img = cv2.imread(inp)
    mask = np.zeros(img.shape[:2], np.uint8)
    bgd = np.zeros((1, 65), np.float64); fgd = np.zeros((1, 65), np.float64)
    cv2.grabCut(img, mask, tuple(int(v) for v in box), bgd, fgd, 5, cv2.GC_INIT_WITH_RECT)
    return ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float64)

objects = {"lightbulb": lightbulb, "mug (hole)": mug, "bottle (thin parts)": bottle}
kinds = ["plain", "gradient", "textured"]
rows = {}
for kind in kinds:
    for name, obj in objects.items():
        for seed in range(a.seeds):
            codes, truth, (ox, oy, ow, oh) = scene(obj, kind, 1000 * seed + hash(name) % 97 + kinds.index(kind), W, H)
            base = os.path.join(work, f"{kind}-{name.split()[0]}-{seed}")
            save(codes, base + ".jpg", Q=85)
            save((truth * 255).round().astype(np.uint8), base + "-truth.png")
            margin = int(0.05 * max(ow, oh))
            box = (max(0, ox - margin), max(0, oy - margin), min(W, ox + ow + margin) - max(0, ox - margin), min(H, oy + oh + margin) - max(0, oy - margin))
            results = {"meld (border)": run_meld(base + ".jpg", base + "-meld.png"),
                       "meld --box": run_meld(base + ".jpg", base + "-meld-box.png", box)}
            if not a.no_peer:
                results["OpenCV grabCut (box)"] = run_grabcut(base + ".jpg", box)
            for method, alpha in results.items():
                iou, sad = scores(alpha, truth)
                rows.setdefault((kind, method), []).append((iou, sad, name))
                print(f"{kind:9s} {name:20s} {method:22s} IoU {iou:.4f}  edge SAD {sad:.4f}", flush=True)

# ---- timing at 12 MP ---------------------------------------------------------------------------
codes, truth, (ox, oy, ow, oh) = scene(lightbulb, "gradient", 7, 4000, 3000)
big = os.path.join(work, "timing-12mp.jpg"); save(codes, big, Q=90)
box12 = (ox - 100, oy - 100, ow + 200, oh + 200)
times = {"meld cutout": [], "meld cutout --compression 1": []}
if not a.no_peer:
    times["OpenCV grabCut (box, 5 iterations, in-process)"] = []
for r in range(a.runs):
    t = time.perf_counter(); subprocess.run([a.meld, "cutout", big, "-o", os.path.join(work, "t.png"), "--overwrite"], check=True); times["meld cutout"].append(time.perf_counter() - t)
    t = time.perf_counter(); subprocess.run([a.meld, "cutout", big, "-o", os.path.join(work, "t1.png"), "--overwrite", "--compression", "1"], check=True); times["meld cutout --compression 1"].append(time.perf_counter() - t)
    if not a.no_peer:
        import cv2
        t = time.perf_counter()
        img = cv2.imread(big)
        mask = np.zeros(img.shape[:2], np.uint8); bgd = np.zeros((1, 65)); fgd = np.zeros((1, 65))
        cv2.grabCut(img, mask, box12, bgd, fgd, 5, cv2.GC_INIT_WITH_RECT)
        out = np.dstack([img, np.where((mask == 1) | (mask == 3), 255, 0).astype(np.uint8)])
        cv2.imwrite(os.path.join(work, "t-cv.png"), out)
        times["OpenCV grabCut (box, 5 iterations, in-process)"].append(time.perf_counter() - t)
    print({k: round(v[-1], 3) for k, v in times.items()}, flush=True)

# ---- table ---------------------------------------------------------------------------------------
lines = [f"# Cut-out benchmark ({datetime.date.today().isoformat()})", "",
         f"Scenes: {len(objects)} objects x {a.seeds} seeds per background kind, {W}x{H}, object shading, noise sigma 1.5 codes, JPEG q 85.",
         "IoU of alpha >= 0.5 against the known alpha; edge SAD = mean |alpha - truth| within 6 px of the true edge (0..1).",
         "Median over scenes, with the worst scene in brackets.", "",
         "| background | method | IoU median (worst) | edge SAD median (worst) |", "|---|---|---|---|"]
for (kind, method), vals in rows.items():
    ious = [v[0] for v in vals]; sads = [v[1] for v in vals]
    worst = min(vals, key=lambda v: v[0])
    lines.append(f"| {kind} | {method} | {statistics.median(ious):.4f} ({min(ious):.4f}, {worst[2]}) | {statistics.median(sads):.4f} ({max(sads):.4f}) |")
lines += ["", "Per object (IoU / edge SAD, medians over seeds):", "", "| background | method | " + " | ".join(objects) + " |", "|---|---|" + "---|" * len(objects)]
for (kind, method), vals in rows.items():
    cells = []
    for name in objects:
        v = [x for x in vals if x[2] == name]
        cells.append(f"{statistics.median([x[0] for x in v]):.4f} / {statistics.median([x[1] for x in v]):.4f}")
    lines.append(f"| {kind} | {method} | " + " | ".join(cells) + " |")
lines += ["", f"Time for one 12 MP (4000x3000) JPEG product photo to an RGBA PNG, median of {a.runs} interleaved runs:", "",
          "| method | median s | ratio to meld cutout |", "|---|---|---|"]
ref = statistics.median(times["meld cutout"])
for k, v in times.items():
    lines.append(f"| {k} | {statistics.median(v):.3f} | {statistics.median(v) / ref:.2f} |")
open(a.results, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
