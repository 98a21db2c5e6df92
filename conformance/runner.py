"""Runs conformance scenarios against a Kubernetes API server and compares runs.

Standard library only. A scenario (see suite.py) is a list of steps; each step is
one HTTP exchange (or the collection of events from a watch opened earlier).
What is kept of an exchange is its request summary, its status code and, for
each field the step names, the normalized value (normalize.py); error
responses always keep `reason`, `message`, `code` and `details`.
"""

import base64
import copy
import fnmatch
import http.client
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

from normalize import Normalizer

ABSENT = "<absent>"
USER_AGENT = "conformance/1.0 (python)"
HTTP_TIMEOUT = 15.0
LARGE_BODY = 2 * 1024 * 1024


# --- connection -------------------------------------------------------------

class Target:
    """Where requests go: server URL, admin token, TLS settings."""

    def __init__(self, server, token=None, ca_file=None, ca_data=None, insecure=False):
        u = urllib.parse.urlsplit(server)
        self.scheme = u.scheme or "https"
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (443 if self.scheme == "https" else 80)
        self.server = server
        self.token = token
        self.context = None
        if self.scheme == "https":
            if insecure:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            elif ca_file:
                ctx = ssl.create_default_context(cafile=ca_file)
            elif ca_data:
                ctx = ssl.create_default_context(cadata=ca_data)
            else:
                ctx = ssl.create_default_context()
            self.context = ctx

    def connection(self, timeout):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def parse_kubeconfig(path):
    return Target(**read_kubeconfig(path))


def read_kubeconfig(path):
    """The first cluster's server and CA and the first user's token, from a kubeconfig
    (the flat YAML start.sh and `rotor dev` write; no YAML library needed)."""
    text = open(path).read()
    values = {}
    for line in text.splitlines():
        m = re.match(r"^\s*-?\s*([A-Za-z-]+):\s*(.*?)\s*$", line)
        if m and m.group(1) in ("server", "certificate-authority-data", "certificate-authority", "token",
                                "insecure-skip-tls-verify") and m.group(1) not in values:
            values[m.group(1)] = m.group(2).strip("'\"")
    if "server" not in values:
        raise SystemExit("no server in kubeconfig %s" % path)
    ca_data = None
    if values.get("certificate-authority-data"):
        ca_data = base64.b64decode(values["certificate-authority-data"]).decode()
    ca_file = values.get("certificate-authority")
    if ca_file and not os.path.isabs(ca_file):
        ca_file = os.path.join(os.path.dirname(os.path.abspath(path)), ca_file)
    return {"server": values["server"], "token": values.get("token"), "ca_file": ca_file, "ca_data": ca_data,
            "insecure": values.get("insecure-skip-tls-verify") == "true"}


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body  # bytes
        self._json = None
        self._parsed = False

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def json(self):
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except Exception:
                self._json = None
        return self._json


def build_path(path, query):
    if not query:
        return path
    pairs = query.items() if isinstance(query, dict) else query
    return path + "?" + urllib.parse.urlencode([(k, v) for k, v in pairs])


def client_error(e):
    """A request that got no HTTP response, named stably (the exact exception of a dead
    server varies: refused, reset, remote disconnected)."""
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "client-error: timeout"
    if isinstance(e, ssl.SSLError):
        return "client-error: tls"
    if isinstance(e, (ConnectionError, http.client.HTTPException, OSError)):
        return "client-error: no response (connection refused or closed)"
    return "client-error: %s" % type(e).__name__


