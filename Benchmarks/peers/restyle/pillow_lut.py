#!/usr/bin/env python3
"""Applies a 3D .cube LUT with Pillow's ImageFilter.Color3DLUT (trilinear), PNG out.

    pillow_lut.py IN LUT.cube OUT.png
"""
import sys

import numpy as np
from PIL import Image, ImageFilter


def read_cube(path):
    size, rows = None, []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("LUT_3D_SIZE"):
                size = int(line.split()[1])
            elif line[0].isalpha():
                continue
            else:
                rows.append(line)
    table = np.loadtxt(rows, dtype=np.float32)
    return size, table


def main():
    src, cube, out = sys.argv[1:4]
    size, table = read_cube(cube)
    lut = ImageFilter.Color3DLUT(size, table.reshape(-1).tolist())
    Image.open(src).convert("RGB").filter(lut).save(out)


if __name__ == "__main__":
    main()
