"""start-chat, the binary `cargo test` builds, under the Lambda emulator: real HTTP requests to its
function URL, with the real aws-sdk-connect client calling a local server that plays
Amazon Connect and checks each request's SigV4 signature."""

import json
import unittest

from harness import REPO, Emulator, FakeConnect, connect_env, enter_class_context, error, free_port

INSTANCE = "11111111-2222-3333-4444-555555555555"
FLOW = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
OTHER_FLOW = "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"
ORIGIN = "https://shop.example.com"
MINIMAL = json.dumps({"ParticipantDetails": {"DisplayName": "Ana"}})


def settings(endpoint):
    return {
        "INSTANCE_ID": INSTANCE,
        "CONTACT_FLOW_ID": FLOW,
        "ALLOWED_CONTACT_FLOW_IDS": OTHER_FLOW,
        "ALLOWED_ORIGINS": ORIGIN,
        "ALLOWED_ATTRIBUTE_KEYS": "orderId,locale",
        **connect_env(endpoint),
    }


class StartChatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.connect = enter_class_context(cls, FakeConnect())
        cls.emulator = enter_class_context(cls, Emulator())
        cls.function = cls.emulator.start("start-chat", settings(cls.connect.url))
        # The same function with Connect's port closed, writing metrics.
        cls.down = enter_class_context(cls, Emulator())
        cls.down_function = cls.down.start("start-chat", {**settings(f"http://127.0.0.1:{free_port()}"),
                                                          "METRICS_NAMESPACE": "ChatBackends/test"})

    def setUp(self):
        self.connect.reset()

    def post(self, body, origin=ORIGIN, emulator=None, headers=None):
        """POST to the function URL: (status, headers, parsed JSON body)."""
        all_headers = {"content-type": "application/json", **(headers or {})}
        if origin:
            all_headers["origin"] = origin
        status, response_headers, data = (emulator or self.emulator).http(
            "POST", self.emulator.url("start-chat"), body, all_headers
        )
        self.assertEqual(response_headers.get("content-type"), "application/json", data)
        return status, response_headers, json.loads(data)

    def assert_error(self, answer, status, code):
        self.assertEqual(answer["data"]["Error"]["statusCode"], status, answer)
        self.assertEqual(answer["data"]["Error"]["code"], code, answer)
        self.assertIsInstance(answer["data"]["Error"]["message"], str)

    def test_success_sends_a_signed_request_and_answers_like_the_sample(self):
        body = {
            "InstanceId": INSTANCE,
            "ContactFlowId": OTHER_FLOW,
            "ParticipantDetails": {"DisplayName": "Ana"},
            "Attributes": {"orderId": "A-17", "locale": "pt-BR", "notAllowed": "dropped"},
            "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
            "ChatDurationInMinutes": 90,
            "InitialMessage": {"ContentType": "text/plain", "Content": "Where is my order?"},
            "ClientToken": "token-123",
        }
        status, headers, answer = self.post(json.dumps(body))
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer, {"data": {
            "startChatResult": {"ContactId": "contact-1", "ParticipantId": "participant-1",
                                "ParticipantToken": "token-secret-1"},
            "featurePermissions": {"MESSAGING_MARKDOWN": True, "ATTACHMENTS": False},
        }})
        self.assertEqual(headers["access-control-allow-origin"], ORIGIN)

        [request] = self.connect.requests
        self.assertEqual((request["method"], request["path"]), ("PUT", "/contact/chat"))
        self.assertIsNone(request["signature_problem"])
        self.assertIn("/us-east-1/connect/aws4_request", request["headers"]["authorization"])
        self.assertEqual(request["body"], {
            "InstanceId": INSTANCE,
            "ContactFlowId": OTHER_FLOW,
            "ParticipantDetails": {"DisplayName": "Ana"},
            "Attributes": {"customerName": "Ana", "orderId": "A-17", "locale": "pt-BR"},
            "SupportedMessagingContentTypes": ["text/plain", "text/markdown"],
            "ChatDurationInMinutes": 90,
            "InitialMessage": {"ContentType": "text/plain", "Content": "Where is my order?"},
            "ClientToken": "token-123",
        })

    def test_minimal_request_gets_the_server_defaults(self):
        status, _, answer = self.post(MINIMAL)
        self.assertEqual(status, 200, answer)
        [request] = self.connect.requests
        self.assertIsNone(request["signature_problem"])
        self.assertEqual(request["body"]["InstanceId"], INSTANCE)
        self.assertEqual(request["body"]["ContactFlowId"], FLOW)

    def test_each_connect_error_maps_to_a_status(self):
        table = json.loads((REPO / "crates/start-chat/tests/connect-errors.json").read_text())
        for case in table:
            upstream, error_type = case["connect_status"], case["error_type"]
            status, code, retry_after = case["status"], case["code"], case["retry_after"]
            with self.subTest(error_type=error_type):
                self.connect.reset(*[error(upstream, error_type)] * 3)
                got, headers, answer = self.post(MINIMAL)
                self.assertEqual(got, status, answer)
                self.assert_error(answer, status, code)
                self.assertEqual("retry-after" in headers, retry_after)
                self.assertEqual(headers["access-control-allow-origin"], ORIGIN)
                if status >= 500:
                    self.assertNotIn("details from Connect", json.dumps(answer), "no upstream details")
                self.assertTrue(self.connect.requests)
                self.assertTrue(all(r["signature_problem"] is None for r in self.connect.requests))

    def test_throttling_is_retried_then_reported(self):
        self.connect.reset(*[error(400, "ThrottlingException")] * 3)
        status, headers, answer = self.post(MINIMAL)
        self.assertEqual(status, 429, answer)
        self.assertEqual(headers["retry-after"], "2")
        self.assertEqual(len(self.connect.requests), 3)

        self.connect.reset(error(400, "ThrottlingException"))
        status, _, answer = self.post(MINIMAL)
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(self.connect.requests), 2)

    def test_unreachable_connect_is_503(self):
        status, headers, answer = self.post(MINIMAL, emulator=self.down)
        self.assertEqual(status, 503, answer)
        self.assert_error(answer, 503, "UpstreamUnavailable")
        self.assertEqual(headers["retry-after"], "2")

    def test_metrics_count_requests_and_connect_failures(self):
        self.post(MINIMAL, emulator=self.down)
        self.post("{", emulator=self.down)
        docs = [json.loads(line) for line in self.down_function.logs().splitlines() if '"_aws"' in line]
        by_status = {d["Status"]: d for d in docs}
        failed, refused = by_status["503"], by_status["400"]
        self.assertEqual(failed["_aws"]["CloudWatchMetrics"][0]["Namespace"], "ChatBackends/test")
        self.assertEqual((failed["Requests"], failed["ConnectErrors"]), (1, 1))
        self.assertGreaterEqual(failed["ConnectLatency"], 0)
        self.assertEqual(refused["Requests"], 1)
        self.assertNotIn("ConnectLatency", refused, "no Connect call for a bad request")

    def test_preflight_is_answered_by_the_function(self):
        status, headers, data = self.emulator.http(
            "OPTIONS", self.emulator.url("start-chat"), None,
            {"origin": ORIGIN, "access-control-request-method": "POST",
             "access-control-request-headers": "content-type"},
        )
        self.assertEqual(status, 200, data)
        self.assertEqual(headers["access-control-allow-origin"], ORIGIN)
        self.assertIn("POST", headers["access-control-allow-methods"])
        self.assertIn("content-type", headers["access-control-allow-headers"].lower())
        self.assertEqual(self.connect.requests, [])

    def test_disallowed_origin_is_403_without_a_connect_call(self):
        for method in ("POST", "OPTIONS"):
            with self.subTest(method=method):
                status, headers, data = self.emulator.http(
                    method, self.emulator.url("start-chat"), MINIMAL,
                    {"origin": "https://evil.example", "content-type": "application/json"},
                )
                self.assertEqual(status, 403, data)
                self.assert_error(json.loads(data), 403, "OriginNotAllowed")
                self.assertNotIn("access-control-allow-origin", headers)
        self.assertEqual(self.connect.requests, [])

    def test_bad_input_is_400_naming_the_field_without_a_connect_call(self):
        cases = [
            ("not json", "body"),
            ("[]", "body"),
            ("{}", "ParticipantDetails.DisplayName"),
            (json.dumps({"ParticipantDetails": {"DisplayName": 7}}), "ParticipantDetails.DisplayName"),
            (json.dumps({"ParticipantDetails": {"DisplayName": "Ana"},
                         "InstanceId": "99999999-2222-3333-4444-555555555555"}), "InstanceId"),
            (json.dumps({"ParticipantDetails": {"DisplayName": "Ana"},
                         "ContactFlowId": "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee"}), "ContactFlowId"),
            (json.dumps({"ParticipantDetails": {"DisplayName": "Ana"},
                         "ChatDurationInMinutes": 5}), "ChatDurationInMinutes"),
            (json.dumps({"ParticipantDetails": {"DisplayName": "Ana"},
                         "Attributes": {"orderId": {"nested": 1}}}), "Attributes"),
            ("[" * 10000 + "]" * 10000, "body"),
            (json.dumps({"ParticipantDetails": {"DisplayName": "x" * 70000}}), "body"),
        ]
        for body, field in cases:
            with self.subTest(body=body[:60]):
                status, _, answer = self.post(body)
                self.assertEqual(status, 400, answer)
                self.assertTrue(answer["data"]["Error"]["message"].startswith(field), answer)
        self.assertEqual(self.connect.requests, [])

    def test_logs_hold_no_token_or_display_name(self):
        self.post(json.dumps({"ParticipantDetails": {"DisplayName": "Zebulon Secretname"}}))
        logs = self.function.logs()
        records = [json.loads(line) for line in logs.splitlines() if line.strip()]
        self.assertTrue(any(r["fields"].get("status") == 200 for r in records), logs)
        self.assertNotIn("Secretname", logs)
        self.assertNotIn("token-secret-1", logs)


if __name__ == "__main__":
    unittest.main()
