#!/usr/bin/env python3
"""The performance report `make bench` prints, as Markdown (the README keeps a copy).

It reads what the Makefile's earlier steps produced (criterion results, the release
binaries, the arm64 zips, bench/obscenity/node_modules) and measures the rest here:
the side-by-side comparison, process start to first decision, cold starts through
cargo-lambda's emulator, and peak memory over 1,000 invocations.
"""

import functools
import json
import os
import platform
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
os.environ["E2E_PROFILE"] = "release"  # measure what ships, not the test build
from harness import REPO, RELEASE, TARGET, Emulator, FakeConnect, binary, connect_env  # noqa: E402

RUNS = 20
INVOCATIONS = 1000
OBSCENITY = REPO / "bench" / "obscenity"
START_CHAT_ENV = {
    "INSTANCE_ID": "11111111-2222-3333-4444-555555555555",
    "CONTACT_FLOW_ID": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "ALLOWED_ORIGINS": "*",
}
# Targets from the performance issue, checked at the end.
TARGETS = []


@functools.cache
def shipped_review_handler():
    """The review handler linked as the Lambda artefacts are (at a fixed address, see the
    Makefile's LAMBDA_RUSTFLAGS), built for this machine by `make bench`."""
    host = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    triple = next(line.split()[1] for line in host.splitlines() if line.startswith("host:"))
    path = TARGET / triple / "release" / "review-handler"
    if not path.exists():
        sys.exit(f"{path} is missing: run `make bench`")
    return path


def human(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[round((len(ordered) - 1) * q)]


def target(what, value, limit, unit):
    TARGETS.append((what, value, limit, unit))


def machine():
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    node = subprocess.run(["node", "-v"], capture_output=True, text=True).stdout.strip() if shutil.which("node") else "no Node"
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured {date} on {cpu}, {os.cpu_count()} cores, {mem_kb / 1048576:.0f} GB, "
          f"Linux {platform.release()}; {rustc}; Node {node}.\n")


def criterion():
    """Median (criterion's estimate) and p99 of the per-iteration sample times."""
    root = TARGET / "criterion"
    rows = []
    news = sorted(root.glob("review/**/new")) + sorted(root.glob("engine-build/**/new"))
    for new in news:
        estimates, sample = new / "estimates.json", new / "sample.json"
        if not (estimates.exists() and sample.exists()):
            continue
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        s = json.loads(sample.read_text())
        per_iter = [t / n for t, n in zip(s["times"], s["iters"])]
        bench = json.loads((new / "benchmark.json").read_text())["full_id"]
        rows.append((bench, median, percentile(per_iter, 0.99)))
    if not rows:
        sys.exit(f"no criterion results under {root}: run `make bench`")
    print("### Review decision latency and build time (criterion)\n")
    print("| benchmark | median | p99 of samples |")
    print("|---|---|---|")
    for bench, median, p99 in rows:
        print(f"| {bench} | {human(median)} | {human(p99)} |")
        if bench == "review/default/150":
            target("review, 150 chars, default policy (median)", median / 1e3, 3, "µs")
        if bench == "engine-build/default":
            target("engine build, default policy (median)", median / 1e6, 2, "ms")
    print("\np99 is over criterion's 100 samples, each the mean of many iterations.\n")


