#!/usr/bin/env python3
"""Prints the medians criterion measured (target/criterion/*/*/new/estimates.json) as a
Markdown table, so the README's figures come straight from a run."""
import json
import os
import sys

root = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
rows = []
for group in sorted(os.listdir(root)) if os.path.isdir(root) else []:
    for dirpath, _, files in os.walk(os.path.join(root, group)):
        if os.path.basename(dirpath) == "new" and "estimates.json" in files:
            bench = os.path.relpath(os.path.dirname(dirpath), root)
            with open(os.path.join(dirpath, "estimates.json")) as f:
                est = json.load(f)
            rows.append((bench, est["median"]["point_estimate"]))
if not rows:
    sys.exit("no criterion results under " + root + "; run `cargo bench -p moderation` first")


def human(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


print("| benchmark | median |")
print("|---|---|")
for bench, ns in sorted(rows):
    print(f"| {bench} | {human(ns)} |")
