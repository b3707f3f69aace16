"""chat-auth and the review handler, the binaries `cargo test` builds, under the Lambda emulator,
with the real AWS SDK against local stand-ins: DynamoDB played by moto, IVS Chat by a
server that checks every request's SigV4 signature, and tokens signed by a test
issuer whose keys chat-auth reads from a JWKS file (as `POST /auth` does in AWS).
"""

import json
import time
import unittest

from harness import (TABLE, Emulator, FakeIvs, Issuer, Moto, aws_env,
                     enter_class_context)

ROOM = "arn:aws:ivschat:us-east-1:123456789012:room/Room1"
# Two denied messages within ten minutes time the sender out for five.
POLICY = """
[defaults.escalation]
strikes = 2
window_minutes = 10
timeout_minutes = 5

[[defaults.rules]]
id = "spam"
kind = "terms"
terms = ["buy followers"]
action = "deny"
reason = "No selling here."
"""
ORIGIN = "https://app.example"


def review_event(user, text, message_id="m1"):
    return json.dumps({
        "Content": text, "MessageId": message_id, "RoomArn": ROOM,
        "Attributes": {}, "Sender": {"UserId": user, "Attributes": {"role": "viewer"}},
    })


class ChatAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ivs = enter_class_context(cls, FakeIvs())
        cls.moto = enter_class_context(cls, Moto())
        cls.issuer = Issuer()
        cls.addClassCleanup(cls.issuer.file.close)
        cls.emulator = enter_class_context(cls, Emulator())
        endpoints = aws_env(AWS_ENDPOINT_URL_IVSCHAT=cls.ivs.url, AWS_ENDPOINT_URL_DYNAMODB=cls.moto.url)
        cls.auth = cls.emulator.start("chat-auth", {
            **endpoints, **cls.issuer.env(),
            "ALLOWED_ROOMS": ROOM, "ALLOWED_ORIGINS": ORIGIN, "TABLE_NAME": TABLE,
            "CLIENT_ATTRIBUTE_KEYS": "avatar",
        })
        cls.reviewer = cls.emulator.start("review-handler", {**endpoints, "TABLE_NAME": TABLE, "POLICY": POLICY})

    def setUp(self):
        self.ivs.reset()

    def call(self, method, path, body=None, user=None, groups=()):
        headers = {"content-type": "application/json", "origin": ORIGIN}
        if user:
            headers["authorization"] = f"Bearer {self.issuer.token(user, groups, **{'cognito:username': user.title()})}"
        data = None if body is None else json.dumps(body)
        status, _, raw = self.emulator.http(method, self.emulator.url("chat-auth", path), data, headers)
        return status, json.loads(raw) if raw else None

    def review(self, user, text):
        status, raw = self.emulator.invoke("review-handler", review_event(user, text))
        self.assertEqual(status, 200)
        return json.loads(raw)

    def test_a_ban_reaches_tokens_connections_and_messages_then_lifts(self):
        status, answer = self.call("POST", "/auth", {"arn": ROOM}, user="viewer-1")
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.review("viewer-1", "hello all")["ReviewResult"], "ALLOW")

        ban = {"room": ROOM, "userId": "viewer-1", "reason": "spam links"}
        status, answer = self.call("POST", "/moderation/bans", ban, user="mod-1", groups=["moderator"])
        self.assertEqual((status, answer["disconnected"]), (201, True), answer)
        [disconnect] = self.ivs.calls("/DisconnectUser")
        self.assertIsNone(disconnect["signature_problem"])
        self.assertEqual(disconnect["body"], {"roomIdentifier": ROOM, "userId": "viewer-1", "reason": "spam links"})
        self.assertTrue(any(i["sk"]["S"] == "sanction#viewer-1" for i in self.moto.items()))

        status, answer = self.call("POST", "/auth", {"arn": ROOM}, user="viewer-1")
        self.assertEqual((status, answer["code"]), (403, "Banned"))
        # The review handler caches each sender's standing for 0.5 s.
        time.sleep(0.6)
        denied = self.review("viewer-1", "hello again")
        self.assertEqual(denied["ReviewResult"], "DENY")
        self.assertEqual(denied["Attributes"]["Reason"], "You are banned from this room: spam links")
        self.assertEqual(self.review("viewer-2", "hello")["ReviewResult"], "ALLOW", "others unaffected")

        status, listed = self.call("GET", "/moderation/bans?room=Room1", user="mod-1", groups=["moderator"])
        self.assertEqual([b["userId"] for b in listed["bans"]], ["viewer-1"])
        status, _ = self.call("DELETE", "/moderation/bans/Room1/viewer-1", user="mod-1", groups=["moderator"])
        self.assertEqual(status, 200)
        time.sleep(0.6)
        self.assertEqual(self.review("viewer-1", "sorry")["ReviewResult"], "ALLOW")
        status, _ = self.call("POST", "/auth", {"arn": ROOM}, user="viewer-1")
        self.assertEqual(status, 200)

    def test_repeated_denials_time_the_sender_out_everywhere(self):
        self.assertEqual(self.review("viewer-6", "buy followers here")["Attributes"]["Reason"], "No selling here.")
        self.assertEqual(self.review("viewer-6", "hi")["ReviewResult"], "ALLOW", "one strike only")
        second = self.review("viewer-6", "buy followers now")
        self.assertEqual(second["ReviewResult"], "DENY")
        denied = self.review("viewer-6", "hi again")
        self.assertEqual(denied["ReviewResult"], "DENY")
        self.assertRegex(denied["Attributes"]["Reason"],
                         r"^You are timed out until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: 2 messages denied within 10 minutes$")
        self.assertIn('"escalation":"timeout"', self.reviewer.logs().replace(" ", ""))
        status, answer = self.call("POST", "/auth", {"arn": ROOM}, user="viewer-6")
        self.assertEqual((status, answer["code"]), (403, "TimedOut"), "chat-auth sees it too")
        status, listed = self.call("GET", "/moderation/bans?room=Room1", user="mod-1", groups=["moderator"])
        [timeout] = [b for b in listed["bans"] if b["userId"] == "viewer-6"]
        self.assertEqual((timeout["kind"], timeout["by"]), ("timeout", "escalation"))
        status, _ = self.call("DELETE", "/moderation/bans/Room1/viewer-6", user="mod-1", groups=["moderator"])
        self.assertEqual(status, 200, "a moderator can lift it")

    def test_a_viewer_cannot_grant_itself_anything(self):
        body = {"arn": ROOM, "userId": "viewer-3", "capabilities": ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"],
                "attributes": {"role": "moderator", "avatar": "/a.png"}, "durationInMinutes": 30}
        status, answer = self.call("POST", "/auth", body, user="viewer-3")
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["token"], "ivs-token-secret")
        self.assertEqual(answer["sessionExpirationTime"], "2026-11-23T13:00:00Z")
        [create] = self.ivs.calls("/CreateChatToken")
        self.assertIsNone(create["signature_problem"])
        self.assertEqual(create["body"]["capabilities"], ["SEND_MESSAGE"])
        self.assertEqual(create["body"]["attributes"], {"role": "viewer", "avatar": "/a.png", "username": "Viewer-3"})
        self.assertEqual(create["body"]["userId"], "viewer-3")
        self.assertEqual(create["body"]["sessionDurationInMinutes"], 30)

        status, _ = self.call("POST", "/moderation/bans", {"room": ROOM, "userId": "x", "reason": "r"}, user="viewer-3")
        self.assertEqual(status, 403)
        status, _ = self.call("POST", "/auth", {"arn": ROOM, "userId": "viewer-3"})
        self.assertEqual(status, 401, "no token, no anonymous viewers")
        self.assertEqual(len(self.ivs.calls()), 1)

    def test_a_forged_token_is_refused(self):
        token = self.issuer.token("mod-1", ["moderator"])
        header, payload, signature = token.split(".")
        forged = f"{header}.{payload}.{signature[:-4]}AAAA"
        status, _, raw = self.emulator.http(
            "POST", self.emulator.url("chat-auth", "/moderation/bans"),
            json.dumps({"room": ROOM, "userId": "viewer-1", "reason": "r"}),
            {"authorization": f"Bearer {forged}", "origin": ORIGIN})
        self.assertEqual(status, 401, raw)
        self.assertEqual(self.ivs.calls(), [])

    def test_bad_input_is_a_400_naming_the_field_with_nothing_sent(self):
        cases = [
            ("/auth", {"arn": "arn:aws:ivschat:us-east-1:123456789012:room/Other"}, "arn:"),
            ("/auth", {"arn": ROOM, "capabilities": ["ADMIN"]}, "capabilities:"),
            ("/moderation/bans", {"room": ROOM, "userId": "u"}, "reason:"),
            ("/moderation/messages/delete", {"room": ROOM, "reason": "r"}, "messageId:"),
            ("/event", {"arn": ROOM, "eventName": "app:EVIL"}, "eventName:"),
        ]
        items = len(self.moto.items())
        for path, body, field in cases:
            with self.subTest(path=path, field=field):
                status, answer = self.call("POST", path, body, user="mod-1", groups=["moderator"])
                self.assertEqual(status, 400, answer)
                self.assertTrue(answer["message"].startswith(field), answer)
        self.assertEqual(self.ivs.calls(), [])
        self.assertEqual(len(self.moto.items()), items)

    def test_moderators_delete_messages_and_send_events(self):
        status, answer = self.call("POST", "/moderation/messages/delete",
                                   {"room": ROOM, "messageId": "msg-9", "reason": "off topic"},
                                   user="mod-1", groups=["moderator"])
        self.assertEqual((status, answer["id"]), (200, "delete-event-1"))
        status, answer = self.call("POST", "/event", {"arn": ROOM, "eventName": "app:DELETE_BY_USER",
                                                      "eventAttributes": {"userId": "viewer-1"}},
                                   user="mod-1", groups=["moderator"])
        self.assertEqual((status, answer["status"]), (200, "success"))
        paths = [c["path"] for c in self.ivs.calls()]
        self.assertEqual(paths, ["/DeleteMessage", "/SendEvent"])
        self.assertTrue(all(c["signature_problem"] is None for c in self.ivs.calls()))

    def test_logs_hold_no_tokens(self):
        self.call("POST", "/auth", {"arn": ROOM}, user="viewer-4")
        logs = self.auth.logs()
        self.assertIn('"who":"viewer-4"', logs.replace(" ", ""))
        self.assertNotIn("ivs-token-secret", logs)
        self.assertNotIn("eyJ", logs, "no JWT")

    def test_with_dynamodb_stalled_the_review_handler_answers_on_content(self):
        self.moto.pause()
        try:
            answer = self.review("viewer-5", "hello there")
            self.assertEqual(answer["ReviewResult"], "ALLOW")
            self.assertIn("sanction lookup failed", self.reviewer.logs())
        finally:
            self.moto.resume()


if __name__ == "__main__":
    unittest.main()
