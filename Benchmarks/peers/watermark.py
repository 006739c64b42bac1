"""Invisible-watermark robustness: meld vs invisible-watermark (dwtDct, dwtDctSvd), one run.

    python watermark.py MELD SAMPLES OUT [--fp N]

For each photo (two ~1.2 MP, one 2 MP, one 12 MP, made from the bundled Samples), each method
embeds a 64-bit payload; every attack is applied to the marked image with OpenCV, and the
payload is read back. Reported per method and attack: bit accuracy (mean over photos) and
whole-payload recovery (photos where all 64 bits came back; for meld also the keyed CRC must
check, i.e. `found`). Also PSNR / SSIM of the marked image, embed and detect time (medians of
interleaved runs, decoding and encoding excluded for every method).

--fp N [--fp-only] additionally (or only, reusing OUT's marked images) runs meld's detector over N unmarked crops and N marked images under wrong
keys, and reports the sync-score distribution and how many were (falsely) reported as marked.
"""
import json
import os
import subprocess
import sys
import time

import cv2
import numpy as np
from imwatermark import WatermarkDecoder, WatermarkEncoder

MELD, SAMPLES, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
FP = int(sys.argv[sys.argv.index("--fp") + 1]) if "--fp" in sys.argv else 0
os.makedirs(OUT, exist_ok=True)
PAYLOAD = 0xC0FFEE0123456789
KEY = "meld-benchmark-key"
REPEATS = 3


def photos():
    """(name, BGR uint8) for the test photos, written once as PNG into OUT."""
    specs = [("bridge_1.2MP", "bridge_at_night.jpg", None), ("citrus_1.2MP", "citrus_fruits.jpg", None),
             ("fig_2MP", "fig_in_red_bowl.jpg", (1732, 1172)), ("dandelion_12MP", "dandelion_meadow_16mp.jpg", (4608, 2592))]
    out = []
    for name, file, size in specs:
        img = cv2.imread(os.path.join(SAMPLES, file), cv2.IMREAD_COLOR)
        if size:
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        path = os.path.join(OUT, name + ".png")
        cv2.imwrite(path, img)
        out.append((name, img, path))
    return out


def jpeg(img, q):
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def resize_back(img, f=0.5):
    h, w = img.shape[:2]
    small = cv2.resize(img, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def crop(img, side, f=0.1):
    h, w = img.shape[:2]
    dx, dy = int(w * f), int(h * f)
    return {"left": img[:, dx:], "right": img[:, :w - dx], "top": img[dy:, :], "bottom": img[:h - dy, :]}[side].copy()


def rotate(img, deg):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def noise(img, sigma, seed=7):
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


ATTACKS = [
    ("none", lambda i: i),
    ("JPEG 90", lambda i: jpeg(i, 90)),
    ("JPEG 75", lambda i: jpeg(i, 75)),
    ("JPEG 50", lambda i: jpeg(i, 50)),
    ("resize 50 % and back", resize_back),
    ("crop 10 % left", lambda i: crop(i, "left")),
    ("crop 10 % right", lambda i: crop(i, "right")),
    ("crop 10 % top", lambda i: crop(i, "top")),
    ("crop 10 % bottom", lambda i: crop(i, "bottom")),
    ("rotate 1°", lambda i: rotate(i, 1)),
    ("rotate 2°", lambda i: rotate(i, 2)),
    ("brightness +20", lambda i: np.clip(i.astype(np.int16) + 20, 0, 255).astype(np.uint8)),
    ("contrast ×1.3", lambda i: np.clip((i.astype(np.float32) - 128) * 1.3 + 128, 0, 255).astype(np.uint8)),
    ("blur σ 1", lambda i: cv2.GaussianBlur(i, (0, 0), 1.0)),
    ("noise σ 5", lambda i: noise(i, 5)),
    ("resize 50 % + JPEG 75", lambda i: jpeg(resize_back(i), 75)),
    ("rotate 1° + crop 10 % right + JPEG 75", lambda i: jpeg(crop(rotate(i, 1), "right"), 75)),
]


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255 ** 2 / mse) if mse > 0 else float("inf")


