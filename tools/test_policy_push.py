"""policy-push refuses what the review handler could not serve, and drives AppConfig
as its API says (botocore's Stubber checks every request against the service model)."""
import pathlib
import tempfile
import unittest

import boto3
from botocore.stub import Stubber

import policy_push

OUTPUTS = {"PolicyApplicationId": "app1234", "PolicyEnvironmentId": "env5678",
           "PolicyProfileId": "prof901", "PolicyDeploymentStrategyId": "strat23"}
POLICY = '[[defaults.rules]]\nid = "spoilers"\nkind = "terms"\nterms = ["ending"]\naction = "deny"\n'


def client(service):
    return boto3.session.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                 region_name="us-east-1").client(service)


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.calls = []

    def file(self, name, text):
        path = pathlib.Path(self.dir.name) / name
        path.write_text(text)
        return path

    def checker(self, code, err=""):
        def check(args, env):
            self.calls.append(args)
            return code, err
        return check

    def test_a_policy_the_checker_refuses_is_not_sent(self):
        path = self.file("bad.toml", "on_error = 'maybe'")
        with self.assertRaisesRegex(policy_push.PushError, "unknown variant"):
            policy_push.check_file(path, self.checker(2, "review-handler: invalid policy: unknown variant\n"))
        self.assertEqual(self.calls, [["--policy", str(path)]])

    def test_term_files_cannot_go_live(self):
        path = self.file("files.toml", '[[defaults.rules]]\nid = "s"\nkind = "terms"\nfile = "terms/s.txt"\naction = "deny"\n')
        with self.assertRaisesRegex(policy_push.PushError, "must hold its terms itself"):
            policy_push.check_file(path, self.checker(0))
        nested = self.file("nested.json", '{"rooms": {"r": {"rules": [{"id": "s", "file": "x.txt"}]}}}')
        with self.assertRaisesRegex(policy_push.PushError, "must hold its terms itself"):
            policy_push.check_file(nested, self.checker(0))

    def test_size_and_kind_of_file(self):
        with self.assertRaisesRegex(policy_push.PushError, "not a regular file"):
            policy_push.check_file(pathlib.Path(self.dir.name), self.checker(0))
        big = self.file("big.toml", "#" * (policy_push.MAX_BYTES + 1))
        with self.assertRaisesRegex(policy_push.PushError, "2097152 at most"):
            policy_push.check_file(big, self.checker(0))
        self.assertEqual(self.calls, [], "checked before the compiler runs")

    def test_a_good_file_passes(self):
        self.assertEqual(policy_push.check_file(self.file("ok.toml", POLICY), self.checker(0)), POLICY)


class Stack(unittest.TestCase):
    def test_outputs_of_a_live_policy_stack(self):
        cfn = client("cloudformation")
        with Stubber(cfn) as stub:
            outputs = [{"OutputKey": k, "OutputValue": v} for k, v in OUTPUTS.items()]
            stub.add_response("describe_stacks", {"Stacks": [{
                "StackName": "chat", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "UPDATE_COMPLETE",
                "Outputs": outputs}]}, {"StackName": "chat"})
            self.assertEqual(policy_push.stack_outputs(cfn, "chat"), OUTPUTS)

    def test_a_stack_without_live_policy_says_so(self):
        cfn = client("cloudformation")
        with Stubber(cfn) as stub:
            stub.add_response("describe_stacks", {"Stacks": [{
                "StackName": "chat", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": "ReviewHandlerArn", "OutputValue": "arn"}]}]}, {"StackName": "chat"})
            with self.assertRaisesRegex(policy_push.PushError, "LivePolicy=true"):
                policy_push.stack_outputs(cfn, "chat")
            stub.add_client_error("describe_stacks", "ValidationError", "Stack with id gone does not exist")
            with self.assertRaisesRegex(policy_push.PushError, "does not exist"):
                policy_push.stack_outputs(cfn, "gone")


class Deployments(unittest.TestCase):
    def expect_version(self, stub):
        stub.add_response("create_hosted_configuration_version", {"VersionNumber": 7, "ContentType": "text/plain"}, {
            "ApplicationId": "app1234", "ConfigurationProfileId": "prof901", "Content": POLICY.encode(),
            "ContentType": "text/plain", "Description": "policy-push live.toml"})

    def expect_start(self, stub):
        stub.add_response("start_deployment", {"DeploymentNumber": 3, "State": "DEPLOYING"}, {
            "ApplicationId": "app1234", "EnvironmentId": "env5678", "ConfigurationProfileId": "prof901",
            "DeploymentStrategyId": "strat23", "ConfigurationVersion": "7", "Description": "policy-push live.toml"})

    def expect_state(self, stub, state):
        stub.add_response("get_deployment", {"DeploymentNumber": 3, "State": state},
                          {"ApplicationId": "app1234", "EnvironmentId": "env5678", "DeploymentNumber": 3})

    def run_push(self, appconfig):
        said = []
        version = policy_push.push(POLICY, "live.toml", OUTPUTS, appconfig, say=said.append, sleep=lambda s: None)
        return version, said

    def test_stores_a_version_and_waits_for_the_deployment(self):
        appconfig = client("appconfig")
        with Stubber(appconfig) as stub:
            self.expect_version(stub)
            self.expect_start(stub)
            self.expect_state(stub, "DEPLOYING")
            self.expect_state(stub, "COMPLETE")
            version, said = self.run_push(appconfig)
            stub.assert_no_pending_responses()
        self.assertEqual(version, 7)
        self.assertEqual(said[:3], ["stored live.toml as version 7", "deployment 3: DEPLOYING", "deployment 3: COMPLETE"])

    def test_the_validators_refusal_stops_the_push(self):
        appconfig = client("appconfig")
        with Stubber(appconfig) as stub:
            self.expect_version(stub)
            stub.add_client_error("start_deployment", "BadRequestException",
                                  "Validator failed: invalid policy: defaults.rules[0].id")
            with self.assertRaisesRegex(policy_push.PushError, "AppConfig refused the policy.*rules\\[0\\].id"):
                self.run_push(appconfig)

    def test_a_rolled_back_deployment_fails(self):
        appconfig = client("appconfig")
        with Stubber(appconfig) as stub:
            self.expect_version(stub)
            self.expect_start(stub)
            self.expect_state(stub, "ROLLED_BACK")
            with self.assertRaisesRegex(policy_push.PushError, "ended ROLLED_BACK; the previous policy stays"):
                self.run_push(appconfig)


if __name__ == "__main__":
    unittest.main()
