"""Each wiring check fails on a template broken in the way it guards against."""
import copy
import unittest

from cfnlint.decode import cfn_yaml

import check_template

BINARIES = {"chat-auth", "policy-validator", "review-handler", "start-chat"}


class TemplateCase(unittest.TestCase):
    """Loads the template once; checks a broken copy of it."""

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

class WiringChecks(TemplateCase):
    def test_real_template_passes(self):
        self.assertEqual(check_template.check(self.template, BINARIES), [])

    def test_unknown_binary(self):
        self.assertCaught(lambda t: t["Resources"]["StartChatFunction"]["Metadata"]["BuildProperties"].update(Binary="start_chat"),
                          "is not a binary of the workspace")

    def test_permission_principal_and_source(self):
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerPermission"]["Properties"].update(Principal="lambda.amazonaws.com"),
                          "on the review handler's alias is required")
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

    def test_preflight_throttling_and_retry_after(self):
        def drop_preflight(t):
            settings = t["Resources"]["StartChatApi"]["Properties"]["MethodSettings"]
            settings[:] = [m for m in settings if m.get("HttpMethod") != "OPTIONS"]
        self.assertCaught(drop_preflight, "OPTIONS / needs its own MethodSettings")
        self.assertCaught(lambda t: t["Resources"]["StartChatApi"]["Properties"]["GatewayResponses"]["THROTTLED"]
                          ["ResponseParameters"]["Headers"].pop("Retry-After"), "THROTTLED needs Retry-After")
        self.assertCaught(lambda t: t["Resources"]["StartChatApi"]["Properties"]["GatewayResponses"]["DEFAULT_4XX"]
                          .update(StatusCode="400"), "DEFAULT_4XX must keep each error's own status")

    def test_layer_versions_do_not_pile_up(self):
        self.assertCaught(lambda t: t["Resources"]["PolicyLayer"]["Properties"].pop("RetentionPolicy"),
                          "RetentionPolicy must be Delete")

    def test_parameter_patterns_match_what_the_functions_accept(self):
        import re
        params = self.template["Parameters"]
        duration = re.compile(params["DefaultChatDurationMinutes"]["AllowedPattern"])
        for ok in ["", "60", "61", "99", "100", "999", "1000", "9999", "10000", "10079", "10080"]:
            self.assertTrue(duration.fullmatch(ok), ok)
        for bad in ["10", "59", "10081", "10099", "99999", "060", "1e3"]:
            self.assertFalse(duration.fullmatch(bad), bad)
        origins = re.compile(params["AllowedOrigins"]["AllowedPattern"])
        for ok in ["*", "https://shop.example.com", "http://localhost:3000", "https://a.com/,null"]:
            self.assertTrue(origins.fullmatch(ok), ok)
        for bad in ["", "shop.example.com", "https://a.com/path", "https://a.com, https://b.com", "*,https://a.com"]:
            self.assertFalse(origins.fullmatch(bad), bad)

    def test_outputs(self):
        self.assertCaught(lambda t: t["Outputs"].pop("ChatRoomArn"), "Outputs.ChatRoomArn")


class ChatAuthChecks(TemplateCase):
    def props(self, t):
        return t["Resources"]["ChatAuthFunction"]["Properties"]

    def test_ivs_actions_name_the_rooms(self):
        self.assertCaught(lambda t: self.props(t)["Policies"][0]["Statement"][0].update(Resource="*"),
                          "must name the served rooms")

    def test_table_access_is_the_table_only(self):
        self.assertCaught(lambda t: self.props(t)["Policies"][0]["Statement"][1].update(Resource="*"),
                          "on the table only")
        self.assertCaught(lambda t: self.props(t)["Policies"][0]["Statement"][1].update(Action="dynamodb:*"),
                          "beyond item reads and writes")

    def test_review_handler_cannot_lift_bans(self):
        def widen(t):
            policy = t["Resources"]["ReviewHandlerFunction"]["Properties"]["Policies"][0]["Fn::If"][1]
            policy["Statement"][0]["Action"] = ["dynamodb:GetItem", "dynamodb:DeleteItem"]
        self.assertCaught(widen, "may only read items of the table")

    def test_table_keeps_recovery_and_ttl(self):
        table = lambda t: t["Resources"]["ModerationTable"]["Properties"]
        self.assertCaught(lambda t: table(t).pop("PointInTimeRecoverySpecification"), "point-in-time recovery")
        self.assertCaught(lambda t: table(t).pop("TimeToLiveSpecification"), "TTL")

    def test_moderation_routes_keep_the_authorizer(self):
        self.assertCaught(lambda t: self.props(t)["Events"]["Ban"]["Properties"].update(Auth={"Authorizer": "NONE"}),
                          "only POST /auth may skip the JWT authorizer")
        self.assertCaught(lambda t: t["Resources"]["ChatAuthApi"]["Properties"]["Auth"].pop("DefaultAuthorizer"),
                          "must be a JWT authorizer")