def ssim(a, b):
    """Mean SSIM of the luma (Wang et al. 2004, Gaussian window σ 1.5)."""
    ya = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    yb = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)
    ma, mb = blur(ya), blur(yb)
    va, vb, cov = blur(ya * ya) - ma * ma, blur(yb * yb) - mb * mb, blur(ya * yb) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return float(s.mean())


def bits_of(v):
    return [(v >> (63 - i)) & 1 for i in range(64)]


TRUE_BITS = bits_of(PAYLOAD)


def accuracy(v):
    return sum(a == b for a, b in zip(bits_of(v), TRUE_BITS)) / 64


# --- meld -----------------------------------------------------------------------------------

def meld_embed(path, out):
    r = subprocess.run([MELD, "watermark", "embed", path, "--key", KEY, "--payload", f"{PAYLOAD:016x}", "-o", out,
                        "--overwrite", "--verbose"], capture_output=True, text=True, check=True)
    return float(r.stdout.split()[2])


def meld_detect(paths, key=KEY):
    r = subprocess.run([MELD, "watermark", "detect", *paths, "--key", key, "--json"], capture_output=True, text=True)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    if len(lines) != len(paths):
        raise RuntimeError(r.stderr)
    return lines


# --- invisible-watermark --------------------------------------------------------------------

def iw_embed(img, method):
    enc = WatermarkEncoder()
    enc.set_watermark("bytes", PAYLOAD.to_bytes(8, "big"))
    t = time.perf_counter()
    out = enc.encode(img, method)
    return out, time.perf_counter() - t


def iw_detect(img, method):
    dec = WatermarkDecoder("bytes", 64)
    t = time.perf_counter()
    wm = dec.decode(img, method)
    return int.from_bytes(bytes(wm), "big"), time.perf_counter() - t


