"""Live policy and metrics: the review handler, the binary `cargo test` builds, under the
Lambda emulator, reading policy versions from a local stand-in for the AppConfig Lambda
extension (its real endpoint shape); AppConfig's validator (`policy-validator`) on
AppConfig's event; and the Embedded Metric Format lines the handler writes."""

import base64
import json
import time
import unittest

from harness import Emulator, FakeAppConfigExtension, enter_context as enter

ROOM = "arn:aws:ivschat:us-east-1:123456789012:room/LiveRoom1"


def policy(term):
    return (f'[[defaults.rules]]\nid = "no-{term}"\nkind = "terms"\nterms = ["{term}"]\n'
            f'action = "deny"\nreason = "No {term} here."\n')


def event(text):
    return json.dumps({"Content": text, "MessageId": "m1", "RoomArn": ROOM, "Attributes": {},
                       "Sender": {"UserId": "viewer-1", "Ip": "192.0.2.1", "Attributes": {}}})


class LivePolicyTest(unittest.TestCase):
    def setUp(self):
        self.extension = enter(self, FakeAppConfigExtension())
        self.emulator = enter(self, Emulator())

    def start(self, **env):
        return self.emulator.start("review-handler", {**self.extension.env(), **env})

    def verdict(self, text):
        status, body = self.emulator.invoke("review-handler", event(text))
        self.assertEqual(status, 200, body)
        return json.loads(body)["ReviewResult"]

    def until(self, text, verdict, seconds=15):
        """Invokes until `text` gets `verdict` (a due check may finish after the review)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.verdict(text) == verdict:
                return
            time.sleep(0.2)
        self.fail(f"{text!r} never got {verdict}")

    def test_a_new_version_takes_over_and_a_bad_one_is_refused(self):
        self.extension.serve(policy("bananas"))
        fn = self.start(METRICS_NAMESPACE="ChatBackends/test")
        self.assertEqual(self.verdict("bananas again"), "DENY", "the deployed version from the start")
        self.assertEqual(self.verdict("apples"), "ALLOW")

        self.extension.serve(policy("apples"))
        self.until("apples", "DENY")
        self.assertEqual(self.verdict("bananas"), "ALLOW", "the new version replaced the old one")

        self.extension.serve("[[defaults.rules]]\nid = 1\n")
        seen = self.extension.count()
        while self.extension.count() < seen + 3:
            self.assertEqual(self.verdict("apples"), "DENY", "the last good version stays")
            time.sleep(0.3)
        logs = fn.logs()
        self.assertEqual(logs.count("live policy version refused"), 1, "once per version")
        self.assertIn("defaults.rules[0].id", logs)
        rejected = [m for m in self.metrics(fn) if "PolicyRejected" in m]
        self.assertEqual(len(rejected), 1)

        # The metrics of the reviews: one document per review, one per rule matched.
        reviews = [m for m in self.metrics(fn) if "Reviews" in m]
        self.assertGreaterEqual(len(reviews), 5)
        denied = [m for m in reviews if m["Denied"] == 1]
        self.assertTrue(denied and all(m["Room"] == "LiveRoom1" for m in reviews))
        self.assertEqual(reviews[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"], "ChatBackends/test")
        rules = {(m["Rule"], m["Action"]) for m in self.metrics(fn) if "Matches" in m}
        self.assertEqual(rules, {("no-bananas", "deny"), ("no-apples", "deny")})
        self.assertNotIn("apples", json.dumps([m for m in self.metrics(fn) if "Reviews" in m]),
                         "metrics carry no message text")

    def test_a_slow_extension_never_holds_a_review(self):
        self.extension.serve(policy("bananas"))
        self.start()
        self.assertEqual(self.verdict("bananas"), "DENY")
        self.extension.hold()
        self.extension.serve(policy("apples"))
        time.sleep(1.2)  # the next check is due
        self.assertEqual(self.verdict("apples"), "ALLOW", "reviewed with the current policy")
        self.assertEqual(self.extension.pending, 1, "answered while the extension still held the check")
        self.extension.release()
        self.until("apples", "DENY")

    def test_before_any_deployment_the_packaged_policy_serves(self):
        fn = self.start(POLICY=policy("cherries"))
        self.assertEqual(self.verdict("cherries"), "DENY")
        self.assertIn("no live policy yet", fn.logs())
        self.assertIn("HTTP 404", fn.logs())
        checks = self.extension.count()
        while self.extension.count() < checks + 2:
            self.assertEqual(self.verdict("cherries"), "DENY")
            time.sleep(0.3)
        self.assertEqual(fn.logs().count("HTTP 404"), 1, "the same failure is logged once")
        self.extension.serve(policy("apples"))
        self.until("apples", "DENY")
        self.assertEqual(self.verdict("cherries"), "ALLOW")
        self.assertIn("the AppConfig extension answers again", fn.logs())

    def metrics(self, fn):
        docs = []
        for line in fn.logs().splitlines():
            if line.startswith("{") and '"_aws"' in line:
                docs.append(json.loads(line))
        return docs


class ValidatorTest(unittest.TestCase):
    """`policy-validator` answers AppConfig's validation event: nothing for a version
    the handler can serve, an error with the compiler's message otherwise."""

    def test_accepts_and_refuses_as_the_handler_would(self):
        emulator = enter(self, Emulator())
        emulator.start("policy-validator")

        def validate(text):
            payload = {"applicationId": "abc1234", "configurationProfileId": "def5678",
                       "configurationVersion": "2", "uri": "hosted",
                       "content": base64.b64encode(text.encode()).decode()}
            status, body = emulator.invoke("policy-validator", json.dumps(payload))
            return status, json.loads(body) if body else None

        status, body = validate(policy("bananas"))
        self.assertEqual((status, body), (200, None))
        status, body = validate('[[defaults.rules]]\nid = "r"\nkind = "regex"\npattern = "("\naction = "deny"\n')
        self.assertIn("regex", body["errorMessage"])
        self.assertNotEqual(body.get("errorType"), None)


if __name__ == "__main__":
    unittest.main()