def side_by_side():
    """Every filter on the same generated messages, in one run."""
    compare = binary("compare")
    lines = subprocess.run([compare, "run"], capture_output=True, text=True, check=True).stdout
    results = [json.loads(line) for line in lines.splitlines()]
    messages = subprocess.run([compare, "messages"], capture_output=True, text=True, check=True).stdout
    node = shutil.which("node") and (OBSCENITY / "node_modules" / "obscenity").exists()
    if node:
        out = subprocess.run(["node", OBSCENITY / "compare.js", "run"], input=messages,
                             capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out))
    first_message = messages.splitlines()[0]
    first_event = json.dumps({"Content": first_message, "RoomArn": "arn:aws:ivschat:us-west-2:1:room/r",
                              "Sender": {"UserId": "u", "Attributes": {}}}) + "\n"
    ours = next(r for r in results if r["engine"] == "moderation")
    print(f"### Side by side: {ours['messages']} chat messages of 150 characters, "
          f"{ours['calls'] // ours['messages']} rounds\n")
    print("| filter | median per message | p99 | mean | this engine is faster by (median) |")
    print("|---|---|---|---|---|")
    for r in results:
        ratio = r["median_ns"] / ours["median_ns"]
        print(f"| {r['engine']} | {human(r['median_ns'])} | {human(r['p99_ns'])} | "
              f"{human(r['mean_ns'])} | {'' if r is ours else f'{ratio:.1f}×'} |")
        if r is not ours:
            target(f"faster than {r['engine']} (median ratio)", ratio, 10, "× (at least)")
    if not node:
        print("\n(obscenity skipped: Node or bench/obscenity/node_modules missing)")

    starts = {
        "moderation (`review-handler check`, one event on stdin)": (
            [shipped_review_handler(), "check"], first_event),
        "moderation, position-independent build (`cargo build --release`)": (
            [binary("review-handler"), "check"], first_event),
        "rustrict-censor": ([compare, "first", "rustrict-censor", first_message], None),
        "rustrict-analyse": ([compare, "first", "rustrict-analyse", first_message], None),
    }
    if node:
        starts["obscenity (`node`)"] = (["node", OBSCENITY / "compare.js", "first", first_message], None)
    print(f"\nProcess start to first decision (median of {RUNS} runs):\n")
    print("| filter | median | min | max |")
    print("|---|---|---|---|")
    for name, (args, stdin) in starts.items():
        times = [first_decision(args, stdin) for _ in range(RUNS)]
        print(f"| {name} | {statistics.median(times):.1f} ms | {min(times):.1f} ms | {max(times):.1f} ms |")
        if name == next(iter(starts)):
            target("review-handler start to first decision (median)", statistics.median(times), 5, "ms")
    args, stdin = next(iter(starts.values()))
    share = lambda_cpu_share()
    if share:
        times = [first_decision(args, stdin, share) for _ in range(RUNS)]
        print(f"\nUnder a 128 MB Lambda's CPU share (7% of a core: a CFS quota of "
              f"{LAMBDA_QUOTA_US} µs per {LAMBDA_PERIOD_US} µs), `review-handler check`: median "
              f"{statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms.")
        target("review-handler start to first decision at 7% CPU (median)", statistics.median(times), 30, "ms")
        memory_sizes(stdin)
    else:
        print("\n(the CPU share runs are skipped: no writable cgroup cpu controller here)")
    print()


# Lambda gives a function CPU in proportion to its memory, a whole vCPU at 1,769 MB, so a
# 128 MB function gets about 7%; a short period spreads the quota evenly.
LAMBDA_PERIOD_US = 14286
FULL_VCPU_MB = 1769
LAMBDA_QUOTA_US = LAMBDA_PERIOD_US * 128 // FULL_VCPU_MB


def lambda_cpu_share(memory_mb=128):
    """A function that moves the calling process into a cgroup limited to the CPU share of
    a `memory_mb` Lambda, or None where no cgroup cpu controller is writable (cgroup v2
    `cpu.max` or v1 CFS)."""
    quota = LAMBDA_PERIOD_US * memory_mb // FULL_VCPU_MB
    for base, limit in ((Path("/sys/fs/cgroup/cpu"), None), (Path("/sys/fs/cgroup"), "cpu.max")):
        group = base / f"bench-lambda-{memory_mb}mb"
        try:
            group.mkdir(exist_ok=True)
            if limit and not (group / limit).exists():
                continue
            if limit:
                (group / limit).write_text(f"{quota} {LAMBDA_PERIOD_US}")
            else:
                (group / "cpu.cfs_period_us").write_text(str(LAMBDA_PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(quota))
        except OSError:
            continue
        procs = group / "cgroup.procs"
        return lambda: procs.write_text(str(os.getpid()))
    return None


MEMORY_SIZES_MB = (128, 256, 512, 1024, 1769)


def memory_sizes(event):
    """Start to first decision at each memory size's CPU share, with the embedded policy
    and with 10,000 made-up terms added (a file, as an operator would keep them). Called
    where a cgroup cpu controller is writable."""
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(7)
        terms = set()
        while len(terms) < 10_000:
            terms.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 10))))
        Path(tmp, "big.txt").write_text("\n".join(sorted(terms)) + "\n")
        Path(tmp, "big.toml").write_text(
            (REPO / "policies" / "default.toml").read_text()
            + '\n[[defaults.rules]]\nid = "big-list"\nkind = "terms"\naction = "mask"\nfile = "big.txt"\n')
        policies = {"embedded default": [], "default + 10,000 terms": ["--policy", str(Path(tmp, "big.toml"))]}
        print(f"\nStart to first decision by memory size (the CPU share Lambda gives it; "
              f"median and max of {RUNS} runs of `review-handler check`):\n")
        print("| policy | " + " | ".join(f"{m} MB" for m in MEMORY_SIZES_MB) + " |")
        print("|---|" + "---|" * len(MEMORY_SIZES_MB))
        for name, extra in policies.items():
            cells = []
            for memory in MEMORY_SIZES_MB:
                share = lambda_cpu_share(memory)
                times = [first_decision([shipped_review_handler(), "check", *extra], event, share)
                         for _ in range(RUNS)]
                cells.append(f"{statistics.median(times):.0f} ms ({max(times):.0f})")
                if memory == 128 and extra:
                    target("review-handler start at 7% CPU, 10,000 terms (median)",
                           statistics.median(times), 60, "ms")
            print(f"| {name} | " + " | ".join(cells) + " |")