def main():
    if "--fp-only" in sys.argv:
        text = fp_measurement(FP) + "\n"
        open(os.path.join(OUT, "watermark-fp.md"), "w").write(text)
        print(text)
        return
    results = {}   # method -> attack -> list of (acc, recovered)
    quality = {}   # method -> list of (psnr, ssim)
    timing = {}    # (method, photo) -> {"embed": [...], "detect": [...]}
    methods = ["meld", "dwtDct", "dwtDctSvd"]
    for name, img, path in photos():
        print(f"{name}: {img.shape[1]}x{img.shape[0]}", file=sys.stderr)
        marked = {}
        for rep in range(REPEATS):           # interleave methods within each repetition
            for m in methods:
                t = timing.setdefault((m, name), {"embed": [], "detect": []})
                if m == "meld":
                    out = os.path.join(OUT, f"{name}.meld.png")
                    t["embed"].append(meld_embed(path, out))
                    marked[m] = cv2.imread(out, cv2.IMREAD_COLOR)
                    t["detect"].append(meld_detect([out])[0]["seconds"])
                else:
                    mk, te = iw_embed(img, m)
                    marked[m] = mk
                    t["embed"].append(te)
                    t["detect"].append(iw_detect(mk, m)[1])
        for m in methods:
            quality.setdefault(m, []).append((psnr(img, marked[m]), ssim(img, marked[m])))
        for aname, attack in ATTACKS:
            for m in methods:
                attacked = attack(marked[m])
                if m == "meld":
                    p = os.path.join(OUT, f"{name}.attacked.png")
                    cv2.imwrite(p, attacked)
                    d = meld_detect([p])[0]
                    guess = int(d["best_guess"], 16) if d["best_guess"] else 0
                    acc = accuracy(guess)
                    ok = d["found"] and int(d["payload"], 16) == PAYLOAD
                else:
                    v, _ = iw_detect(attacked, m)
                    acc = accuracy(v)
                    ok = v == PAYLOAD
                results.setdefault(m, {}).setdefault(aname, []).append((acc, ok))
            print(f"  {aname}: " + ", ".join(f"{m} {results[m][aname][-1][0]:.3f}" for m in methods), file=sys.stderr)

    med = lambda xs: sorted(xs)[len(xs) // 2]
    lines = ["| attack | " + " | ".join(f"{m} bit acc. | {m} recovered" for m in methods) + " |",
             "|---|" + "---|---|" * len(methods)]
    for aname, _ in ATTACKS:
        row = [aname]
        for m in methods:
            rs = results[m][aname]
            row += [f"{np.mean([a for a, _ in rs]):.3f}", f"{sum(ok for _, ok in rs)}/{len(rs)}"]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| method | photo | PSNR dB | SSIM | embed s | detect s |", "|---|---|---|---|---|---|"]
    names = [n for n, _, _ in photos()] if False else list(dict.fromkeys(k[1] for k in timing))
    for m in methods:
        for i, n in enumerate(names):
            p, s = quality[m][i]
            t = timing[(m, n)]
            lines.append(f"| {m} | {n} | {p:.2f} | {s:.4f} | {med(t['embed']):.4f} | {med(t['detect']):.4f} |")
    lines += ["", "Ratios (median time, invisible-watermark / meld):"]
    for m in methods[1:]:
        for n in names:
            te = med(timing[(m, n)]["embed"]) / med(timing[("meld", n)]["embed"])
            td = med(timing[(m, n)]["detect"]) / med(timing[("meld", n)]["detect"])
            lines.append(f"- {m} {n}: embed {te:.2f}×, detect {td:.2f}×")

    if FP:
        lines += ["", fp_measurement(FP)]
    text = "\n".join(lines) + "\n"
    open(os.path.join(OUT, "watermark.md"), "w").write(text)
    print(text)


def fp_measurement(n):
    """Unmarked crops of every sample (random size and place) and marked photos under wrong keys."""
    rng = np.random.default_rng(2026)
    srcs = [cv2.imread(os.path.join(SAMPLES, f), cv2.IMREAD_COLOR) for f in sorted(os.listdir(SAMPLES))
            if f.endswith((".jpg", ".png"))]
    srcs = [s for s in srcs if s is not None]
    d = os.path.join(OUT, "fp")
    os.makedirs(d, exist_ok=True)
    paths = []
    for i in range(n):
        s = srcs[i % len(srcs)]
        h, w = s.shape[:2]
        cw, ch = int(rng.integers(min(w, 256), min(w, 900) + 1)), int(rng.integers(min(h, 256), min(h, 900) + 1))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        p = os.path.join(d, f"u{i}.png")
        cv2.imwrite(p, s[y:y + ch, x:x + cw])
        paths.append(p)
    unmarked = []
    for k in range(0, n, 50):
        unmarked += meld_detect(paths[k:k + 50], key=f"key-{k}")
    marked = [os.path.join(OUT, f) for f in sorted(os.listdir(OUT)) if f.endswith(".meld.png")]
    wrong = []
    for k in range(n // len(marked) + 1):
        wrong += meld_detect(marked, key=f"wrong-key-{k}")
    wrong = wrong[:n]
    out = []
    for label, rs in [("unmarked crops (random keys)", unmarked), ("marked photos, wrong keys", wrong)]:
        z = np.array([r["sync_score"] for r in rs])
        att = sum(r["attempts"] for r in rs)
        fps = sum(r["found"] for r in rs)
        out.append(f"- {label}: {len(rs)} searches, {att} candidate decodes, {fps} reported as marked; "
                   f"sync z-score median {np.median(z):.2f}, 99th percentile {np.percentile(z, 99):.2f}, max {z.max():.2f}")
    return "False positives:\n" + "\n".join(out)


main()
