#!/usr/bin/env python3
"""Writes the benchmark's grading LUTs and measures accuracy.

    make_luts.py cube OUT.cube SIZE       # the grade sampled on a SIZE^3 lattice (.cube)
    make_luts.py hald OUT.png LEVEL       # the same grade as a 16-bit Hald CLUT image (ImageMagick)
    make_luts.py widen IN.jpg OUT.tif     # the same 8-bit values as a 16-bit TIFF (x257)
    make_luts.py psnr INPUT OUTPUT...     # PSNR (8-bit, encoded sRGB) of each output vs the exact grade of INPUT

The grade is Meld's test grade (MeldTestSupport Reference.grade): an S-curve, a warm shift and
a little channel mixing on encoded sRGB values, smooth, so a LUT can sample it well.
"""
import sys

import cv2
import numpy as np


def s(v):
    return v * v * (3 - 2 * v) * 0.6 + v * 0.4


def grade(r, g, b):
    rr = s(np.clip(0.9 * r + 0.1 * g, 0, 1))
    gg = s(g)
    bb = s(np.clip(0.85 * b + 0.1 * r, 0, 1))
    return np.minimum(rr * 1.04 + 0.01, 1), gg, bb * 0.92 + 0.02


def lattice(n):
    axis = np.arange(n, dtype=np.float64) / (n - 1)
    b, g, r = np.meshgrid(axis, axis, axis, indexing="ij")  # red fastest when flattened
    return grade(r.ravel(), g.ravel(), b.ravel())


def main():
    mode = sys.argv[1]
    if mode == "cube":
        out, n = sys.argv[2], int(sys.argv[3])
        r, g, b = lattice(n)
        with open(out, "w") as f:
            f.write(f'TITLE "Meld benchmark grade"\nLUT_3D_SIZE {n}\n')
            np.savetxt(f, np.stack([r, g, b], axis=1), fmt="%.6f")
    elif mode == "hald":
        out, level = sys.argv[2], int(sys.argv[3])
        n, side = level * level, level ** 3
        r, g, b = lattice(n)
        img = np.stack([b, g, r], axis=1).reshape(side, side, 3)  # OpenCV writes BGR
        cv2.imwrite(out, np.round(img * 65535).astype(np.uint16))
    elif mode == "widen":
        img = cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)
        cv2.imwrite(sys.argv[3], img.astype(np.uint16) * 257)
    elif mode == "psnr":
        src = cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float64) / 255
        want = np.stack(grade(src[:, :, 0], src[:, :, 1], src[:, :, 2]), axis=2)
        for path in sys.argv[3:]:
            img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
            depth = 65535 if img.dtype == np.uint16 else 255
            got = img[:, :, :3][:, :, ::-1].astype(np.float64) / depth  # BGR(A) -> RGB
            mse = np.mean((got - want) ** 2)
            print(f"{path}\t{10 * np.log10(1 / mse):.2f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
