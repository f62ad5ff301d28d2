#!/usr/bin/env python3
"""Times commands interleaved in rounds, for before/after comparisons on a shared machine: each
round runs every command once, in order, so load that comes and goes falls on all of them alike.
Prints a Markdown table: median and minimum wall time, median CPU time (user + system, which
contention inflates less), and each command's median ratio to a reference command of the same
group.

Usage: rounds.py ROUNDS NAME=COMMAND... (run with sh -c, output to /dev/null; a NAME of the
form `group:label`, the first of each group being the reference of its ratios)
"""
import os
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        process = subprocess.Popen(["sh", "-c", command], stdout=null)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed ({status}): {command}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    rounds = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    walls = {name: [] for name, _ in commands}
    cpus = {name: [] for name, _ in commands}
    for _ in range(rounds):
        for name, command in commands:
            wall, cpu = run(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    reference = {}
    for name, _ in commands:
        reference.setdefault(name.split(":")[0], name)
    print("| command | median wall | min wall | median user+sys | wall ÷ reference (median, min) | CPU ÷ reference |")
    print("|:--|--:|--:|--:|--:|--:|")
    for name, command in commands:
        ref = reference[name.split(":")[0]]
        wall, low, cpu = statistics.median(walls[name]), min(walls[name]), statistics.median(cpus[name])
        ratio = (
            f"{wall / statistics.median(walls[ref]):.2f}×, {low / min(walls[ref]):.2f}×"
            if ref != name
            else "1"
        )
        cpu_ratio = f"{cpu / statistics.median(cpus[ref]):.2f}×" if ref != name else "1"
        print(f"| {name} `{command}` | {wall:.3f} s | {low:.3f} s | {cpu:.3f} s | {ratio} | {cpu_ratio} |")


main()
