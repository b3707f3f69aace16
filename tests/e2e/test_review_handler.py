"""review-handler, the binary `cargo test` builds, under the Lambda emulator: every event under
events/review/ through `cargo lambda invoke`, compared with events/review/expected/.

events/review/default.jsonl runs with the embedded default policy; any other
NAME.jsonl with policies/NAME.toml as POLICY_FILE, as the contract tests do.
"""

import json
import tempfile
import unittest
from pathlib import Path

from harness import REPO, Emulator, enter_class_context

EVENTS = REPO / "events" / "review"


def event_files():
    return sorted(EVENTS.glob("*.jsonl"))


def lines(path):
    return [line for line in path.read_text().splitlines() if line.strip()]


class ReviewHandlerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # One emulator and function per event file, keyed by the file's stem.
        cls.emulators, cls.functions = {}, {}
        for events in event_files():
            env = {}
            if events.stem != "default":
                env["POLICY_FILE"] = str(REPO / "policies" / f"{events.stem}.toml")
            emulator = enter_class_context(cls, Emulator())
            cls.emulators[events.stem] = emulator
            cls.functions[events.stem] = emulator.start("review-handler", env)

    def test_every_event_gives_the_expected_response(self):
        self.assertGreaterEqual(len(event_files()), 2)
        replayed = 0
        with tempfile.TemporaryDirectory() as tmp:
            for events in event_files():
                expected = lines(EVENTS / "expected" / events.name)
                inputs = lines(events)
                self.assertEqual(len(inputs), len(expected), f"{events.name}: one expectation per event")
                for i, (event, want) in enumerate(zip(inputs, expected)):
                    data_file = Path(tmp) / f"{events.stem}-{i}.json"
                    data_file.write_text(event)
                    got = self.emulators[events.stem].invoke_cli("review-handler", data_file)
                    message_id = json.loads(event).get("MessageId")
                    with self.subTest(file=events.name, line=i + 1, message_id=message_id):
                        self.assertEqual(got, json.loads(want))
                    replayed += 1
        self.assertGreaterEqual(replayed, 60)

    def test_logs_are_json_without_message_text(self):
        # An event of its own, whose text the logs must not repeat.
        secret = "this message text must not be logged, fuck"
        event = json.loads(lines(EVENTS / "default.jsonl")[0])
        event["Content"] = secret
        status, body = self.emulators["default"].invoke("review-handler", json.dumps(event).encode())
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["Content"], "this message text must not be logged, ****")
        logs = self.functions["default"].logs()
        records = [json.loads(line) for line in logs.splitlines() if line.strip()]
        reviewed = [r for r in records if r["fields"].get("message") == "reviewed"]
        self.assertTrue(reviewed, logs)
        self.assertTrue(all(r["span"]["requestId"] for r in reviewed), "request id in every review log")
        self.assertNotIn("must not be logged", logs)

    def test_malformed_events_get_the_policy_failure_verdict(self):
        # The default policy says on_error = "deny"; the example policy "allow".
        cases = [
            b"[]",
            b'"just a string"',
            b'{"Content": 42, "RoomArn": "arn:aws:ivschat:us-west-2:1:room/x"}',
            b"[" * 5000 + b"]" * 5000,
        ]
        for policy, verdict in [("default", "DENY"), ("example", "ALLOW")]:
            for payload in cases:
                with self.subTest(policy=policy, payload=payload[:40]):
                    status, body = self.emulators[policy].invoke("review-handler", payload)
                    self.assertEqual(status, 200, body)
                    self.assertEqual(json.loads(body)["ReviewResult"], verdict)

    def test_functions_survived_every_invocation(self):
        status, body = self.emulators["default"].invoke("review-handler", b"{}")
        self.assertEqual(status, 200, body)
        for name, function in self.functions.items():
            self.assertIsNone(function.proc.poll(), f"{name} exited")


class BrokenPolicyTest(unittest.TestCase):
    """A policy that cannot be loaded: the function still answers, and denies."""

    @classmethod
    def setUpClass(cls):
        cls.emulator = enter_class_context(cls, Emulator())
        cls.function = cls.emulator.start("review-handler", {"POLICY": "on_error = 'maybe'"})

    def test_every_event_is_denied_with_a_reason_and_the_error_logged_once(self):
        for payload in [json.dumps(json.loads(lines(EVENTS / "default.jsonl")[0])).encode(), b"[]", b"{}"]:
            status, body = self.emulator.invoke("review-handler", payload)
            self.assertEqual(status, 200, body)
            answer = json.loads(body)
            self.assertEqual(answer["ReviewResult"], "DENY")
            self.assertIn("policy could not be loaded", answer["Attributes"]["Reason"])
        records = [json.loads(line) for line in self.function.logs().splitlines() if line.strip()]
        errors = [r for r in records if r["level"] == "ERROR"]
        self.assertEqual(len(errors), 1, self.function.logs())
        self.assertIn("on_error", errors[0]["fields"]["error"])
        self.assertIsNone(self.function.proc.poll(), "the function keeps running")


if __name__ == "__main__":
    unittest.main()
