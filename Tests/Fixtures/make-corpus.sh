#!/usr/bin/env bash
# Regenerates the committed test fixtures in Tests/Fixtures/corrupt, colour and formats from
# the bundled samples. Needs the `vips` command-line tool (Debian: libvips-tools) and
# python3. The tests only read the committed files; they never run this script.
#
#   bash Tests/Fixtures/make-corpus.sh
#
# Every file is tiny (< 50 KB in corrupt/, < 100 KB in colour/) and the output is byte-for-byte
# the same on every run with a given libvips version. What each file is, and what Meld must
# say about it, is in README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
samples="$here/../../Samples"
corrupt="$here/corrupt"
colour="$here/colour"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$corrupt" "$colour"

# ---- sources: small, valid images made from the samples --------------------------------
vips thumbnail "$samples/grace_hopper.jpg" "$work/hopper.v" 160
vips copy "$work/hopper.v" "$work/hopper.jpg[Q=85,strip]"
vips thumbnail "$samples/lightbulb_cutout.png" "$work/bulb.png[strip]" 64
vips thumbnail "$samples/grace_hopper.jpg" "$work/hopper.gif[strip]" 96

# ---- corrupt/: one file per kind of bad input -------------------------------------------
: > "$corrupt/empty.jpg"
printf 'This is a plain text file that only has a .jpg name.\nIt holds no image.\n' > "$corrupt/text.jpg"
cp "$work/hopper.jpg" "$corrupt/jpeg-named.png"

python3 - "$work" "$corrupt" <<'PY'
import struct, sys, zlib
work, out = sys.argv[1], sys.argv[2]

def lcg_bytes(n, seed=12345):
    """Deterministic 'random' bytes (a 32-bit LCG; no library RNG whose sequence may change)."""
    s, b = seed, bytearray()
    for _ in range(n):
        s = (s * 1103515245 + 12345) & 0x7FFFFFFF
        b.append((s >> 16) & 0xFF)
    return bytes(b)

