#!/usr/bin/env python3
"""Checks the wiring of template.yaml that cfn-lint cannot see. Exits 1 with one line
per problem. Usage: check_template.py [TEMPLATE]  (run with the .venv's python: it
reads the template with cfn-lint's loader, which understands !Ref and friends)."""
import copy
import json
import os
import subprocess
import sys

from cfnlint.decode import cfn_yaml
from samtranslator.translator.transform import transform


def workspace_binaries():
    out = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                         check=True, capture_output=True, text=True).stdout
    return {t["name"] for p in json.loads(out)["packages"] for t in p["targets"] if "bin" in t["kind"]}


def sub_text(value):
    """The template text of a !Sub (string or [string, vars] form), else None."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return None


def resource_strings(value):
    """Every !Sub text inside a Resource entry, through !If branches."""
    if isinstance(value, list):
        return [s for v in value for s in resource_strings(v)]
    if isinstance(value, dict) and "Fn::If" in value:
        return [s for v in value["Fn::If"][1:] for s in resource_strings(v)]
    text = sub_text(value)
    return [text] if text is not None else [json.dumps(value)]


def check(template, binaries):
    problems = []
    res = template.get("Resources", {})
    functions = {k: v for k, v in res.items() if v.get("Type") == "AWS::Serverless::Function"}

    glob = template.get("Globals", {}).get("Function", {})
    if glob.get("Runtime") != "provided.al2023" or glob.get("Handler") != "bootstrap":
        problems.append("Globals.Function: Runtime must be provided.al2023 with Handler bootstrap")
    arch = template.get("Parameters", {}).get("Architecture", {})
    if glob.get("Architectures") != [{"Ref": "Architecture"}] or arch.get("Default") != "arm64":
        problems.append("Globals.Function.Architectures: must come from the Architecture parameter, arm64 by default")

    for name, fn in functions.items():
        meta = fn.get("Metadata", {})
        binary = meta.get("BuildProperties", {}).get("Binary")
        if meta.get("BuildMethod") != "rust-cargolambda":
            problems.append(f"{name}: Metadata.BuildMethod must be rust-cargolambda")
        if binary not in binaries:
            problems.append(f"{name}: BuildProperties.Binary {binary!r} is not a binary of the workspace ({sorted(binaries)})")
        logging = fn.get("Properties", {}).get("LoggingConfig", {})
        if logging.get("LogFormat") != "JSON" or logging.get("ApplicationLogLevel") != {"Ref": "LogLevel"}:
            problems.append(f"{name}: LoggingConfig must set LogFormat JSON and ApplicationLogLevel from LogLevel (the functions read both)")
        group = logging.get("LogGroup", {}).get("Ref")
        if res.get(group, {}).get("Type") != "AWS::Logs::LogGroup" or "RetentionInDays" not in res[group].get("Properties", {}):
            problems.append(f"{name}: LoggingConfig.LogGroup must be a log group of the template with RetentionInDays")

    handler = next((n for n, f in functions.items()
                    if f.get("Metadata", {}).get("BuildProperties", {}).get("Binary") == "review-handler"), None)
    alias = {"Ref": f"{handler}.Alias"}
    props = functions.get(handler, {}).get("Properties", {})
    if props.get("AutoPublishAlias") != "live" or props.get("AutoPublishAliasAllProperties") is not True:
        problems.append(f"{handler}: AutoPublishAlias live with AutoPublishAliasAllProperties (rooms call the alias; a configuration change must publish)")
    provisioned = props.get("ProvisionedConcurrencyConfig", {}).get("Fn::If", [None, {}])[1]
    if provisioned.get("ProvisionedConcurrentExecutions") != {"Ref": "ReviewHandlerProvisionedConcurrency"}:
        problems.append(f"{handler}: ProvisionedConcurrencyConfig must come from ReviewHandlerProvisionedConcurrency")
    perms = {k: v for k, v in res.items() if v.get("Type") == "AWS::Lambda::Permission"}
    ivs = [k for k, v in perms.items() if v["Properties"].get("Principal") == "ivschat.amazonaws.com"]
    targets = [perms[k]["Properties"].get("FunctionName") for k in ivs]
    if alias not in targets:
        problems.append("an AWS::Lambda::Permission for ivschat.amazonaws.com on the review handler's alias is required")
    for name in ivs:
        p = perms[name]["Properties"]
        if p.get("FunctionName") not in (alias, {"Fn::GetAtt": [handler, "Arn"]}):
            problems.append(f"{name}: FunctionName must be the review handler or its alias")
        if p.get("Action") != "lambda:InvokeFunction":
            problems.append(f"{name}: Action must be lambda:InvokeFunction")
        if p.get("SourceAccount") != {"Ref": "AWS::AccountId"}:
            problems.append(f"{name}: SourceAccount must be the stack's account")
        if sub_text(p.get("SourceArn")) != "arn:${AWS::Partition}:ivschat:${AWS::Region}:${AWS::AccountId}:room/*":
            problems.append(f"{name}: SourceArn must be the account's IVS Chat rooms in the region")
    alias_permission = next((k for k in ivs if perms[k]["Properties"].get("FunctionName") == alias), None)

    for name, room in ((k, v) for k, v in res.items() if v.get("Type") == "AWS::IVSChat::Room"):
        depends = room.get("DependsOn", [])
        depends = [depends] if isinstance(depends, str) else depends
        if not alias_permission or alias_permission not in depends:
            problems.append(f"{name}: must DependsOn the IVS invoke permission of the alias (IVS checks it on association)")
        if room.get("Properties", {}).get("MessageReviewHandler", {}).get("Uri") != alias:
            problems.append(f"{name}: MessageReviewHandler.Uri must be the review handler's alias")

    apis = {k: v for k, v in res.items() if v.get("Type") == "AWS::Serverless::Api"}
    for name, api in apis.items():
        props = api.get("Properties", {})
        if props.get("StageName") != "Prod":
            problems.append(f"{name}: StageName must be Prod (clients call .../Prod/)")
        preflight = [m for m in props.get("MethodSettings", [])
                     if m.get("ResourcePath") == "/" and m.get("HttpMethod") == "OPTIONS"]
        if not preflight or not isinstance(preflight[0].get("ThrottlingRateLimit"), int):
            problems.append(f"{name}: OPTIONS / needs its own MethodSettings throttling (a throttled preflight is a network error to a browser)")
        responses = props.get("GatewayResponses", {})
        for kind in ("THROTTLED", "QUOTA_EXCEEDED"):
            headers = responses.get(kind, {}).get("ResponseParameters", {}).get("Headers", {})
            if headers.get("Retry-After") is None or "Retry-After" not in str(headers.get("Access-Control-Expose-Headers")):
                problems.append(f"{name}: GatewayResponses.{kind} needs Retry-After, exposed to scripts")
        for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
            if "StatusCode" in responses.get(kind, {}):
                problems.append(f"{name}: GatewayResponses.{kind} must keep each error's own status (no StatusCode)")
    for name, layer in ((k, v) for k, v in res.items() if v.get("Type") == "AWS::Serverless::LayerVersion"):
        if layer.get("Properties", {}).get("RetentionPolicy") != "Delete":
            problems.append(f"{name}: RetentionPolicy must be Delete (old policy versions pile up otherwise)")
    chat = next((n for n, f in functions.items()
                 if f.get("Metadata", {}).get("BuildProperties", {}).get("Binary") == "start-chat"), None)
    if chat:
        props = functions[chat]["Properties"]
        methods = {(e["Properties"].get("Path"), e["Properties"].get("Method")) for e in props.get("Events", {}).values()
                   if e.get("Type") == "Api" and e["Properties"].get("RestApiId", {}).get("Ref") in apis}
        if methods != {("/", "post"), ("/", "options")}:
            problems.append(f"{chat}: needs exactly POST and OPTIONS on / of the template's API, got {sorted(methods)}")
        statements = [s for p in props.get("Policies", []) if isinstance(p, dict) for s in p.get("Statement", [])]
        if not statements:
            problems.append(f"{chat}: needs an inline policy statement for connect:StartChatContact")
        for s in statements:
            actions = s.get("Action")
            if actions not in ("connect:StartChatContact", ["connect:StartChatContact"]):
                problems.append(f"{chat}: its policy may only allow connect:StartChatContact, got {actions!r}")
            for r in resource_strings(s.get("Resource")):
                if "instance/${ConnectInstanceId}" not in r:
                    problems.append(f"{chat}: policy resource {r!r} is not scoped to the ConnectInstanceId instance")
        if {p for p in props.get("Policies", []) if isinstance(p, str)}:
            problems.append(f"{chat}: managed policies are broader than StartChatContact")

    problems += check_chat_auth(res, functions, handler)
    problems += check_live_policy(res, functions, handler)
    problems += check_operations(template, res, functions, handler)

    outputs = template.get("Outputs", {})
    url = sub_text(outputs.get("StartChatApiUrl", {}).get("Value"))
    if not url or not url.startswith("https://") or not url.endswith("/Prod/"):
        problems.append("Outputs.StartChatApiUrl: must be the https URL ending in /Prod/")
    for key in ("ReviewHandlerArn", "ChatRoomArn", "ChatMessagingEndpoint"):
        if key not in outputs:
            problems.append(f"Outputs.{key}: missing")
    if sub_text(outputs.get("ChatMessagingEndpoint", {}).get("Value")) != "wss://edge.ivschat.${AWS::Region}.amazonaws.com":
        problems.append("Outputs.ChatMessagingEndpoint: must be wss://edge.ivschat.${AWS::Region}.amazonaws.com")
    return problems


def statements(props):
    """The inline policy statements of a function, through !If branches."""
    found = []
    for p in props.get("Policies", []):
        branches = p["Fn::If"][1:] if isinstance(p, dict) and "Fn::If" in p else [p]
        found += [s for b in branches if isinstance(b, dict) for s in b.get("Statement", [])]
    return found


def as_list(value):
    return value if isinstance(value, list) else [value]


def check_chat_auth(res, functions, handler):
    """chat-auth: least privilege on the rooms and the table, a JWT authorizer from the
    issuer parameter, a table with TTL and point-in-time recovery, and the review
    handler reading the same table (and writing strikes and timeouts), nothing more."""
    problems = []
    auth = next((n for n, f in functions.items()
                 if f.get("Metadata", {}).get("BuildProperties", {}).get("Binary") == "chat-auth"), None)
    tables = [k for k, v in res.items() if v.get("Type") == "AWS::DynamoDB::Table"]
    if not auth:
        return ["chat-auth: no function builds the chat-auth binary"]
    if len(tables) != 1:
        return ["chat-auth: exactly one DynamoDB table is expected"]
    table = tables[0]
    t = res[table]["Properties"]
    if t.get("BillingMode") != "PAY_PER_REQUEST":
        problems.append(f"{table}: BillingMode must be PAY_PER_REQUEST")
    if t.get("TimeToLiveSpecification") != {"AttributeName": "expiresAt", "Enabled": True}:
        problems.append(f"{table}: TTL must be on expiresAt (timeouts and strikes expire)")
    if not t.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        problems.append(f"{table}: point-in-time recovery must be on")
    table_arn = {"Fn::GetAtt": [table, "Arn"]}
    props = functions[auth]["Properties"]
    env = props.get("Environment", {}).get("Variables", {})
    if env.get("TABLE_NAME") != {"Ref": table}:
        problems.append(f"{auth}: TABLE_NAME must be the template's table")
    for s in statements(props):
        actions = set(as_list(s.get("Action")))
        if actions <= {"ivschat:CreateChatToken", "ivschat:DisconnectUser", "ivschat:DeleteMessage", "ivschat:SendEvent"}:
            if "*" in json.dumps(s.get("Resource")):
                problems.append(f"{auth}: IVS actions must name the served rooms, not a wildcard")
        elif all(a.startswith("dynamodb:") for a in actions):
            if s.get("Resource") != table_arn:
                problems.append(f"{auth}: DynamoDB actions must be on the table only")
            if actions - {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query"}:
                problems.append(f"{auth}: DynamoDB actions beyond item reads and writes: {sorted(actions)}")
        else:
            problems.append(f"{auth}: unexpected actions {sorted(actions)}")
    if {p for p in props.get("Policies", []) if isinstance(p, str)}:
        problems.append(f"{auth}: managed policies are broader than its actions")
    http_apis = {k: v for k, v in res.items() if v.get("Type") == "AWS::Serverless::HttpApi"}
    routes = {}
    for e in props.get("Events", {}).values():
        if e.get("Type") == "HttpApi" and e["Properties"].get("ApiId", {}).get("Ref") in http_apis:
            routes[(e["Properties"]["Method"], e["Properties"]["Path"])] = e["Properties"].get("Auth", {}).get("Authorizer")
    expected = {("post", "/auth"), ("post", "/event"), ("post", "/moderation/bans"), ("get", "/moderation/bans"),
                ("delete", "/moderation/bans/{room}/{userId}"), ("post", "/moderation/messages/delete")}
    if set(routes) != expected:
        problems.append(f"{auth}: routes must be {sorted(expected)}, got {sorted(routes)}")
    if any(a == "NONE" for route, a in routes.items() if route != ("post", "/auth")):
        problems.append(f"{auth}: only POST /auth may skip the JWT authorizer (it verifies tokens itself)")
    if routes.get(("post", "/auth")) == "NONE" and not (env.get("JWT_ISSUER") == {"Ref": "JwtIssuer"} and env.get("JWKS_URL")):
        problems.append(f"{auth}: POST /auth without the authorizer needs JWT_ISSUER and JWKS_URL to verify tokens itself")
    for name, api in http_apis.items():
        a = api.get("Properties", {}).get("Auth", {})
        jwt = a.get("Authorizers", {}).get(a.get("DefaultAuthorizer"), {}).get("JwtConfiguration", {})
        if jwt.get("issuer") != {"Ref": "JwtIssuer"} or not jwt.get("audience"):
            problems.append(f"{name}: the default authorizer must be a JWT authorizer on JwtIssuer with an audience")
        if "DefaultRouteSettings" not in api.get("Properties", {}):
            problems.append(f"{name}: DefaultRouteSettings must throttle the stage")
    if handler:
        h = functions[handler]["Properties"]
        if "TABLE_NAME" not in json.dumps(h.get("Environment", {})) or table not in json.dumps(h.get("Environment", {})):
            problems.append(f"{handler}: TABLE_NAME must name the template's table (bans are enforced there)")
        for s in statements(h):
            if s.get("Sid") == "LivePolicyVersions":
                continue  # check_live_policy
            if not set(as_list(s.get("Action"))) <= {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"} \
                    or s.get("Resource") != table_arn:
                problems.append(f"{handler}: may only read items of the table and write strikes and timeouts")
    return problems


def check_live_policy(res, functions, handler):
    """Live policy: a hosted AppConfig profile whose validator is the policy-validator
    binary, the extension layer on the review handler under LivePolicyOn, and read
    access to that one profile only."""
    problems = []
    profile = res.get("PolicyProfile", {}).get("Properties", {})
    validator = next((n for n, f in functions.items()
                      if f.get("Metadata", {}).get("BuildProperties", {}).get("Binary") == "policy-validator"), None)
    if profile.get("LocationUri") != "hosted" or profile.get("Validators") != [
            {"Type": "LAMBDA", "Content": {"Fn::GetAtt": [validator, "Arn"]}}]:
        problems.append("PolicyProfile: a hosted profile validated by the policy-validator function is required")
    if not any(p.get("Properties", {}).get("Principal") == "appconfig.amazonaws.com"
               and p["Properties"].get("FunctionName") == {"Fn::GetAtt": [validator, "Arn"]}
               for p in res.values() if p.get("Type") == "AWS::Lambda::Permission"):
        problems.append("PolicyValidatorPermission: AppConfig must be allowed to invoke the validator")
    props = functions.get(handler, {}).get("Properties", {})
    if {"Fn::If": ["LivePolicyOn", {"Ref": "AppConfigExtensionLayerArn"}, {"Ref": "AWS::NoValue"}]} not in props.get("Layers", []):
        problems.append(f"{handler}: Layers must add AppConfigExtensionLayerArn when LivePolicyOn")
    env = props.get("Environment", {}).get("Variables", {})
    for variable, resource, attribute in (("APPCONFIG_APPLICATION", "PolicyApplication", "ApplicationId"),
                                          ("APPCONFIG_ENVIRONMENT", "PolicyEnvironment", "EnvironmentId"),
                                          ("APPCONFIG_PROFILE", "PolicyProfile", "ConfigurationProfileId")):
        if env.get(variable) != {"Fn::If": ["LivePolicyOn", {"Fn::GetAtt": [resource, attribute]}, ""]}:
            problems.append(f"{handler}: {variable} must be {resource}'s {attribute} when LivePolicyOn")
    reads = [s for s in statements(props) if s.get("Sid") == "LivePolicyVersions"]
    expected = ("application/${PolicyApplication.ApplicationId}/environment/${PolicyEnvironment.EnvironmentId}"
                "/configuration/${PolicyProfile.ConfigurationProfileId}")
    if len(reads) != 1 or set(as_list(reads[0].get("Action"))) != {"appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"} \
            or not (sub_text(reads[0].get("Resource")) or "").endswith(expected):
        problems.append(f"{handler}: the LivePolicyVersions statement may only read the policy profile")
    return problems


# What must raise an alarm: (namespace, metric, resource the dimension names or None).
ALARMS = [
    ("AWS/Lambda", "Errors", "review-handler"), ("AWS/Lambda", "Throttles", "review-handler"),
    ("AWS/Lambda", "Duration", "review-handler"),
    ("AWS/Lambda", "Errors", "start-chat"), ("AWS/Lambda", "Throttles", "start-chat"),
    ("AWS/Lambda", "Errors", "chat-auth"), ("AWS/Lambda", "Throttles", "chat-auth"),
    ("AWS/ApiGateway", "5XXError", None), ("AWS/ApiGateway", "5xx", None),
    ("custom", "ConnectErrors", None), ("custom", "PolicyUnavailable", None),
]


def check_operations(template, res, functions, handler):
    """Metrics, alarms and the dashboard: the functions write their metrics to the
    namespace the alarms watch; every alarm in ALARMS exists and notifies the topic;
    the review handler alarms on p99 over 100 ms; tracing, reserved concurrency and the
    review handler's memory come from parameters; the dashboard is valid JSON with and without chat-auth."""
    problems = []
    namespace = "ChatBackends/${AWS::StackName}"
    by_binary = {f.get("Metadata", {}).get("BuildProperties", {}).get("Binary"): n for n, f in functions.items()}
    for binary in ("review-handler", "start-chat"):
        env = functions.get(by_binary.get(binary), {}).get("Properties", {}).get("Environment", {}).get("Variables", {})
        if sub_text(env.get("METRICS_NAMESPACE")) != namespace:
            problems.append(f"{by_binary.get(binary)}: METRICS_NAMESPACE must be {namespace} (the alarms' namespace)")
    topic = next((k for k, v in res.items() if v.get("Type") == "AWS::SNS::Topic"), None)
    alarms = [v.get("Properties", {}) for v in res.values() if v.get("Type") == "AWS::CloudWatch::Alarm"]
    for space, metric, binary in ALARMS:
        found = [a for a in alarms if a.get("MetricName") == metric
                 and (sub_text(a.get("Namespace")) == namespace if space == "custom" else a.get("Namespace") == space)
                 and (binary is None or {"Name": "FunctionName", "Value": {"Ref": by_binary.get(binary)}} in a.get("Dimensions", []))]
        if not found:
            problems.append(f"alarms: nothing watches {space} {metric}" + (f" of {binary}" if binary else ""))
        elif {"Ref": topic} not in found[0].get("AlarmActions", []):
            problems.append(f"alarms: the {metric} alarm must notify the alarm topic")
    slow = [a for a in alarms if a.get("MetricName") == "Duration"]
    if slow and (slow[0].get("ExtendedStatistic") != "p99" or slow[0].get("Threshold") != 100):
        problems.append("alarms: the review handler's Duration alarm must be on p99 over 100 ms")
    subscriptions = [v.get("Properties", {}) for v in res.values() if v.get("Type") == "AWS::SNS::Subscription"]
    if not any(p.get("Endpoint") == {"Ref": "AlarmEmail"} and p.get("TopicArn") == {"Ref": topic} for p in subscriptions):
        problems.append("alarms: AlarmEmail must subscribe to the alarm topic")
    if template.get("Globals", {}).get("Function", {}).get("Tracing") != {"Ref": "Tracing"}:
        problems.append("Globals.Function.Tracing must come from the Tracing parameter")
    for binary, parameter in (("review-handler", "ReviewHandlerReservedConcurrency"),
                              ("start-chat", "StartChatReservedConcurrency"), ("chat-auth", "ChatAuthReservedConcurrency")):
        reserved = functions.get(by_binary.get(binary), {}).get("Properties", {}).get("ReservedConcurrentExecutions")
        if not (isinstance(reserved, dict) and {"Ref": parameter} in reserved.get("Fn::If", [])):
            problems.append(f"{by_binary.get(binary)}: ReservedConcurrentExecutions must come from {parameter}")
    if functions.get(handler, {}).get("Properties", {}).get("MemorySize") != {"Ref": "ReviewHandlerMemorySize"}:
        problems.append(f"{handler}: MemorySize must come from ReviewHandlerMemorySize (a large policy needs more CPU to start)")
    dashboards = [v.get("Properties", {}) for v in res.values() if v.get("Type") == "AWS::CloudWatch::Dashboard"]
    if len(dashboards) != 1:
        return problems + ["dashboard: exactly one CloudWatch dashboard is expected"]
    text, variables = dashboards[0]["DashboardBody"]["Fn::Sub"]
    for chat_auth_on in (True, False):
        body = text
        for name, value in variables.items():
            if isinstance(value, dict) and "Fn::If" in value:
                value = value["Fn::If"][1 if chat_auth_on else 2]
            body = body.replace("${" + name + "}", sub_text(value) if sub_text(value) is not None else value)
        try:
            widgets = json.loads(body)["widgets"]
        except (ValueError, KeyError) as e:
            problems.append(f"dashboard: the body is not valid dashboard JSON (chat-auth {'on' if chat_auth_on else 'off'}): {e}")
            continue
        shown = json.dumps(widgets)
        for metric in ("Reviews", "Denied", "ReviewLatency", "Matches", "Requests", "ConnectLatency", "ConnectErrors"):
            if f'"{metric}' not in shown:
                problems.append(f"dashboard: no widget shows {metric}")
    return problems


