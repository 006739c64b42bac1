#!/usr/bin/env python3
"""Times `meld` against libvips and ImageMagick doing the same work, as whole processes.

Called by run.sh, which installs the tools, builds `meld` and makes the 24 MP input. Standard
library only. Every round runs each command once, in an order rotated from round to round
(A B C …, B C … A, …), so all commands share the machine's noise instead of one of them
getting a quiet minute. Wall time is measured around the process; CPU time (user + system)
and peak resident memory come from wait4's rusage of that process.
"""

import argparse
import datetime
import filecmp
import hashlib
import os
import platform
import random
import re
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    """Runs argv once; returns (wall ms, cpu ms, max RSS MiB). Fails loudly on a non-zero exit."""
    start = time.perf_counter_ns()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        sys.exit(f"peers: command failed ({proc.returncode}): {shlex.join(argv)}\n{err}")
    cpu = (usage.ru_utime + usage.ru_stime) * 1e3
    return wall, cpu, usage.ru_maxrss / 1024


def quartiles(xs):
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


def paired_ratio(a, b, resamples=2000):
    """Median of the per-round ratios a[i] / b[i] (the two ran in the same round, seconds apart),
    with a 95% bootstrap interval. Deterministic (fixed seed)."""
    ratios = [x / y for x, y in zip(a, b)]
    rng = random.Random(20261124)
    meds = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples))
    return meds[int(0.025 * resamples)], statistics.median(ratios), meds[int(0.975 * resamples) - 1]


class Tool:
    def __init__(self, key, label, argv, output, note=""):
        self.key, self.label, self.argv, self.output, self.note = key, label, argv, output, note
        self.wall, self.cpu, self.rss = [], [], []

    def median(self):
        return statistics.median(self.wall)


def time_suite(tools, runs, warmup):
    """Warm-up rounds (not recorded: page cache, dynamic loader), then `runs` rotated rounds."""
    for _ in range(warmup):
        for t in tools:
            run_once(t.argv)
    n = len(tools)
    for r in range(runs):
        for i in range(n):
            t = tools[(r + i) % n]
            wall, cpu, rss = run_once(t.argv)
            t.wall.append(wall)
            t.cpu.append(cpu)
            t.rss.append(rss)
        print(f"  round {r + 1}/{runs} done", file=sys.stderr, end="\r")
    print(file=sys.stderr)


SHORTEN = []  # (absolute prefix, short form) pairs for printing commands


def display(argv):
    text = shlex.join(argv)
    for prefix, short in SHORTEN:
        text = text.replace(prefix, short)
    return text


