#!/usr/bin/env python3
"""Times `meld restyle` against its peers, as whole processes, interleaved in one run.

Called by restyle.sh (which builds meld, makes the 12 MP input and a Python venv with numpy,
OpenCV and Pillow). Suites:

- Reinhard colour transfer of a 12 MP JPEG to a reference's look, JPEG q90 out: meld vs an
  OpenCV + numpy script (reinhard_cv.py).
- A 33^3 LUT on a 12 MP JPEG, PNG out (compression 6 everywhere, each tool's default):
  meld (.cube, tetrahedral) vs Pillow's ImageFilter.Color3DLUT (trilinear) vs ImageMagick's
  -hald-clut (a level-6 Hald image, 36^3, of the same grade).

Goal for each: meld's median <= 0.3x the fastest peer's. Also LUT accuracy of every tool's
output against the exact grade (PSNR, 8-bit; meld also at 16 bits).
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import Tool, paired_ratio, quartiles, time_suite, display, version  # noqa: E402


def suite_table(title, tools, goal):
    meld = next(t for t in tools if t.key == "meld")
    peers = [t for t in tools if t.key not in ("meld", "floor")]
    fastest = min(peers, key=lambda t: t.median())
    lines = [f"### {title}", "",
             "| tool | median ms | min ms | IQR ms | CPU ms (median) | peak RSS MiB | meld / tool (medians) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for t in tools:
        q1, med, q3 = quartiles(t.wall)
        ratio = "1.00" if t is meld else f"{meld.median() / t.median():.2f}"
        lines.append(f"| {t.label} | {med:.0f} | {min(t.wall):.0f} | {q3 - q1:.0f} | "
                     f"{statistics.median(t.cpu):.0f} | {statistics.median(t.rss):.0f} | {ratio} |")
    r = meld.median() / fastest.median()
    lo, mid, hi = paired_ratio(meld.wall, fastest.wall)
    verdict = "PASS" if r <= goal else "FAIL"
    lines += ["", f"goal: meld / fastest peer ({fastest.label}) ≤ {goal}: {verdict} ({r:.2f}; per-round paired ratio "
                  f"median {mid:.2f}, 95% bootstrap interval {lo:.2f}–{hi:.2f})", "", "Commands:", ""]
    for t in tools:
        lines.append(f"- {t.label}: `{display(t.argv)}`" + (f" — {t.note}" if t.note else ""))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--meld", required=True)
    ap.add_argument("--python", required=True, help="the venv's python (numpy, OpenCV, Pillow)")
    ap.add_argument("--big", required=True, help="the 12 MP JPEG")
    ap.add_argument("--reference", required=True, help="the reference look for the transfer")
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--commit", default="?")
    ap.add_argument("--convert", default="convert", help="ImageMagick's convert")
    args = ap.parse_args()
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "restyle")
    w = args.work
    os.makedirs(w, exist_ok=True)
    py = args.python

    cube, hald = os.path.join(w, "grade33.cube"), os.path.join(w, "grade-hald6.png")
    subprocess.run([py, os.path.join(here, "make_luts.py"), "cube", cube, "33"], check=True)
    subprocess.run([py, os.path.join(here, "make_luts.py"), "hald", hald, "6"], check=True)

    reinhard = [
        Tool("meld", "meld restyle transfer", [args.meld, "restyle", "transfer", args.big, "--reference", args.reference,
                                              "-o", f"{w}/meld-reinhard.jpg", "-q", "90", "--overwrite"], f"{w}/meld-reinhard.jpg"),
        Tool("cv", "OpenCV + numpy", [py, os.path.join(here, "reinhard_cv.py"), args.big, args.reference, f"{w}/cv-reinhard.jpg"],
             f"{w}/cv-reinhard.jpg", "8-bit OpenCV Lab, float32 numpy statistics and transform"),
    ]
    lut = [
        Tool("meld", "meld restyle lut", [args.meld, "restyle", "lut", args.big, "--cube", cube, "-o", f"{w}/meld-lut.png", "--overwrite"],
             f"{w}/meld-lut.png", "tetrahedral, 33³"),
        Tool("floor", "(meld convert, no LUT: decode + PNG encode only)", [args.meld, "convert", args.big, "-o", f"{w}/meld-copy.png", "--overwrite"],
             f"{w}/meld-copy.png", "not a peer: the floor that decoding and PNG encoding set for meld"),
        Tool("pillow", "Pillow Color3DLUT", [py, os.path.join(here, "pillow_lut.py"), args.big, cube, f"{w}/pillow-lut.png"],
             f"{w}/pillow-lut.png", "trilinear, 33³, .cube parsed with numpy"),
        Tool("magick", "ImageMagick -hald-clut", [args.convert, args.big, hald, "-hald-clut", f"{w}/magick-lut.png"],
             f"{w}/magick-lut.png", "Hald level 6 (36³) of the same grade, 16-bit"),
    ]
    print("peers: Reinhard transfer suite", file=sys.stderr)
    time_suite(reinhard, args.runs, args.warmup)
    print("peers: LUT suite", file=sys.stderr)
    time_suite(lut, args.runs, args.warmup)
    for t in reinhard + lut:
        print(f"peers: {t.label}: median {t.median():.0f} ms over {len(t.wall)} runs {[round(x) for x in t.wall]}", file=sys.stderr)

    # Accuracy against the exact grade. An 8-bit output's rounding (58.9 dB) hides the LUT's own error, so meld
    # is also run on a 16-bit copy of the input (TIFF, the same 8-bit values x257) and writes 16 bits.
    # (TIFF: libvips 8.14's pngsave crashes writing 16 bits from an 8-bit image, see the README.)
    acc_lines = ["### LUT accuracy against the exact grade", "",
                 "PSNR over the 12 MP photo, encoded sRGB, peak 1, against the grading function the LUT samples, "
                 "evaluated exactly on the decoded input. An 8-bit output cannot exceed ~59 dB (uniform rounding "
                 "alone is 58.9 dB), so meld also runs on a 16-bit copy of the input and writes 16 bits.", "",
                 "| output | PSNR dB |", "|---|---:|"]
    try:
        big16 = f"{w}/input16.tif"
        subprocess.run([py, os.path.join(here, "make_luts.py"), "widen", args.big, big16], check=True)
        subprocess.run([args.meld, "restyle", "lut", big16, "--cube", cube, "-o", f"{w}/meld-lut16.tif", "--overwrite"], check=True)
        acc = subprocess.run([py, os.path.join(here, "make_luts.py"), "psnr", args.big] + [t.output for t in lut if t.key != "floor"] + [f"{w}/meld-lut16.tif"],
                             capture_output=True, text=True, check=True).stdout
        names = {t.output: t.label for t in lut}
        names[f"{w}/meld-lut16.tif"] = "meld restyle lut, 16-bit in and out"
        for line in acc.strip().splitlines():
            path, value = line.split("\t")
            acc_lines.append(f"| {names.get(path, path)} | {value} |")
    except (subprocess.CalledProcessError, ValueError) as e:
        acc_lines.append(f"| accuracy measurement failed: {e} | |")

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = [f"# meld restyle vs peers — {now}", "",
              f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}; "
              f"meld {args.commit}; {version([args.convert, '-version'])}; runs {args.runs} (+{args.warmup} warm-up), rotated order.", "",
              f"Input: {os.path.basename(args.big)} (12 MP JPEG); reference: {os.path.basename(args.reference)}.", "",
              suite_table("Reinhard colour transfer, 12 MP JPEG → JPEG q90", reinhard, 0.3),
              suite_table("33³ LUT, 12 MP JPEG → PNG", lut, 0.3),
              "\n".join(acc_lines) + "\n"]
    text = "\n".join(report)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
