#!/usr/bin/env python3
"""The compose benchmark in pyvips: `composite` of 12 RGBA PNG layers over a JPEG, JPEG Q90 out.
usage: compose_pyvips.py INPUTS_DIR BACKGROUND OUT.jpg scrgb|srgb"""
import json, os, sys
import pyvips

folder, background, out, space = sys.argv[1:5]
layers = json.load(open(os.path.join(folder, "layers.json")))
bg = pyvips.Image.new_from_file(os.path.join(folder, background), access="sequential")
images = [pyvips.Image.new_from_file(os.path.join(folder, os.path.basename(l["path"])), access="sequential") for l in layers]
result = bg.composite(images, "over", x=[l["x"] for l in layers], y=[l["y"] for l in layers],
                      compositing_space=space)
if space == "scrgb":
    result = result.colourspace("srgb")
result.write_to_file(out, Q=90)
