#!/usr/bin/env python3
"""Reinhard colour transfer with OpenCV + numpy, the well-known way (as in the popular
`color_transfer` recipe): 8-bit BGR -> OpenCV Lab, per-channel mean/std of source and
reference, (x - mu_s) * sd_r / sd_s + mu_r, clip, Lab -> BGR, write JPEG quality 90.

    reinhard_cv.py SOURCE REFERENCE OUT.jpg
"""
import sys

import cv2
import numpy as np


def stats(lab):
    flat = lab.reshape(-1, 3)
    return flat.mean(axis=0), flat.std(axis=0)


def main():
    src_path, ref_path, out_path = sys.argv[1:4]
    src = cv2.cvtColor(cv2.imread(src_path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2LAB).astype(np.float32)
    ref = cv2.cvtColor(cv2.imread(ref_path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2LAB).astype(np.float32)
    ms, ss = stats(src)
    mr, sr = stats(ref)
    scale = (sr / np.maximum(ss, 1e-6)).astype(np.float32)
    out = (src - ms.astype(np.float32)) * scale + mr.astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    cv2.imwrite(out_path, cv2.cvtColor(out, cv2.COLOR_LAB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])


if __name__ == "__main__":
    main()
