#!/usr/bin/env python3
"""Astacus benchmark harness (../shared/spec/benchmarks.md): Astacus vs restic vs the hardware floor.

Generates the seeded dataset, runs the phases (full backup, unchanged backup, 1 % appended + backup,
restore into empty roots with verification, cleanup keeping 2) for an Astacus cluster of local
server processes and for restic (one concurrent `restic backup` per node root into one repository),
measures the hardware floor in the same run, prints a table and writes a Markdown block.
Python 3 standard library only. Exits non-zero when any phase fails or any restore differs.
"""

import argparse
import datetime
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

KiB = 1024
MiB = 1024 * 1024
MB = 1e6  # throughput unit (MB/s = 10^6 bytes/s, as openssl and zstd print it)
CLK_TCK = os.sysconf("SC_CLK_TCK")
BASE_MTIME_NS = 1_700_000_000_000_000_000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["full backup", "unchanged backup", "backup after 1 % appended", "restore into empty roots",
          "cleanup keeping 2"]


class BenchError(Exception):
    pass


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Child processes: every one in its own process group, all stopped on exit.

LIVE = {}  # pid -> Popen


def spawn(argv, **kw):
    p = subprocess.Popen(argv, start_new_session=True, **kw)
    LIVE[p.pid] = p
    return p


def stop(p, grace=10.0):
    if p.returncode is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    LIVE.pop(p.pid, None)


def stop_all():
    for p in list(LIVE.values()):
        stop(p, grace=3.0)


def reap(p):
    """wait4() the child: (exit code, cpu seconds, peak RSS bytes, end time)."""
    _, status, ru = os.wait4(p.pid, 0)
    end = time.monotonic()
    p.returncode = os.waitstatus_to_exitcode(status)
    LIVE.pop(p.pid, None)
    return p.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * KiB, end


def run_concurrently(jobs):
    """jobs: list of dict(argv, cwd, env, log). Starts all, waits for all.
    Returns (wall seconds, [(rc, cpu, rss, stdout_text)])."""
    procs = []
    t0 = time.monotonic()
    for j in jobs:
        out = open(j["log"], "wb")
        procs.append((spawn(j["argv"], cwd=j.get("cwd"), env=j.get("env"), stdout=out,
                            stderr=subprocess.STDOUT), out, j["log"]))
    results = []
    end = t0
    for p, out, path in procs:
        rc, cpu, rss, t = reap(p)
        out.close()
        end = max(end, t)
        with open(path, "rb") as f:
            results.append((rc, cpu, rss, f.read().decode(errors="replace")))
    return end - t0, results


def run_quiet(argv, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if r.returncode != 0:
        raise BenchError(f"{' '.join(map(str, argv))} failed ({r.returncode}): {r.stdout.decode(errors='replace')[-2000:]}")
    return r.stdout.decode(errors="replace")


def timed(argv, shell=False, **kw):
    t0 = time.monotonic()
    r = subprocess.run(argv, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise BenchError(f"{argv} failed: {r.stderr.decode(errors='replace')[-1000:]}")
    return dt


# ------------------------------------------------------------------------------------------------
# Dataset

class TextGen:
    """Text-like bytes (~3x compressible with zstd): sentences of Zipf-distributed pseudo-words."""

    def __init__(self, seed):
        rng = random.Random(f"{seed}/vocabulary")
        letters = b"etaoinshrdlcumwfgypbvkjxqz"
        weights = [12, 9, 8, 7.5, 7, 6.7, 6.3, 6, 5.9, 4.3, 4, 2.8, 2.8, 2.4, 2.4, 2.2, 2, 2, 1.9,
                   1.5, 1, 0.8, 0.15, 0.15, 0.1, 0.07]
        lengths = (2, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11)
        vocab = [bytes(rng.choices(letters, weights, k=rng.choice(lengths))) for _ in range(4096)]
        cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(vocab))))
        self.sentences = []
        for _ in range(16384):
            s = b" ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(4, 14)))
            self.sentences.append(s[:1].upper() + s[1:] + rng.choice((b".", b".", b".", b",", b"!", b"?", b";")))

    def generate(self, rng, size):
        out, n = [], 0
        while n < size:
            b = b" ".join(rng.choices(self.sentences, k=2048)) + b"\n"
            out.append(b)
            n += len(b)
        return b"".join(out)[:size]


class Dataset:
    """The pristine tree: node roots under `base`, and what each file is."""

    def __init__(self, base, nodes):
        self.base = base
        self.nodes = nodes
        self.files = []  # (node, rel, size, kind) kind: rand|text

    def root(self, k):
        return os.path.join(self.base, f"node{k}")

    @property
    def total_bytes(self):
        return sum(f[2] for f in self.files)

    def bytes_of(self, kind):
        return sum(f[2] for f in self.files if f[3] == kind)

    def to_json(self):
        return {"nodes": self.nodes, "files": self.files}


