#!/usr/bin/env python3
"""Samples the whole machine's CPU split and one disk's throughput every INTERVAL seconds, each
line stamped with CLOCK_MONOTONIC, the clock run_bench.py logs each op's bounds in. Run it beside
a benchmark, then cut its output to an op's bounds to see where the op computed, where it waited
for the disk (iowait) and when the disk wrote:

    bench/cpu_io_timeline.py 0.2 > /tmp/timeline &
    scripts/bench.sh --large-files 1.5 --runs 1 --skip-restic --no-build
    kill %1; awk '$1 >= T0 && $1 <= T1' /tmp/timeline

Usage: cpu_io_timeline.py [INTERVAL] [DEVICE]   (defaults: 0.2 s; the busiest whole disk)
"""
import sys
import time


def cpu_times():
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def disks():
    """{device: (sectors read, sectors written)} for whole disks (no loop, ram or partition)."""
    out = {}
    with open("/proc/diskstats") as f:
        for line in f:
            x = line.split()
            name = x[2]
            if name.startswith(("loop", "ram", "dm-")) or (name[-1].isdigit() and not name.startswith("nvme")):
                continue
            if name.startswith("nvme") and "p" in name[4:]:
                continue
            out[name] = (int(x[5]), int(x[9]))
    return out


def main():
    interval = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
    device = sys.argv[2] if len(sys.argv) > 2 else max(disks().items(), key=lambda kv: sum(kv[1]))[0]
    prev_cpu, prev_disk = cpu_times(), disks()[device]
    print(f"# monotonic s, CPU % user / system / idle / iowait, {device} MB/s read / written", flush=True)
    while True:
        time.sleep(interval)
        cpu, disk = cpu_times(), disks()[device]
        d = [c - p for c, p in zip(cpu, prev_cpu)]
        total = sum(d) or 1
        user, system = d[0] + d[1], d[2] + d[5] + d[6]
        mb = [(n - p) * 512 / interval / 1e6 for n, p in zip(disk, prev_disk)]
        print(f"{time.clock_gettime(time.CLOCK_MONOTONIC):.2f} us {100 * user / total:3.0f} "
              f"sy {100 * system / total:3.0f} id {100 * d[3] / total:3.0f} wa {100 * d[4] / total:3.0f} "
              f"read {mb[0]:6.0f} write {mb[1]:6.0f}", flush=True)
        prev_cpu, prev_disk = cpu, disk


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
