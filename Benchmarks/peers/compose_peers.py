#!/usr/bin/env python3
"""Compose benchmark: 12 RGBA PNG layers (1/4 to full canvas, soft alpha) over a 24 MP JPEG,
written as JPEG Q90, by meld (linear light and sRGB), pyvips `composite` (scRGB and sRGB) and
ImageMagick; whole processes, interleaved round by round, wall time and peak RSS
(/usr/bin/time). Then meld on the same recipe over a 100 MP canvas (RSS goal: under 1 GB).

usage: compose_peers.py MELD INPUTS_DIR RESULTS_MD [--runs N] [--im-runs N]"""
import argparse, collections, datetime, json, os, statistics, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("meld"); ap.add_argument("inputs"); ap.add_argument("results")
ap.add_argument("--runs", type=int, default=5); ap.add_argument("--im-runs", type=int, default=2)
a = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
tmp = tempfile.mkdtemp(prefix="meld-compose-")
layers = json.load(open(os.path.join(a.inputs, "layers.json")))

def im_command(bg, out):
    cmd = ["convert", os.path.join(a.inputs, bg)]
    for l in layers:
        cmd += [os.path.join(a.inputs, os.path.basename(l["path"])), "-geometry", f"+{l['x']}+{l['y']}", "-composite"]
    return cmd + ["-quality", "90", out]

py = sys.executable
commands = {
    "meld compose (linear light)": [a.meld, "compose", os.path.join(a.inputs, "compose24.json"), "-o", f"{tmp}/meld.jpg", "--quality", "90", "--overwrite"],
    "meld compose (sRGB)": [a.meld, "compose", os.path.join(a.inputs, "compose24-srgb.json"), "-o", f"{tmp}/meld-srgb.jpg", "--quality", "90", "--overwrite"],
    "pyvips composite (scRGB)": [py, os.path.join(here, "compose_pyvips.py"), a.inputs, "bg24.jpg", f"{tmp}/pyvips.jpg", "scrgb"],
    "pyvips composite (sRGB)": [py, os.path.join(here, "compose_pyvips.py"), a.inputs, "bg24.jpg", f"{tmp}/pyvips-srgb.jpg", "srgb"],
    "ImageMagick convert -composite": im_command("bg24.jpg", f"{tmp}/im.jpg"),
}
runs = {k: a.im_runs if k.startswith("ImageMagick") else a.runs for k in commands}

def timed(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    e, m, u, s = r.stderr.strip().splitlines()[-1].split()
    cpu[cmd[0] + " ".join(cmd[1:])].append(float(u) + float(s))
    return float(e), int(m) / 1024

times = {k: [] for k in commands}; rss = {k: [] for k in commands}
cpu = collections.defaultdict(list)  # CPU seconds (user + sys) by command line: less sensitive to a busy machine
for i in range(max(runs.values())):
    for k, cmd in commands.items():
        if len(times[k]) < runs[k]:
            t, m = timed(cmd); times[k].append(t); rss[k].append(m)
            print(f"round {i + 1}: {k}: {t:.2f} s, {m:.0f} MB", file=sys.stderr)

big = [timed([a.meld, "compose", os.path.join(a.inputs, "compose100.json"), "-o", f"{tmp}/meld100.jpg", "--quality", "90", "--overwrite"]) for _ in range(2)]

ref = statistics.median(times["pyvips composite (scRGB)"])
lines = [f"# Compose peers, {datetime.date.today()}", "",
         "12 RGBA PNG layers (1/4 to full canvas size, soft alpha) over a 24 MP JPEG (6000x4000), JPEG Q90 out;",
         "whole processes, interleaved, median wall time and peak RSS. Ratios against pyvips in scRGB (linear light).",
         f"Machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}.", "",
         "| command | runs | median wall s | ratio to pyvips scRGB | median CPU s (user+sys) | CPU ratio | peak RSS MB |",
         "|---|---|---|---|---|---|---|"]
def cpu_of(k):
    return statistics.median(cpu[commands[k][0] + " ".join(commands[k][1:])])
ref_cpu = cpu_of("pyvips composite (scRGB)")
for k in commands:
    m = statistics.median(times[k])
    lines.append(f"| {k} | {len(times[k])} | {m:.2f} | {m / ref:.2f} | {cpu_of(k):.2f} | {cpu_of(k) / ref_cpu:.2f} | {max(rss[k]):.0f} |")
lines += ["", f"meld, same recipe over a 100 MP canvas (10000x10000): {statistics.median([b[0] for b in big]):.2f} s, "
          f"peak RSS {max(b[1] for b in big):.0f} MB."]
text = "\n".join(lines) + "\n"
print(text)
open(a.results, "w").write(text)
