#!/usr/bin/env python3
"""Makes the compose benchmark's inputs from the bundled samples (deterministic):
a 24 MP JPEG background (6000x4000), a 100 MP one (10000x10000), and 12 RGBA PNG layers from
1/4 to full canvas size with soft alpha (a feathered ellipse), plus the placements as JSON."""
import json, os, sys
import pyvips

root, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
samples = os.path.join(root, "Samples")

def background(name, w, h, path):
    if os.path.exists(path):
        return
    img = pyvips.Image.new_from_file(os.path.join(samples, name))
    img = img.resize(max(w / img.width, h / img.height))
    img = img.crop(0, 0, w, h)
    img.write_to_file(path, Q=92)

background("dandelion_meadow_16mp.jpg", 6000, 4000, os.path.join(out, "bg24.jpg"))
background("dandelion_meadow_16mp.jpg", 10000, 10000, os.path.join(out, "bg100.jpg"))

photos = ["fig_in_red_bowl.jpg", "citrus_fruits.jpg", "toy_bird_lamp.jpg", "grace_hopper.jpg", "bridge_at_night.jpg"]
W, H = 6000, 4000
# Areas from 1/4 of the canvas to the whole canvas (two full-size ones), 12 layers.
fractions = [0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 1.0, 1.0]
layers = []
for i, f in enumerate(fractions):
    path = os.path.join(out, f"layer{i:02d}.png")
    lw, lh = int(W * f ** 0.5), int(H * f ** 0.5)
    x, y = (W - lw) * ((i * 37) % 11) // 10, (H - lh) * ((i * 53) % 7) // 6
    layers.append({"path": path, "x": x, "y": y, "width": lw, "height": lh})
    if os.path.exists(path):
        continue
    img = pyvips.Image.new_from_file(os.path.join(samples, photos[i % len(photos)]))
    if img.bands == 1:
        img = img.colourspace("srgb")
    img = img.resize(max(lw / img.width, lh / img.height)).crop(0, 0, lw, lh)
    # Soft alpha: an ellipse filling the layer, feathered by ~4 % of its size.
    xy = pyvips.Image.xyz(lw, lh)
    dx = (xy[0] - lw / 2) / (lw / 2)
    dy = (xy[1] - lh / 2) / (lh / 2)
    r = (dx * dx + dy * dy) ** 0.5
    ramp = (1.0 - r) / 0.08 + 0.5
    alpha = (ramp > 0).ifthenelse(ramp, 0)
    alpha = ((alpha < 1).ifthenelse(alpha, 1) * 255).cast("uchar")
    img.bandjoin(alpha).write_to_file(path, compression=1)

with open(os.path.join(out, "layers.json"), "w") as f:
    json.dump(layers, f, indent=1)
recipe = {"canvas": {"image": "bg24.jpg"},
          "layers": [{"image": os.path.basename(l["path"]), "anchor": "top-left", "offset": [l["x"], l["y"]]} for l in layers]}
with open(os.path.join(out, "compose24.json"), "w") as f:
    json.dump(recipe, f, indent=1)
recipe["canvas"] = {"image": "bg100.jpg"}
with open(os.path.join(out, "compose100.json"), "w") as f:
    json.dump(recipe, f, indent=1)
recipe["canvas"] = {"image": "bg24.jpg"}
recipe["space"] = "srgb"
with open(os.path.join(out, "compose24-srgb.json"), "w") as f:
    json.dump(recipe, f, indent=1)
print(out)
