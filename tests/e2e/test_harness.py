"""The harness itself: its SigV4 check agrees with AWS's published test vector and
rejects tampered requests, and it leaves no process behind when a test fails or the
test process is killed."""

import datetime
import os
import subprocess
import sys
import textwrap
import time
import unittest
from pathlib import Path

from harness import ACCESS_KEY, SECRET_KEY, check_sigv4, sigv4_signature

HERE = Path(__file__).resolve().parent


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose; it only waits for its parent to reap it.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def signed(body, secret=SECRET_KEY, when="20261122T101500Z"):
    headers = {"host": "127.0.0.1:1", "x-amz-date": when, "content-type": "application/json"}
    names = ["content-type", "host", "x-amz-date"]
    scope = f"{when[:8]}/us-east-1/connect/aws4_request"
    signature = sigv4_signature(secret, "PUT", "/contact/chat", "", headers, names, body, when, scope)
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return headers


NOW = datetime.datetime(2026, 11, 22, 10, 16, tzinfo=datetime.timezone.utc)


class SigV4Test(unittest.TestCase):
    def test_matches_the_aws_get_vanilla_vector(self):
        # From the AWS Signature Version 4 test suite ("get-vanilla").
        headers = {"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"}
        signature = sigv4_signature(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "GET", "/", "", headers,
            ["host", "x-amz-date"], b"", "20150830T123600Z",
            "20150830/us-east-1/service/aws4_request",
        )
        self.assertEqual(signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")

    def test_accepts_a_good_signature_and_rejects_tampering(self):
        body = b'{"InstanceId":"x"}'
        headers = signed(body)
        self.assertIsNone(check_sigv4("PUT", "/contact/chat", "", headers, body, now=NOW))
        self.assertEqual(
            check_sigv4("PUT", "/contact/chat", "", headers, b'{"InstanceId":"y"}', now=NOW),
            "signature mismatch",
        )
        self.assertEqual(
            check_sigv4("POST", "/contact/chat", "", headers, body, now=NOW), "signature mismatch"
        )
        wrong_key = signed(body, secret="not-the-secret")
        self.assertEqual(
            check_sigv4("PUT", "/contact/chat", "", wrong_key, body, now=NOW), "signature mismatch"
        )
        stale = NOW + datetime.timedelta(minutes=6)
        self.assertIn("5 minutes", check_sigv4("PUT", "/contact/chat", "", headers, body, now=stale))
        unsigned = {k: v for k, v in headers.items() if k != "authorization"}
        self.assertIsNotNone(check_sigv4("PUT", "/contact/chat", "", unsigned, body, now=NOW))


# Starts an emulator and a function, prints their PIDs, then fails or waits to be killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {here!r})
    from harness import Emulator
    with Emulator() as emulator:
        function = emulator.start("review-handler")
        print(emulator.proc.pid, function.proc.pid, flush=True)
        if sys.argv[1] == "fail":
            raise AssertionError("a failing test")
        time.sleep(60)
    """
)


class CleanupTest(unittest.TestCase):
    def run_child(self, mode):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(here=str(HERE)), mode],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.stderr.close)
        pids = [int(p) for p in child.stdout.readline().split()]
        self.assertEqual(len(pids), 2, child.stderr.read() if child.poll() is not None else "")
        return child, pids

    def assert_gone(self, pids):
        deadline = time.monotonic() + 5
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual([p for p in pids if alive(p)], [])

    def test_a_failing_test_leaves_no_process(self):
        child, pids = self.run_child("fail")
        _, stderr = child.communicate(timeout=30)
        self.assertNotEqual(child.returncode, 0)
        self.assertIn("a failing test", stderr)
        self.assert_gone(pids)

    def test_a_killed_test_run_leaves_no_process(self):
        child, pids = self.run_child("wait")
        self.assertTrue(all(alive(p) for p in pids))
        child.kill()
        child.wait()
        self.assert_gone(pids)


if __name__ == "__main__":
    unittest.main()
