"""Each wiring check fails on a template broken in the way it guards against."""
import copy
import unittest

from cfnlint.decode import cfn_yaml

import check_template

BINARIES = {"review-handler", "start-chat"}


class WiringChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = cfn_yaml.load("template.yaml")

    def problems_after(self, mutate):
        t = copy.deepcopy(self.template)
        mutate(t)
        return check_template.check(t, BINARIES)

    def assertCaught(self, mutate, text):
        problems = self.problems_after(mutate)
        self.assertTrue(any(text in p for p in problems), f"{text!r} not in {problems}")

    def test_real_template_passes(self):
        self.assertEqual(check_template.check(self.template, BINARIES), [])

    def test_unknown_binary(self):
        self.assertCaught(lambda t: t["Resources"]["StartChatFunction"]["Metadata"]["BuildProperties"].update(Binary="start_chat"),
                          "is not a binary of the workspace")

    def test_permission_principal_and_source(self):
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerPermission"]["Properties"].update(Principal="lambda.amazonaws.com"),
                          "a single AWS::Lambda::Permission for ivschat.amazonaws.com")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerPermission"]["Properties"].pop("SourceAccount"),
                          "SourceAccount")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerPermission"]["Properties"].update(SourceArn={"Fn::Sub": "arn:${AWS::Partition}:ivschat:*:*:room/*"}),
                          "SourceArn")

    def test_room_depends_on_permission(self):
        self.assertCaught(lambda t: t["Resources"]["ChatRoom"].pop("DependsOn"), "must DependsOn")

    def test_iam_scoping(self):
        def widen(t):
            t["Resources"]["StartChatFunction"]["Properties"]["Policies"][0]["Statement"][0]["Resource"] = "*"
        self.assertCaught(widen, "is not scoped to the ConnectInstanceId instance")

        def more_actions(t):
            t["Resources"]["StartChatFunction"]["Properties"]["Policies"][0]["Statement"][0]["Action"] = "connect:*"
        self.assertCaught(more_actions, "may only allow connect:StartChatContact")

    def test_logging_controls(self):
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"]["LoggingConfig"].pop("LogFormat"),
                          "LoggingConfig must set LogFormat JSON")

    def test_stage_name(self):
        self.assertCaught(lambda t: t["Resources"]["StartChatApi"]["Properties"].update(StageName="prod"), "StageName must be Prod")

    def test_translated_template_passes(self):
        self.assertEqual(check_template.check_translated(check_template.translate(self.template)), [])

    def test_no_extra_stage(self):
        t = copy.deepcopy(self.template)
        t["Resources"]["StartChatApi"]["Properties"].pop("OpenApiVersion")
        problems = check_template.check_translated(check_template.translate(t))
        self.assertTrue(any("extra stage 'Stage'" in p for p in problems), problems)

    def test_outputs(self):
        self.assertCaught(lambda t: t["Outputs"].pop("ChatRoomArn"), "Outputs.ChatRoomArn")


if __name__ == "__main__":
    unittest.main()