class LivePolicyChecks(TemplateCase):
    def test_the_validator_guards_the_profile(self):
        self.assertCaught(lambda t: t["Resources"]["PolicyProfile"]["Properties"].pop("Validators"),
                          "validated by the policy-validator function")
        self.assertCaught(lambda t: t["Resources"]["PolicyValidatorPermission"]["Properties"].update(Principal="lambda.amazonaws.com"),
                          "AppConfig must be allowed to invoke the validator")

    def test_the_handler_reads_the_profile_only(self):
        def widen(t):
            statement = t["Resources"]["ReviewHandlerFunction"]["Properties"]["Policies"][1]["Fn::If"][1]["Statement"][0]
            statement["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:appconfig:*:*:*"}
        self.assertCaught(widen, "may only read the policy profile")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"]["Layers"].pop(),
                          "Layers must add AppConfigExtensionLayerArn")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"]["Environment"]["Variables"]
                          .pop("APPCONFIG_PROFILE"), "APPCONFIG_PROFILE must be PolicyProfile's ConfigurationProfileId")


class OperationsChecks(TemplateCase):
    def test_alias_and_provisioned_concurrency(self):
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"].pop("AutoPublishAliasAllProperties"),
                          "AutoPublishAlias live with AutoPublishAliasAllProperties")
        self.assertCaught(lambda t: t["Resources"]["ChatRoom"]["Properties"]["MessageReviewHandler"].update(
            Uri={"Fn::GetAtt": ["ReviewHandlerFunction", "Arn"]}), "Uri must be the review handler's alias")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"].pop("ProvisionedConcurrencyConfig"),
                          "ProvisionedConcurrencyConfig must come from")

    def test_metrics_reach_the_alarms_namespace(self):
        self.assertCaught(lambda t: t["Resources"]["StartChatFunction"]["Properties"]["Environment"]["Variables"]
                          .pop("METRICS_NAMESPACE"), "METRICS_NAMESPACE must be")

    def test_every_alarm_is_there_and_notifies(self):
        self.assertCaught(lambda t: t["Resources"].pop("StartChatConnectErrorsAlarm"), "nothing watches custom ConnectErrors")
        self.assertCaught(lambda t: t["Resources"].pop("ChatAuthApi5xxAlarm"), "nothing watches AWS/ApiGateway 5xx")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerErrorsAlarm"]["Properties"].pop("AlarmActions"),
                          "the Errors alarm must notify the alarm topic")
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerSlowAlarm"]["Properties"].update(Threshold=1000),
                          "p99 over 100 ms")
        self.assertCaught(lambda t: t["Resources"].pop("AlarmEmailSubscription"), "AlarmEmail must subscribe")

    def test_review_handler_memory_is_a_parameter(self):
        self.assertCaught(lambda t: t["Resources"]["ReviewHandlerFunction"]["Properties"].pop("MemorySize"),
                          "MemorySize must come from ReviewHandlerMemorySize")

    def test_tracing_and_reserved_concurrency_are_parameters(self):
        self.assertCaught(lambda t: t["Globals"]["Function"].pop("Tracing"), "Tracing must come from the Tracing parameter")
        self.assertCaught(lambda t: t["Resources"]["ChatAuthFunction"]["Properties"].pop("ReservedConcurrentExecutions"),
                          "ReservedConcurrentExecutions must come from ChatAuthReservedConcurrency")

    def test_dashboard_json_in_both_shapes(self):
        def break_json(t):
            sub = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
            sub[1]["ChatAuthMetrics"]["Fn::If"][1] = {"Fn::Sub": '[".", "Errors"]'}
        self.assertCaught(break_json, "not valid dashboard JSON (chat-auth on)")
        def drop_widget(t):
            sub = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
            sub[0] = sub[0].replace("ConnectLatency", "Latency")
        self.assertCaught(drop_widget, "no widget shows ConnectLatency")


if __name__ == "__main__":
    unittest.main()
