"""The deploy script reads saved parameters as SAM writes them and refuses bad policies."""
import unittest

import deploy

SAMCONFIG = '''
version = 0.1
[default.deploy.parameters]
capabilities = "CAPABILITY_IAM"
parameter_overrides = "ConnectInstanceId=\\"11111111-2222-3333-4444-555555555555\\" AllowedOrigins=\\"https://a.com,https://b.com\\" Architecture=\\"x86_64\\" Policy=\\"{\\\\\\"on_error\\\\\\": \\\\\\"deny\\\\\\"}\\""
'''


class Parameters(unittest.TestCase):
    def test_reads_sams_quoting(self):
        p = deploy.parameter_overrides(SAMCONFIG)
        self.assertEqual(p["Architecture"], "x86_64")
        self.assertEqual(p["AllowedOrigins"], "https://a.com,https://b.com")
        self.assertEqual(p["Policy"], '{"on_error": "deny"}')

    def test_nothing_saved_before_the_first_deploy(self):
        self.assertEqual(deploy.parameter_overrides("version = 0.1\n"), {})


class Policies(unittest.TestCase):
    def checker(self, code, err):
        calls = []

        def check(args, env):
            calls.append((args, env))
            return code, err
        return check, calls

    def test_a_policy_file_outside_policies_is_refused_before_any_check(self):
        check, calls = self.checker(0, "")
        problem = deploy.policy_problem({"PolicyFile": "missing.toml"}, check)
        self.assertIn("there is no policies/missing.toml", problem)
        self.assertEqual(calls, [])

    def test_the_checkers_error_refuses_the_deploy(self):
        check, calls = self.checker(2, "review-handler: POLICY: invalid policy: on_error: unknown variant\n")
        problem = deploy.policy_problem({"Policy": "on_error = 'maybe'"}, check)
        self.assertIn("unknown variant", problem)
        self.assertEqual(calls, [([], {"POLICY": "on_error = 'maybe'"})])

    def test_existing_files_and_no_policy_pass(self):
        check, calls = self.checker(0, "")
        self.assertIsNone(deploy.policy_problem({"PolicyFile": "example.toml"}, check))
        self.assertIn("--policy", calls[0][0])
        self.assertIsNone(deploy.policy_problem({}, check))


if __name__ == "__main__":
    unittest.main()