def do_request(target, method, path, query=None, headers=None, body=None, token=None, timeout=HTTP_TIMEOUT):
    hdrs = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if token:
        hdrs["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        hdrs["Content-Type"] = "application/json"
    for k, v in (headers or {}).items():
        hdrs[k] = v
    conn = target.connection(timeout)
    try:
        conn.request(method, build_path(path, query), body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return Response(resp.status, resp.getheaders(), payload)
    finally:
        conn.close()


class WatchStream:
    """An open watch whose events a thread reads into a list."""

    def __init__(self, target, path, query, token, deadline_seconds):
        self.events = []
        self.error = None
        self.closed = False
        self.lock = threading.Condition()
        self.deadline = time.monotonic() + deadline_seconds
        hdrs = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            hdrs["Authorization"] = "Bearer " + token
        self.conn = target.connection(min(deadline_seconds, HTTP_TIMEOUT))
        self.conn.request("GET", build_path(path, query), headers=hdrs)
        # kept: with `Connection: close` the connection hands its socket to the response
        self.sock = self.conn.sock
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.getheaders()
        if self.status != 200:
            self.body = self.resp.read()
            self.closed = True
            self.conn.close()
            return
        self.body = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _chunks(self):
        """The body's bytes as they arrive (http.client's readline waits for more)."""
        fp = self.resp.fp
        if self.resp.chunked:
            while True:
                line = fp.readline()
                if not line:
                    return
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                data = fp.read(size)
                fp.readline()
                yield data
        else:
            while True:
                data = fp.read1(65536)
                if not data:
                    return
                yield data

    def _read(self):
        buffer = b""
        try:
            self.sock.settimeout(max(0.1, self.deadline - time.monotonic()))
            for data in self._chunks():
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        event = json.loads(line)
                    except ValueError:
                        event = {"type": "<unparseable>", "object": {}}
                    with self.lock:
                        self.events.append(event)
                        self.lock.notify_all()
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.sock.settimeout(remaining)
        except (socket.timeout, TimeoutError):
            pass
        except Exception as e:  # connection reset, closed by us
            self.error = type(e).__name__
        finally:
            with self.lock:
                self.closed = True
                self.lock.notify_all()

    def wait(self, events=None, bookmark=False, until_close=False):
        """Waits until `events` non-bookmark events (and then a bookmark, if asked)
        arrived, the stream closed, or the deadline passed."""
        def done():
            if self.closed:
                return True
            if until_close:
                return False
            real = [e for e in self.events if e.get("type") != "BOOKMARK"]
            if events is not None and len(real) < events:
                return False
            if bookmark:
                # a bookmark after the last counted event
                seen = 0
                for e in self.events:
                    if e.get("type") != "BOOKMARK":
                        seen += 1
                    elif events is None or seen >= events:
                        return True
                return False
            return events is not None
        with self.lock:
            while not done():
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.lock.wait(min(remaining, 0.5))
            return list(self.events)

    def close(self):
        try:
            # unblocks the reader thread (closing the buffered file would wait for it)
            self.sock.shutdown(socket.SHUT_RDWR)
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


# --- fields -----------------------------------------------------------------

_TOKEN = re.compile(r'\.?([A-Za-z0-9_$@:/\-]+)|\[([^\]]*)\]')


def parse_path(path):
    """`a.b[0].c`, `items[*].metadata.name`, `groups[name=apps]`, `labels["a.b/c"]`."""
    segs = []
    i = 0
    while i < len(path):
        if path[i] == ".":
            i += 1
            continue
        if path[i] == "[":
            j = i + 1
            if j < len(path) and path[j] == '"':
                k = path.index('"', j + 1)
                segs.append(("key", path[j + 1:k]))
                i = path.index("]", k) + 1
                continue
            k = path.index("]", i)
            inner = path[i + 1:k]
            if inner == "*":
                segs.append(("all", None))
            elif re.fullmatch(r"-?\d+", inner):
                segs.append(("index", int(inner)))
            elif "=" in inner:
                a, b = inner.split("=", 1)
                segs.append(("filter", (a, b.strip('"'))))
            else:
                segs.append(("key", inner))
            i = k + 1
            continue
        m = re.match(r"[^.\[]+", path[i:])
        segs.append(("key", m.group(0)))
        i += len(m.group(0))
    return segs


def get_path(value, path):
    """Evaluates a path; returns ABSENT when it leads nowhere. `[*]` yields a list."""
    if path in ("", "."):
        return value
    segs = parse_path(path)

    def walk(v, segs):
        if not segs:
            return v
        kind, arg = segs[0]
        rest = segs[1:]
        if kind == "key":
            if isinstance(v, dict) and arg in v:
                return walk(v[arg], rest)
            return ABSENT
        if kind == "index":
            if isinstance(v, list) and -len(v) <= arg < len(v):
                return walk(v[arg], rest)
            return ABSENT
        if kind == "all":
            if isinstance(v, list):
                return [x for x in (walk(e, rest) for e in v) if x is not ABSENT and x != ABSENT]
            if isinstance(v, dict):
                return [x for x in (walk(v[k], rest) for k in sorted(v)) if x != ABSENT]
            return ABSENT
        if kind == "filter":
            key, want = arg
            if isinstance(v, list):
                for e in v:
                    got = get_path(e, key) if isinstance(e, dict) else ABSENT
                    if got != ABSENT and str(got if not isinstance(got, bool) else str(got).lower()) == want:
                        return walk(e, rest)
            return ABSENT
        return ABSENT
    return walk(value, segs)


_FUNC = re.compile(r"^([a-z0-9]+)\((.*)\)$")


def evaluate_field(spec, normalized, raw, response, variables):
    """One field spec: a path, or a function of one: `len(p)`, `keys(p)`, `sorted(p)`,
    `has(p)`, `type(p)`, `b64(p)` (base64-decoded), `sortedby(p,key)` (a list of
    objects ordered by a member), which nest (`sorted(keys(p))`); and `header(Name)`,
    `body()` (the response text, for non-JSON bodies), `eq(p,${v})`, `ne(p,${v})`,
    `gt(p,${v})` (comparisons with a captured variable, on raw values)."""
    m = _FUNC.match(spec)
    if not m:
        return get_path(normalized, spec)
    fn, arg = m.group(1), m.group(2)
    if fn == "header":
        v = response.header(arg) if response is not None else None
        return ABSENT if v is None else v
    if fn == "body":
        if response is None:
            return ABSENT
        return response.body.decode("utf-8", "replace").strip()[:300]
    if fn in ("eq", "ne", "gt"):
        p, var = [x.strip() for x in arg.split(",", 1)]
        left = get_path(raw, p)
        right = substitute(var, variables)
        if fn == "eq":
            return left == right
        if fn == "ne":
            return left != right
        try:
            return int(left) > int(right)
        except (TypeError, ValueError):
            return ABSENT
    if fn == "sortedby":
        p, key = [x.strip() for x in arg.rsplit(",", 1)]
        v = evaluate_field(p, normalized, raw, response, variables)
        if not isinstance(v, list):
            return v
        return sorted(v, key=lambda e: json.dumps(get_path(e, key) if isinstance(e, dict) else e, sort_keys=True))
    v = evaluate_field(arg, normalized, raw, response, variables)
    if fn == "len":
        return len(v) if isinstance(v, (list, dict, str)) and v != ABSENT else ABSENT
    if fn == "keys":
        return sorted(v) if isinstance(v, dict) else ABSENT
    if fn == "sorted":
        return sorted(v, key=lambda x: json.dumps(x, sort_keys=True)) if isinstance(v, list) else v
    if fn == "has":
        return v != ABSENT
    if fn == "type":
        return ABSENT if v == ABSENT else type(v).__name__
    if fn == "b64":
        try:
            return base64.b64decode(v).decode()
        except Exception:
            return ABSENT
    raise ValueError("unknown field function %s" % fn)


ERROR_FIELDS = ["code", "reason", "message", "details.name", "details.group", "details.kind", "details.causes",
                "details.retryAfterSeconds"]


def is_status_failure(body, status):
    return isinstance(body, dict) and body.get("kind") == "Status" and (body.get("status") == "Failure" or status >= 400)


# --- variables --------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute(value, variables):
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole:
            name = whole.group(1)
            if name in variables:
                return variables[name]
        return _VAR.sub(lambda m: str(variables.get(m.group(1), "")), value)
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, tuple):
        return tuple(substitute(v, variables) for v in value)
    return value


def generate_name_prefixes(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "generateName" and isinstance(v, str):
                out.add(v)
            else:
                generate_name_prefixes(v, out)
    elif isinstance(value, list):
        for v in value:
            generate_name_prefixes(v, out)
    elif isinstance(value, str) and "generateName" in value:
        try:
            generate_name_prefixes(json.loads(value), out)
        except ValueError:
            pass
    return out


# --- running ----------------------------------------------------------------

class RunOptions:
    def __init__(self, poll_timeout_cap=None, verbose=False, dump_dir=None):
        self.poll_timeout_cap = poll_timeout_cap
        self.verbose = verbose
        self.dump_dir = dump_dir


def _summary(step):
    req = {"method": step.get("method", "GET"), "path": step["path"]}
    q = step.get("query")
    if q:
        pairs = q.items() if isinstance(q, dict) else q
        req["query"] = "&".join("%s=%s" % (k, v) for k, v in pairs)
    ct = (step.get("headers") or {}).get("Content-Type")
    if ct:
        req["contentType"] = ct
    accept = (step.get("headers") or {}).get("Accept")
    if accept:
        req["accept"] = accept
    if step.get("as", "admin") != "admin":
        req["as"] = step["as"]
    return req


def _token_for(step, target, variables):
    who = step.get("as", "admin")
    if who == "admin":
        return target.token
    if who == "anonymous":
        return None
    if who == "bad-token":
        return "not-a-valid-token"
    return variables.get(who) or "missing-token-" + who


def _condition_met(cond, status, fields_of):
    if "status" in cond and status != cond["status"]:
        return False
    if "field" in cond:
        v = fields_of(cond["field"])
        if "equals" in cond and v != cond["equals"]:
            return False
        if cond.get("absent") and v != ABSENT:
            return False
        if "present" in cond and (v != ABSENT) != cond["present"]:
            return False
    return True


def _event_record(event, spec_fields, norm, variables):
    etype = event.get("type")
    obj = event.get("object") if isinstance(event.get("object"), dict) else {}
    if etype == "ERROR":
        nobj = norm.value(obj)
        rec = {"type": etype}
        for f in ("code", "reason", "message"):
            rec[f] = get_path(nobj, f)
        return rec
    norm.learn(obj)
    nobj = norm.value(obj)
    rec = {"type": etype}
    for f in spec_fields:
        rec[f] = evaluate_field(f, nobj, obj, None, variables)
    return rec


def run_scenario(scenario, target, options):
    """Runs one scenario; returns its record (normalized exchanges)."""
    variables = dict(scenario.get("vars", {}))
    prefixes = generate_name_prefixes(scenario["steps"], set())
    norm = Normalizer(prefixes)
    watches = {}
    exchanges = []
    cleanup(scenario, target, wait=True, timeout=options.poll_timeout_cap or 120)
    try:
        for step in scenario["steps"]:
            rec = run_step(step, target, variables, norm, watches, options, scenario["name"])
            exchanges.append(rec)
            if options.verbose:
                print("  %s/%s -> %s" % (scenario["name"], step["name"], rec.get("status")), file=sys.stderr, flush=True)
    finally:
        for w in watches.values():
            w.close()
        cleanup(scenario, target, wait=False)
    return {"scenario": scenario["name"], "description": scenario.get("description", ""), "exchanges": exchanges}


def run_step(step, target, variables, norm, watches, options, scenario_name=""):
    if "collect" in step:
        return collect_watch(step, watches, norm, variables)
    rec = {"step": step["name"], "request": _summary(step)}
    method = step.get("method", "GET")
    path = substitute(step["path"], variables)
    query = substitute(step.get("query"), variables)
    headers = substitute(step.get("headers"), variables)
    body = substitute(step.get("body"), variables)
    token = _token_for(step, target, variables)
    refs = set(_VAR.findall(json.dumps([step["path"], step.get("query"), step.get("headers"), step.get("body")])))
    missing = sorted(n for n in refs if n not in variables)
    if step.get("as", "admin") not in ("admin", "anonymous", "bad-token") and step["as"] not in variables:
        missing.append(step["as"])
    fields = {}
    if missing:
        fields["missing-variables"] = missing

    if "watch" in step:
        w = step["watch"]
        timeout = float(w.get("client_timeout", 20))
        try:
            stream = WatchStream(target, path, query, token, timeout)
        except Exception as e:
            rec["status"] = client_error(e)
            rec["fields"] = fields
            return rec
        rec["status"] = stream.status
        if stream.status != 200:
            r = Response(stream.status, stream.headers, stream.body)
            fields.update(_fields(step, r, norm, variables))
            rec["fields"] = fields
            return rec
        for f in step.get("fields", []):
            if f.startswith("header("):
                fields[f] = evaluate_field(f, None, None, Response(stream.status, stream.headers, b""), variables)
        if step.get("async"):
            watches[step["async"]] = stream
            stream.spec = w
            rec["fields"] = fields
            return rec
        events = stream.wait(events=w.get("events"), bookmark=w.get("bookmark", False), until_close=w.get("until_close", False))
        stream.close()
        fields.update(_watch_fields(events, w, norm, stream, variables))
        rec["fields"] = fields
        return rec

    poll = step.get("poll")
    deadline = None
    if poll:
        t = float(poll.get("timeout", 90))
        if options.poll_timeout_cap is not None:
            t = min(t, options.poll_timeout_cap)
        deadline = time.monotonic() + t
    while True:
        try:
            resp = do_request(target, method, path, query, headers, body, token, timeout=float(step.get("timeout", HTTP_TIMEOUT)))
        except Exception as e:
            rec["status"] = client_error(e)
            rec["fields"] = fields
            return rec
        got = _fields(step, resp, norm, variables)
        if not poll:
            break
        cond = poll.get("until", {"status": 200})
        # conditions look at normalized fields, evaluated on demand
        nb = norm.value(resp.json) if resp.json is not None else None

        def fields_of(spec, resp=resp, nb=nb):
            return evaluate_field(spec, nb, resp.json, resp, variables)
        if _condition_met(cond, resp.status, fields_of):
            got["poll"] = "met"
            break
        if time.monotonic() >= deadline:
            got["poll"] = "not met"
            break
        time.sleep(float(poll.get("interval", 0.5)))
    rec["status"] = resp.status
    fields.update(got)
    rec["fields"] = fields
    for var, p in (step.get("capture") or {}).items():
        v = get_path(resp.json, p) if not p.startswith("header(") else resp.header(p[7:-1])
        if v is None or v == ABSENT:
            fields["capture(%s)" % var] = "<missing>"
        else:
            variables[var] = v
    if options.dump_dir:
        # the raw exchange, for debugging a difference: DIR/<scenario>/<step>.txt
        d = os.path.join(options.dump_dir, scenario_name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%s.txt" % step["name"]), "wb") as f:
            head = "%s %s -> %d\n" % (method, build_path(path, query), resp.status)
            head += "".join("%s: %s\n" % (k, v) for k, v in resp.headers) + "\n"
            f.write(head.encode() + resp.body[:200000] + b"\n")
    return rec


def _fields(step, resp, norm, variables):
    body = resp.json
    raw = body
    if body is not None and len(resp.body) <= LARGE_BODY:
        normalized = norm.body(body)
    else:
        normalized = body
    fields = {}
    specs = list(step.get("fields", []))
    if is_status_failure(body, resp.status):
        for f in ERROR_FIELDS:
            v = get_path(normalized, f)
            if v != ABSENT or f in ("reason", "message", "code"):
                fields[f] = v
        if "details.causes" in fields:
            fields["message"], fields["details.causes"] = norm.status_causes(fields["message"], fields["details.causes"])
    elif resp.status >= 400 and body is None:
        fields["body"] = norm.string(resp.body.decode("utf-8", "replace").strip()[:500])
    for f in specs:
        v = evaluate_field(f, normalized, raw, resp, variables)
        if isinstance(v, str) and len(resp.body) > LARGE_BODY:
            v = norm.string(v)
        fields[f] = v
    return fields


def _watch_fields(events, w, norm, stream, variables):
    spec_fields = w.get("fields", ["metadata.name"])
    out = {}
    real = [e for e in events if e.get("type") != "BOOKMARK"]
    bookmarks = [e for e in events if e.get("type") == "BOOKMARK"]
    limit = w.get("events")
    if limit is not None and not w.get("until_close"):
        real = real[:limit]
    out["events"] = [_event_record(e, spec_fields, norm, variables) for e in real]
    if "bookmark" in w or w.get("record_bookmark"):
        out["bookmark"] = bool(bookmarks)
        if bookmarks:
            b = bookmarks[0].get("object") or {}
            nb = norm.value(b)
            for f in w.get("bookmark_fields", ["kind", "apiVersion", "metadata.resourceVersion"]):
                out["bookmark." + f] = get_path(nb, f)
    if w.get("until_close"):
        out["closed"] = stream.closed
    return out


def collect_watch(step, watches, norm, variables):
    rec = {"step": step["name"], "request": {"collect": step["collect"]}}
    stream = watches.get(step["collect"])
    if stream is None:
        rec["status"] = "no-watch"
        rec["fields"] = {}
        return rec
    w = dict(stream.spec)
    w.update(step.get("watch", {}))
    events = stream.wait(events=w.get("events"), bookmark=w.get("bookmark", False), until_close=w.get("until_close", False))
    stream.close()
    rec["status"] = stream.status
    rec["fields"] = _watch_fields(events, w, norm, stream, variables)
    return rec


# --- cleanup ----------------------------------------------------------------

def cleanup(scenario, target, wait, timeout=120):
    """Deletes what a scenario creates: its namespaces (after clearing finalizers of
    objects left in them) and cluster-scoped objects, waiting when asked."""
    tok = target.token
    paths = []
    for ns in scenario.get("namespaces", []):
        for coll in ["/api/v1/namespaces/%s/configmaps" % ns, "/api/v1/namespaces/%s/secrets" % ns] + [
                c.replace("{ns}", ns) for c in scenario.get("finalized_collections", [])]:
            try:
                r = do_request(target, "GET", coll, token=tok, timeout=10)
                for item in (r.json or {}).get("items", []) if r.status == 200 else []:
                    if item["metadata"].get("finalizers"):
                        do_request(target, "PATCH", coll + "/" + item["metadata"]["name"], token=tok,
                                   headers={"Content-Type": "application/merge-patch+json"},
                                   body={"metadata": {"finalizers": None}}, timeout=10)
            except Exception:
                pass
        paths.append("/api/v1/namespaces/%s" % ns)
    for p in scenario.get("cluster_objects", []):
        paths.append(p)
    for p in paths:
        try:
            do_request(target, "DELETE", p, token=tok, timeout=10)
        except Exception:
            pass
    if not wait:
        return
    deadline = time.monotonic() + timeout
    for p in paths:
        while time.monotonic() < deadline:
            try:
                r = do_request(target, "GET", p, token=tok, timeout=10)
                if r.status == 404:
                    break
            except Exception:
                pass
            time.sleep(0.5)


# --- comparing --------------------------------------------------------------

def compact(v, limit=400):
    s = v if isinstance(v, str) and v == ABSENT else json.dumps(v, sort_keys=True, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "..."


def compare(recorded, got):
    """Differences between two records of one scenario: (step, field, recorded, got)."""
    diffs = []
    got_by_step = {e["step"]: e for e in got["exchanges"]}
    for rex in recorded["exchanges"]:
        step = rex["step"]
        gex = got_by_step.get(step)
        if gex is None:
            diffs.append((step, "step", "present", ABSENT))
            continue
        rf, gf = dict(rex.get("fields", {})), dict(gex.get("fields", {}))
        if rex.get("status") != gex.get("status"):
            diffs.append((step, "http-status", rex.get("status"), gex.get("status")))
            # one side failed and the other did not: its error fields are one difference
            ra = {k: rf.pop(k) for k in ERROR_FIELDS + ["body"] if k in rf}
            ga = {k: gf.pop(k) for k in ERROR_FIELDS + ["body"] if k in gf}
            if ra != ga and (not ra or not ga):
                diffs.append((step, "error", ra or ABSENT, ga or ABSENT))
            else:
                rf.update(ra)
                gf.update(ga)
        for key in list(rf) + [k for k in gf if k not in rf]:
            a, b = rf.get(key, ABSENT), gf.get(key, ABSENT)
            if key == "events" and isinstance(a, list) and isinstance(b, list):
                if len(a) != len(b):
                    diffs.append((step, "events.count", len(a), len(b)))
                for i in range(max(len(a), len(b))):
                    ea = a[i] if i < len(a) else ABSENT
                    eb = b[i] if i < len(b) else ABSENT
                    if ea != eb:
                        diffs.append((step, "events[%d]" % i, ea, eb))
                continue
            if a != b:
                diffs.append((step, key, a, b))
    return diffs


def load_allowlist(path):
    entries = []
    if not os.path.exists(path):
        return entries
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(line)
    return entries


def allowed(entries, scenario, step, field):
    key = "%s/%s/%s" % (scenario, step, field)
    for e in entries:
        if (key == e or key.startswith(e.rstrip("/") + "/") or fnmatch.fnmatchcase(key, e)
                or fnmatch.fnmatchcase(key, e.rstrip("/") + "/*")):
            return True
    return False