def write_file(path, data, mtime_ns):
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def gen_mixed(ds, scale, seed):
    """benchmarks.md: ~2,000 mixed files + 100,000 small files, counts x scale, sizes as specified."""
    text = TextGen(seed)
    rng = random.Random(f"{seed}/mixed")
    n_mixed = max(2, round(2000 * scale))
    n_small = round(100_000 * scale)
    contents = {}  # index -> (node, rel) for copies
    for i in range(1, n_mixed + 1):
        # Every 2 files the node changes (1,2 -> node0; 3,4 -> node1; ...) so both nodes get both
        # kinds: the parity already decides random vs text.
        node = ((i - 1) // 2) % 2
        folder = f"d{rng.randrange(4)}/e{rng.randrange(4)}/f{rng.randrange(4)}"
        if i % 300 == 0:
            size = rng.randint(32 * MiB, 64 * MiB)
        else:
            size = int(math.exp(rng.uniform(math.log(1 * KiB), math.log(2.8 * MiB))))
        kind = "rand" if i % 2 == 0 else "text"
        copy_of = rng.randrange(1, i) if i % 20 == 0 else None
        if copy_of is not None:  # a byte copy of an earlier file (dedup, often across nodes)
            src_node, src_rel, kind = contents[copy_of]
            with open(os.path.join(ds.root(src_node), src_rel), "rb") as f:
                data = f.read()
        else:
            frng = random.Random(f"{seed}/mixed/{i}")
            data = frng.randbytes(size) if kind == "rand" else text.generate(frng, size)
        rel = f"{folder}/mixed-{i:05d}.{'bin' if kind == 'rand' else 'txt'}"
        path = os.path.join(ds.root(node), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_file(path, data, BASE_MTIME_NS + i * 1_000_000_007)
        contents[i] = (node, rel, kind)
        ds.files.append((node, rel, len(data), kind))
    small_dir = os.path.join(ds.root(0), "small")
    os.makedirs(small_dir, exist_ok=True)
    srng = random.Random(f"{seed}/small")
    for j in range(n_small):
        rel = f"small/s{j:06d}.dat"
        data = srng.randbytes(srng.randint(1, 4096))
        write_file(os.path.join(ds.root(0), rel), data, BASE_MTIME_NS + j * 1_000_003)
        ds.files.append((0, rel, len(data), "rand"))


def gen_small_files(ds, count, seed):
    """peers.md §4d: `count` files of 0-16 KiB (median ~2 KiB, 5 % <= 200 B) over 3 nodes in
    ~count/100 directories."""
    rng = random.Random(f"{seed}/small-files")
    per_node = count // ds.nodes
    dirs = max(1, per_node // 100)
    for k in range(ds.nodes):
        for j in range(per_node):
            d = j % dirs
            rel = f"g{d // 100:03d}/h{d % 100:02d}/f{j:07d}.db"
            size = rng.randint(0, 200) if rng.random() < 0.05 else \
                int(math.exp(rng.uniform(math.log(200), math.log(16 * KiB))))
            path = os.path.join(ds.root(k), rel)
            if j < dirs:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            data = rng.randbytes(size)
            write_file(path, data, BASE_MTIME_NS + (k * per_node + j) * 1_000_003)
            ds.files.append((k, rel, size, "rand"))


def gen_large_files(ds, total_gb, seed):
    """Few large incompressible files (SSTable-like) split between the nodes: the issue's
    "hashed and stored at 60 % of the BLAKE2s floor of both cores" target."""
    size = 256 * MiB
    count = max(2, math.ceil(total_gb * 1e9 / size))
    for i in range(count):
        k = i % ds.nodes
        rel = f"large/l{i:03d}.bin"
        path = os.path.join(ds.root(k), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rng = random.Random(f"{seed}/large/{i}")
        with open(path, "wb") as f:
            for _ in range(size // (16 * MiB)):
                f.write(rng.randbytes(16 * MiB))
        os.utime(path, ns=(BASE_MTIME_NS + i, BASE_MTIME_NS + i))
        ds.files.append((k, rel, size, "rand"))


def scenario_key(args):
    if args.small_files:
        return f"small-files:{args.small_files}"
    if args.large_files:
        return f"large-files:{args.large_files:g}"
    return f"mixed:{args.scale}"


GEN_VERSION = 1


def make_dataset(args, work):
    nodes = 3 if args.small_files else 2
    params = {"v": GEN_VERSION, "seed": args.seed, "nodes": nodes,
              "scenario": scenario_key(args)}
    base = args.dataset_dir or os.path.join(work, "pristine")
    stamp = os.path.join(base, "dataset.json")
    ds = Dataset(base, nodes)
    if os.path.exists(stamp):
        with open(stamp) as f:
            saved = json.load(f)
        if saved.get("params") == params:
            ds.files = [tuple(x) for x in saved["files"]]
            log(f"reusing dataset in {base}")
            return ds
    if os.path.exists(base):
        if os.listdir(base) and not os.path.exists(stamp):
            raise BenchError(f"{base} is not empty and holds no dataset.json: refusing to overwrite it")
        shutil.rmtree(base)
    for k in range(nodes):
        os.makedirs(ds.root(k))
    t0 = time.monotonic()
    if args.small_files:
        gen_small_files(ds, args.small_files, args.seed)
    elif args.large_files:
        gen_large_files(ds, args.large_files, args.seed)
    else:
        gen_mixed(ds, args.scale, args.seed)
    with open(stamp + ".tmp", "w") as f:
        json.dump({"params": params, "files": ds.files}, f)
    os.replace(stamp + ".tmp", stamp)
    log(f"generated {len(ds.files)} files, {ds.total_bytes / MB:.1f} MB in {time.monotonic() - t0:.1f} s")
    return ds


def settle_writeback():
    """Writes back every dirty page (sync(2)) before a timed step, untimed. Otherwise a step pays
    for the writes before it: the fresh copies and the floor's tar copy leave ~2 GB dirty, which
    the kernel writes back while the next step runs, and a tool that syncs (Astacus's local
    storage ends a backup with syncfs) waits for all of it."""
    os.sync()


def copy_roots(ds, dest):
    """Fresh copies of the node roots (mtimes kept); returns their paths."""
    roots = []
    os.makedirs(dest, exist_ok=True)
    for k in range(ds.nodes):
        d = os.path.join(dest, f"node{k}")
        run_quiet(["cp", "-a", ds.root(k), d])
        roots.append(d)
    return roots


def list_files(root):
    out = []
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(os.path.join(root, rel)) as it:
            for e in it:
                r = f"{rel}/{e.name}" if rel else e.name
                if e.is_dir(follow_symlinks=False):
                    if e.name != ".astacus":
                        stack.append(r)
                elif e.is_file(follow_symlinks=False):
                    out.append(r)
    return out


def append_one_percent(roots, seed):
    """Appends 4 KiB to every 100th file in sorted path order (over all nodes); returns
    (files changed, their new total size)."""
    all_files = sorted(f"node{k}/{rel}" for k, root in enumerate(roots) for rel in list_files(root))
    changed, size = 0, 0
    for idx, name in enumerate(all_files):
        if idx % 100 != 99:
            continue
        k, rel = name.split("/", 1)
        path = os.path.join(roots[int(k[4:])], rel)
        st = os.stat(path)
        with open(path, "ab") as f:
            f.write(random.Random(f"{seed}/append/{name}").randbytes(4 * KiB))
        os.utime(path, ns=(st.st_mtime_ns + 1_000_000_000, st.st_mtime_ns + 1_000_000_000))
        changed += 1
        size += st.st_size + 4 * KiB
    return changed, size


def fingerprint(root):
    fp = {}
    for rel in list_files(root):
        path = os.path.join(root, rel)
        st = os.stat(path)
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while True:
                b = f.read(MiB)
                if not b:
                    break
                h.update(b)
        fp[rel] = (st.st_size, st.st_mtime_ns, h.hexdigest())
    return fp


def verify(expected, root, label):
    """Returns None or a description of the first differences."""
    got = fingerprint(root)
    if got == expected:
        return None
    problems = []
    for rel in sorted(set(expected) | set(got)):
        e, g = expected.get(rel), got.get(rel)
        if e != g:
            what = "missing" if g is None else "unexpected" if e is None else \
                f"size {e[0]}->{g[0]}" if e[0] != g[0] else \
                f"mtime_ns {e[1]}->{g[1]}" if e[1] != g[1] else "content (sha256)"
            problems.append(f"{rel}: {what}")
    return f"{label}: {len(problems)} files differ, e.g. " + "; ".join(problems[:5])


def tree_stats(path):
    """(bytes, objects, sidecars) of a storage directory / repository."""
    total, objects, sidecars = 0, 0, 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(dirpath, n)).st_size
            except FileNotFoundError:
                continue
            if n.endswith(".metadata"):
                sidecars += 1
            else:
                objects += 1
    return total, objects, sidecars


# ------------------------------------------------------------------------------------------------
# /proc measurements of long-lived server processes

def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime/stime/cutime/cstime are fields 14..17
    return sum(int(x) for x in fields[11:15]) / CLK_TCK


def proc_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * KiB
    return 0


def reset_hwm(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
    except OSError:
        pass


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def http_json(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data is not None else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


# ------------------------------------------------------------------------------------------------
# Astacus cluster

class PhaseResult(dict):
    """wall, cpu, rss_max, rss_sum, stored, objects, error."""


class AstacusCluster:
    def __init__(self, args, work, roots, key):
        self.args, self.work, self.roots, self.key = args, work, roots, key
        self.storage = os.path.join(work, "storage")
        self.procs, self.ports = [], []

    def config(self, k):
        node_dir = os.path.join(self.work, f"state{k}")
        os.makedirs(os.path.join(node_dir, "tmp"), exist_ok=True)
        storage = {
            "temporary_directory": os.path.join(node_dir, "tmp"),
            "default_storage": "local",
            "compression": {"algorithm": "zstd"},
            "storages": {"local": {"storage_type": "local", "directory": self.storage}},
        }
        if self.args.zstd_level:
            storage["compression"]["level"] = self.args.zstd_level
        if self.args.pack_small_blobs:
            storage["pack_small_blobs"] = True
        if self.key:
            storage["encryption_key_id"] = "bench"
            storage["encryption_format"] = self.args.encryption_format
            storage["encryption_keys"] = {"bench": {"public": self.key[0], "private": self.key[1]}}
        return {
            "coordinator": {
                "plugin": "files",
                "plugin_config": {"root_globs": ["**"]},
                "nodes": [{"url": f"http://127.0.0.1:{p}/node"} for p in self.ports],
                "poll": {"delay_start": 0.02, "delay_multiplier": 1.5, "delay_max": 0.25},
            },
            "node": {
                "root": self.roots[k],
                "root_link": os.path.join(node_dir, "link"),
                "delta_root_link": os.path.join(node_dir, "delta-link"),
                "db_path": os.path.join(node_dir, "db"),
            },
            "object_storage": storage,
            "uvicorn": {"host": "127.0.0.1", "port": self.ports[k], "log_level": self.args.server_log_level},
        }

    @property
    def url(self):
        return f"http://127.0.0.1:{self.ports[0]}"

    def start(self, attempts=3):
        """Starts the servers on free ports; retries with new ports if one exits early (a port
        taken meanwhile by another process)."""
        for attempt in range(attempts):
            try:
                return self._start()
            except BenchError:
                self.stop()
                if attempt == attempts - 1:
                    raise
                log("astacus servers did not start; retrying on other ports")

    def _start(self):
        os.makedirs(self.storage, exist_ok=True)
        self.ports = free_ports(len(self.roots))
        for k in range(len(self.roots)):
            cfg = os.path.join(self.work, f"astacus{k}.json")
            with open(cfg, "w") as f:
                json.dump(self.config(k), f, indent=1)
            out = open(os.path.join(self.work, f"server{k}.log"), "wb")
            self.procs.append(spawn([self.args.astacus, "server", "-c", cfg], stdout=out, stderr=subprocess.STDOUT))
            out.close()
        deadline = time.monotonic() + 60
        for k, p in enumerate(self.procs):
            while True:
                if p.poll() is not None:
                    raise BenchError(f"astacus server {k} exited ({p.returncode}): {self.log_tail(k)}")
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{self.ports[k]}/", timeout=2).close()
                    break
                except urllib.error.HTTPError:
                    break  # it answers
                except OSError:
                    if time.monotonic() > deadline:
                        raise BenchError(f"astacus server {k} did not answer in 60 s: {self.log_tail(k)}")
                    time.sleep(0.05)

    def log_tail(self, k):
        try:
            with open(os.path.join(self.work, f"server{k}.log"), "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        for p in self.procs:
            stop(p)
        self.procs = []

    def op(self, path, body, cli_args):
        settle_writeback()
        pids = [p.pid for p in self.procs]
        for pid in pids:
            reset_hwm(pid)
        cpu0 = [proc_cpu(pid) for pid in pids]
        cli_cpu, cli_rss = 0.0, 0
        error = None
        if self.args.client == "cli":
            wall, [(rc, cli_cpu, cli_rss, out)] = run_concurrently([{
                "argv": [self.args.astacus, "-u", self.url, "-w", str(self.args.op_timeout)] + cli_args,
                "log": os.path.join(self.work, f"cli-{path}.log")}])
            if rc != 0:
                error = f"astacus {' '.join(cli_args)} exited {rc}: {out[-1500:]}"
        else:
            t0 = time.monotonic()
            status_url = http_json("POST", f"{self.url}/{path}", body)["status_url"]
            while True:
                st = http_json("GET", status_url)
                if st.get("state") in ("done", "fail"):
                    break
                if time.monotonic() - t0 > self.args.op_timeout:
                    st = {"state": "timeout"}
                    break
                time.sleep(0.02)
            wall = time.monotonic() - t0
            # CLOCK_MONOTONIC bounds, to slice a `perf record -k mono` profile per phase
            log(f"{path}: {wall:.2f} s, monotonic {t0:.3f} to {t0 + wall:.3f}")
            if st.get("state") != "done":
                error = f"{path}: state {st.get('state')}: {st.get('error', '')}"
        cpu = sum(proc_cpu(pid) - c for pid, c in zip(pids, cpu0)) + cli_cpu
        rss = [proc_hwm(pid) for pid in pids] + ([cli_rss] if cli_rss else [])
        stored, objects, sidecars = tree_stats(self.storage)
        return PhaseResult(wall=wall, cpu=cpu, rss_max=max(rss), rss_sum=sum(rss), stored=stored,
                           objects=objects, sidecars=sidecars, error=error)

    def backup(self):
        return self.op("backup", None, ["backup"])

    def restore(self):
        return self.op("restore", {}, ["restore"])

    def cleanup(self):
        r = self.op("cleanup", {"retention": {"minimum_backups": 2, "maximum_backups": 2}},
                    ["cleanup", "--minimum-backups", "2", "--maximum-backups", "2"])
        if not r["error"]:
            # /list parses every manifest it has not seen yet: seconds each at a million files.
            listing = http_json("GET", f"{self.url}/list", timeout=self.args.op_timeout)
            names = [b["name"] for s in listing.get("storages", []) for b in s.get("backups", [])]
            if len(names) != 2:
                r["error"] = f"cleanup keeping 2 left {len(names)} backups: {names}"
        return r


# Above this many small files the scratch directory is deleted in the background at the end.
BACKGROUND_DELETE_FILES = 200_000


def discard(path, work):
    """Moves `path` into <work>/trash instead of deleting it: deleting a million files takes
    minutes and would sit between measured phases; the whole work directory goes at the end."""
    if not os.path.lexists(path):
        return
    trash = os.path.join(work, "trash")
    os.makedirs(trash, exist_ok=True)
    os.rename(path, os.path.join(trash, f"{len(os.listdir(trash))}-{os.path.basename(path)}"))


def run_astacus(args, ds, run_dir, key, seed):
    """One full stateful sequence on fresh copies. Returns {phase: PhaseResult}."""
    os.makedirs(run_dir)
    roots = copy_roots(ds, os.path.join(run_dir, "roots"))
    cluster = AstacusCluster(args, run_dir, roots, key)
    res = {}
    try:
        cluster.start()
        res[PHASES[0]] = cluster.backup()
        if not res[PHASES[0]]["error"]:
            res[PHASES[1]] = cluster.backup()
        if PHASES[1] in res and not res[PHASES[1]]["error"]:
            res["appended"] = append_one_percent(roots, seed)
            res[PHASES[2]] = cluster.backup()
        if PHASES[2] in res and not res[PHASES[2]]["error"]:
            expected = [fingerprint(r) for r in roots]
            for r in roots:  # empty the roots, keep the directories
                for name in os.listdir(r):
                    discard(os.path.join(r, name), os.path.dirname(run_dir))
            res[PHASES[3]] = r3 = cluster.restore()
            if not r3["error"]:
                errs = [verify(e, r, f"astacus node{k}") for k, (e, r) in enumerate(zip(expected, roots))]
                errs = [e for e in errs if e]
                if errs:
                    r3["error"] = "restore verification failed: " + " | ".join(errs)
                else:
                    r3["verified"] = sum(len(e) for e in expected)
            if not r3["error"]:
                res[PHASES[4]] = cluster.cleanup()
    except (BenchError, OSError, urllib.error.URLError, KeyError, ValueError) as e:
        res["error"] = f"astacus: {e}"
    finally:
        cluster.stop()
    return res


# ------------------------------------------------------------------------------------------------
# restic

class Restic:
    def __init__(self, args, work, roots):
        self.args, self.work, self.roots = args, work, roots
        self.repo = os.path.join(work, "repo")
        self.env = dict(os.environ, RESTIC_PASSWORD="astacus-bench")
        self.env.pop("RESTIC_REPOSITORY", None)
        self.base = [args.restic, "-r", self.repo, "--cache-dir", os.path.join(work, "cache")]
        self.snapshots = None
        self.n = 0

    def init(self):
        run_quiet(self.base + ["init", "--repository-version", "2"], env=self.env)

    def _measure(self, jobs, label):
        settle_writeback()
        wall, results = run_concurrently(jobs)
        error = None
        for rc, _, _, out in results:
            if rc != 0:
                error = f"restic {label} exited {rc}: {out[-1500:]}"
        stored, objects, _ = tree_stats(self.repo)
        return PhaseResult(wall=wall, cpu=sum(r[1] for r in results), rss_max=max(r[2] for r in results),
                           rss_sum=sum(r[2] for r in results), stored=stored, objects=objects, sidecars=0,
                           error=error), results

    def backup(self):
        self.n += 1
        jobs = [{"argv": self.base + ["backup", ".", "--compression", "auto", "--json", "--quiet"],
                 "cwd": root, "env": self.env, "log": os.path.join(self.work, f"backup{self.n}-node{k}.log")}
                for k, root in enumerate(self.roots)]
        r, results = self._measure(jobs, "backup")
        if not r["error"]:
            ids = []
            for _, _, _, out in results:
                summary = [json.loads(line) for line in out.splitlines()
                           if line.startswith("{") and '"summary"' in line]
                if not summary:
                    r["error"] = f"restic backup printed no summary: {out[-500:]}"
                    break
                ids.append(summary[-1]["snapshot_id"])
            self.snapshots = ids
        return r

    def restore(self, targets):
        jobs = [{"argv": self.base + ["restore", sid, "--target", t], "env": self.env,
                 "log": os.path.join(self.work, f"restore-node{k}.log")}
                for k, (sid, t) in enumerate(zip(self.snapshots, targets))]
        return self._measure(jobs, "restore")[0]

    def forget(self):
        r = self._measure([{"argv": self.base + ["forget", "--keep-last", "2", "--prune"], "env": self.env,
                            "log": os.path.join(self.work, "forget.log")}], "forget --prune")[0]
        if not r["error"]:
            snaps = json.loads(run_quiet(self.base + ["snapshots", "--json", "--no-lock"], env=self.env))
            if len(snaps) != 2 * len(self.roots):
                r["error"] = f"restic forget --keep-last 2 left {len(snaps)} snapshots, expected {2 * len(self.roots)}"
        return r


def run_restic(args, ds, run_dir, seed):
    os.makedirs(run_dir)
    roots = copy_roots(ds, os.path.join(run_dir, "roots"))
    rs = Restic(args, run_dir, roots)
    res = {}
    try:
        rs.init()
        res[PHASES[0]] = rs.backup()
        if not res[PHASES[0]]["error"]:
            res[PHASES[1]] = rs.backup()
        if PHASES[1] in res and not res[PHASES[1]]["error"]:
            res["appended"] = append_one_percent(roots, seed)
            res[PHASES[2]] = rs.backup()
        if PHASES[2] in res and not res[PHASES[2]]["error"]:
            expected = [fingerprint(r) for r in roots]
            targets = [os.path.join(run_dir, "restored", f"node{k}") for k in range(len(roots))]
            for t in targets:
                os.makedirs(t)
            res[PHASES[3]] = r3 = rs.restore(targets)
            if not r3["error"]:
                errs = [verify(e, t, f"restic node{k}") for k, (e, t) in enumerate(zip(expected, targets))]
                errs = [e for e in errs if e]
                if errs:
                    r3["error"] = "restore verification failed: " + " | ".join(errs)
                else:
                    r3["verified"] = sum(len(e) for e in expected)
            if not r3["error"]:
                res[PHASES[4]] = rs.forget()
    except (BenchError, OSError, ValueError, KeyError) as e:
        res["error"] = f"restic: {e}"
    return res


# ------------------------------------------------------------------------------------------------
# Hardware floor

def zstd_bench(path, level=1):
    out = run_quiet(["zstd", "-q", f"-b{level}", "-i1", path])
    # "-1      8000196 (1.000) 2135.13 MB/s 13210.6 MB/s  rnd"
    m = re.search(r"-\d+\s+(\d+)\s+\(x?([\d.]+)\)\s+([\d.]+)\s+MB/s\s+([\d.]+)\s+MB/s", out)
    if not m:
        raise BenchError(f"cannot parse zstd -b output: {out!r}")
    return {"ratio": float(m.group(2)), "comp": float(m.group(3)), "decomp": float(m.group(4))}


def measure_floor(ds, work):
    fl = {"cores": len(os.sched_getaffinity(0))}
    out = run_quiet(["openssl", "speed", "-evp", "blake2s256", "-seconds", "1", "-bytes", str(MiB)])
    m = re.search(r"^blake2s256\s+([\d.]+)k", out, re.M)
    if not m:
        raise BenchError(f"cannot parse openssl speed output: {out[-500:]!r}")
    fl["blake2s"] = float(m.group(1)) * 1000 / MB
    for kind in ("text", "rand"):
        sample = os.path.join(work, f"sample-{kind}")
        n = 0
        with open(sample, "wb") as out_f:
            for node, rel, size, k in sorted(ds.files, key=lambda f: (f[0], f[1])):
                if k != kind:
                    continue
                with open(os.path.join(ds.root(node), rel), "rb") as f:
                    out_f.write(f.read(32 * MiB - n))
                n = out_f.tell()
                if n >= 32 * MiB:
                    break
        if n >= 64 * KiB:
            fl[f"zstd_{kind}"] = zstd_bench(sample)
        os.unlink(sample)
    names = [f"node{k}" for k in range(ds.nodes)]
    settle_writeback()
    fl["walk"] = timed(["find"] + names + ["-printf", "%s %T@ %i\n"], cwd=ds.base)
    fl["tar_read"] = timed("tar -cf - " + " ".join(names) + " | cat > /dev/null", shell=True, cwd=ds.base)
    dest = os.path.join(work, "tar-x")
    os.makedirs(dest)
    settle_writeback()
    fl["tar_copy"] = timed(f"tar -cf - {' '.join(names)} | tar -xf - -C {dest}", shell=True, cwd=ds.base)
    # What the copy costs once durable (Astacus syncs what it stored or restored; tar does not):
    # not a phase floor (benchmarks.md defines those), context for the disk-bound phases.
    fl["tar_copy_synced"] = fl["tar_copy"] + timed(["sync"])
    discard(dest, work)
    return fl


def floor_times(fl, ds, appended_bytes):
    """Lower bounds (seconds) per phase on this machine, from the measured rates (MB/s per core)."""
    def cpu_backup(b_text, b_rand):
        t = (b_text + b_rand) / (fl["blake2s"] * MB)
        if "zstd_text" in fl:
            t += b_text / (fl["zstd_text"]["comp"] * MB)
        if "zstd_rand" in fl:
            t += b_rand / (fl["zstd_rand"]["comp"] * MB)
        return t / fl["cores"]

    def cpu_restore(b_text, b_rand):
        t = (b_text + b_rand) / (fl["blake2s"] * MB)
        if "zstd_text" in fl:
            t += b_text / (fl["zstd_text"]["decomp"] * MB)
        if "zstd_rand" in fl:
            t += b_rand / (fl["zstd_rand"]["decomp"] * MB)
        return t / fl["cores"]

    bt, br = ds.bytes_of("text"), ds.bytes_of("rand")
    share = appended_bytes / max(1, ds.total_bytes)
    return {
        PHASES[0]: max(fl["tar_read"], cpu_backup(bt, br)),
        PHASES[1]: fl["walk"],
        PHASES[2]: fl["walk"] + cpu_backup(bt * share, br * share),
        PHASES[3]: max(fl["tar_copy"], cpu_restore(bt, br)),
    }


# ------------------------------------------------------------------------------------------------
# Report

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarize(runs):
    """runs: list of {phase: PhaseResult}. Median wall/CPU/stored/objects, max RSS, over OK runs."""
    out = {}
    for ph in PHASES:
        rs = [r[ph] for r in runs if ph in r and not r[ph]["error"]]
        failed = [r[ph]["error"] for r in runs if ph in r and r[ph]["error"]]
        if not rs:
            out[ph] = None if not failed else {"error": failed[0]}
            continue
        out[ph] = {k: med([r[k] for r in rs]) for k in ("wall", "cpu", "stored", "objects", "sidecars")}
        out[ph]["rss_max"] = max(r["rss_max"] for r in rs)
        out[ph]["rss_sum"] = max(r["rss_sum"] for r in rs)
        out[ph]["n"] = len(rs)
        out[ph]["error"] = failed[0] if failed else None
    return out


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def build_table(ds, summary, floors, small_files):
    tools = [t for t in ("astacus", "restic") if t in summary]
    header = ["phase", "tool", "wall s", "CPU s", "peak RSS MiB (max proc / sum)", "MB/s", "files/s",
              "stored MB", "objects", "restic/astacus", "astacus/floor"]
    if small_files:
        header.insert(5, "RSS MiB per M files")
    rows = []
    nfiles, nbytes = len(ds.files), ds.total_bytes
    for ph in PHASES:
        for tool in tools:
            s = summary[tool].get(ph)
            if s is None or "wall" not in s:
                rows.append([ph, tool, "FAILED" if s else "not run"] + [""] * (len(header) - 3))
                continue
            moves = ph != PHASES[4]
            row = [ph, tool, fmt(s["wall"], ".2f"), fmt(s["cpu"], ".2f"),
                   f"{s['rss_max'] / MiB:.0f} / {s['rss_sum'] / MiB:.0f}",
                   fmt(nbytes / MB / s["wall"], ".1f") if moves else "—",
                   fmt(nfiles / s["wall"], ".0f") if moves else "—",
                   fmt(s["stored"] / MB, ".1f"), fmt(s["objects"], ".0f")]
            if small_files:
                row.insert(5, fmt(s["rss_max"] / MiB / (nfiles / 1e6), ".0f"))
            if tool == "astacus":
                r = summary.get("restic", {}).get(ph)
                row.append(fmt(ratio(r.get("wall") if r else None, s["wall"]), ".2f"))
                row.append(fmt(ratio(s["wall"], floors.get(ph)), ".1f"))
            else:
                row += ["", ""]
            rows.append(row)
    return header, rows


def render_text(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def render_md(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def floor_lines(fl, floors):
    parts = [f"cores {fl['cores']}", f"BLAKE2s {fl['blake2s']:.0f} MB/s/core (openssl speed, 1 MiB)"]
    for kind, label in (("text", "text"), ("rand", "random")):
        z = fl.get(f"zstd_{kind}")
        if z:
            parts.append(f"zstd -1 {label} {z['comp']:.0f} MB/s compress, {z['decomp']:.0f} MB/s decompress, ratio {z['ratio']:.2f}")
    parts.append(f"stat walk (find) {fl['walk']:.2f} s, tar -c read {fl['tar_read']:.2f} s, tar -c | tar -x copy {fl['tar_copy']:.2f} s"
                 + (f", the same copy + sync {fl['tar_copy_synced']:.2f} s" if "tar_copy_synced" in fl else ""))
    parts.append("floor per phase: " + ", ".join(f"{ph} {t:.2f} s" for ph, t in floors.items()))
    return parts


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f", {int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} × {model}{mem}"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def versions(args):
    v = []
    try:
        v.append("astacus " + subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                                             capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    if args.restic:
        try:
            v.append(" ".join(run_quiet([args.restic, "version"]).split()[:2]))
        except (BenchError, OSError):
            pass
    for argv in (["zstd", "--version"], ["openssl", "version"]):
        try:
            v.append(run_quiet(argv).strip().split(",")[0].replace("*** ", ""))
        except (BenchError, OSError):
            pass
    return ", ".join(v)


# ------------------------------------------------------------------------------------------------

def gen_rsa_key(work):
    priv = os.path.join(work, "bench-key.pem")
    run_quiet(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", priv])
    pub = run_quiet(["openssl", "pkey", "-in", priv, "-pubout"])
    with open(priv) as f:
        return pub, f.read()


README_BEGIN, README_END = "<!-- bench:begin -->", "<!-- bench:end -->"


def update_readme(markdown, readme=os.path.join(REPO, "README.md")):
    """Puts `markdown` between the bench markers of the top README (the results table there is
    always one produced by this script)."""
    with open(readme) as f:
        text = f.read()
    if README_BEGIN not in text or README_END not in text:
        raise BenchError(f"{readme}: markers {README_BEGIN} / {README_END} not found")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    with open(readme, "w") as f:
        f.write(head + README_BEGIN + "\n" + markdown.rstrip("\n") + "\n" + README_END + tail)
    log(f"updated the results in {readme}")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="dataset counts x scale (file sizes kept); default 1")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each stateful sequence; medians reported")
    ap.add_argument("--out", default=None, help="Markdown results file (default bench/results.md)")
    ap.add_argument("--json-out", default=None, help="also write the raw measurements as JSON")
    ap.add_argument("--astacus", default=os.path.join(REPO, "build", "src", "app", "astacus"))
    ap.add_argument("--restic", default=shutil.which("restic"))
    ap.add_argument("--no-restic-if-missing", action="store_true", help="skip restic (with a note) when not installed")
    ap.add_argument("--skip-restic", action="store_true")
    ap.add_argument("--small-files", type=int, default=0, metavar="N",
                    help="instead of the mixed dataset: N files of 0-16 KiB over 3 nodes (peers.md §4d)")
    ap.add_argument("--large-files", type=float, default=0, metavar="GB",
                    help="scenario: this many GB of 256 MiB random files on 2 nodes (MB/s vs the BLAKE2s floor)")
    ap.add_argument("--encrypt", action="store_true", help="Astacus with an RSA-3072 encryption key (restic always encrypts)")
    ap.add_argument("--encryption-format", choices=("pghoa1", "astdk1"), default="pghoa1",
                    help="with --encrypt: rohmu's per-object RSA envelope (default) or one data key per backup")
    ap.add_argument("--zstd-level", type=int, default=0, help="Astacus zstd level (0 = default, 3)")
    ap.add_argument("--pack-small-blobs", action="store_true",
                    help="Astacus stores blobs up to 256 KiB in packs (object_storage.pack_small_blobs)")
    ap.add_argument("--client", choices=("http", "cli"), default="http",
                    help="http: POST the op and poll its status every 20 ms (exact op time); "
                         "cli: `astacus -w` (includes the CLI's exponential polling backoff)")
    ap.add_argument("--op-timeout", type=int, default=7200)
    ap.add_argument("--server-log-level", choices=("warning", "info", "debug"), default="warning",
                    help="uvicorn.log_level of the servers; info logs each step and the snapshot's timings "
                         "(server<k>.log in the run's scratch dir; add --keep)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--workdir", default=None, help="scratch directory (default: a new one in $TMPDIR or /tmp)")
    ap.add_argument("--dataset-dir", default=None, help="keep/reuse the generated dataset here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--update-readme", action="store_true",
                    help="also put the results table into the top README (between the bench markers)")
    ap.add_argument("--readme-from", metavar="FILE", default=None,
                    help="only copy an earlier results file FILE into the top README, then exit")
    a = ap.parse_args(argv)
    if a.runs < 1 or a.scale <= 0:
        ap.error("--runs must be >= 1 and --scale > 0")
    if a.out is None:
        a.out = os.path.join(REPO, "bench", "results-small-files.md" if a.small_files else
                             "results-large-files.md" if a.large_files else "results.md")
    return a


def main(argv):
    args = parse_args(argv)
    if args.readme_from:
        with open(args.readme_from) as f:
            update_readme(f.read())
        return 0
    args.astacus = os.path.abspath(args.astacus)
    if not os.access(args.astacus, os.X_OK):
        raise BenchError(f"astacus binary not found: {args.astacus} (build it, or pass --astacus)")
    notes = []
    if args.skip_restic:
        args.restic = None
        notes.append("restic skipped (--skip-restic)")
    elif not args.restic or not os.access(args.restic, os.X_OK):
        if not args.no_restic_if_missing:
            raise BenchError("restic not found (install it, or pass --no-restic-if-missing)")
        args.restic = None
        notes.append("restic not installed: restic rows and ratios missing")
    for tool in ("zstd", "openssl", "tar", "find", "cp"):
        if not shutil.which(tool):
            raise BenchError(f"{tool} not found")

    work = os.path.abspath(args.workdir) if args.workdir else tempfile.mkdtemp(prefix="astacus-bench-")
    os.makedirs(work, exist_ok=True)
    load_start = loadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    failures = []
    try:
        ds = make_dataset(args, work)
        key = gen_rsa_key(work) if args.encrypt else None
        runs = {"astacus": [], "restic": []} if args.restic else {"astacus": []}
        floors_runs, appended = [], []
        for i in range(args.runs):
            log(f"run {i + 1}/{args.runs}: hardware floor")
            floors_runs.append(measure_floor(ds, work))
            log(f"run {i + 1}/{args.runs}: astacus")
            r = run_astacus(args, ds, os.path.join(work, f"run{i}-astacus"), key, args.seed)
            runs["astacus"].append(r)
            appended.append(r.get("appended", (0, 0)))
            discard(os.path.join(work, f"run{i}-astacus"), work)
            if args.restic:
                log(f"run {i + 1}/{args.runs}: restic")
                runs["restic"].append(run_restic(args, ds, os.path.join(work, f"run{i}-restic"), args.seed))
                discard(os.path.join(work, f"run{i}-restic"), work)
        for tool, rs in runs.items():
            for i, r in enumerate(rs):
                if r.get("error"):
                    failures.append(f"run {i + 1}: {r['error']}")
                for ph in PHASES:
                    if ph in r and r[ph]["error"]:
                        failures.append(f"run {i + 1}: {tool} {ph}: {r[ph]['error']}")
                if not r.get("error") and not all(ph in r for ph in PHASES):
                    if not any(ph in r and r[ph]["error"] for ph in PHASES):
                        failures.append(f"run {i + 1}: {tool}: sequence incomplete")
        # Floor: median of each measured rate/time.
        fl = {"cores": floors_runs[0]["cores"], "blake2s": med([f["blake2s"] for f in floors_runs])}
        for key_ in ("walk", "tar_read", "tar_copy", "tar_copy_synced"):
            fl[key_] = med([f[key_] for f in floors_runs])
        for kind in ("text", "rand"):
            zs = [f[f"zstd_{kind}"] for f in floors_runs if f"zstd_{kind}" in f]
            if zs:
                fl[f"zstd_{kind}"] = {k: med([z[k] for z in zs]) for k in ("ratio", "comp", "decomp")}
        app_files, app_bytes = appended[0]
        floors = floor_times(fl, ds, app_bytes)
        summary = {tool: summarize(rs) for tool, rs in runs.items()}
        header, rows = build_table(ds, summary, floors, args.small_files)
        load_end = loadavg()

        scen = (f"many small files: {args.small_files} files of 0–16 KiB on 3 nodes" if args.small_files
                else f"large incompressible files: {len(ds.files)} × 256 MiB on 2 nodes" if args.large_files
                else f"mixed dataset at scale {args.scale:g}")
        info = [
            f"date {started.strftime('%Y-%m-%d %H:%M UTC')}; machine {machine()}; load average {load_start} at start, {load_end} at end",
            f"{scen}: {len(ds.files)} files, {ds.total_bytes / MB:.1f} MB "
            f"({ds.bytes_of('text') / MB:.1f} MB text-like, {ds.bytes_of('rand') / MB:.1f} MB random) on {ds.nodes} nodes; "
            f"1 % appended = {app_files} files",
            f"{args.runs} run(s), fresh copies each; wall/CPU/stored: median, peak RSS: max; warm page cache; "
            f"astacus: {ds.nodes} servers, local storage, zstd{' level ' + str(args.zstd_level) if args.zstd_level else ''}"
            f"{', small blobs packed' if args.pack_small_blobs else ''}"
            f"{', RSA encryption (' + args.encryption_format + ')' if args.encrypt else ', no encryption'}, client {args.client}; "
            f"restic: {ds.nodes} concurrent processes, one repository, --compression auto (always encrypted)",
            "versions: " + versions(args),
        ] + notes
        full = summary["astacus"].get(PHASES[0])
        if full and full.get("sidecars"):
            info.append(f"astacus local storage also keeps one rohmu `.metadata` sidecar per object "
                        f"({full['sidecars']:.0f} after the full backup), counted in stored MB but not in objects")
        if args.large_files and summary["astacus"].get(PHASES[0], {}).get("wall"):
            rate = ds.total_bytes / MB / summary["astacus"][PHASES[0]]["wall"]
            both = fl["blake2s"] * fl["cores"]
            info.append(f"full backup stored {rate:.0f} MB/s = {100 * rate / both:.0f} % of the BLAKE2s "
                        f"floor of {fl['cores']} cores ({both:.0f} MB/s); target: 60 % or more")
            if fl.get("tar_copy_synced"):
                disk = ds.total_bytes / MB / fl["tar_copy_synced"]
                info.append(f"this disk copied the tree and synced it at {disk:.0f} MB/s (tar -c | tar -x, then sync): "
                            f"the rate at which this disk takes this data durably, which bounds a backup that syncs what it stores")
        fls = floor_lines(fl, floors)
        text = render_text(header, rows)
        print()
        print("\n".join(info))
        print()
        print(text)
        print()
        print("hardware floor: " + "; ".join(fls))
        print("restic/astacus > 1: astacus is faster; astacus/floor: times slower than this machine's floor (1.0 = at the floor)")
        if failures:
            print("\nFAILURES:\n  " + "\n  ".join(failures))

        md = [f"<!-- generated by scripts/bench.sh (bench/run_bench.py); do not edit by hand -->",
              f"### Benchmark: Astacus vs restic 0.14 vs the hardware floor ({scen})", ""]
        md += [f"- {line}" for line in info]
        md += ["", render_md(header, rows), "", "Hardware floor measured in the same run: " + "; ".join(fls) + ".",
               "`restic/astacus` > 1 means Astacus is faster; `astacus/floor` is how many times slower than the floor.",
               "Absolute times depend on the machine and its load; compare the ratios."]
        if failures:
            md += ["", "**FAILURES:**", ""] + [f"- {f}" for f in failures]
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write("\n".join(md) + "\n")
        log(f"wrote {args.out}")
        if args.update_readme:
            update_readme("\n".join(md))
        if args.json_out:
            with open(args.json_out, "w") as f:
                json.dump({"info": info, "floor": fl, "floors": floors, "runs": runs, "summary": summary}, f,
                          indent=1, default=str)
    finally:
        stop_all()
        if args.keep:
            log(f"kept {work}")
        elif args.small_files and args.small_files >= BACKGROUND_DELETE_FILES:
            # Millions of unlinks take many minutes (more with a `discard` mount); results are out.
            pid = subprocess.Popen(["rm", "-rf", work], start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid
            log(f"deleting {work} in the background (rm pid {pid})")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        stop_all()
        sys.exit(2)
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
