"""Runs the functions' binaries under cargo-lambda's Lambda emulator: the debug ones
`cargo test` builds for the end-to-end tests, the release ones for the benchmark report
(`E2E_PROFILE=release`).

Every process started here is registered and killed when its `with` block ends, on
success or failure, and also dies with this Python process (PR_SET_PDEATHSIG) if
that is killed outright.
"""

import contextlib
import ctypes
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
if not TARGET.is_absolute():
    TARGET = REPO / TARGET
RELEASE = TARGET / "release"
# The end-to-end tests run the binaries `cargo test` has just built, so that a fresh
# clone compiles the AWS SDK once, not once more in release.
PROFILE = os.environ.get("E2E_PROFILE", "debug")
CARGO_LAMBDA = REPO / ".venv" / "bin" / "cargo-lambda"

# Credentials the functions sign with and the fake Connect checks against.
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"

_PR_SET_PDEATHSIG = 1
# Resolved once here: the child between fork and exec should do as little as possible.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent():
    """Runs in the child before exec: SIGKILL it when the test process dies."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def enter_class_context(test_class, context):
    """`unittest.TestCase.enterClassContext` for Python before 3.11."""
    value = context.__enter__()
    test_class.addClassCleanup(context.__exit__, None, None, None)
    return value


def enter_context(test, context):
    """`unittest.TestCase.enterContext` for Python before 3.11."""
    value = context.__enter__()
    test.addCleanup(context.__exit__, None, None, None)
    return value


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name):
    path = TARGET / PROFILE / name
    if not path.exists():
        how = "cargo build --release -p " + name if PROFILE == "release" else "cargo test --no-run"
        raise RuntimeError(f"{path} is missing: build it with `{how}`")
    return path


def spawn(args, env=None, log=None, die_with_parent=True):
    """Starts a process in its own session (so the whole group can be killed).
    `die_with_parent` costs Python about 2.5 ms per spawn (it must fork instead of
    vfork), which timing runs leave out."""
    return subprocess.Popen(
        [str(a) for a in args],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent if die_with_parent else None,
    )


def stop(proc):
    """Kills a process group started by `spawn` and reaps it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_for_port(port, proc, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


class Emulator:
    """`cargo lambda watch --only-lambda-apis`: the Lambda runtime and invoke APIs,
    with function URLs, and no CORS of its own (the functions answer CORS). It only
    knows the workspace's binaries by name, so each configuration of a function gets
    its own emulator."""

    def __init__(self):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="emulator-", suffix=".log")
        self.functions = []

    def __enter__(self):
        if not CARGO_LAMBDA.exists():
            raise RuntimeError(f"{CARGO_LAMBDA} is missing: run `make tools`")
        self.proc = spawn(
            [CARGO_LAMBDA, "lambda", "watch", "--only-lambda-apis", "--disable-cors",
             "-A", "127.0.0.1", "-P", self.port],
            log=self.log,
        )
        try:
            wait_for_port(self.port, self.proc, "cargo lambda watch")
        except RuntimeError as e:
            self.log.flush()
            log = Path(self.log.name).read_text()[-2000:]
            self.__exit__(None, None, None)
            raise RuntimeError(f"{e}:\n{log}") from None
        return self

    def __exit__(self, *exc):
        for f in self.functions:
            f.stop()
        stop(self.proc)
        self.log.close()

    def runtime_env(self, name, extra=None):
        """The environment Lambda gives a function named `name`."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{self.port}/.rt/{name}",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_REGION": REGION,
        }
        env.update(extra or {})
        return env

    def start(self, name, env=None, die_with_parent=True):
        """Starts the binary `name` as the function of that name (the emulator
        only routes to the workspace's binaries); stopped with the emulator."""
        function = Function(name, [binary(name)], self.runtime_env(name, env), die_with_parent)
        self.functions.append(function)
        return function

    def invoke(self, name, payload, timeout=30.0):
        """Raw invoke API call: (HTTP status, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", f"/2015-03-31/functions/{name}/invocations", body=payload)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def invoke_cli(self, name, data_file):
        """`cargo lambda invoke --data-file`, as a user would: the response JSON."""
        out = subprocess.run(
            [CARGO_LAMBDA, "lambda", "invoke", name, "-A", "127.0.0.1", "-P", str(self.port),
             "--data-file", str(data_file), "-o", "json"],
            capture_output=True, text=True, timeout=60,
        )
        if out.returncode != 0:
            raise AssertionError(f"cargo lambda invoke {name} failed: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def url(self, name, path="/"):
        """Path of `name`'s function URL on the emulator (lambda_http functions)."""
        return f"/lambda-url/{name}{path}"

    def http(self, method, path, body=None, headers=None):
        """HTTP request to the emulator: (status, headers as a lowercase dict, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()


class Function:
    """One function process polling the emulator; its stderr (the JSON logs) is kept."""

    def __init__(self, name, spawn_args, env, die_with_parent):
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log")
        self.started = time.perf_counter()
        self.proc = spawn(spawn_args, env=env, log=self.log, die_with_parent=die_with_parent)

    def logs(self):
        self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self):
        stop(self.proc)
        self.log.close()


# --- A local HTTP server playing Amazon Connect, checking SigV4 signatures. ---


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_signature(secret, method, path, query, headers, signed, body, amz_date, scope):
    """The SigV4 signature AWS computes for a request (written from the spec, not
    from the SDK, so that it checks the SDK independently)."""
    canonical_headers = "".join(
        f"{name}:{' '.join(headers[name].strip().split())}\n" for name in signed
    )
    payload_hash = headers.get("x-amz-content-sha256", _sha256(body))
    canonical = "\n".join(
        [method, path, query, canonical_headers, ";".join(signed), payload_hash]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, _sha256(canonical.encode())]
    )
    date, region, service, terminal = scope.split("/")
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, terminal):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def check_sigv4(method, path, query, headers, body, secret=SECRET_KEY, now=None):
    """Why a request's signature is not valid, or None when it is."""
    auth = headers.get("authorization", "")
    prefix = "AWS4-HMAC-SHA256 "
    if not auth.startswith(prefix):
        return "no AWS4-HMAC-SHA256 authorization header"
    fields = dict(
        part.strip().split("=", 1) for part in auth[len(prefix):].split(",") if "=" in part
    )
    try:
        access_key, scope = fields["Credential"].split("/", 1)
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        return f"malformed authorization header: {auth}"
    if access_key != ACCESS_KEY:
        return f"unknown access key {access_key}"
    if "host" not in signed:
        return "the host header is not signed"
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
    except ValueError:
        return f"bad x-amz-date {amz_date!r}"
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs((now - signed_at).total_seconds()) > 300:
        return "signature is more than 5 minutes from now"
    if not scope.startswith(amz_date[:8] + "/"):
        return "credential scope date differs from x-amz-date"
    missing = [h for h in signed if h not in headers]
    if missing:
        return f"signed headers missing: {missing}"
    expected = sigv4_signature(secret, method, path, query, headers, signed, body, amz_date, scope)
    if not hmac.compare_digest(expected, signature):
        return "signature mismatch"
    return None


class SigV4Server:
    """A local HTTP server playing an AWS service: answers from a script of replies
    (then `default_reply`) and records each request, with the verdict of its SigV4
    check. Unsigned or badly signed requests get the 403 `InvalidSignatureException`
    the service would send."""

    def __init__(self):
        self.requests = []
        self.replies = []
        self._lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_PUT(self):
                fake._handle(self)

            do_POST = do_GET = do_PUT

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def reset(self, *replies):
        """Replies for the next requests, in order; then `started()` for the rest."""
        with self._lock:
            self.requests.clear()
            self.replies = list(replies)

    def _handle(self, h):
        length = int(h.headers.get("content-length", 0))
        body = h.rfile.read(length)
        path, _, query = h.path.partition("?")
        headers = {k.lower(): v for k, v in h.headers.items()}
        problem = check_sigv4(h.command, path, query, headers, body)
        with self._lock:
            self.requests.append(
                {"method": h.command, "path": path, "headers": headers,
                 "body": json.loads(body or b"null"), "signature_problem": problem}
            )
            reply = self.replies.pop(0) if self.replies else self.default_reply(path)
        if problem:
            reply = error(403, "InvalidSignatureException", problem)
        status, extra_headers, data = reply
        h.send_response(status)
        for k, v in {"content-type": "application/json", **extra_headers}.items():
            h.send_header(k, v)
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


class FakeConnect(SigV4Server):
    """Amazon Connect: every chat starts unless scripted otherwise."""

    def default_reply(self, path):
        return started()


class FakeIvs(SigV4Server):
    """The IVS Chat control plane (`POST /CreateChatToken` and the moderation calls)."""

    def default_reply(self, path):
        bodies = {
            "/CreateChatToken": {"token": "ivs-token-secret", "sessionExpirationTime": "2026-11-23T13:00:00Z",
                                 "tokenExpirationTime": "2026-11-23T12:01:00Z"},
            "/DisconnectUser": {},
            "/DeleteMessage": {"id": "delete-event-1"},
            "/SendEvent": {"id": "event-1"},
        }
        if path not in bodies:
            return error(404, "ResourceNotFoundException", f"no operation at {path}")
        return 200, {}, json.dumps(bodies[path]).encode()

    def calls(self, path=None):
        """The recorded requests, to `path` when given."""
        with self._lock:
            return [r for r in self.requests if path is None or r["path"] == path]


def started(contact="contact-1", participant="participant-1", token="token-secret-1"):
    body = {"ContactId": contact, "ParticipantId": participant, "ParticipantToken": token}
    return 200, {}, json.dumps(body).encode()


def error(status, error_type, message="details from Connect"):
    return status, {"x-amzn-ErrorType": error_type}, json.dumps({"message": message}).encode()


def connect_env(endpoint):
    """What start-chat needs to call a Connect endpoint with the test credentials."""
    return aws_env(AWS_ENDPOINT_URL_CONNECT=endpoint)


def aws_env(**endpoints):
    """The test credentials, no other source of them, and the given endpoints."""
    return {
        **endpoints,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


# --- The AppConfig Lambda extension's local HTTP API. ---


class FakeAppConfigExtension:
    """The AWS AppConfig Agent Lambda extension as a function sees it: `GET
    /applications/A/environments/E/configurations/P` on localhost answers the deployed
    version's bytes (with its Content-Type and Configuration-Version), or a 404 before
    any deployment. `serve(text)` deploys a version; `hold()` makes answers wait until
    `release()` (a slow extension), with `pending` counting the requests waiting."""

    PATH = "/applications/chat/environments/live/configurations/policy"

    def __init__(self):
        self.text, self.version, self.requests, self.pending = None, 0, 0, 0
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._answer(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def env(self, refresh_seconds=1):
        """The review handler's variables for this extension (the template's names)."""
        app, env, profile = self.PATH.split("/")[2::2]
        return {"APPCONFIG_APPLICATION": app, "APPCONFIG_ENVIRONMENT": env, "APPCONFIG_PROFILE": profile,
                "AWS_APPCONFIG_EXTENSION_HTTP_PORT": str(self.port),
                "POLICY_REFRESH_SECONDS": str(refresh_seconds)}

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._open.set()
        self.server.shutdown()
        self.server.server_close()

    def serve(self, text):
        with self._lock:
            self.text, self.version = text, self.version + 1

    def hold(self):
        self._open.clear()

    def release(self):
        self._open.set()

    def count(self):
        with self._lock:
            return self.requests

    def _answer(self, h):
        with self._lock:
            self.requests += 1
            self.pending += 1
        self._open.wait()
        with self._lock:
            self.pending -= 1
            text, version = self.text, self.version
        if h.path != self.PATH or text is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"ResourceNotFoundException: no deployment"
        else:
            status, body = 200, text.encode()
            headers = {"Content-Type": "text/plain", "Configuration-Version": str(version)}
        h.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)


# --- DynamoDB played by moto in server mode, and a token issuer. ---

MOTO_SERVER = REPO / ".venv" / "bin" / "moto_server"
TABLE = "chat-state"


class Moto:
    """`moto_server` on a free port with chat-auth's table (the template's key schema).
    `pause()` stops the process (connections then hang, like a slow DynamoDB) and
    `resume()` lets it go on."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log")

    def __enter__(self):
        if not MOTO_SERVER.exists():
            raise RuntimeError(f"{MOTO_SERVER} is missing: run `make tools`")
        self.proc = spawn([MOTO_SERVER, "-H", "127.0.0.1", "-p", self.port], log=self.log)
        wait_for_port(self.port, self.proc, "moto_server")
        import boto3  # installed with moto

        self.dynamodb = boto3.client(
            "dynamodb", endpoint_url=self.url, region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        )
        self.dynamodb.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        return self

    def __exit__(self, *exc):
        self.resume()
        stop(self.proc)
        self.log.close()

    def pause(self):
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGCONT)

    def items(self):
        return self.dynamodb.scan(TableName=TABLE)["Items"]


def _b64url(data):
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """An OIDC issuer for the tests: a generated RSA key, its JWKS in a file, and
    RS256 tokens signed with it."""

    URL = "https://issuer.test/pool"
    AUDIENCE = "test-client"

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import rsa  # installed with moto

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        to_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")
        jwks = {"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
                          "n": _b64url(to_bytes(numbers.n)), "e": _b64url(to_bytes(numbers.e))}]}
        self.file = tempfile.NamedTemporaryFile(prefix="jwks-", suffix=".json", mode="w")
        json.dump(jwks, self.file)
        self.file.flush()

    def env(self):
        return {"JWT_ISSUER": self.URL, "JWT_AUDIENCE": self.AUDIENCE, "JWKS_FILE": self.file.name}

    def token(self, sub, groups=(), **claims):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        payload = {"sub": sub, "iss": self.URL, "aud": self.AUDIENCE, "iat": now, "exp": now + 600,
                   "cognito:groups": list(groups), **claims}
        header = {"alg": "RS256", "typ": "JWT", "kid": "k1"}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"