jpeg = open(f"{work}/hopper.jpg", "rb").read()
sos = jpeg.find(b"\xff\xda")
assert sos > 0
# Truncated JPEG: the header and the first ~60% of the entropy-coded data, no EOI.
open(f"{out}/truncated.jpg", "wb").write(jpeg[: sos + (len(jpeg) - sos) * 6 // 10])
# Garbage in the middle of the entropy-coded data (length kept; 0xFF avoided so no fake markers).
mid = (sos + len(jpeg)) // 2
junk = bytes(x if x != 0xFF else 0x5A for x in lcg_bytes(256))
open(f"{out}/garbage-entropy.jpg", "wb").write(jpeg[:mid] + junk + jpeg[mid + len(junk):])

def chunks(png):
    i, found = 8, []
    while i < len(png):
        n = struct.unpack(">I", png[i:i + 4])[0]
        found.append((png[i + 4:i + 8], i, n))
        i += 12 + n
    return found

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(width, height, idat, colour_type=2):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")

bulb = open(f"{work}/bulb.png", "rb").read()
_, off, n = next(c for c in chunks(bulb) if c[0] == b"IDAT")
# Bad CRC: one byte of the IDAT data flipped, so the chunk's CRC no longer matches (and the
# deflate stream is damaged there).
bad = bytearray(bulb)
bad[off + 8 + n // 2] ^= 0x55
open(f"{out}/bad-crc.png", "wb").write(bytes(bad))
# CRC only: the IDAT data are intact, only its CRC field is wrong. libvips 8.14 notices this
# only sometimes (about 85% of runs of `vips copy`): libpng checks the CRC after the last row.
crc = bytearray(bulb)
crc[off + 8 + n] ^= 0xFF
open(f"{out}/crc-only.png", "wb").write(bytes(crc))
# Truncated IDAT: the file ends half way through the image data.
open(f"{out}/truncated-idat.png", "wb").write(bulb[: off + 8 + n // 2])
# A header that declares 0x0 pixels (otherwise well formed, CRCs right).
open(f"{out}/zero-size.png", "wb").write(png(0, 0, zlib.compress(b"")))
# Decompression bomb: the header declares 100000x100000 RGB (30 GB decoded); the data are one row.
open(f"{out}/huge.png", "wb").write(png(100000, 100000, zlib.compress(b"\0" * (1 + 3 * 100000), 9)))

# GIF bomb: a 65535x65535 logical screen and frame (the largest GIF can declare: 4.3 GP).
w = h = 65535
gif = (b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
       + b"," + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02\x02\x4c\x01\x00" + b";")
open(f"{out}/huge.gif", "wb").write(gif)
# Truncated GIF: the first half of a valid one.
g = open(f"{work}/hopper.gif", "rb").read()
open(f"{out}/truncated.gif", "wb").write(g[: len(g) // 2])
PY

# ---- colour/: colour-managed and 16-bit images -------------------------------------------
# The reference: citrus_fruits.jpg at 256 px wide, sRGB (ICC "sRGB built-in"), JPEG Q95.
vips thumbnail "$samples/citrus_fruits.jpg" "$work/citrus.v" 256
vips copy "$work/citrus.v" "$colour/citrus-srgb.jpg[Q=95]"
# The same picture converted to Display P3 (libvips' built-in CC0 profile, "sP3C").
vips icc_transform "$colour/citrus-srgb.jpg" "$colour/citrus-p3.jpg[Q=95]" p3 --embedded
# A small CMYK profile of our own ("Meld naive CMYK"), since libvips' built-in one is 960 KB:
# C = 1 - R, M = 1 - G, Y = 1 - B (sRGB-encoded), K = 0 on export; exact lut16 tables.
python3 - "$colour/naive-cmyk.icc" <<'PY'
import struct, sys

def s15(v): return struct.pack(">i", int(round(v * 65536)))
def u16(v): return struct.pack(">H", max(0, min(65535, int(round(v)))))

def srgb_decode(v): return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
def srgb_encode(l):
    l = max(0.0, min(1.0, l))
    return l * 12.92 if l <= 0.0031308 else 1.055 * l ** (1 / 2.4) - 0.055

# Linear sRGB <-> XYZ relative to D50 (Bradford-adapted), as ICC PCS wants.
RGB2XYZ = [[0.4360747, 0.3850649, 0.1430804],
           [0.2225045, 0.7168786, 0.0606169],
           [0.0139322, 0.0971045, 0.7141733]]
XYZ2RGB = [[3.1338561, -1.6168667, -0.4906146],
           [-0.9787684, 1.9161415, 0.0334540],
           [0.0719453, -0.2289914, 1.4052427]]
PCS_MAX = 1 + 32767 / 32768  # lut16 XYZ encoding: 0xFFFF = 1.99997, 0x8000 = 1.0

def text_desc(s):
    a = s.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(a)) + a + bytes(4) + bytes(4) + bytes(2) + bytes(1) + bytes(67)

def lut16(inputs, outputs, grid, matrix, in_tables, clut, out_tables):
    n, m = len(in_tables[0]), len(out_tables[0])
    b = b"mft2" + bytes(4) + bytes([inputs, outputs, grid, 0])
    b += b"".join(s15(matrix[r][c]) for r in range(3) for c in range(3))
    b += struct.pack(">HH", n, m)
    b += b"".join(u16(v * 65535) for t in in_tables for v in t)
    b += b"".join(u16(v) for v in clut)
    b += b"".join(u16(v * 65535) for t in out_tables for v in t)
    return b

N = 1024
ramp = [i / (N - 1) for i in range(N)]
identity = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]

# A2B0, CMYK -> XYZ: input curves turn each ink into linear light of its complement
# (c -> decode(1 - c)), then a 2x2x2x2 grid holds XYZ = RGB2XYZ . (r k, g k, b k), which is
# multilinear, so quadrilinear interpolation reproduces it exactly.
a2b_in = [[srgb_decode(1 - v) for v in ramp] for _ in range(4)]
a2b_clut = []
for c in (0, 1):
    for mm in (0, 1):
        for y in (0, 1):
            for k in (0, 1):
                rgb = (c * k, mm * k, y * k)
                for row in RGB2XYZ:
                    a2b_clut.append(sum(row[i] * rgb[i] for i in range(3)) * 32768)
a2b = lut16(4, 3, 2, identity, a2b_in, a2b_clut, [[0, 1]] * 3)

# B2A0, XYZ -> CMYK: the matrix maps normalised PCS to linear RGB, input curves encode with
# the sRGB transfer, and a 2x2x2 grid maps (R, G, B) to (1-R, 1-G, 1-B, 0) exactly.
matrix = [[XYZ2RGB[r][c] * PCS_MAX for c in range(3)] for r in range(3)]
b2a_in = [[srgb_encode(v) for v in ramp] for _ in range(3)]
b2a_clut = []
for r in (0, 1):
    for g in (0, 1):
        for b in (0, 1):
            b2a_clut += [(1 - r) * 65535, (1 - g) * 65535, (1 - b) * 65535, 0]
b2a = lut16(3, 4, 2, matrix, b2a_in, b2a_clut, [[0, 1]] * 4)

wtpt = b"XYZ " + bytes(4) + s15(0.9642) + s15(1.0) + s15(0.8249)
cprt = b"text" + bytes(4) + b"CC0: made by Meld's Tests/Fixtures/make-corpus.sh\0"
# The same tables serve every intent (lcms looks for A2B1/B2A1 for relative colorimetric).
tags = [(b"desc", text_desc("Meld naive CMYK")), (b"cprt", cprt), (b"wtpt", wtpt),
        (b"A2B0", a2b), (b"B2A0", b2a), (b"A2B1", a2b), (b"B2A1", b2a)]

def pad4(b): return b + bytes((-len(b)) % 4)
offset = 128 + 4 + 12 * len(tags)
table, body, placed = b"", b"", {}
for sig, data in tags:
    if data not in placed:  # identical tag data is stored once and shared
        placed[data] = offset + len(body)
        body += pad4(data)
    table += sig + struct.pack(">II", placed[data], len(data))
size = offset + len(body)
header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"prtr" + b"CMYK" + b"XYZ "
          + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + bytes(4) + bytes(4) + bytes(4) + bytes(4)
          + bytes(8) + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(4) + bytes(16) + bytes(28))
assert len(header) == 128
open(sys.argv[1], "wb").write(header + struct.pack(">I", len(tags)) + table + body)
PY
# icc_transform, not icc_export: export goes through libvips' Lab PCS and lands ~3 codes off
# near white; the direct transform with this profile round-trips to within 0.0001 (linear).
vips icc_transform "$colour/citrus-srgb.jpg" "$colour/citrus-cmyk.jpg[Q=95]" "$colour/naive-cmyk.icc" --embedded
# 16-bit RGB PNG from grace_hopper (96 px wide), with a gradient in the low byte so that
# an 8-bit round trip could not reproduce it.
vips thumbnail "$samples/grace_hopper.jpg" "$work/hopper96.v" 96
vips colourspace "$work/hopper96.v" "$work/hopper16.v" rgb16
vips xyz "$work/xyz.v" 96 113
vips extract_band "$work/xyz.v" "$work/x.v" 0
vips linear "$work/hopper16.v" "$work/h16b.v" 1 0
vips add "$work/h16b.v" "$work/x.v" "$work/sum.v"
vips cast "$work/sum.v" "$work/sum16.v" ushort
vips copy "$work/sum16.v" "$work/rgb16.v" --interpretation rgb16
vips pngsave "$work/rgb16.v" "$colour/hopper-rgb16.png" --bitdepth 16 --strip

# formats/: a small JPEG XL (libvips 8.14 flags its JPEG XL loader and saver untrusted, so
# Meld, which blocks untrusted operations, must call it unsupported rather than damaged).
mkdir -p "$here/formats"
vips copy "$work/hopper.v" "$here/formats/hopper.jxl[Q=80]"

ls -l "$corrupt" "$colour" "$here/formats"