def first_decision(args, stdin, preexec=None):
    """Milliseconds from spawning `args` to its first line of output. Under a CPU share
    (`preexec` moves the child into its cgroup) it first waits three CFS periods: the
    previous run's exit is charged to the same cgroup, while a Lambda sandbox starts its
    init idle, with its whole quota."""
    if preexec:
        time.sleep(3 * LAMBDA_PERIOD_US / 1e6)
    start = time.perf_counter()
    proc = subprocess.Popen([str(a) for a in args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, preexec_fn=preexec)
    if stdin:
        proc.stdin.write(stdin)
    proc.stdin.close()
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000
    proc.stdout.close()
    if proc.wait() != 0 or not line:
        sys.exit(f"{args[0]} failed")
    return elapsed


def review_events():
    path = REPO / "events" / "review" / "default.jsonl"
    return [line.encode() for line in path.read_text().splitlines() if line.strip()]


def start_chat_request(emulator, i):
    body = (json.dumps({"ParticipantDetails": {"DisplayName": f"User {i}"}}) if i % 4
            else '{"ParticipantDetails": {}}')
    return emulator.http("POST", emulator.url("start-chat"), body, {"content-type": "application/json"})


def cold_starts_and_memory():
    print(f"### Cold start and memory, through `cargo lambda watch` (release x86_64 binaries)\n")
    print(f"Cold start: process start to the first response at the client, median of {RUNS} "
          f"runs. Peak RSS: VmHWM after {INVOCATIONS:,} invocations.\n")
    print("| function | cold start median | min | max | peak RSS |")
    print("|---|---|---|---|---|")
    events = review_events()
    with Emulator() as emulator:
        def first_review():
            status, _ = emulator.invoke("review-handler", events[0])
            assert status == 200
        cold = cold_runs(emulator, "review-handler", {}, first_review)
        rss = peak_rss(emulator, "review-handler", {},
                       lambda i: emulator.invoke("review-handler", events[i % len(events)]))
    report("review-handler", cold, rss, 5, 16)

    with FakeConnect() as connect, Emulator() as emulator:
        env = {**START_CHAT_ENV, **connect_env(connect.url)}

        def first_chat():
            status, _, _ = start_chat_request(emulator, 1)
            assert status == 200
        cold = cold_runs(emulator, "start-chat", env, first_chat)
        rss = peak_rss(emulator, "start-chat", env, lambda i: start_chat_request(emulator, i))
    report("start-chat", cold, rss, 50, 40)
    print()


def cold_runs(emulator, name, env, first_request):
    times = []
    for _ in range(RUNS):
        function = emulator.start(name, env, die_with_parent=False)
        first_request()
        times.append((time.perf_counter() - function.started) * 1000)
        function.stop()
        emulator.functions.remove(function)
    return times


def peak_rss(emulator, name, env, invoke):
    function = emulator.start(name, env)
    for i in range(INVOCATIONS):
        invoke(i)
    status = Path(f"/proc/{function.proc.pid}/status").read_text()
    kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    if function.proc.poll() is not None:
        sys.exit(f"{name} exited during the memory run")
    return kb / 1024


def report(name, cold, rss, cold_target, rss_target):
    print(f"| {name} | {statistics.median(cold):.2f} ms | {min(cold):.2f} ms | {max(cold):.2f} ms | {rss:.1f} MB |")
    target(f"{name} cold start (median)", statistics.median(cold), cold_target, "ms")
    target(f"{name} peak RSS", rss, rss_target, "MB")


def artefacts():
    print("### Deployment artefacts (arm64, `cargo lambda build --release --arm64 --output-format zip`)\n")
    print("| function | bootstrap | zip |")
    print("|---|---|---|")
    for name in ("review-handler", "start-chat"):
        path = TARGET / "lambda" / name / "bootstrap.zip"
        if not path.exists():
            sys.exit(f"{path} is missing: run `make bench`")
        with zipfile.ZipFile(path) as z:
            size = z.getinfo("bootstrap").file_size
        print(f"| {name} | {size / 1e6:.1f} MB | {path.stat().st_size / 1e6:.1f} MB |")
        if name == "review-handler":
            target("review-handler arm64 zip", path.stat().st_size / 1e6, 4, "MB")
    print()


def targets():
    print("### Targets\n")
    print("| target | measured | limit | met |")
    print("|---|---|---|---|")
    for what, value, limit, unit in TARGETS:
        at_least = "at least" in unit
        met = value >= limit if at_least else value <= limit
        print(f"| {what} | {value:.2f} | {limit} {unit} | {'yes' if met else '**no**'} |")


def main():
    if not RELEASE.exists():
        sys.exit("no release binaries: run `make bench`")
    machine()
    criterion()
    side_by_side()
    cold_starts_and_memory()
    artefacts()
    targets()


if __name__ == "__main__":
    main()
