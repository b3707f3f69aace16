#!/usr/bin/env python3
"""`make deploy`: check the moderation policy, build for the chosen architecture, deploy.

- The policy the stack will use (`PolicyFile` in policies/, or the inline `Policy`) is
  compiled by the review handler's own checker first; a policy it refuses is never
  deployed (the function would only deny every message).
- `sam build` and `sam deploy` get the same parameters, so `Architecture=x86_64`
  builds x86_64 binaries (guided deploy saves parameters for `deploy` only).
- The first deploy is guided (it asks for the parameters and saves them in
  samconfig.toml); if it was answered with another architecture than the one built, the
  stack is rebuilt and deployed again with it.

Usage: deploy.py [--dry-run]   (from the repository, with the .venv's sam on PATH)
       deploy.py --architecture  (prints the architecture `make build` builds for)
"""
import os
import pathlib
import shlex
import subprocess
import sys
import tomllib

REPO = pathlib.Path(__file__).resolve().parents[1]


def parameter_overrides(samconfig_text):
    """The saved deploy parameters, as a dict (empty before the first deploy)."""
    config = tomllib.loads(samconfig_text)
    text = config.get("default", {}).get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
    if isinstance(text, list):
        text = " ".join(text)
    pairs = {}
    for item in shlex.split(text):
        key, sep, value = item.partition("=")
        if sep:
            pairs[key] = value
    return pairs


def policy_problem(parameters, checker):
    """Why the policy these parameters deploy cannot load, or None. `checker` runs the
    review handler's `check` with extra arguments and environment; it returns (exit
    code, standard error)."""
    policy_file = parameters.get("PolicyFile", "")
    if policy_file:
        path = REPO / "policies" / policy_file
        if not path.is_file():
            return f"PolicyFile={policy_file}: there is no policies/{policy_file} (the layer is the policies/ folder)"
        code, err = checker(["--policy", str(path)], {})
    elif parameters.get("Policy", ""):
        code, err = checker([], {"POLICY": parameters["Policy"]})
    else:
        return None
    return err.strip() or "the policy does not load" if code != 0 else None


def check_policy(args, env):
    binary = REPO / "target" / "debug" / "review-handler"
    subprocess.run(["cargo", "build", "-q", "-p", "review-handler"], cwd=REPO, check=True)
    clean = {k: v for k, v in os.environ.items() if k not in ("POLICY", "POLICY_FILE")}
    done = subprocess.run([str(binary), "check", *args], input="", capture_output=True, text=True,
                          env={**clean, **env}, cwd=REPO)
    return done.returncode, done.stderr


def overrides_text(parameters):
    return " ".join(f"{k}={shlex.quote(v)}" for k, v in parameters.items())


def run(command, dry_run):
    print("+", " ".join(shlex.quote(c) for c in command), flush=True)
    if not dry_run:
        subprocess.run(command, cwd=REPO, check=True)


def main():
    dry_run = "--dry-run" in sys.argv
    samconfig = REPO / "samconfig.toml"
    parameters = parameter_overrides(samconfig.read_text())
    if "--architecture" in sys.argv:
        print(parameters.get("Architecture", "arm64"))
        return
    problem = policy_problem(parameters, check_policy)
    if problem:
        sys.exit(f"deploy refused: {problem}")
    architecture = parameters.get("Architecture", "arm64")
    run(["sam", "build", "--parameter-overrides", f"Architecture={architecture}"], dry_run)
    if parameters:
        run(["sam", "deploy"], dry_run)
        return
    run(["sam", "deploy", "--guided"], dry_run)
    if dry_run:
        return
    saved = parameter_overrides(samconfig.read_text())
    problem = policy_problem(saved, check_policy)
    if problem:
        sys.exit(f"the policy given to guided deploy does not load: {problem}\n"
                 "fix it in samconfig.toml (parameter_overrides) and run make deploy again")
    if saved.get("Architecture", "arm64") != architecture:
        run(["sam", "build", "--parameter-overrides", f"Architecture={saved['Architecture']}"], False)
        run(["sam", "deploy"], False)


if __name__ == "__main__":
    main()