class _NoManagedPolicies:
    """The template names no managed policies, so SAM needs no IAM lookups."""

    def load(self):
        return {}


def translate(template):
    """The CloudFormation that SAM makes of `template` (code locations stubbed)."""
    t = copy.deepcopy(template)
    for resource in t.get("Resources", {}).values():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://bucket/key"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return transform(json.loads(json.dumps(t)), {}, _NoManagedPolicies())


def check_translated(translated):
    """Checks of what SAM generates: resources the template does not spell out."""
    problems = []
    res = translated.get("Resources", {})
    for name, r in res.items():
        stage = r.get("Properties", {}).get("StageName")
        if r["Type"] == "AWS::ApiGateway::Deployment" and stage:
            problems.append(f"{name}: SAM deploys an extra stage {stage!r} outside the stage throttling (set OpenApiVersion)")
        if r["Type"] == "AWS::ApiGateway::Stage" and stage != "Prod":
            problems.append(f"{name}: unexpected API stage {stage!r}")
    return problems


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    template = cfn_yaml.load(path)
    problems = check(template, workspace_binaries()) + check_translated(translate(template))
    for p in problems:
        print(f"{path}: {p}")
    if problems:
        sys.exit(1)
    print(f"{path}: wiring checks passed")


if __name__ == "__main__":
    main()
