#!/usr/bin/env python3
"""Makes bowl-mask.png, the selection of the red bowl in Samples/fig_in_red_bowl.jpg.

How: pixels of high chroma and orange-red hue (OpenCV Lab), opened, the largest connected
region kept, closed and small holes filled; the fig and its stem (the same hue) are cut out with
two hand-placed ellipses; edges softened (Gaussian, 1.5 px). Needs numpy and opencv-python-headless.

    python3 Examples/TextureTransfer/make-mask.py
"""
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
img = cv2.imread(os.path.join(HERE, "..", "..", "Samples", "fig_in_red_bowl.jpg"))
h0, w0 = img.shape[:2]
small = cv2.resize(img, (w0 // 2, h0 // 2), interpolation=cv2.INTER_AREA)
lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_BGR2LAB)
chroma = np.hypot(lab[..., 1], lab[..., 2])
hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
m = ((chroma > 35) & (hue > 20) & (hue < 80)).astype(np.uint8)
m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
n, labels, stats, _ = cv2.connectedComponentsWithStats(m)
m = (labels == 1 + np.argmax(stats[1:, cv2.CC_STAT_AREA])).astype(np.uint8)
m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - m)
for i in range(1, n):
    x, y, w, h, area = stats[i]
    if area < 2000 and x > 0 and y > 0 and x + w < m.shape[1] and y + h < m.shape[0]:
        m[labels == i] = 1
m = cv2.GaussianBlur(cv2.resize(m * 255, (w0, h0), interpolation=cv2.INTER_LINEAR), (0, 0), 1.5)
fig = np.zeros_like(m)
cv2.ellipse(fig, (1530, 955), (310, 350), -20, 0, 360, 255, -1)
cv2.ellipse(fig, (1150, 815), (115, 55), 0, 0, 360, 255, -1)
m = np.minimum(m, 255 - cv2.GaussianBlur(fig, (0, 0), 3))
cv2.imwrite(os.path.join(HERE, "bowl-mask.png"), m)
