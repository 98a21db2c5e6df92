#!/usr/bin/env python3
"""ClusterExternalSecret fan-out, measured (BENCHMARKS.md): `rotor run` against the API
emulator (`rotor dev --api-only`, its own process), one ClusterSecretStore (fake provider,
two keys) and one ClusterExternalSecret selecting N labelled namespaces.

Reports, from the operator's own /metrics (`rotor_provider_requests_total`,
`rotor_kube_requests_total`):
  - the time from creating the ClusterExternalSecret to N Secrets;
  - provider reads and Kubernetes API writes per refresh, over several refresh intervals
    in which nothing changed, and over one in which the remote value changed;
  - the time from labelling one more namespace to its Secret (median of several).

usage: hack/bench-fanout.py ROTOR_EXECUTABLE [namespaces=100] [interval_seconds=10]
Standard library only, and kubectl (to apply the CRDs); run by `hack/bench fanout`.
"""
import json, os, re, signal, ssl, statistics, subprocess, sys, tempfile, time, urllib.request

rotor = sys.argv[1]
namespaces = int(sys.argv[2]) if len(sys.argv) > 2 else 100
interval = int(sys.argv[3]) if len(sys.argv) > 3 else 10
work = tempfile.mkdtemp(prefix="rotor-fanout-")
kubeconfig = os.path.join(work, "kubeconfig")
processes = []


def stop():
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def start(args, log):
    process = subprocess.Popen(args, stdout=open(os.path.join(work, log), "w"), stderr=subprocess.STDOUT)
    processes.append(process)
    return process


class API:
    """The emulator's admin credentials from the kubeconfig `rotor dev` wrote."""

    def __init__(self, path):
        text = open(path).read()
        self.server = re.search(r"server: (\S+)", text).group(1)
        self.token = re.search(r"token: (\S+)", text).group(1)
        ca = re.search(r"certificate-authority-data: (\S+)", text)
        self.context = ssl.create_default_context()
        if ca:
            import base64
            pem = os.path.join(work, "ca.pem")
            open(pem, "wb").write(base64.b64decode(ca.group(1)))
            self.context.load_verify_locations(pem)

    def call(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, context=self.context) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, None


def metrics(address):
    text = urllib.request.urlopen(f"http://{address}/metrics").read().decode()
    reads = writes = 0.0
    for line in text.splitlines():
        if line.startswith("rotor_provider_requests_total") and 'op="read"' in line:
            reads += float(line.rsplit(" ", 1)[1])
        if line.startswith("rotor_kube_requests_total") and re.search(r'verb="(create|update|patch|delete)"', line):
            writes += float(line.rsplit(" ", 1)[1])
    return reads, writes


def wait(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


try:
    start([rotor, "dev", "--api-only", "--kubeconfig", kubeconfig], "dev.log")
    if not wait(lambda: os.path.exists(kubeconfig), 30):
        sys.exit("rotor dev did not write its kubeconfig")
    time.sleep(0.5)
    api = API(kubeconfig)
    # The CRDs as a user installs them (the emulator reads JSON bodies; kubectl converts).
    crds = subprocess.run([rotor, "crds"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "apply", "-f", "-"], input=crds, text=True, check=True, capture_output=True)
    api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rotor-system"}})
    for index in range(namespaces + 5):
        labels = {"fanout": "yes"} if index < namespaces else {}
        api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{index}", "labels": labels}})
    store = {
        "apiVersion": "rotor.dev/v1alpha1", "kind": "ClusterSecretStore", "metadata": {"name": "shared"},
        "spec": {"provider": {"fake": {"data": [
            {"key": "registry/user", "value": "ci", "version": "1"}, {"key": "registry/password", "value": "v1", "version": "1"}]}}},
    }
    api.call("POST", "/apis/rotor.dev/v1alpha1/clustersecretstores", store)
    health = "127.0.0.1:18099"
    start([rotor, "run", "--kubeconfig", kubeconfig, "--leader-elect=false", f"--health-address={health}", "--log-level=warning"], "operator.log")
    if not wait(lambda: subprocess.run(["curl", "-sf", f"http://{health}/readyz"], capture_output=True).returncode == 0, 60, 0.1):
        sys.exit("the operator did not become ready; see " + work)
    ces = {
        "apiVersion": "rotor.dev/v1alpha1", "kind": "ClusterExternalSecret", "metadata": {"name": "registry"},
        "spec": {"namespaceSelectors": [{"matchLabels": {"fanout": "yes"}}], "refreshTime": "1h",
                 "externalSecretSpec": {"secretStoreRef": {"name": "shared", "kind": "ClusterSecretStore"}, "refreshInterval": f"{interval}s",
                                        "data": [{"secretKey": "user", "remoteRef": {"key": "registry/user"}},
                                                 {"secretKey": "password", "remoteRef": {"key": "registry/password"}}]}},
    }
    created = time.monotonic()
    api.call("POST", "/apis/rotor.dev/v1alpha1/clusterexternalsecrets", ces)

    def secrets():
        _, body = api.call("GET", "/api/v1/secrets?labelSelector=rotor.dev%2Fmanaged%3Dtrue")
        return len((body or {}).get("items", []))

    if not wait(lambda: secrets() >= namespaces, 120, 0.05):
        sys.exit(f"only {secrets()} Secrets after 120 s; see {work}")
    provisioned = time.monotonic() - created
    time.sleep(2)
    reads0, writes0 = metrics(health)
    quiet = 3
    time.sleep(quiet * interval * 1.1 + 1)
    reads1, writes1 = metrics(health)
    # One refresh with a new remote value: every Secret is written once.
    store["spec"]["provider"]["fake"]["data"][1] = {"key": "registry/password", "value": "v2", "version": "2"}
    _, current = api.call("GET", "/apis/rotor.dev/v1alpha1/clustersecretstores/shared")
    store["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    api.call("PUT", "/apis/rotor.dev/v1alpha1/clustersecretstores/shared", store)
    time.sleep(interval * 1.1 + 2)
    reads2, writes2 = metrics(health)
    latencies = []
    for index in range(namespaces, namespaces + 5):
        started = time.monotonic()
        api.call("PATCH", f"/api/v1/namespaces/team-{index}", {"metadata": {"labels": {"fanout": "yes"}}}, "application/merge-patch+json")
        if wait(lambda: api.call("GET", f"/api/v1/namespaces/team-{index}/secrets/registry")[0] == 200, 30, 0.005):
            latencies.append((time.monotonic() - started) * 1000)
    print(json.dumps({
        "namespaces": namespaces, "refreshIntervalSeconds": interval,
        "secondsToAllSecrets": round(provisioned, 2),
        "quietRefreshes": quiet,
        "providerReadsPerQuietRefresh": round((reads1 - reads0) / quiet, 2),
        "apiWritesPerQuietRefresh": round((writes1 - writes0) / quiet, 2),
        "providerReadsChangedRefresh": reads2 - reads1,
        "apiWritesChangedRefresh": writes2 - writes1,
        "newNamespaceToSecretMs": {"median": round(statistics.median(latencies), 1), "max": round(max(latencies), 1), "samples": len(latencies)} if latencies else None,
    }, indent=2))
finally:
    stop()
