#!/usr/bin/env python3
"""Process start to ready for `start-chat serve`: starts the binary RUNS times, measures
the time until its port accepts connections, and prints the median, min and max.

Usage: scripts/startup-time.py BINARY [RUNS]
The environment gives it a syntactically valid configuration and fake credentials;
no request is sent, so nothing reaches AWS.
"""
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once(binary):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "INSTANCE_ID": "11111111-2222-3333-4444-555555555555",
        "CONTACT_FLOW_ID": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "ALLOWED_ORIGINS": "https://shop.example.com",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LOG_LEVEL": "error",
    }
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                    return (time.perf_counter() - start) * 1000
            except OSError:
                if proc.poll() is not None:
                    sys.exit(f"{binary} exited with {proc.returncode} before listening")
                if time.perf_counter() - start > 10:
                    sys.exit(f"{binary} did not listen within 10 s")
                time.sleep(0.0005)
    finally:
        proc.kill()
        proc.wait()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
    times = [once(binary) for _ in range(runs)]
    print(f"start-chat serve, process start to listening, {runs} runs: "
          f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