def image_size(path):
    out = subprocess.run(["vipsheader", path], capture_output=True, text=True, check=True).stdout
    m = re.search(r": (\d+)x(\d+) ", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def psnr(path, reference):
    """PSNR in dB of `path` against `reference` (ImageMagick `compare`; exit status 1 just means 'different')."""
    p = subprocess.run(["compare", "-metric", "PSNR", path, reference, "null:"], capture_output=True, text=True)
    text = (p.stderr or p.stdout).strip()
    if p.returncode not in (0, 1):
        return f"error: {text}"
    return text.split()[0] if text else "?"


def table(title, tools, reference_key, goal_key=None, expected_size=None, compare_outputs=True):
    """The Markdown for one suite, and whether every output has the expected size."""
    meld = next(t for t in tools if t.key == "meld")
    ref = next(t for t in tools if t.key == reference_key)
    head = "| tool | median ms | min ms | IQR ms | CPU ms (median) | peak RSS MiB | meld / tool (medians) |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if compare_outputs:
        head += f" output | PSNR vs {ref.label} |"
        rule += "---|---:|"
    lines = [f"### {title}", "", head, rule]
    sizes_ok = True
    for t in tools:
        q1, med, q3 = quartiles(t.wall)
        ratio = "1.00" if t is meld else f"{meld.median() / t.median():.2f}"
        row = (f"| {t.label} | {med:.0f} | {min(t.wall):.0f} | {q3 - q1:.0f} | "
               f"{statistics.median(t.cpu):.0f} | {statistics.median(t.rss):.0f} | {ratio} |")
        if compare_outputs:
            size = image_size(t.output)
            size_text = f"{size[0]}x{size[1]}" if size else "?"
            if expected_size and size != expected_size:
                sizes_ok = False
                size_text += f" (expected {expected_size[0]}x{expected_size[1]}!)"
            p = "reference" if t is ref else psnr(t.output, ref.output)
            if p != "reference" and not p.startswith("error"):
                p += " dB"
            row += f" {size_text} | {p} |"
        lines.append(row)
    if goal_key:
        goal = next(t for t in tools if t.key == goal_key)
        r = meld.median() / goal.median()
        lo, mid, hi = paired_ratio(meld.wall, goal.wall)
        verdict = "PASS" if r <= 1.0 else "FAIL"
        lines += ["", f"goal: meld / {goal.label} ≤ 1.0: {verdict} ({r:.2f}; per-round paired ratio median {mid:.2f}, "
                      f"95% bootstrap interval {lo:.2f}–{hi:.2f}"
                      + (", so within this run's noise of 1.0)" if lo <= 1.0 <= hi else ")")]
    if compare_outputs and expected_size:
        lines += ["", f"outputs: {'all ' + str(expected_size[0]) + 'x' + str(expected_size[1]) if sizes_ok else 'SIZE MISMATCH'}"]
    lines += ["", "Commands:", ""]
    for t in tools:
        lines.append(f"- {t.label}: `{display(t.argv)}`" + (f" — {t.note}" if t.note else ""))
    return "\n".join(lines) + "\n", sizes_ok


def version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--meld", required=True)
    ap.add_argument("--big", required=True, help="the 24 MP (6000x4000) JPEG")
    ap.add_argument("--small", required=True, help="the 4.5 MP JPEG for format conversion")
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--commit", default="?")
    ap.add_argument("--no-png", action="store_true", help="skip the PNG conversion suite")
    ap.add_argument("--meld-dynamic", help="a second meld linked against the shared Swift runtime (swift build without --static-swift-stdlib), timed as an extra row")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)
    big, small, meld = a.big, a.small, a.meld
    if a.meld_dynamic:
        SHORTEN.append((a.meld_dynamic, "meld-dynamic"))
    SHORTEN.extend([(meld, "meld"), (os.path.join(a.work, ""), ""), (os.path.dirname(big) + "/", ""),
                    (os.path.dirname(small) + "/", "")])
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()

    # ---- 24 MP JPEG -> 1/4 (1500x1000) -> JPEG Q85 -------------------------------------
    resize = [
        Tool("meld", "meld resize", [meld, "resize", big, "-o", w("meld.jpg"), "--scale", "0.25", "--overwrite"], w("meld.jpg"),
             "shrink-on-load (libvips thumbnail) + Lanczos 3; Q 85 (default), 4:2:0, metadata kept; optimize_coding off unless asked"),
        Tool("vipsthumbnail", "vipsthumbnail", ["vipsthumbnail", big, "--size", "1500x1000", "-o", w("vipsthumbnail.jpg") + "[Q=85]"],
             w("vipsthumbnail.jpg"), "shrink-on-load + Lanczos 3; optimize_coding off (libvips' default)"),
        Tool("meld-oc", "meld resize --optimize-coding",
             [meld, "resize", big, "-o", w("meld_oc.jpg"), "--scale", "0.25", "--overwrite", "--optimize-coding"], w("meld_oc.jpg"),
             "optimised Huffman tables: a second pass over the coefficients"),
        Tool("vipsthumbnail-oc", "vipsthumbnail +optimize_coding",
             ["vipsthumbnail", big, "--size", "1500x1000", "-o", w("vipsthumbnail_oc.jpg") + "[Q=85,optimize_coding]"],
             w("vipsthumbnail_oc.jpg"), "the peer for meld --optimize-coding"),
        Tool("vips-resize", "vips resize", ["vips", "resize", big, w("vips_resize.jpg") + "[Q=85]", "0.25"], w("vips_resize.jpg"),
             "full-size decode, then Lanczos 3 (no shrink-on-load); the quality reference"),
        Tool("im", "convert -resize 25%", ["convert", big, "-resize", "25%", "-quality", "85", w("im.jpg")], w("im.jpg"),
             "ImageMagick 6: full-size decode, Lanczos-windowed filter"),
        Tool("im-sol", "convert jpeg:size (IM shrink-on-load)",
             ["convert", "-define", "jpeg:size=3000x2000", big, "-resize", "1500x1000", "-quality", "85", w("im_sol.jpg")], w("im_sol.jpg"),
             "ImageMagick's own shrink-on-load: libjpeg decodes at 1/2 (3000x2000, what libvips' thumbnail picks too), then -resize"),
    ]
    if a.meld_dynamic:
        resize.insert(1, Tool("meld-dynamic", "meld resize (shared Swift runtime)",
                              [a.meld_dynamic, "resize", big, "-o", w("meld_dynamic.jpg"), "--scale", "0.25", "--overwrite"],
                              w("meld_dynamic.jpg"), "the same meld linked against the shared Swift runtime: ~15 more shared objects to load at start-up"))
    # ---- 4.5 MP JPEG -> WebP Q85 and -> PNG ---------------------------------------------
    webp = [
        Tool("meld", "meld convert", [meld, "convert", small, "-o", w("meld.webp"), "--quality", "85", "--overwrite"], w("meld.webp"),
             "Q 85, effort 4"),
        Tool("vips-copy", "vips copy", ["vips", "copy", small, w("vips.webp") + "[Q=85]"], w("vips.webp"), "Q 85, effort 4 (default)"),
        Tool("im", "convert", ["convert", small, "-quality", "85", w("im.webp")], w("im.webp"), "Q 85, method 4 (default)"),
    ]
    png = [
        Tool("meld", "meld convert", [meld, "convert", small, "-o", w("meld.png"), "--overwrite"], w("meld.png"),
             "zlib level 6 (default), libvips' default row filter (none)"),
        Tool("vips-copy", "vips copy", ["vips", "copy", small, w("vips.png")], w("vips.png"), "zlib level 6, filter none (defaults)"),
        Tool("im", "convert -quality 60", ["convert", small, "-quality", "60", w("im.png")], w("im.png"),
             "-quality 60 = zlib level 6, filter none (to match)"),
    ]
    # ---- start-up: header only ------------------------------------------------------------
    startup = [
        Tool("meld", "meld info", [meld, "info", big], big, "Swift runtime + argument parsing + libvips init + header"),
        Tool("meld-version", "meld --version", [meld, "--version"], big, "Swift runtime + loading libvips' shared objects, no libvips init"),
        Tool("vipsheader", "vipsheader", ["vipsheader", big], big, "libvips init + header"),
        Tool("im", "identify", ["identify", big], big, "ImageMagick: header"),
    ]
    if a.meld_dynamic:
        startup.insert(2, Tool("meld-dynamic", "meld info (shared Swift runtime)", [a.meld_dynamic, "info", big], big, "as meld info, linked against the shared Swift runtime"))

    suites = [("resize", resize), ("webp", webp)] + ([] if a.no_png else [("png", png)]) + [("startup", startup)]
    for name, tools in suites:
        print(f"peers: {name}: {len(tools)} commands x {a.runs} runs (+{a.warmup} warm-up rounds), interleaved", file=sys.stderr)
        time_suite(tools, a.runs, a.warmup)

    load_after = os.getloadavg()
    md = []
    md.append(f"# Meld vs peers — {started:%Y-%m-%d %H:%M} UTC\n")
    md.append("Whole processes, wall time, {0} runs each after {1} warm-up round(s), interleaved in rotating order "
              "(every round runs every command once). IQR = interquartile range. CPU = user + system time of the process "
              "(above wall time means it ran on more than one core).\n".format(a.runs, a.warmup))
    md.append(f"- machine: {platform.node() and 'this host'}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
              f"load average {load_before[0]:.2f} before / {load_after[0]:.2f} after")
    md.append(f"- meld: {version([meld, '--version'])} (commit {a.commit}), release build")
    md.append(f"- libvips: {version(['vips', '--version'])}; ImageMagick: {version(['convert', '-version']).replace('Version: ', '')}")
    with open(big, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    md.append(f"- input: `{os.path.basename(big)}` {'x'.join(map(str, image_size(big)))} "
              f"({os.path.getsize(big) / 1e6:.1f} MB, sha256 {digest}…); `{os.path.basename(small)}` {'x'.join(map(str, image_size(small)))}")
    md.append("")
    ok = True
    text, good = table("24 MP JPEG → ¼ (1500×1000) → JPEG Q85", resize, "vips-resize", goal_key="vipsthumbnail", expected_size=(1500, 1000))
    ok &= good
    md.append(text)
    for mine, theirs in (("meld.jpg", "vipsthumbnail.jpg"), ("meld_oc.jpg", "vipsthumbnail_oc.jpg")):
        same = filecmp.cmp(w(mine), w(theirs), shallow=False)
        md.append(f"- `{mine}` is {'byte-identical to' if same else 'NOT byte-identical to'} `{theirs}` "
                  f"({os.path.getsize(w(mine))} vs {os.path.getsize(w(theirs))} bytes)")
    md.append("")
    s = image_size(small)
    text, good = table("4.5 MP JPEG → WebP Q85", webp, "vips-copy", expected_size=s)
    ok &= good
    md.append(text)
    if not a.no_png:
        text, good = table("4.5 MP JPEG → PNG", png, "vips-copy", expected_size=s)
        ok &= good
        md.append(text)
    text, _ = table("Start-up: read the 24 MP JPEG's header", startup, "vipsheader", compare_outputs=False)
    md.append(text)
    report = "\n".join(md)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)
    print(report)
    if not ok:
        sys.exit("peers: some outputs do not have the expected size")


if __name__ == "__main__":
    main()
