#!/usr/bin/env python3
"""Seamless blending: quality with a ground truth, and whole-process speed, Meld vs OpenCV.

    python3 blend_peers.py --meld PATH [--runs N] [--quality-only | --speed-only] [--out report.md]

Quality: for each bundled photo (long side scaled to at most 1600 px, INTER_AREA) and two regions
(an ellipse at the centre, a tilted ellipse lower left), the source is the photo with its colours
changed (8-bit sRGB codes, per channel: x * gain + offset, clipped), the destination is the photo
with the region's interior (the region eroded by 8 px) blanked to grey, so no method can copy the
answer from under the paste. Each method pastes the source's region back in place; PSNR and SSIM
(Gaussian window, sigma 1.5, per channel, averaged over the region's pixels) are measured inside
the region against the original photo. `meld blend` runs with its defaults (for an opaque source,
OpenCV's seam: the region shrunk by 3 px) and with --erode 0 (the mask as given).

Porting: the same regions pasted elsewhere in their photos; PSNR of `meld blend`'s output against
cv2.seamlessClone's over the pasted box, with the default erosion and with --erode 0.

Speed: clone a 1 MP and a 4 MP region (bounding box; the mask is the inscribed ellipse) from a
photo into a ~20 MP JPEG, as whole processes (decode, clone, encode JPEG Q85): `meld blend` vs a
Python script calling cv2.seamlessClone. Runs interleaved; wall time and peak RSS from
/usr/bin/time; medians and per-size ratios.
"""
import argparse, os, statistics, subprocess, sys, time
import numpy as np
import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "Samples")
WORK = os.path.join(HERE, "work", "blend")
CACHE = os.path.join(os.path.dirname(HERE), ".cache")

PHOTOS = ["citrus_fruits.jpg", "fig_in_red_bowl.jpg", "toy_bird_lamp.jpg", "bridge_at_night.jpg",
          "grace_hopper.jpg", "dandelion_meadow_16mp.jpg"]
GAIN = np.array([0.75, 0.9, 1.25])   # B, G, R (OpenCV order)
OFFSET = np.array([30.0, 15.0, -20.0])
ERODE = 8


