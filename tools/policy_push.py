#!/usr/bin/env python3
"""`make policy-push FILE=...`: check a policy file and make it the live policy of a
stack deployed with LivePolicy=true. No redeploy: the review handler's instances take
it within a minute.

1. The review handler's own checker compiles the file (as `make deploy` does); a file
   it refuses is never sent. A live policy must be whole in one file (no `file = ...`
   term lists: the function has no copy of them) and within AppConfig's 2 MB.
2. The stack's outputs name the AppConfig application, environment, profile and
   deployment strategy.
3. The file becomes a new hosted configuration version and is deployed. AppConfig runs
   the stack's validator (the same compiler) first and refuses a bad version. Progress
   is printed until the deployment completes.

Usage: policy_push.py FILE [--stack NAME] [--region REGION]
  (stack and region default to samconfig.toml's, as `sam deploy` saved them)
"""
import argparse
import json
import pathlib
import sys
import time
import tomllib

import deploy

# AppConfig's hosted configuration store takes 2 MB per version (its default quota).
MAX_BYTES = 2 * 1024 * 1024
OUTPUTS = ("PolicyApplicationId", "PolicyEnvironmentId", "PolicyProfileId", "PolicyDeploymentStrategyId")


class PushError(Exception):
    """Why nothing was deployed (or the deployment did not complete)."""


def uses_files(value):
    """Whether a parsed policy names a `file` anywhere (terms read from a file)."""
    if isinstance(value, dict):
        return "file" in value or any(uses_files(v) for v in value.values())
    if isinstance(value, list):
        return any(uses_files(v) for v in value)
    return False


def check_file(path, checker):
    """The policy text, once it is fit to go live; raises PushError otherwise."""
    if not path.is_file():
        raise PushError(f"{path}: not a regular file")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise PushError(f"{path}: {len(data)} bytes; AppConfig's hosted store takes {MAX_BYTES} at most")
    code, err = checker(["--policy", str(path)], {})
    if code != 0:
        raise PushError(err.strip() or f"{path}: the policy does not load")
    text = data.decode()
    parsed = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    if uses_files(parsed):
        raise PushError(f"{path}: a live policy must hold its terms itself; `file = ...` lists are not sent with it")
    return text


def stack_outputs(cloudformation, stack):
    """The live-policy outputs of `stack`; raises PushError when it has none."""
    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except Exception as e:  # botocore's ClientError and connection errors alike
        raise PushError(f"stack {stack}: {e}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [k for k in OUTPUTS if k not in outputs]
    if missing:
        raise PushError(f"stack {stack} has no live policy (deploy it with LivePolicy=true): no {', '.join(missing)}")
    return outputs


def push(text, name, outputs, appconfig, say=print, sleep=time.sleep, poll_seconds=2.0, timeout_seconds=600):
    """Stores `text` as a new version and deploys it; returns the version number."""
    app, env = outputs["PolicyApplicationId"], outputs["PolicyEnvironmentId"]
    profile = outputs["PolicyProfileId"]
    content_type = "application/json" if name.endswith(".json") else "text/plain"
    try:
        version = appconfig.create_hosted_configuration_version(
            ApplicationId=app, ConfigurationProfileId=profile, Content=text.encode(),
            ContentType=content_type, Description=f"policy-push {name}"[:1024])["VersionNumber"]
        say(f"stored {name} as version {version}")
        deployment = appconfig.start_deployment(
            ApplicationId=app, EnvironmentId=env, ConfigurationProfileId=profile,
            DeploymentStrategyId=outputs["PolicyDeploymentStrategyId"], ConfigurationVersion=str(version),
            Description=f"policy-push {name}"[:1024])
    except Exception as e:  # the validator's refusal arrives as a BadRequestException
        raise PushError(f"AppConfig refused the policy: {e}") from None
    number, state = deployment["DeploymentNumber"], deployment.get("State")
    say(f"deployment {number}: {state}")
    waited = 0.0
    while state not in ("COMPLETE", "ROLLED_BACK", "REVERTED"):
        if waited >= timeout_seconds:
            raise PushError(f"deployment {number} still {state} after {timeout_seconds} s")
        sleep(poll_seconds)
        waited += poll_seconds
        current = appconfig.get_deployment(ApplicationId=app, EnvironmentId=env, DeploymentNumber=number)["State"]
        if current != state:
            say(f"deployment {number}: {current}")
        state = current
    if state != "COMPLETE":
        raise PushError(f"deployment {number} ended {state}; the previous policy stays")
    say(f"version {version} is deployed: warm instances take it within a minute")
    return version


def saved_deploy_settings(samconfig):
    """(stack name, region) saved by `sam deploy --guided`, each None if unsaved."""
    if not samconfig.is_file():
        return None, None
    params = tomllib.loads(samconfig.read_text()).get("default", {}).get("deploy", {}).get("parameters", {})
    return params.get("stack_name"), params.get("region")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=pathlib.Path)
    parser.add_argument("--stack")
    parser.add_argument("--region")
    args = parser.parse_args()
    stack, region = saved_deploy_settings(deploy.REPO / "samconfig.toml")
    stack, region = args.stack or stack, args.region or region
    if not stack:
        sys.exit("policy-push: no stack: deploy first (make deploy) or pass --stack NAME")
    import boto3  # only here: the tests run without AWS

    session = boto3.session.Session(region_name=region)
    try:
        text = check_file(args.file, deploy.check_policy)
        outputs = stack_outputs(session.client("cloudformation"), stack)
        push(text, args.file.name, outputs, session.client("appconfig"))
    except PushError as e:
        sys.exit(f"policy-push: {e}")


if __name__ == "__main__":
    main()