def load(name):
    img = cv2.imread(os.path.join(SAMPLES, name), cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    s = 1600 / max(h, w)
    if s < 1:
        img = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return img


def regions(h, w):
    a = np.zeros((h, w), np.uint8)
    cv2.ellipse(a, (w // 2, h // 2), (int(w * 0.2), int(h * 0.22)), 0, 0, 360, 255, -1)
    b = np.zeros((h, w), np.uint8)
    cv2.ellipse(b, (int(w * 0.3), int(h * 0.66)), (int(w * 0.16), int(h * 0.12)), 25, 0, 360, 255, -1)
    return [("centre", a), ("lower left", b)]


def psnr(a, b, m):
    d = (a.astype(np.float64) - b.astype(np.float64))[m > 0]
    mse = np.mean(d * d)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def ssim(a, b, m):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    vals = []
    for ch in range(3):
        x, y = a[..., ch].astype(np.float64), b[..., ch].astype(np.float64)
        blur = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)
        mx, my = blur(x), blur(y)
        sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
        s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
        vals.append(s[m > 0])
    return float(np.mean(np.concatenate(vals)))


def bbox_centre(mask):
    x, y, w, h = cv2.boundingRect(mask)
    return (x + w // 2, y + h // 2)


def run_meld(meld, src, dst, mask, centre, mode, out, extra=()):
    r = subprocess.run([meld, "blend", src, "--into", dst, "--mask", mask, "--center", f"{centre[0]},{centre[1]}",
                        "--mode", mode, "-o", out, "--overwrite", *extra], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"meld blend failed: {r.stderr.strip()}")
    return cv2.imread(out, cv2.IMREAD_COLOR)


def quality(meld):
    os.makedirs(WORK, exist_ok=True)
    methods = ["plain paste", "feathered paste (σ 4 px)", "OpenCV NORMAL_CLONE", "OpenCV MIXED_CLONE",
               "Meld multiband", "Meld normal", "Meld mixed", "Meld normal --erode 0 (mask as given)"]
    scores = {m: [] for m in methods}
    cases = []
    for name in PHOTOS:
        orig = load(name)
        h, w = orig.shape[:2]
        src = np.clip(orig.astype(np.float64) * GAIN + OFFSET, 0, 255).round().astype(np.uint8)
        for rname, mask in regions(h, w):
            inner = cv2.erode(mask, np.ones((2 * ERODE + 1, 2 * ERODE + 1), np.uint8))
            dst = orig.copy()
            dst[inner > 0] = 128
            centre = bbox_centre(mask)
            paths = {k: os.path.join(WORK, f"{k}.png") for k in ("src", "dst", "mask")}
            cv2.imwrite(paths["src"], src); cv2.imwrite(paths["dst"], dst); cv2.imwrite(paths["mask"], mask)
            out = {}
            out["plain paste"] = np.where(mask[..., None] > 0, src, dst)
            alpha = cv2.GaussianBlur(mask.astype(np.float64) / 255, (0, 0), 4)[..., None]
            out["feathered paste (σ 4 px)"] = np.clip(alpha * src + (1 - alpha) * dst, 0, 255).round().astype(np.uint8)
            # OpenCV 5.0 seamlessClone writes into its mask argument: give it a copy.
            out["OpenCV NORMAL_CLONE"] = cv2.seamlessClone(src, dst, mask.copy(), centre, cv2.NORMAL_CLONE)
            out["OpenCV MIXED_CLONE"] = cv2.seamlessClone(src, dst, mask.copy(), centre, cv2.MIXED_CLONE)
            for mode in ("multiband", "normal", "mixed"):
                out[f"Meld {mode}"] = run_meld(meld, paths["src"], paths["dst"], paths["mask"], centre, mode,
                                               os.path.join(WORK, f"out-{mode}.png"))
            # OpenCV erodes the mask by 3 px (3 x 3 kernel, 3 iterations) before solving, so its seam
            # lies 3 px inside the region; meld blend does the same by default for an opaque source
            # (a disk of radius 3). --erode 0 solves over the mask exactly as given.
            out["Meld normal --erode 0 (mask as given)"] = run_meld(meld, paths["src"], paths["dst"], paths["mask"], centre,
                                                                   "normal", os.path.join(WORK, "out-as-given.png"), ["--erode", "0"])
            case = f"{name.rsplit('.', 1)[0]} ({rname})"
            cases.append(case)
            x, y, bw, bh = cv2.boundingRect(mask)
            box = np.zeros_like(mask); box[y:y + bh, x:x + bw] = 255
            for m in methods:
                scores[m].append((psnr(out[m], orig, mask), ssim(out[m], orig, mask), psnr(out[m], orig, box)))
            if name == "citrus_fruits.jpg" and rname == "centre":
                strip = np.concatenate([dst, out["plain paste"], out["OpenCV NORMAL_CLONE"], out["Meld normal"]], axis=1)
                cv2.imwrite(os.path.join(WORK, "quality-citrus.png"), strip)
    lines = ["## Quality: colour-shifted region pasted back in place (ground truth = the photo)", "",
             f"{len(cases)} cases: {', '.join(cases)}. Source colours: B×{GAIN[0]}+{OFFSET[0]:g}, "
             f"G×{GAIN[1]}+{OFFSET[1]:g}, R×{GAIN[2]}+{OFFSET[2]:g} (8-bit codes); destination interior "
             f"(region eroded by {ERODE} px) blanked to grey. PSNR (dB) and SSIM inside the region, 8-bit sRGB; "
             "mean over cases, worst case in brackets. The last column is PSNR over the region's bounding "
             "box: it also counts changes a method makes outside the region (OpenCV solves over the whole box).", "",
             "| method | PSNR mean (min) | SSIM mean (min) | PSNR over the box |", "|---|---:|---:|---:|"]
    for m in methods:
        p = [s[0] for s in scores[m]]; q = [s[1] for s in scores[m]]; b = [s[2] for s in scores[m]]
        lines.append(f"| {m} | {statistics.mean(p):.2f} ({min(p):.2f}) | {statistics.mean(q):.4f} ({min(q):.4f}) | {statistics.mean(b):.2f} |")
    lines += ["", "Per case, PSNR (dB):", "", "| case | " + " | ".join(methods) + " |",
              "|---|" + "---:|" * len(methods)]
    for i, c in enumerate(cases):
        lines.append(f"| {c} | " + " | ".join(f"{scores[m][i][0]:.2f}" for m in methods) + " |")
    return lines


def port_fidelity(meld):
    """How closely `meld blend` reproduces cv2.seamlessClone on a script ported from it: each
    region of the quality cases (colour-shifted source) pasted elsewhere in its photo (the centre
    region moved right by 1/8 of the width, the lower-left one mirrored to the right), with the
    default erosion and with --erode 0; PSNR of Meld's output against OpenCV's over the pasted
    region's bounding box (Meld never changes pixels outside the mask, OpenCV does, so 99 dB is
    out of reach)."""
    os.makedirs(WORK, exist_ok=True)
    variants = {"meld blend (default: OpenCV's 3 px seam)": [], "meld blend --erode 0 (mask as given)": []}
    for name in PHOTOS:
        orig = load(name)
        h, w = orig.shape[:2]
        src = np.clip(orig.astype(np.float64) * GAIN + OFFSET, 0, 255).round().astype(np.uint8)
        for rname, mask in regions(h, w):
            x, y, bw, bh = cv2.boundingRect(mask)
            c = (w - (x + bw // 2), y + bh // 2) if rname == "lower left" else (x + bw // 2 + w // 8, y + bh // 2)
            paths = {k: os.path.join(WORK, f"port-{k}.png") for k in ("src", "dst", "mask")}
            cv2.imwrite(paths["src"], src); cv2.imwrite(paths["dst"], orig); cv2.imwrite(paths["mask"], mask)
            ref = cv2.seamlessClone(src, orig, mask.copy(), c, cv2.NORMAL_CLONE)
            box = np.zeros((h, w), np.uint8)
            ox, oy = c[0] - bw // 2, c[1] - bh // 2
            box[max(oy, 0):oy + bh, max(ox, 0):ox + bw] = 255
            for label, extra in zip(variants, ([], ["--erode", "0"])):
                out = run_meld(meld, paths["src"], paths["dst"], paths["mask"], c, "normal",
                               os.path.join(WORK, "port-out.png"), extra)
                variants[label].append(psnr(out, ref, box))
    lines = ["## Porting a cv2.seamlessClone script: Meld's output against OpenCV's", "",
             "The same 12 regions pasted elsewhere in their photos (normal mode); PSNR (dB) of Meld's output "
             "against OpenCV's over the pasted region's bounding box, mean (min):", "",
             "| command | PSNR to OpenCV's output |", "|---|---:|"]
    for label, v in variants.items():
        lines.append(f"| {label} | {statistics.mean(v):.2f} ({min(v):.2f}) |")
    return lines


CV_SCRIPT = r'''
import sys, cv2
src = cv2.imread(sys.argv[1], cv2.IMREAD_COLOR); dst = cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)
mask = cv2.imread(sys.argv[3], cv2.IMREAD_GRAYSCALE)
x, y = map(int, sys.argv[4].split(","))
out = cv2.seamlessClone(src, dst, mask, (x, y), cv2.NORMAL_CLONE)
cv2.imwrite(sys.argv[5], out, [cv2.IMWRITE_JPEG_QUALITY, 85])
'''


def timed(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr.strip()}")
    wall, rss = r.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss) / 1024


def speed(meld, runs):
    os.makedirs(WORK, exist_ok=True); os.makedirs(CACHE, exist_ok=True)
    big = os.path.join(CACHE, "blend-20mp.jpg")
    if not os.path.exists(big):
        subprocess.run(["vips", "resize", os.path.join(SAMPLES, "dandelion_meadow_16mp.jpg"), big + "[Q=90]", "1.12"], check=True)
    bw, bh = (int(subprocess.run(["vipsheader", "-f", f, big], capture_output=True, text=True, check=True).stdout)
              for f in ("width", "height"))
    script = os.path.join(WORK, "cv_clone.py")
    with open(script, "w") as f:
        f.write(CV_SCRIPT)
    photo = cv2.imread(os.path.join(SAMPLES, "toy_bird_lamp.jpg"), cv2.IMREAD_COLOR)
    rows = []
    for label, side in (("1 MP", 1000), ("4 MP", 2000)):
        src = os.path.join(WORK, f"src-{side}.png"); mask = os.path.join(WORK, f"mask-{side}.png")
        cv2.imwrite(src, photo[100:100 + side, 400:400 + side])
        m = np.zeros((side, side), np.uint8)
        cv2.ellipse(m, (side // 2, side // 2), (side // 2 - 2, side // 2 - 2), 0, 0, 360, 255, -1)
        cv2.imwrite(mask, m)
        centre = f"{bw // 2},{bh // 2}"
        cmds = {"meld blend --mode normal": [meld, "blend", src, "--into", big, "--mask", mask, "--center", centre,
                                             "-o", os.path.join(WORK, "out-meld.jpg"), "--overwrite"],
                "OpenCV seamlessClone NORMAL (python)": [sys.executable, script, src, big, mask, centre,
                                                        os.path.join(WORK, "out-cv.jpg")]}
        times = {k: [] for k in cmds}; rss = {k: [] for k in cmds}
        for _ in range(runs):
            for k, c in cmds.items():
                t, r = timed(c)
                times[k].append(t); rss[k].append(r)
        med = {k: statistics.median(v) for k, v in times.items()}
        cvk = "OpenCV seamlessClone NORMAL (python)"
        for k in cmds:
            rows.append(f"| {label} | {k} | {med[k]:.2f} s | {min(times[k]):.2f}–{max(times[k]):.2f} s | "
                        f"{max(rss[k]):.0f} MB | {med[k] / med[cvk]:.3f} |")
    return ["## Speed: clone into a 20 MP JPEG, whole process (decode, clone, encode JPEG Q85)", "",
            f"Destination {bw}x{bh} ({bw * bh / 1e6:.1f} MP); source regions cut from toy_bird_lamp.jpg, mask = the "
            f"inscribed ellipse; {runs} interleaved runs each.", "",
            "| region | command | median | range | peak RSS | time / OpenCV |", "|---|---|---:|---:|---:|---:|"] + rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meld", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "blend-latest.md"))
    a = ap.parse_args()
    lines = [f"# Seamless blending: Meld vs OpenCV {cv2.__version__} ({time.strftime('%Y-%m-%d', time.gmtime())})", ""]
    if not a.speed_only:
        lines += quality(a.meld) + [""] + port_fidelity(a.meld) + [""]
    if not a.quality_only:
        lines += speed(a.meld, a.runs) + [""]
    text = "\n".join(lines)
    print(text)
    with open(a.out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
