"""The conformance scenarios: requests written by us, compared field by field.

Each scenario is a dict:

  name          the behaviour it checks (also the recording's file name)
  area          a group for reports (core, errors, crd, watch, list, delete,
                dry-run, ssa, rbac, events, discovery, tokens, patch, apps)
  namespaces    namespaces it uses: deleted (and waited for) before it runs,
                deleted again after it ran; fixed names, so runs are comparable
  cluster_objects  paths of cluster-scoped objects it creates (CRDs...), same
  isolated      run alone, after all the others (a step has crashed a server under test)
  steps         the exchanges, in order

A step is a dict (built by the helpers below):

  name      unique in the scenario; `scenario/step` names it in reports and the allowlist
  method, path, query, headers, body
            the request; `$var` / `${var}` in any of them is replaced by a value
            captured earlier; a str body is sent as it is (invalid JSON, YAML)
  as        who sends it: "admin" (default), "anonymous", "bad-token", or the
            name of a variable holding a token (from a TokenRequest)
  fields    what to compare: paths such as `metadata.name`, `items[*].metadata.name`,
            `groups[name=apps].preferredVersion`, `data["a.b"]`, and functions
            len() keys() sorted() has() type() b64() header() eq(p,$v) ne(p,$v) gt(p,$v)
            (see runner.evaluate_field). Error responses always compare
            code, reason, message and details (name, group, kind, causes).
  capture   {var: path} taken from the raw (not normalized) response
  poll      {"until": {"status": 404} | {"field": f, "equals": v}, "timeout": s}:
            repeat until the condition holds (controllers are asynchronous in
            a real cluster); the last response is what is compared
  watch     {"events": n, "bookmark": bool, "until_close": bool, "fields": [...]}:
            the step is a watch; events (type and fields) are compared
  async     with `watch`: leave the watch open under this name; a later
            `collect` step waits for and compares its events
"""

import base64
import json

# --- helpers ----------------------------------------------------------------

CT_JSON = "application/json"
CT_MERGE = "application/merge-patch+json"
CT_JSONPATCH = "application/json-patch+json"
CT_STRATEGIC = "application/strategic-merge-patch+json"
CT_APPLY = "application/apply-patch+yaml"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# the fields of an object every write/read compares
META = ["kind", "apiVersion", "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations",
        "metadata.finalizers", "metadata.ownerReferences", "metadata.generation", "metadata.deletionTimestamp",
        "metadata.deletionGracePeriodSeconds", "has(metadata.uid)", "has(metadata.resourceVersion)",
        "has(metadata.creationTimestamp)"]
LIST = ["kind", "apiVersion", "has(metadata.resourceVersion)", "metadata.continue", "metadata.remainingItemCount",
        "items[*].metadata.name"]
STATUS_OK = ["kind", "apiVersion", "status", "details"]


def step(name, method, path, body=None, query=None, fields=(), ct=None, accept=None, as_=None, capture=None,
         poll=None, headers=None, timeout=None):
    s = {"name": name, "method": method, "path": path}
    if query:
        s["query"] = query
    h = dict(headers or {})
    if ct:
        h["Content-Type"] = ct
    if accept:
        h["Accept"] = accept
    if h:
        s["headers"] = h
    if body is not None:
        s["body"] = body
    s["fields"] = list(fields)
    if as_:
        s["as"] = as_
    if capture:
        s["capture"] = capture
    if poll:
        s["poll"] = poll
    if timeout:
        s["timeout"] = timeout
    return s


def get(name, path, fields=(), **kw):
    return step(name, "GET", path, fields=fields, **kw)


def post(name, path, body, fields=(), **kw):
    return step(name, "POST", path, body=body, fields=fields, **kw)


def put(name, path, body, fields=(), **kw):
    return step(name, "PUT", path, body=body, fields=fields, **kw)


def patch(name, path, body, ct=CT_MERGE, fields=(), **kw):
    return step(name, "PATCH", path, body=body, ct=ct, fields=fields, **kw)


def apply(name, path, body, manager, force=False, fields=(), query=None, **kw):
    q = [("fieldManager", manager)] if manager else []
    if force:
        q.append(("force", "true"))
    q += list(query or [])
    return step(name, "PATCH", path, body=json.dumps(body), ct=CT_APPLY, query=q, fields=fields, **kw)


def delete(name, path, body=None, fields=(), **kw):
    return step(name, "DELETE", path, body=body, fields=fields, **kw)


def wait_gone(name, path, timeout=90):
    return get(name, path, poll={"until": {"status": 404}, "timeout": timeout})


def wait_ok(name, path, fields=(), timeout=90, **kw):
    return get(name, path, fields=fields, poll={"until": {"status": 200}, "timeout": timeout}, **kw)


def watch(name, path, query, events=None, bookmark=None, until_close=False, fields=("metadata.name",),
          async_=None, client_timeout=20, bookmark_fields=None, step_fields=()):
    q = [("watch", "true")] + list(query)
    w = {"fields": list(fields), "client_timeout": client_timeout}
    if events is not None:
        w["events"] = events
    if bookmark is not None:
        w["bookmark"] = bookmark
    if bookmark_fields:
        w["bookmark_fields"] = bookmark_fields
    if until_close:
        w["until_close"] = True
    s = {"name": name, "method": "GET", "path": path, "query": q, "watch": w, "fields": list(step_fields)}
    if async_:
        s["async"] = async_
    return s


def collect(name, handle, **overrides):
    s = {"name": name, "collect": handle}
    if overrides:
        s["watch"] = overrides
    return s


def ns_path(ns, resource="configmaps", name=None, group=None, sub=None):
    base = "/api/v1" if group is None else "/apis/" + group
    p = "%s/namespaces/%s/%s" % (base, ns, resource)
    if name:
        p += "/" + name
    if sub:
        p += "/" + sub
    return p


def create_namespace(ns, labels=None):
    meta = {"name": ns}
    if labels:
        meta["labels"] = labels
    return post("create-namespace", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": meta},
                fields=["kind", "metadata.name", "metadata.labels", "spec", "status"])


def cm(name, data=None, labels=None, **meta):
    m = {"name": name}
    if labels:
        m["labels"] = labels
    m.update(meta)
    o = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": m}
    if data is not None:
        o["data"] = data
    return o


def secret(name, data=None, string_data=None, type_=None, labels=None, **extra):
    m = {"name": name}
    if labels:
        m["labels"] = labels
    o = {"apiVersion": "v1", "kind": "Secret", "metadata": m}
    if data is not None:
        o["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    if string_data is not None:
        o["stringData"] = string_data
    if type_:
        o["type"] = type_
    o.update(extra)
    return o


def b64(s):
    return base64.b64encode(s.encode()).decode()


CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def crd(group, plural, kind, schema, scope="Namespaced", status=True, short=None, categories=None, columns=None,
        version="v1"):
    v = {"name": version, "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    if status:
        v["subresources"] = {"status": {}}
    if columns:
        v["additionalPrinterColumns"] = columns
    names = {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": kind + "List"}
    if short:
        names["shortNames"] = short
    if categories:
        names["categories"] = categories
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "%s.%s" % (plural, group)},
            "spec": {"group": group, "scope": scope, "names": names, "versions": [v]}}


def crd_setup(group, plural, kind, schema, **kw):
    """Creates a CRD and waits until its resource is served."""
    name = "%s.%s" % (plural, group)
    return [
        post("create-crd", CRD_PATH, crd(group, plural, kind, schema, **kw),
             fields=["kind", "metadata.name", "spec.group", "spec.scope", "spec.names"]),
        get("crd-established", CRD_PATH + "/" + name,
            fields=["status.conditions[type=Established].status", "status.conditions[type=NamesAccepted].status",
                    "status.acceptedNames.kind", "status.acceptedNames.plural", "status.storedVersions"],
            poll={"until": {"field": "status.conditions[type=Established].status", "equals": "True"}, "timeout": 60}),
        wait_ok("crd-served", "/apis/%s/v1" % group, fields=["kind", "groupVersion", "resources[*].name"]),
    ]


WIDGET_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["mode"],
            "properties": {
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                "size": {"type": "string", "pattern": "^[0-9]+(Mi|Gi)$", "maxLength": 8},
                "tier": {"type": "string", "default": "standard"},
                "ports": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "required": ["name"],
                              "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}},
                },
                "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "settings": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "phase": {"type": "string", "enum": ["Pending", "Ready"]},
                "observedGeneration": {"type": "integer"},
                "conditions": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["type"],
                    "items": {"type": "object", "required": ["type", "status"],
                              "properties": {"type": {"type": "string"}, "status": {"type": "string"},
                                             "reason": {"type": "string"}}},
                },
            },
        },
    },
}


def widget(name, spec=None, api="v1", group="conf.example.com", kind="Widget", labels=None, status=None, rv=None):
    m = {"name": name}
    if rv:
        m["resourceVersion"] = rv
    if labels:
        m["labels"] = labels
    o = {"apiVersion": "%s/%s" % (group, api), "kind": kind, "metadata": m}
    if spec is not None:
        o["spec"] = spec
    if status is not None:
        o["status"] = status
    return o


def scenario(name, area, steps, namespaces=(), cluster_objects=(), description="", **extra):
    s = {"name": name, "area": area, "steps": steps, "namespaces": list(namespaces),
         "cluster_objects": list(cluster_objects), "description": description}
    s.update(extra)
    return s


# --- core CRUD ----------------------------------------------------------------

def core_scenarios():
    out = []

    ns = "conf-cm-crud"
    c = ns_path(ns)
    out.append(scenario("configmap-crud", "core", [
        create_namespace(ns),
        post("create", c, cm("app", {"a": "1"}, labels={"app": "conf"}, annotations={"note": "x"}),
             fields=META + ["data"], capture={"rv1": "metadata.resourceVersion"}),
        get("get", c + "/app", fields=META + ["data", "eq(metadata.resourceVersion,${rv1})"]),
        get("list-by-label", c, query={"labelSelector": "app=conf"}, fields=LIST),
        put("update", c + "/app", cm("app", {"a": "2"}, labels={"app": "conf"}, annotations={"note": "x"},
                                     resourceVersion="${rv1}"),
            fields=META + ["data", "gt(metadata.resourceVersion,${rv1})"], capture={"rv2": "metadata.resourceVersion"}),
        put("update-no-op", c + "/app", cm("app", {"a": "2"}, labels={"app": "conf"}, annotations={"note": "x"},
                                           resourceVersion="${rv2}"),
            fields=["data", "eq(metadata.resourceVersion,${rv2})"]),
        put("update-without-resource-version", c + "/app", cm("app", {"a": "3"}, labels={"app": "conf"}),
            fields=["data", "metadata.annotations", "metadata.labels"]),
        patch("patch-merge", c + "/app", {"data": {"b": "x"}, "metadata": {"annotations": {"added": "yes"}}},
              fields=["data", "metadata.annotations"]),
        patch("patch-json", c + "/app", [{"op": "add", "path": "/data/c", "value": "y"},
                                         {"op": "remove", "path": "/data/a"}], ct=CT_JSONPATCH, fields=["data"]),
        patch("patch-strategic", c + "/app", {"metadata": {"labels": {"tier": "web"}}}, ct=CT_STRATEGIC,
              fields=["metadata.labels", "data"]),
        get("get-after-patches", c + "/app", fields=META + ["data", "binaryData", "immutable"]),
        delete("delete", c + "/app", fields=STATUS_OK),
        get("get-deleted", c + "/app"),
        delete("delete-again", c + "/app"),
    ], namespaces=[ns], description="create, read, update (with and without resourceVersion, no-op), patch, delete"))

    ns = "conf-secret-crud"
    s = ns_path(ns, "secrets")
    out.append(scenario("secret-crud", "core", [
        create_namespace(ns),
        post("create-string-data", s, secret("db", string_data={"password": "s3cr3t", "user": "app"}, labels={"app": "db"}),
             fields=META + ["type", "data", "has(stringData)", "b64(data.password)"]),
        get("get", s + "/db", fields=["type", "data", "b64(data.user)", "has(stringData)"]),
        post("create-tls", s, secret("tls", data={"tls.crt": "cert", "tls.key": "key"}, type_="kubernetes.io/tls"),
             fields=["type", "keys(data)"]),
        post("create-basic-auth", s, secret("basic", data={"username": "u"}, type_="kubernetes.io/basic-auth"),
             fields=["type", "keys(data)"]),
        patch("patch-string-data", s + "/db", {"stringData": {"password": "n3w"}},
              fields=["b64(data.password)", "b64(data.user)", "has(stringData)"]),
        put("update-type", s + "/db", secret("db", data={"password": "x"}, type_="kubernetes.io/basic-auth")),
        post("create-immutable", s, secret("frozen", data={"k": "v"}, immutable=True), fields=["immutable", "keys(data)"]),
        put("update-immutable-data", s + "/frozen", secret("frozen", data={"k": "changed"}, immutable=True)),
        patch("patch-immutable-off", s + "/frozen", {"immutable": False}),
        patch("patch-immutable-labels", s + "/frozen", {"metadata": {"labels": {"ok": "yes"}}},
              fields=["metadata.labels", "immutable"]),
        get("list-by-type", s, query={"fieldSelector": "type=kubernetes.io/tls"}, fields=LIST),
        get("list-not-type", s, query={"fieldSelector": "type!=Opaque"}, fields=["sorted(items[*].metadata.name)"]),
        delete("delete", s + "/db", fields=STATUS_OK),
        get("get-deleted", s + "/db"),
    ], namespaces=[ns], description="stringData, types, immutable Secrets, type field selector"))

    ns = "conf-sa-crud"
    sa = ns_path(ns, "serviceaccounts")
    out.append(scenario("serviceaccount-crud", "core", [
        create_namespace(ns),
        wait_ok("default-service-account", sa + "/default", fields=["kind", "metadata.name", "secrets"]),
        post("create", sa, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder"},
                            "imagePullSecrets": [{"name": "registry"}]},
             fields=META + ["imagePullSecrets", "secrets", "automountServiceAccountToken"]),
        get("get", sa + "/builder", fields=["metadata.name", "imagePullSecrets"]),
        get("list", sa, fields=["kind", "sorted(items[*].metadata.name)"]),
        patch("patch-automount", sa + "/builder", {"automountServiceAccountToken": False},
              fields=["automountServiceAccountToken", "imagePullSecrets"]),
        patch("patch-strategic-pull-secrets", sa + "/builder", {"imagePullSecrets": [{"name": "other"}]}, ct=CT_STRATEGIC,
              fields=["imagePullSecrets"]),
        delete("delete", sa + "/builder", fields=STATUS_OK),
        get("get-deleted", sa + "/builder"),
    ], namespaces=[ns], description="ServiceAccount CRUD and the default ServiceAccount of a new namespace"))

    ns = "conf-ns-crud"
    n = "/api/v1/namespaces"
    out.append(scenario("namespace-crud", "core", [
        create_namespace(ns, labels={"conformance": "ns-crud"}),
        get("get", n + "/" + ns, fields=META + ["spec", "status"]),
        get("list-by-label", n, query={"labelSelector": "conformance=ns-crud"}, fields=LIST),
        get("list-by-name-label", n, query={"labelSelector": "kubernetes.io/metadata.name=" + ns},
            fields=["items[*].metadata.name"]),
        get("list-by-name-field", n, query={"fieldSelector": "metadata.name=" + ns}, fields=["items[*].metadata.name"]),
        get("list-by-phase", n, query={"fieldSelector": "status.phase=Active,metadata.name=" + ns},
            fields=["items[*].metadata.name"]),
        patch("patch-remove-name-label", n + "/" + ns,
              {"metadata": {"labels": {"kubernetes.io/metadata.name": None, "extra": "1"}}}, fields=["metadata.labels"]),
        put("update-spec-finalizers", n + "/" + ns, {"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": ns, "labels": {"conformance": "ns-crud"}},
                                                     "spec": {"finalizers": []}},
            fields=["spec", "metadata.labels"]),
        post("create-bad-name", n, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Bad.Name"}}),
        post("create-namespaced-object-path", n + "/" + ns, {"apiVersion": "v1", "kind": "Namespace",
                                                             "metadata": {"name": "x"}}),
        delete("delete", n + "/" + ns, fields=META + ["status.phase", "spec"]),
        get("get-terminating", n + "/" + ns, fields=["status.phase", "has(metadata.deletionTimestamp)"]),
        wait_gone("wait-gone", n + "/" + ns),
    ], namespaces=[ns], description="Namespace CRUD, its name label, spec.finalizers, deletion"))

    ns = "conf-generate-name"
    c = ns_path(ns)
    out.append(scenario("generate-name", "core", [
        create_namespace(ns),
        post("create-generated", c, {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"generateName": "gen-", "labels": {"set": "g"}}},
             fields=["metadata.name", "metadata.generateName", "len(metadata.name)"]),
        post("create-generated-again", c, {"apiVersion": "v1", "kind": "ConfigMap",
                                           "metadata": {"generateName": "gen-", "labels": {"set": "g"}}},
             fields=["metadata.generateName", "len(metadata.name)"]),
        get("list", c, query={"labelSelector": "set=g"}, fields=["len(items)", "items[*].metadata.generateName"]),
        post("name-wins", c, {"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "fixed", "generateName": "gen-"}},
             fields=["metadata.name", "metadata.generateName"]),
        post("bad-prefix", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "Bad_"}}),
        post("no-name", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
    ], namespaces=[ns], description="metadata.generateName"))

    ns = "conf-lease"
    le = ns_path(ns, "leases", group="coordination.k8s.io/v1")
    out.append(scenario("lease-crud", "core", [
        create_namespace(ns),
        post("create", le, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "leader"},
                            "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15,
                                     "acquireTime": "2025-01-01T00:00:00.000000Z",
                                     "renewTime": "2025-01-01T00:00:00.000000Z"}},
             fields=META + ["spec"], capture={"rv": "metadata.resourceVersion"}),
        put("renew", le + "/leader", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                      "metadata": {"name": "leader", "resourceVersion": "${rv}"},
                                      "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15,
                                               "renewTime": "2025-01-01T00:00:10.000000Z"}},
            fields=["spec"]),
        put("renew-stale", le + "/leader", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                            "metadata": {"name": "leader", "resourceVersion": "${rv}"},
                                            "spec": {"holderIdentity": "b"}}),
        post("create-bad-duration", le, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                         "metadata": {"name": "bad"}, "spec": {"leaseDurationSeconds": 0}}),
        get("list", le, fields=LIST),
    ], namespaces=[ns], description="Leases (coordination.k8s.io/v1)"))

    ns = "conf-deployment"
    d = ns_path(ns, "deployments", group="apps/v1")
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    dep2 = json.loads(json.dumps(dep))
    dep2["spec"]["replicas"] = 2
    dep2["metadata"]["labels"] = {"x": "y"}
    out.append(scenario("deployment-generation", "apps", [
        create_namespace(ns),
        post("create", d, dep, fields=META + ["spec.replicas", "spec.strategy.type", "spec.revisionHistoryLimit",
                                              "spec.progressDeadlineSeconds", "status"]),
        patch("patch-labels", d + "/web", {"metadata": {"labels": {"x": "y"}}}, fields=["metadata.generation"]),
        put("update-replicas", d + "/web", dep2, fields=["metadata.generation", "spec.replicas"]),
        patch("patch-status", d + "/web/status", {"status": {"replicas": 2, "observedGeneration": 2}},
              fields=["metadata.generation", "status.replicas", "status.observedGeneration"]),
        patch("patch-scale", d + "/web/scale", {"spec": {"replicas": 3}},
              fields=["kind", "apiVersion", "spec.replicas"]),
        post("create-invalid", d, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
                                   "spec": {"selector": {"matchLabels": {"app": "a"}},
                                            "template": {"metadata": {"labels": {"app": "b"}},
                                                         "spec": {"containers": []}}}}),
    ], namespaces=[ns], description="Deployments: defaults, generation, status and scale subresources, validation"))
    return out


# --- error classes ------------------------------------------------------------

def error_scenarios():
    out = []
    ns = "conf-err-notfound"
    c = ns_path(ns)
    out.append(scenario("errors-not-found", "errors", [
        create_namespace(ns),
        get("get-missing", c + "/missing"),
        get("get-in-missing-namespace", ns_path("conf-no-such-namespace", name="x")),
        delete("delete-missing", c + "/missing"),
        patch("patch-missing", c + "/missing", {"data": {"a": "b"}}),
        put("update-missing", c + "/missing", cm("missing", {"a": "b"})),
        post("create-in-missing-namespace", ns_path("conf-no-such-namespace"), cm("x")),
        get("unknown-resource", ns_path(ns, "widgets")),
        get("unknown-group", "/apis/nope.example.com/v1"),
        get("unknown-version", "/api/v2"),
        get("unknown-subresource", c + "/missing/status"),
        get("missing-namespace-object", "/api/v1/namespaces/conf-no-such-namespace"),
        get("missing-crd-object", "/apis/conf.example.com/v1/namespaces/%s/widgets/x" % ns),
    ], namespaces=[ns], description="404 NotFound for objects, namespaces and unknown paths"))

    ns = "conf-err-exists"
    c = ns_path(ns)
    out.append(scenario("errors-already-exists", "errors", [
        create_namespace(ns),
        post("create", c, cm("dup"), fields=["metadata.name"]),
        post("create-again", c, cm("dup")),
        post("create-namespace-again", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                              "metadata": {"name": ns}}),
        post("same-name-other-resource", ns_path(ns, "secrets"), secret("dup"), fields=["metadata.name"]),
        post("create-dry-run-existing", c, cm("dup"), query={"dryRun": "All"}),
    ], namespaces=[ns], description="409 AlreadyExists"))

    ns = "conf-err-conflict"
    c = ns_path(ns)
    out.append(scenario("errors-conflict", "errors", [
        create_namespace(ns),
        post("create", c, cm("obj", {"v": "1"}), capture={"rv1": "metadata.resourceVersion", "uid": "metadata.uid"}),
        put("update", c + "/obj", cm("obj", {"v": "2"}, resourceVersion="${rv1}"), fields=["data"],
            capture={"rv2": "metadata.resourceVersion"}),
        put("update-stale", c + "/obj", cm("obj", {"v": "3"}, resourceVersion="${rv1}")),
        patch("merge-patch-stale", c + "/obj", {"metadata": {"resourceVersion": "${rv1}"}, "data": {"v": "4"}}),
        patch("json-patch-test-stale", c + "/obj", [{"op": "test", "path": "/metadata/resourceVersion", "value": "${rv1}"},
                                                    {"op": "replace", "path": "/data/v", "value": "5"}], ct=CT_JSONPATCH),
        put("update-bad-resource-version", c + "/obj", cm("obj", {"v": "3"}, resourceVersion="not-a-number")),
        delete("delete-stale-precondition", c + "/obj",
               body={"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"resourceVersion": "${rv1}"}}),
        delete("delete-wrong-uid", c + "/obj",
               body={"apiVersion": "v1", "kind": "DeleteOptions",
                     "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}),
        get("still-there", c + "/obj", fields=["data", "eq(metadata.resourceVersion,${rv2})"]),
        delete("delete-matching-preconditions", c + "/obj",
               body={"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": "${uid}", "resourceVersion": "${rv2}"}},
               fields=STATUS_OK),
    ], namespaces=[ns], description="409 Conflict: stale resourceVersion on update and patch, delete preconditions"))

    ns = "conf-err-invalid"
    c = ns_path(ns)
    s = ns_path(ns, "secrets")
    out.append(scenario("errors-invalid", "errors", [
        create_namespace(ns),
        post("bad-name", c, cm("Bad_Name")),
        post("name-too-long", c, cm("a" * 254)),
        post("bad-data-key", c, cm("badkey", {"bad key!": "x"})),
        post("data-key-in-both", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "both"},
                                     "data": {"k": "a"}, "binaryData": {"k": b64("b")}}),
        post("secret-bad-data-key", s, secret("badkey", data={"not/valid": "x"})),
        post("secret-bad-base64", s, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b64"},
                                      "data": {"k": "%%%not-base64"}}),
        post("secret-tls-missing-keys", s, secret("tls", data={"tls.crt": "c"}, type_="kubernetes.io/tls")),
        post("bad-label-value", c, cm("lv", labels={"app": "-bad-"})),
        post("bad-label-key", c, cm("lk", labels={"bad key": "x"})),
        post("bad-annotation-key", c, cm("ak", annotations={"a/b/c": "x"})),
        post("owner-ref-missing-uid", c, cm("or", ownerReferences=[{"apiVersion": "v1", "kind": "ConfigMap", "name": "x"}])),
        post("two-controllers", c, cm("oc", ownerReferences=[
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "a", "uid": "11111111-1111-1111-1111-111111111111",
             "controller": True},
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "b", "uid": "22222222-2222-2222-2222-222222222222",
             "controller": True}])),
        post("several-causes", c, cm("Multi_Bad", {"bad key": "x"}, labels={"k": "-v-"})),
        post("bad-finalizer-name", c, cm("fin", finalizers=["not a finalizer"])),
        post("ok-after-all", c, cm("fine", {"k": "v"}), fields=["metadata.name"]),
        put("update-changes-name", c + "/fine", cm("other", {"k": "v"})),
        put("update-invalid-data-key", c + "/fine", cm("fine", {"bad key": "v"})),
    ], namespaces=[ns], description="422 Invalid with field causes (names, keys, labels, ownerReferences, Secrets)"))

    ns = "conf-err-badreq"
    c = ns_path(ns)
    out.append(scenario("errors-bad-request", "errors", [
        create_namespace(ns),
        post("malformed-json", c, "{not json", ct=CT_JSON),
        post("json-array-body", c, "[1, 2]", ct=CT_JSON),
        post("kind-mismatch", c, secret("wrong-kind")),
        post("api-version-mismatch", c, {"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
        post("namespace-mismatch", c, cm("x", namespace="other")),
        post("create", c, cm("obj", {"a": "1"}), fields=["metadata.name"]),
        put("update-name-mismatch", c + "/obj", cm("different")),
        patch("merge-patch-not-object", c + "/obj", "[1]"),
        patch("json-patch-not-array", c + "/obj", {"op": "add"}, ct=CT_JSONPATCH),
        patch("json-patch-bad-op", c + "/obj", [{"op": "frobnicate", "path": "/data/a"}], ct=CT_JSONPATCH),
        patch("json-patch-missing-path", c + "/obj", [{"op": "replace", "path": "/data/zzz", "value": "1"}],
              ct=CT_JSONPATCH),
        patch("json-patch-test-fails", c + "/obj", [{"op": "test", "path": "/data/a", "value": "2"}], ct=CT_JSONPATCH),
        get("bad-label-selector", c, query={"labelSelector": "a in (b"}),
        get("bad-field-selector-field", c, query={"fieldSelector": "data.a=1"}),
        get("bad-field-selector-syntax", c, query={"fieldSelector": "metadata.name"}),
        get("bad-continue-token", c, query={"limit": "1", "continue": "not-a-token"}),
        get("resource-version-match-alone", c, query={"resourceVersionMatch": "NotOlderThan"}),
        get("resource-version-match-unknown", c, query={"resourceVersion": "0", "resourceVersionMatch": "Sometimes"}),
        get("bad-resource-version", c, query={"resourceVersion": "abc"}),
        delete("bad-propagation-policy", c + "/obj", body={"apiVersion": "v1", "kind": "DeleteOptions",
                                                          "propagationPolicy": "Sideways"}),
        post("strict-unknown-field", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"},
                                         "spec": {"x": 1}}, query={"fieldValidation": "Strict"}),
        post("warn-unknown-field", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "warn"},
                                       "spec": {"x": 1}}, query={"fieldValidation": "Warn"},
             fields=["header(Warning)", "has(spec)"]),
        post("ignore-unknown-field", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ignore"},
                                         "spec": {"x": 1}}, query={"fieldValidation": "Ignore"},
             fields=["header(Warning)", "has(spec)"]),
        post("bad-field-validation", c, cm("fv"), query={"fieldValidation": "Loud"}),
        post("strict-duplicate-field", c, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dupf"},'
                                          '"data":{"a":"1"},"data":{"b":"2"}}', ct=CT_JSON,
             query={"fieldValidation": "Strict"}),
    ], namespaces=[ns], description="400 BadRequest: bodies, selectors, options, field validation"))

    ns = "conf-err-media"
    c = ns_path(ns)
    out.append(scenario("errors-unsupported-media-type", "errors", [
        create_namespace(ns),
        post("create", c, cm("obj", {"a": "1"}), fields=["metadata.name"]),
        patch("patch-text-plain", c + "/obj", '{"data":{"a":"2"}}', ct="text/plain"),
        patch("patch-application-json", c + "/obj", '{"data":{"a":"2"}}', ct="application/json"),
        patch("patch-unknown-patch-type", c + "/obj", '{"data":{"a":"2"}}', ct="application/x-patch+json"),
        post("create-text-plain", c, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"}}', ct="text/plain"),
        post("create-yaml", c, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: \"1\"\n",
             ct="application/yaml", fields=["metadata.name", "data"]),
        get("get-as-yaml", c + "/obj", accept="application/yaml", fields=["header(Content-Type)"]),
        get("get-unacceptable", c + "/obj", accept="text/html"),
    ], namespaces=[ns], description="415 UnsupportedMediaType (patch and body types), YAML bodies, 406"))

    ns = "conf-err-method"
    c = ns_path(ns)
    out.append(scenario("errors-method-not-allowed", "errors", [
        create_namespace(ns),
        put("put-collection", c, cm("x")),
        post("post-object-path", c + "/x", cm("x")),
        patch("patch-collection", c, {"data": {}}),
        post("post-namespace-status", "/api/v1/namespaces/%s/status" % ns, {}),
        step("delete-discovery", "DELETE", "/api/v1"),
    ], namespaces=[ns], description="405 MethodNotAllowed", isolated=True))

    ns = "conf-err-gone"
    c = ns_path(ns)
    stale = base64.urlsafe_b64encode(json.dumps(
        {"v": "meta.k8s.io/v1", "rv": 1, "start": "a\u0000"}).encode()).decode().rstrip("=")
    out.append(scenario("errors-gone", "errors", [
        create_namespace(ns),
        post("create-a", c, cm("a", labels={"g": "1"})),
        post("create-b", c, cm("b", labels={"g": "1"})),
        watch("watch-too-old", c, [("resourceVersion", "1")], events=1, fields=["metadata.name"]),
        get("list-stale-continue", c, query={"limit": "1", "continue": stale},
            fields=["has(metadata.continue)", "metadata.remainingItemCount"],
            poll={"until": {"status": 410}, "timeout": 660}),
        get("list-too-large-resource-version", c, query={"resourceVersion": "999999999",
                                                         "resourceVersionMatch": "NotOlderThan"}, timeout=30),
        watch("watch-too-large-resource-version", c, [("resourceVersion", "999999999"), ("timeoutSeconds", "2")],
              until_close=True, client_timeout=10),
    ], namespaces=[ns], description="410 Expired on a too old watch resourceVersion and a compacted continue token; "
                                    "too large resourceVersions"))
    return out


# --- CRDs and custom resources -------------------------------------------------

def crd_scenarios():
    out = []
    group = "conf-crd.example.com"
    name = "widgets." + group
    cols = [{"name": "Mode", "type": "string", "jsonPath": ".spec.mode"},
            {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}]
    out.append(scenario("crd-create-discovery", "crd", [
        post("create-crd", CRD_PATH, crd(group, "widgets", "Widget", WIDGET_SCHEMA, short=["wg"], categories=["conf"],
                                         columns=cols),
             fields=["kind", "metadata.name", "metadata.generation", "spec.names", "spec.scope",
                     "spec.versions[0].additionalPrinterColumns", "spec.conversion", "status.acceptedNames",
                     "status.storedVersions"]),
        get("crd-established", CRD_PATH + "/" + name,
            fields=["status.conditions[type=Established].status", "status.conditions[type=Established].reason",
                    "status.conditions[type=Established].message",
                    "status.conditions[type=NamesAccepted].status", "status.conditions[type=NamesAccepted].reason",
                    "status.acceptedNames", "status.storedVersions"],
            poll={"until": {"field": "status.conditions[type=Established].status", "equals": "True"}, "timeout": 60}),
        wait_ok("group-version-discovery", "/apis/%s/v1" % group,
                fields=["kind", "apiVersion", "groupVersion", "resources[name=widgets].singularName",
                        "resources[name=widgets].namespaced", "resources[name=widgets].kind",
                        "sorted(resources[name=widgets].verbs)", "resources[name=widgets].shortNames",
                        "resources[name=widgets].categories", "resources[name=widgets/status].verbs",
                        "resources[*].name"]),
        get("group-discovery", "/apis/" + group, fields=["kind", "apiVersion", "name", "versions",
                                                         "preferredVersion"]),
        get("group-list", "/apis", fields=["kind", "groups[name=%s]" % group]),
        get("aggregated-discovery", "/apis", accept=AGGREGATED,
            fields=["header(Content-Type)", "kind", "apiVersion",
                    "items[metadata.name=%s].versions[0].version" % group,
                    "items[metadata.name=%s].versions[0].resources[0].resource" % group,
                    "items[metadata.name=%s].versions[0].resources[0].scope" % group,
                    "items[metadata.name=%s].versions[0].resources[0].responseKind" % group,
                    "items[metadata.name=%s].versions[0].resources[0].shortNames" % group,
                    "items[metadata.name=%s].versions[0].resources[0].categories" % group,
                    "items[metadata.name=%s].versions[0].resources[0].subresources" % group]),
        get("openapi-v3-root", "/openapi/v3", fields=['has(paths["apis/%s/v1"])' % group],
            poll={"until": {"field": 'has(paths["apis/%s/v1"])' % group, "equals": True}, "timeout": 60}),
        wait_ok("openapi-v3-crd", "/openapi/v3/apis/%s/v1" % group,
            fields=["openapi", "info.title",
                    'keys(components.schemas["com.example.conf-crd.v1.Widget"].properties)',
                    'components.schemas["com.example.conf-crd.v1.Widget"]["x-kubernetes-group-version-kind"]',
                    'sorted(keys(components.schemas["com.example.conf-crd.v1.Widget"].properties.spec.properties))',
                    'components.schemas["com.example.conf-crd.v1.Widget"].properties.spec.properties.mode',
                    'has(paths["/apis/%s/v1/namespaces/{namespace}/widgets/{name}"])' % group,
                    'has(paths["/apis/%s/v1/namespaces/{namespace}/widgets/{name}/status"])' % group]),
        get("table", "/apis/%s/v1/widgets" % group, accept="application/json;as=Table;v=v1;g=meta.k8s.io",
            fields=["kind", "apiVersion", "columnDefinitions[*].name", "rows"]),
        post("create-crd-bad-name", CRD_PATH, dict(crd(group, "gizmos", "Gizmo", WIDGET_SCHEMA),
                                                   metadata={"name": "wrong.example.com"})),
        post("create-crd-no-schema", CRD_PATH, {
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "noschemas.%s" % group},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": "noschemas", "singular": "noschema", "kind": "NoSchema"},
                     "versions": [{"name": "v1", "served": True, "storage": True}]}}),
        patch("change-scope", CRD_PATH + "/" + name, {"spec": {"scope": "Cluster"}}),
        delete("delete-crd", CRD_PATH + "/" + name, fields=["kind", "metadata.name", "has(metadata.deletionTimestamp)",
                                                            "status.conditions[type=Terminating].status"]),
        wait_gone("crd-gone", CRD_PATH + "/" + name),
        get("group-version-gone", "/apis/%s/v1" % group, poll={"until": {"status": 404}, "timeout": 30}),
    ], cluster_objects=[CRD_PATH + "/" + name], description="CRD establishment, discovery, OpenAPI v3, validation"))

    group = "conf-cr.example.com"
    ns = "conf-cr-crud"
    base = ns_path(ns, "widgets", group=group + "/v1")
    out.append(scenario("cr-crud", "crd", crd_setup(group, "widgets", "Widget", WIDGET_SCHEMA) + [
        create_namespace(ns),
        post("create", base, widget("one", {"mode": "fast", "replicas": 2}, group=group, labels={"app": "w"}),
             fields=META + ["spec"], capture={"rv": "metadata.resourceVersion"}),
        get("get", base + "/one", fields=META + ["spec"]),
        get("list", base, fields=LIST),
        get("list-all-namespaces", "/apis/%s/v1/widgets" % group, query={"labelSelector": "app=w"}, fields=LIST),
        put("update-without-resource-version", base + "/one", widget("one", {"mode": "slow", "replicas": 3},
                                                                     group=group, labels={"app": "w"})),
        put("update-spec", base + "/one", widget("one", {"mode": "slow", "replicas": 3}, group=group,
                                                 labels={"app": "w"}, rv="${rv}"),
            fields=["metadata.generation", "spec", "metadata.labels"]),
        put("update-stale", base + "/one", widget("one", {"mode": "slow"}, group=group, rv="${rv}")),
        patch("patch-labels", base + "/one", {"metadata": {"labels": {"extra": "1"}}},
              fields=["metadata.generation", "metadata.labels"]),
        patch("patch-spec-merge", base + "/one", {"spec": {"replicas": 4}}, fields=["metadata.generation", "spec"]),
        patch("patch-spec-json", base + "/one", [{"op": "replace", "path": "/spec/mode", "value": "fast"}],
              ct=CT_JSONPATCH, fields=["metadata.generation", "spec.mode"]),
        patch("patch-strategic", base + "/one", {"spec": {"replicas": 5}}, ct=CT_STRATEGIC),
        post("create-wrong-kind", base, widget("two", {"mode": "fast"}, group=group, kind="Gadget")),
        post("create-wrong-version", base, widget("two", {"mode": "fast"}, group=group, api="v2")),
        get("get-cluster-path", "/apis/%s/v1/widgets/one" % group),
        delete("delete", base + "/one", fields=["kind", "apiVersion", "metadata.name", "status", "details"]),
        get("get-deleted", base + "/one"),
    ], namespaces=[ns], cluster_objects=[CRD_PATH + "/widgets." + group],
        description="custom resource CRUD, generation, patch types"))

    group = "conf-schema.example.com"
    ns = "conf-cr-schema"
    base = ns_path(ns, "widgets", group=group + "/v1")
    schema = json.loads(json.dumps(WIDGET_SCHEMA))
    schema["properties"]["spec"]["x-kubernetes-validations"] = [
        {"rule": "!has(self.replicas) || self.replicas <= 5 || self.mode == 'slow'",
         "message": "fast widgets have at most 5 replicas"}]

    def w(name, spec, **kw):
        return widget(name, spec, group=group, **kw)
    out.append(scenario("cr-schema-validation", "crd", crd_setup(group, "widgets", "Widget", schema) + [
        create_namespace(ns),
        post("create-valid-defaults-pruning", base, w("ok", {"mode": "fast", "size": "1Gi", "unknown": "dropped",
                                                              "ports": [{"name": "http", "port": 80}],
                                                              "tags": ["a", "b"], "settings": {"k": "v"}}),
             fields=["spec", "header(Warning)"]),
        post("wrong-type", base, w("t", {"mode": "fast", "replicas": "three"})),
        post("below-minimum", base, w("m", {"mode": "fast", "replicas": 0})),
        post("above-maximum", base, w("mx", {"mode": "slow", "replicas": 11})),
        post("not-in-enum", base, w("e", {"mode": "medium"})),
        post("missing-required", base, w("r", {"replicas": 1})),
        post("pattern-mismatch", base, w("p", {"mode": "fast", "size": "big"})),
        post("too-long", base, w("l", {"mode": "fast", "size": "123456789Gi"})),
        post("duplicate-map-key", base, w("d", {"mode": "fast", "ports": [{"name": "http", "port": 80},
                                                                          {"name": "http", "port": 81}]})),
        post("duplicate-set-item", base, w("s", {"mode": "fast", "tags": ["a", "a"]})),
        post("map-item-missing-key", base, w("k", {"mode": "fast", "ports": [{"port": 80}]})),
        post("additional-properties-type", base, w("ap", {"mode": "fast", "settings": {"k": 1}})),
        post("cel-rule", base, w("c", {"mode": "fast", "replicas": 7})),
        post("several-violations", base, w("v", {"mode": "medium", "replicas": 0, "size": "x"})),
        post("spec-not-object", base, w("n", "a string")),
        post("strict-unknown-field", base, w("st", {"mode": "fast", "unknown": 1}),
             query={"fieldValidation": "Strict"}),
        post("bad-name", base, w("Bad_Name", {"mode": "fast"})),
        patch("patch-into-violation", base + "/ok", {"spec": {"replicas": 100}}),
        get("unchanged", base + "/ok", fields=["spec"]),
    ], namespaces=[ns], cluster_objects=[CRD_PATH + "/widgets." + group],
        description="OpenAPI schema validation of custom resources: types, bounds, enum, pattern, list types, CEL, "
                    "pruning, defaults"))

    group = "conf-status.example.com"
    ns = "conf-cr-status"
    base = ns_path(ns, "widgets", group=group + "/v1")

    def ws(name, spec, status=None, rv=None):
        return widget(name, spec, group=group, status=status, rv=rv)
    out.append(scenario("cr-status-subresource", "crd", crd_setup(group, "widgets", "Widget", WIDGET_SCHEMA) + [
        create_namespace(ns),
        post("create-with-status", base, ws("one", {"mode": "fast"}, {"phase": "Ready"}),
             fields=["spec", "status", "metadata.generation"], capture={"rv": "metadata.resourceVersion"}),
        put("update-main-with-status", base + "/one", ws("one", {"mode": "slow"}, {"phase": "Ready"}, rv="${rv}"),
            fields=["spec", "status", "metadata.generation"], capture={"rv1": "metadata.resourceVersion"}),
        put("update-status-with-spec", base + "/one/status",
            ws("one", {"mode": "fast", "replicas": 9}, {"phase": "Pending", "observedGeneration": 2}, rv="${rv1}"),
            fields=["spec", "status", "metadata.generation"]),
        put("update-status-without-resource-version", base + "/one/status",
            ws("one", {"mode": "fast"}, {"phase": "Ready"}), fields=["status"]),
        patch("patch-status", base + "/one/status", {"status": {"phase": "Ready",
                                                                "conditions": [{"type": "Ready", "status": "True"}]}},
              fields=["status", "metadata.generation"]),
        patch("patch-status-json", base + "/one/status",
              [{"op": "replace", "path": "/status/phase", "value": "Pending"}], ct=CT_JSONPATCH,
              fields=["status.phase"]),
        patch("patch-main-status-ignored", base + "/one", {"status": {"phase": "Ready"}, "metadata": {"labels": {"a": "b"}}},
              fields=["status.phase", "metadata.labels", "metadata.generation"]),
        get("get-status", base + "/one/status", fields=["kind", "metadata.name", "spec", "status"]),
        patch("patch-status-invalid", base + "/one/status", {"status": {"phase": "Exploded"}}),
        patch("patch-status-spec-ignored", base + "/one/status", {"spec": {"mode": "slow", "replicas": 1}},
              fields=["spec", "metadata.generation"]),
        put("update-status-stale", base + "/one/status", ws("one", {"mode": "fast"}, {"phase": "Ready"}, rv="${rv}")),
        post("post-status", base + "/one/status", ws("one", {"mode": "fast"})),
        get("get-status-missing", base + "/none/status"),
        get("configmap-has-no-status", ns_path(ns, name="x", sub="status")),
    ], namespaces=[ns], cluster_objects=[CRD_PATH + "/widgets." + group],
        description="the status subresource: status ignored on the main resource, spec ignored on /status"))

    group = "conf-cluster.example.com"
    base = "/apis/%s/v1/clusterwidgets" % group
    out.append(scenario("cr-cluster-scoped", "crd", crd_setup(group, "clusterwidgets", "ClusterWidget", WIDGET_SCHEMA,
                                                               scope="Cluster", status=False) + [
        post("create", base, widget("global", {"mode": "fast"}, group=group, kind="ClusterWidget"),
             fields=META + ["spec"]),
        get("get", base + "/global", fields=["metadata.name", "metadata.namespace"],
            capture={"rv": "metadata.resourceVersion"}),
        get("namespaced-path", "/apis/%s/v1/namespaces/default/clusterwidgets/global" % group),
        put("update-with-status-no-subresource", base + "/global",
            widget("global", {"mode": "slow"}, group=group, kind="ClusterWidget", status={"phase": "Ready"}, rv="${rv}"),
            fields=["spec", "status", "metadata.generation"]),
        get("status-no-subresource", base + "/global/status"),
        delete("delete", base + "/global", fields=["kind", "metadata.name"]),
    ], cluster_objects=[CRD_PATH + "/clusterwidgets." + group],
        description="cluster-scoped custom resources, a CRD without the status subresource"))
    return out


# --- watch ------------------------------------------------------------------------

def watch_scenarios():
    out = []
    ns = "conf-watch-initial"
    c = ns_path(ns)
    out.append(scenario("watch-initial-events", "watch", [
        create_namespace(ns),
        post("create-b", c, cm("b", {"k": "1"}, labels={"w": "1"})),
        post("create-a", c, cm("a", {"k": "1"}, labels={"w": "1"})),
        # a consistent list first: it waits for the watch cache to hold both objects
        get("list", c, query={"labelSelector": "w=1"}, fields=["items[*].metadata.name"]),
        watch("watch-no-resource-version", c, [("labelSelector", "w=1"), ("timeoutSeconds", "5")], events=2,
              fields=["metadata.name", "data", "kind", "apiVersion"]),
        watch("watch-resource-version-0", c, [("labelSelector", "w=1"), ("resourceVersion", "0"),
                                              ("timeoutSeconds", "5")], events=2, fields=["metadata.name"]),
        watch("watch-field-selector", c, [("fieldSelector", "metadata.name=b"), ("timeoutSeconds", "5")], events=1,
              fields=["metadata.name"]),
        get("watch-param-on-object-path", c + "/a", query={"watch": "true"}, fields=["kind", "metadata.name"]),
        watch("watch-send-initial-events", c, [("labelSelector", "w=1"), ("sendInitialEvents", "true"),
                                               ("allowWatchBookmarks", "true"), ("resourceVersionMatch", "NotOlderThan"),
                                               ("timeoutSeconds", "5")], events=2, bookmark=True,
              bookmark_fields=["kind", 'metadata.annotations["k8s.io/initial-events-end"]']),
        watch("watch-bad-label-selector", c, [("labelSelector", "w in (")], events=1),
    ], namespaces=[ns], description="initial ADDED events of a watch without resourceVersion, selectors, "
                                    "sendInitialEvents"))

    ns = "conf-watch-resume"
    c = ns_path(ns)
    out.append(scenario("watch-resume", "watch", [
        create_namespace(ns),
        post("create-a", c, cm("a", {"v": "1"}, labels={"w": "r"})),
        get("list", c, query={"labelSelector": "w=r"}, fields=["items[*].metadata.name"],
            capture={"listrv": "metadata.resourceVersion"}),
        patch("update-a", c + "/a", {"data": {"v": "2"}}, capture={"rv_a2": "metadata.resourceVersion"}),
        post("create-b", c, cm("b", {"v": "1"}, labels={"w": "r"})),
        post("create-unlabelled", c, cm("other", {"v": "1"})),
        delete("delete-a", c + "/a"),
        watch("resume-from-list", c, [("labelSelector", "w=r"), ("resourceVersion", "${listrv}"),
                                      ("timeoutSeconds", "5")], events=3,
              fields=["metadata.name", "data", "gt(metadata.resourceVersion,${listrv})"]),
        watch("resume-from-update", c, [("labelSelector", "w=r"), ("resourceVersion", "${rv_a2}"),
                                        ("timeoutSeconds", "5")], events=2, fields=["metadata.name", "data"]),
        watch("resume-all-from-list", c, [("resourceVersion", "${listrv}"), ("timeoutSeconds", "5")], events=4,
              fields=["metadata.name"]),
        watch("resume-field-selector", c, [("fieldSelector", "metadata.name=a"), ("resourceVersion", "${listrv}"),
                                           ("timeoutSeconds", "5")], events=2, fields=["metadata.name", "data"]),
    ], namespaces=[ns], description="resuming a watch from a resourceVersion replays the changes since"))

    ns = "conf-watch-live"
    c = ns_path(ns)
    out.append(scenario("watch-live-events", "watch", [
        create_namespace(ns),
        get("list", c, query={"labelSelector": "w=l"}, capture={"rv": "metadata.resourceVersion"}, fields=["items"]),
        watch("open", c, [("labelSelector", "w=l"), ("resourceVersion", "${rv}"), ("timeoutSeconds", "10")], events=4,
              fields=["metadata.name", "data", "metadata.labels", "has(metadata.deletionTimestamp)"], async_="w"),
        post("create", c, cm("x", {"v": "1"}, labels={"w": "l"})),
        patch("update", c + "/x", {"data": {"v": "2"}}),
        patch("add-finalizer", c + "/x", {"metadata": {"finalizers": ["conf.example.com/hold"]}}),
        delete("delete", c + "/x"),
        collect("events", "w"),
        patch("remove-finalizer", c + "/x", {"metadata": {"finalizers": None}}, fields=["kind", "metadata.name"]),
    ], namespaces=[ns], description="live events: ADDED, MODIFIED, deletion with a finalizer as MODIFIED"))

    ns = "conf-watch-selector-transitions"
    c = ns_path(ns)
    out.append(scenario("watch-label-transitions", "watch", [
        create_namespace(ns),
        post("create-out", c, cm("x", labels={"w": "no"}), capture={"rv": "metadata.resourceVersion"}),
        patch("label-in", c + "/x", {"metadata": {"labels": {"w": "yes"}}}),
        patch("change-in", c + "/x", {"data": {"a": "1"}}),
        patch("label-out", c + "/x", {"metadata": {"labels": {"w": "no"}}}),
        watch("watch-selector", c, [("labelSelector", "w=yes"), ("resourceVersion", "${rv}"), ("timeoutSeconds", "5")],
              events=3, fields=["metadata.name", "metadata.labels", "data"]),
    ], namespaces=[ns], description="an object entering and leaving a watch's label selector is ADDED and DELETED"))

    ns = "conf-watch-bookmarks"
    c = ns_path(ns)
    out.append(scenario("watch-bookmarks-timeout", "watch", [
        create_namespace(ns),
        get("list", c, query={"labelSelector": "w=b"}, capture={"rv": "metadata.resourceVersion"}, fields=["items"]),
        watch("open-with-bookmarks", c, [("labelSelector", "w=b"), ("resourceVersion", "${rv}"),
                                         ("allowWatchBookmarks", "true"), ("timeoutSeconds", "6")],
              until_close=True, bookmark=True, fields=["metadata.name"], async_="wb", client_timeout=15,
              step_fields=["header(Content-Type)", "header(Transfer-Encoding)"]),
        post("create", c, cm("x", labels={"w": "b"})),
        collect("events-until-timeout", "wb"),
        watch("empty-watch-times-out", c, [("labelSelector", "w=none"), ("resourceVersion", "${rv}"),
                                           ("timeoutSeconds", "1")], until_close=True, client_timeout=10),
    ], namespaces=[ns], description="bookmarks (kind, resourceVersion) and the end of a watch at timeoutSeconds"))
    return out


# --- lists ------------------------------------------------------------------------

CACHED = {"until": {"field": "len(items)", "equals": 2}, "timeout": 10}


def list_scenarios():
    out = []
    ns = "conf-list-pages"
    s = ns_path(ns, "secrets")
    steps = [create_namespace(ns)]
    for i in range(1, 6):
        steps.append(post("create-%d" % i, s, secret("s%d" % i, data={"k": str(i)}, labels={"page": "yes"})))
    steps += [
        get("page-1", s, query={"limit": "2"}, fields=LIST, capture={"c1": "metadata.continue"}),
        get("page-2", s, query={"limit": "2", "continue": "${c1}"}, fields=LIST, capture={"c2": "metadata.continue"}),
        get("page-3", s, query={"limit": "2", "continue": "${c2}"}, fields=LIST),
        get("limit-0", s, query={"limit": "0"}, fields=LIST),
        get("limit-larger-than-count", s, query={"limit": "50"}, fields=LIST),
        get("selector-page-1", s, query={"limit": "2", "labelSelector": "page=yes"}, fields=LIST,
            capture={"sc1": "metadata.continue"}),
        get("selector-page-2", s, query={"limit": "2", "labelSelector": "page=yes", "continue": "${sc1}"}, fields=LIST),
        get("snapshot-page-1", s, query={"limit": "3"}, fields=LIST, capture={"snap": "metadata.continue"}),
        post("create-during-pagination", s, secret("s0", labels={"page": "late"})),
        post("create-after-cursor", s, secret("s9", labels={"page": "late"})),
        delete("delete-during-pagination", s + "/s5"),
        get("snapshot-page-2", s, query={"limit": "3", "continue": "${snap}"}, fields=LIST),
        get("continue-with-resource-version", s, query={"limit": "2", "continue": "${c1}", "resourceVersion": "0"}),
        get("all-namespaces-page", "/api/v1/secrets", query={"limit": "1", "labelSelector": "page=yes"},
            fields=["len(items)", "has(metadata.continue)", "metadata.remainingItemCount"]),
    ]
    out.append(scenario("list-pagination", "list", steps, namespaces=[ns],
                        description="limit/continue, remainingItemCount, consistent snapshots across pages"))

    ns = "conf-list-selectors"
    c = ns_path(ns, "secrets")
    steps = [create_namespace(ns),
             post("create-a", c, secret("a", labels={"env": "prod", "tier": "web"})),
             post("create-b", c, secret("b", labels={"env": "dev", "tier": "web"})),
             post("create-c", c, secret("c", labels={"env": "prod"}, type_="conf.example.com/special")),
             post("create-d", c, secret("d", labels={"team": "x"}))]
    for label, sel in [("equals", "env=prod"), ("double-equals", "env==prod"), ("not-equals", "env!=prod,team!=none"),
                       ("in", "env in (dev,prod)"), ("notin", "env notin (prod),tier"), ("exists", "tier"),
                       ("not-exists", "!tier,!kubernetes.io/metadata.name"), ("and", "env=prod,tier=web"),
                       ("no-match", "env=staging")]:
        steps.append(get("label-" + label, c, query={"labelSelector": sel}, fields=["items[*].metadata.name"]))
    for label, sel in [("name", "metadata.name=b"), ("name-double-equals", "metadata.name==c"),
                       ("name-not", "metadata.name!=a"), ("type", "type=conf.example.com/special"),
                       ("namespace", "metadata.namespace=%s,metadata.name=d" % ns),
                       ("other-namespace", "metadata.namespace=default")]:
        steps.append(get("field-" + label, c, query={"fieldSelector": sel}, fields=["items[*].metadata.name"]))
    steps += [
        get("label-and-field", c, query={"labelSelector": "env=prod", "fieldSelector": "metadata.name!=a"},
            fields=["items[*].metadata.name"]),
        get("field-unsupported", c, query={"fieldSelector": "metadata.labels=x"}),
        get("all-namespaces-label", "/api/v1/secrets", query={"labelSelector": "team=x"},
            fields=["items[*].metadata.name", "items[*].metadata.namespace"]),
        get("all-namespaces-field", "/api/v1/secrets", query={"fieldSelector": "metadata.namespace=%s" % ns,
                                                                 "labelSelector": "env"},
            fields=["sorted(items[*].metadata.name)"]),
    ]
    out.append(scenario("list-selectors", "list", steps, namespaces=[ns],
                        description="label selector operators, field selectors on metadata"))

    ns = "conf-list-rv"
    c = ns_path(ns)
    out.append(scenario("list-resource-version", "list", [
        create_namespace(ns),
        post("create", c, cm("a", labels={"r": "v"}), capture={"rv": "metadata.resourceVersion"}),
        post("create-later", c, cm("b", labels={"r": "v"})),
        # resourceVersion 0 / NotOlderThan lists come from the watch cache, which may lag a write
        # by a moment: these wait until it has both objects
        get("rv-0", c, query={"resourceVersion": "0", "labelSelector": "r=v"}, fields=["items[*].metadata.name"], poll=CACHED),
        get("rv-not-older-than", c, query={"resourceVersion": "${rv}", "resourceVersionMatch": "NotOlderThan",
                                           "labelSelector": "r=v"}, fields=["items[*].metadata.name"], poll=CACHED),
        get("rv-exact", c, query={"resourceVersion": "${rv}", "resourceVersionMatch": "Exact", "labelSelector": "r=v"},
            fields=["items[*].metadata.name", "eq(metadata.resourceVersion,${rv})"]),
        get("rv-legacy", c, query={"resourceVersion": "${rv}", "labelSelector": "r=v"}, fields=["items[*].metadata.name"], poll=CACHED),
        get("exact-with-limit", c, query={"resourceVersion": "${rv}", "resourceVersionMatch": "Exact", "limit": "1",
                                          "labelSelector": "r=v"}, fields=["items[*].metadata.name"]),
        get("not-older-than-0", c, query={"resourceVersion": "0", "resourceVersionMatch": "NotOlderThan",
                                          "labelSelector": "r=v"}, fields=["items[*].metadata.name"], poll=CACHED),
        get("exact-0", c, query={"resourceVersion": "0", "resourceVersionMatch": "Exact"}),
        get("table", c, query={"labelSelector": "r=v"}, accept="application/json;as=Table;v=v1;g=meta.k8s.io",
            fields=["kind", "apiVersion", "columnDefinitions[*].name", "len(rows)", "rows[0].cells[0]",
                    "rows[0].object.kind", "rows[0].object.metadata.name"]),
        get("partial-object-metadata", c, query={"labelSelector": "r=v"},
            accept="application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
            fields=["kind", "apiVersion", "items[*].kind", "items[*].metadata.name", "has(items[0].data)"]),
    ], namespaces=[ns], description="resourceVersion/resourceVersionMatch semantics of lists (Exact serves the state "
                                    "at an older resourceVersion), Table and PartialObjectMetadata output"))
    return out


# --- deletion, finalizers, garbage collection ------------------------------------------

def owner_ref(kind, name, uid_var, controller=None, block=None, api="v1"):
    r = {"apiVersion": api, "kind": kind, "name": name, "uid": "${%s}" % uid_var}
    if controller is not None:
        r["controller"] = controller
    if block is not None:
        r["blockOwnerDeletion"] = block
    return r


def delete_scenarios():
    out = []
    ns = "conf-finalizers"
    c = ns_path(ns)
    out.append(scenario("delete-finalizers", "delete", [
        create_namespace(ns),
        post("create-with-finalizer", c, cm("held", {"a": "1"}, finalizers=["conf.example.com/hold"]),
             fields=["metadata.finalizers"]),
        delete("delete", c + "/held", fields=META + ["data"]),
        get("get-terminating", c + "/held", fields=META),
        delete("delete-again", c + "/held", fields=["kind", "has(metadata.deletionTimestamp)", "metadata.finalizers"]),
        patch("update-while-terminating", c + "/held", {"data": {"a": "2"}}, fields=["data", "metadata.finalizers"]),
        patch("add-finalizer-while-terminating", c + "/held",
              {"metadata": {"finalizers": ["conf.example.com/hold", "conf.example.com/new"]}}),
        patch("clear-deletion-timestamp", c + "/held", {"metadata": {"deletionTimestamp": None}},
              fields=["has(metadata.deletionTimestamp)"]),
        patch("remove-finalizer", c + "/held", {"metadata": {"finalizers": None}},
              fields=["kind", "metadata.name", "metadata.finalizers", "has(metadata.deletionTimestamp)"]),
        get("gone", c + "/held"),
        post("create-with-two-finalizers", c, cm("two", finalizers=["conf.example.com/a", "conf.example.com/b"]),
             fields=["metadata.finalizers"]),
        delete("delete-two", c + "/two", fields=["metadata.finalizers"]),
        step("remove-one-json-patch", "PATCH", c + "/two", body=[{"op": "remove", "path": "/metadata/finalizers/0"}],
             ct=CT_JSONPATCH, fields=["metadata.finalizers", "has(metadata.deletionTimestamp)"]),
        put("remove-last-by-update", c + "/two", cm("two"), fields=["kind", "metadata.name", "metadata.finalizers"]),
        get("two-gone", c + "/two"),
        post("grace-period-finalizer", c, cm("grace", finalizers=["conf.example.com/hold"])),
        delete("delete-with-grace-period", c + "/grace", body={"apiVersion": "v1", "kind": "DeleteOptions",
                                                                "gracePeriodSeconds": 30},
               fields=["metadata.deletionGracePeriodSeconds"]),
        patch("release-grace", c + "/grace", {"metadata": {"finalizers": None}}, fields=["kind"]),
    ], namespaces=[ns], description="finalizers hold deletion; no new finalizers once deleting"))

    ns = "conf-gc-background"
    c = ns_path(ns)
    s = ns_path(ns, "secrets")
    out.append(scenario("delete-propagation-background", "delete", [
        create_namespace(ns),
        post("create-owner", c, cm("owner"), capture={"owner": "metadata.uid"}),
        post("create-dependent-1", s, dict(secret("dep1"), metadata={"name": "dep1", "ownerReferences": [
            owner_ref("ConfigMap", "owner", "owner", controller=True)]}), fields=["metadata.ownerReferences"]),
        post("create-dependent-2", c, cm("dep2", ownerReferences=[owner_ref("ConfigMap", "owner", "owner")]),
             fields=["metadata.ownerReferences"]),
        delete("delete-owner", c + "/owner", fields=STATUS_OK),
        get("owner-gone", c + "/owner"),
        wait_gone("dependent-1-collected", s + "/dep1"),
        wait_gone("dependent-2-collected", c + "/dep2"),
    ], namespaces=[ns], description="background propagation: dependents are garbage collected"))

    ns = "conf-gc-foreground"
    c = ns_path(ns)
    out.append(scenario("delete-propagation-foreground", "delete", [
        create_namespace(ns),
        post("create-owner", c, cm("owner"), capture={"owner": "metadata.uid"}),
        post("create-blocking-dependent", c, cm("dep", finalizers=["conf.example.com/hold"],
                                                ownerReferences=[owner_ref("ConfigMap", "owner", "owner",
                                                                           block=True)])),
        post("create-free-dependent", c, cm("free", ownerReferences=[owner_ref("ConfigMap", "owner", "owner",
                                                                               block=True)])),
        delete("delete-owner-foreground", c + "/owner", query={"propagationPolicy": "Foreground"},
               fields=META),
        get("owner-waiting", c + "/owner", fields=["metadata.finalizers", "has(metadata.deletionTimestamp)"]),
        wait_gone("free-dependent-collected", c + "/free"),
        get("blocking-dependent-terminating", c + "/dep",
            fields=["metadata.finalizers", "has(metadata.deletionTimestamp)"],
            poll={"until": {"field": "has(metadata.deletionTimestamp)", "equals": True}, "timeout": 60}),
        get("owner-still-waiting", c + "/owner", fields=["metadata.finalizers"]),
        patch("release-dependent", c + "/dep", {"metadata": {"finalizers": None}}),
        wait_gone("owner-gone", c + "/owner"),
        get("dependent-gone", c + "/dep"),
    ], namespaces=[ns], description="foreground propagation: the owner waits (foregroundDeletion) for blocking "
                                    "dependents"))

    ns = "conf-gc-orphan"
    c = ns_path(ns)
    out.append(scenario("delete-propagation-orphan", "delete", [
        create_namespace(ns),
        post("create-owner", c, cm("owner"), capture={"owner": "metadata.uid"}),
        post("create-dependent", c, cm("dep", ownerReferences=[owner_ref("ConfigMap", "owner", "owner")])),
        post("create-dependent-two-owners", c, cm("dep2", ownerReferences=[owner_ref("ConfigMap", "owner", "owner")])),
        delete("delete-owner-orphan", c + "/owner", body={"apiVersion": "v1", "kind": "DeleteOptions",
                                                           "propagationPolicy": "Orphan"}, fields=META),
        wait_gone("owner-gone", c + "/owner"),
        get("dependent-orphaned", c + "/dep", fields=["metadata.name", "metadata.ownerReferences"],
            poll={"until": {"field": "metadata.ownerReferences", "absent": True}, "timeout": 60}),
        get("dependent-2-orphaned", c + "/dep2", fields=["metadata.name", "metadata.ownerReferences"],
            poll={"until": {"field": "metadata.ownerReferences", "absent": True}, "timeout": 60}),
        post("create-owner-2", c, cm("owner2"), capture={"owner2": "metadata.uid"}),
        post("create-dependent-3", c, cm("dep3", ownerReferences=[owner_ref("ConfigMap", "owner2", "owner2")])),
        delete("delete-owner-2-orphan-query", c + "/owner2", query={"propagationPolicy": "Orphan"},
               fields=["metadata.finalizers"]),
        get("dependent-3-orphaned", c + "/dep3", fields=["metadata.ownerReferences"],
            poll={"until": {"field": "metadata.ownerReferences", "absent": True}, "timeout": 60}),
        post("owner-no-dependents", c, cm("lonely")),
        delete("delete-orphan-no-dependents", c + "/lonely", query={"propagationPolicy": "Orphan"},
               fields=["kind", "metadata.finalizers"]),
        wait_gone("lonely-gone", c + "/lonely"),
    ], namespaces=[ns], description="orphan propagation: ownerReferences are removed, dependents stay"))

    ns = "conf-gc-refs"
    c = ns_path(ns)
    out.append(scenario("gc-owner-references", "delete", [
        create_namespace(ns),
        post("create-owner-a", c, cm("a"), capture={"a": "metadata.uid"}),
        post("create-owner-b", c, cm("b"), capture={"b": "metadata.uid"}),
        post("create-two-owners", c, cm("shared", ownerReferences=[owner_ref("ConfigMap", "a", "a"),
                                                                   owner_ref("ConfigMap", "b", "b")]),
             fields=["metadata.ownerReferences"]),
        delete("delete-owner-a", c + "/a"),
        get("shared-keeps-other-owner", c + "/shared", fields=["metadata.ownerReferences"],
            poll={"until": {"field": "len(metadata.ownerReferences)", "equals": 1}, "timeout": 60}),
        post("create-dangling", c, cm("dangling", ownerReferences=[
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": "33333333-3333-3333-3333-333333333333"}]),
             fields=["metadata.ownerReferences"]),
        wait_gone("dangling-collected", c + "/dangling"),
        delete("delete-owner-b", c + "/b"),
        wait_gone("shared-collected", c + "/shared"),
    ], namespaces=[ns], description="dependents with several owners; dangling ownerReferences are collected"))

    ns = "conf-delete-collection"
    c = ns_path(ns)
    out.append(scenario("delete-collection", "delete", [
        create_namespace(ns),
        post("create-a", c, cm("a", labels={"del": "yes"})),
        post("create-b", c, cm("b", labels={"del": "yes"})),
        post("create-c", c, cm("c", labels={"del": "no"})),
        step("delete-collection-dry-run", "DELETE", c, query={"labelSelector": "del=yes", "dryRun": "All"},
             fields=["kind", "apiVersion", "sorted(items[*].metadata.name)"]),
        get("still-there", c, query={"labelSelector": "del"}, fields=["items[*].metadata.name"]),
        step("delete-collection", "DELETE", c, query={"labelSelector": "del=yes"},
             fields=["kind", "apiVersion", "sorted(items[*].metadata.name)"]),
        get("remaining", c, query={"labelSelector": "del"}, fields=["items[*].metadata.name"]),
        step("delete-collection-namespaces-forbidden", "DELETE", "/api/v1/namespaces",
             query={"labelSelector": "conformance=never"}),
    ], namespaces=[ns], description="DELETE on a collection with a label selector"))

    ns = "conf-ns-terminating"
    c = ns_path(ns)
    out.append(scenario("namespace-terminating", "delete", [
        create_namespace(ns),
        post("create-held", c, cm("held", finalizers=["conf.example.com/hold"])),
        delete("delete-namespace", "/api/v1/namespaces/" + ns, fields=["status.phase", "has(metadata.deletionTimestamp)",
                                                                       "spec.finalizers"]),
        post("create-in-terminating", c, cm("new")),
        post("create-secret-in-terminating", ns_path(ns, "secrets"), secret("new")),
        get("conditions", "/api/v1/namespaces/" + ns,
            fields=["status.phase", "status.conditions[type=NamespaceFinalizersRemaining].status",
                    "status.conditions[type=NamespaceFinalizersRemaining].message",
                    "status.conditions[type=NamespaceContentRemaining].message",
                    "status.conditions[type=NamespaceDeletionContentFailure].status"],
            poll={"until": {"field": "status.conditions[type=NamespaceFinalizersRemaining].status", "equals": "True"},
                  "timeout": 60}),
        get("held-object-terminating", c + "/held", fields=["has(metadata.deletionTimestamp)", "metadata.finalizers"]),
        patch("update-in-terminating", c + "/held", {"data": {"x": "1"}}, fields=["data"]),
        patch("release", c + "/held", {"metadata": {"finalizers": None}}),
        wait_gone("namespace-gone", "/api/v1/namespaces/" + ns),
        post("create-after-gone", c, cm("late")),
    ], namespaces=[ns], description="a terminating namespace refuses new content (403) and waits for finalizers"))
    return out


# --- dry run ----------------------------------------------------------------------

def dry_run_scenarios():
    ns = "conf-dry-run"
    c = ns_path(ns)
    return [scenario("dry-run", "dry-run", [
        create_namespace(ns),
        post("create-dry-run", c, cm("dry", {"a": "1"}), query={"dryRun": "All"},
             fields=META + ["data"]),
        get("not-created", c + "/dry"),
        post("create", c, cm("real", {"a": "1"}), capture={"rv": "metadata.resourceVersion"}),
        put("update-dry-run", c + "/real", cm("real", {"a": "2"}), query={"dryRun": "All"},
            fields=["data", "eq(metadata.resourceVersion,${rv})"]),
        patch("patch-dry-run", c + "/real", {"data": {"b": "3"}}, query={"dryRun": "All"}, fields=["data"]),
        get("unchanged", c + "/real", fields=["data", "eq(metadata.resourceVersion,${rv})"]),
        delete("delete-dry-run", c + "/real", query={"dryRun": "All"}, fields=STATUS_OK),
        get("still-there", c + "/real", fields=["metadata.name"]),
        post("dry-run-invalid", c, cm("Bad_Name"), query={"dryRun": "All"}),
        post("dry-run-unknown-value", c, cm("x"), query={"dryRun": "Some"}),
        post("dry-run-generate-name", c, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "dry-"}},
             query={"dryRun": "All"}, fields=["metadata.generateName", "len(metadata.name)"]),
        delete("delete-dry-run-missing", c + "/missing", query={"dryRun": "All"}),
        apply("apply-dry-run", c + "/applied", {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "applied"}, "data": {"a": "1"}},
              "conf", query=[("dryRun", "All")], fields=["metadata.name", "data"]),
        get("apply-not-created", c + "/applied"),
    ], namespaces=[ns], description="dryRun=All on create, update, patch, delete and apply")]


# --- server-side apply ----------------------------------------------------------------

# managedFields entries (manager, operation, apiVersion, fieldsType, fieldsV1, subresource; the time is
# masked), ordered by manager: the server orders them by operation and time, to the second
MF = ["sortedby(metadata.managedFields,manager)"]


def ssa_scenarios():
    out = []
    ns = "conf-ssa"
    c = ns_path(ns)

    def acm(data, labels=None):
        m = {"name": "cfg"}
        if labels:
            m["labels"] = labels
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": m, "data": data}
    out.append(scenario("ssa-create-update", "ssa", [
        create_namespace(ns),
        apply("apply-create", c + "/cfg", acm({"a": "1", "b": "2"}, {"app": "x"}), "alice",
              fields=META + ["data"] + MF),
        apply("apply-same", c + "/cfg", acm({"a": "1", "b": "2"}, {"app": "x"}), "alice", fields=["data"] + MF),
        apply("apply-change", c + "/cfg", acm({"a": "10", "b": "2"}, {"app": "x"}), "alice", fields=["data"] + MF),
        apply("apply-drop-field", c + "/cfg", acm({"a": "10"}, {"app": "x"}), "alice", fields=["data", "metadata.labels"]
              + MF),
        apply("apply-no-field-manager", c + "/cfg", acm({"a": "1"}), None),
        apply("apply-wrong-name", c + "/cfg", dict(acm({"a": "1"}), metadata={"name": "other"}), "alice"),
        apply("apply-no-kind", c + "/cfg", {"apiVersion": "v1", "metadata": {"name": "cfg"}}, "alice"),
        step("apply-invalid-yaml", "PATCH", c + "/cfg", ct=CT_APPLY, query=[("fieldManager", "alice")],
             body="{not: [valid"),
        step("apply-yaml-body", "PATCH", c + "/yaml", ct=CT_APPLY, query=[("fieldManager", "alice")],
             body="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml\ndata:\n  k: v\n",
             fields=["metadata.name", "data"] + MF),
        apply("apply-with-resource-version", c + "/cfg", dict(acm({"a": "10"}),
                                                              metadata={"name": "cfg", "resourceVersion": "1"}), "alice"),
        apply("apply-invalid-object", c + "/bad", {"apiVersion": "v1", "kind": "ConfigMap",
                                                   "metadata": {"name": "bad"}, "data": {"bad key": "x"}}, "alice"),
        apply("apply-force-no-conflict", c + "/cfg", acm({"a": "10", "c": "3"}), "alice", force=True,
              fields=["data"] + MF),
        get("get", c + "/cfg", fields=["data", "metadata.labels"] + MF),
    ], namespaces=[ns], description="server-side apply: create, update, removal of owned fields, errors"))

    ns = "conf-ssa-conflict"
    c = ns_path(ns)
    out.append(scenario("ssa-conflict-force", "ssa", [
        create_namespace(ns),
        apply("alice-applies", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"},
                                               "data": {"a": "1", "b": "1"}}, "alice", fields=["data"] + MF),
        apply("bob-conflicts", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"},
                                               "data": {"a": "2"}}, "bob"),
        apply("bob-conflicts-two-fields", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": {"name": "shared"}, "data": {"a": "2", "b": "2"}},
              "bob"),
        apply("bob-same-value-shares", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap",
                                                       "metadata": {"name": "shared"}, "data": {"b": "1"}}, "bob",
              fields=["data"] + MF),
        apply("bob-forces", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"},
                                            "data": {"a": "2", "b": "1"}}, "bob", force=True, fields=["data"] + MF),
        apply("alice-reapplies-without-a", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap",
                                                           "metadata": {"name": "shared"}, "data": {"b": "1"}}, "alice",
              fields=["data"] + MF),
        put("carol-updates", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"},
                                             "data": {"a": "2", "b": "1", "c": "3"}},
            query={"fieldManager": "carol"}, fields=["data"] + MF),
        apply("alice-conflicts-with-update", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap",
                                                             "metadata": {"name": "shared"},
                                                             "data": {"b": "1", "c": "4"}}, "alice"),
        patch("dave-merge-patch", c + "/shared", {"data": {"d": "4"}}, query={"fieldManager": "dave"},
              fields=["data"] + MF),
        patch("default-manager-patch", c + "/shared", {"data": {"e": "5"}}, fields=MF),
        apply("force-takes-everything", c + "/shared", {"apiVersion": "v1", "kind": "ConfigMap",
                                                        "metadata": {"name": "shared"},
                                                        "data": {"a": "9", "b": "9", "c": "9", "d": "9", "e": "9"}},
              "eve", force=True, fields=["data"] + MF),
    ], namespaces=[ns], description="apply conflicts between field managers (409 message), force=true, "
                                    "Update managers"))

    group = "conf-ssa.example.com"
    ns = "conf-ssa-lists"
    base = ns_path(ns, "widgets", group=group + "/v1")

    def aw(ports=None, tags=None, status=None, mode="fast"):
        spec = {"mode": mode}
        if ports is not None:
            spec["ports"] = ports
        if tags is not None:
            spec["tags"] = tags
        o = {"apiVersion": group + "/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}
        if status:
            o["status"] = status
        return o
    out.append(scenario("ssa-list-map-custom-resource", "ssa", crd_setup(group, "widgets", "Widget", WIDGET_SCHEMA) + [
        create_namespace(ns),
        apply("alice-http", base + "/w", aw([{"name": "http", "port": 80}], ["a"]), "alice",
              fields=["spec", "metadata.generation"] + MF),
        apply("bob-https", base + "/w", {"apiVersion": group + "/v1", "kind": "Widget", "metadata": {"name": "w"},
                                         "spec": {"ports": [{"name": "https", "port": 443}], "tags": ["b"]}}, "bob",
              fields=["spec"] + MF),
        apply("bob-conflicts-on-alice-port", base + "/w",
              {"apiVersion": group + "/v1", "kind": "Widget", "metadata": {"name": "w"},
               "spec": {"ports": [{"name": "http", "port": 8080}]}}, "bob"),
        apply("alice-drops-http", base + "/w", aw([], ["a"]), "alice", fields=["spec"] + MF),
        apply("status-apply", base + "/w/status", {"apiVersion": group + "/v1", "kind": "Widget",
                                                   "metadata": {"name": "w"},
                                                   "status": {"phase": "Ready",
                                                              "conditions": [{"type": "Ready", "status": "True"}]}},
              "controller", fields=["status"] + MF),
        apply("status-apply-main-ignored", base + "/w", {"apiVersion": group + "/v1", "kind": "Widget",
                                                         "metadata": {"name": "w"}, "spec": {"mode": "fast"},
                                                         "status": {"phase": "Pending"}}, "alice",
              fields=["status", "spec"]),
        apply("apply-invalid", base + "/w", aw([{"name": "x", "port": "eighty"}]), "alice"),
        apply("apply-creates-custom-resource", base + "/w2", {"apiVersion": group + "/v1", "kind": "Widget",
                                                              "metadata": {"name": "w2"}, "spec": {"mode": "slow"}},
              "alice", fields=["spec", "metadata.generation"] + MF),
    ], namespaces=[ns], cluster_objects=[CRD_PATH + "/widgets." + group],
        description="apply on custom resources: list-type map ownership per key, set lists, status subresource"))

    ns = "conf-managed-fields"
    c = ns_path(ns)
    out.append(scenario("managed-fields-update", "ssa", [
        create_namespace(ns),
        post("create-default-manager", c, cm("m", {"a": "1"}), fields=MF),
        post("create-named-manager", c, cm("n", {"a": "1"}), query={"fieldManager": "creator"}, fields=MF),
        put("update-other-manager", c + "/n", cm("n", {"a": "1", "b": "2"}), query={"fieldManager": "updater"},
            fields=MF),
        patch("patch-labels-third-manager", c + "/n", {"metadata": {"labels": {"x": "y"}}},
              query={"fieldManager": "labeller"}, fields=MF),
        patch("clear-managed-fields", c + "/n", {"metadata": {"managedFields": [{}]}}, fields=MF),
        post("bad-manager-name", c, cm("o"), query={"fieldManager": "x" * 200}),
        get("get-without-managed-fields", c + "/m", fields=["has(metadata.managedFields)"]),
    ], namespaces=[ns], description="managedFields of Update operations (POST/PUT/PATCH), fieldManager"))
    return out


# --- RBAC ---------------------------------------------------------------------------

def rbac_scenarios():
    ns = "conf-rbac"
    c = ns_path(ns)
    sa = ns_path(ns, "serviceaccounts")
    rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/%s" % ns

    def ssar(verb, resource, namespace=ns, name=None, group=""):
        attrs = {"namespace": namespace, "verb": verb, "group": group, "resource": resource}
        if name:
            attrs["name"] = name
        return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attrs}}
    ssar_path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    user = "system:serviceaccount:%s:reader" % ns
    return [scenario("rbac-denials", "rbac", [
        create_namespace(ns),
        post("create-service-account", sa, {"apiVersion": "v1", "kind": "ServiceAccount",
                                            "metadata": {"name": "reader"}}),
        post("token-request", sa + "/reader/token", {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                     "spec": {}}, capture={"tok": "status.token"},
             fields=["kind", "has(status.token)"]),
        post("create-configmap", c, cm("visible", {"a": "1"}, labels={"conf": "rbac"})),
        get("list-denied", c, as_="tok"),
        get("get-denied", c + "/visible", as_="tok"),
        post("create-denied", ns_path(ns, "secrets"), secret("s"), as_="tok"),
        get("cluster-scope-denied", "/api/v1/namespaces", as_="tok"),
        get("get-namespace-denied", "/api/v1/namespaces/" + ns, as_="tok"),
        get("custom-group-denied", "/apis/apps/v1/namespaces/%s/deployments" % ns, as_="tok"),
        get("discovery-allowed", "/api", as_="tok", fields=["kind", "versions"]),
        get("version-allowed", "/version", as_="tok", fields=["major", "minor"]),
        post("ssar-denied", ssar_path, ssar("list", "configmaps"), as_="tok",
             fields=["kind", "status.allowed", "status.denied", "status.reason", "spec.resourceAttributes"]),
        post("create-role", rbac + "/roles", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                              "metadata": {"name": "cm-reader"},
                                              "rules": [{"apiGroups": [""], "resources": ["configmaps"],
                                                         "verbs": ["get", "list", "watch"]}]},
             fields=["kind", "metadata.name", "rules"]),
        post("create-role-binding", rbac + "/rolebindings", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": ns}]},
             fields=["kind", "metadata.name", "roleRef", "subjects"]),
        get("list-allowed", c, as_="tok", query={"labelSelector": "conf=rbac"}, fields=["items[*].metadata.name"],
            poll={"until": {"status": 200}, "timeout": 30}),
        get("get-allowed", c + "/visible", as_="tok", fields=["metadata.name", "data"]),
        delete("delete-still-denied", c + "/visible", as_="tok"),
        patch("patch-still-denied", c + "/visible", {"data": {"a": "2"}}, as_="tok"),
        get("other-namespace-denied", ns_path("default"), as_="tok"),
        post("ssar-allowed", ssar_path, ssar("list", "configmaps"), as_="tok",
             fields=["status.allowed", "status.reason"]),
        post("ssar-delete-denied", ssar_path, ssar("delete", "configmaps", name="visible"), as_="tok",
             fields=["status.allowed", "status.reason"]),
        post("ssar-admin", ssar_path, ssar("delete", "namespaces", namespace=""),
             fields=["status.allowed", "status.reason"]),
        post("sar-for-reader", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": ["system:serviceaccounts"],
                     "resourceAttributes": {"namespace": ns, "verb": "get", "resource": "configmaps"}}},
             fields=["status.allowed", "status.reason"]),
        post("self-subject-review", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
            "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, as_="tok",
             fields=["status.userInfo.username", "status.userInfo.groups", "status.userInfo.uid"]),
        get("bad-token", "/api/v1/namespaces", as_="bad-token"),
        get("anonymous", "/api/v1/namespaces", as_="anonymous"),
        get("anonymous-version", "/version", as_="anonymous", fields=["major"]),
        get("anonymous-healthz", "/healthz", as_="anonymous", fields=["header(Content-Type)", "body()"]),
    ], namespaces=[ns], description="403 Forbidden for a ServiceAccount without rights, Role/RoleBinding, "
                                    "SelfSubjectAccessReview, 401")]


# --- Events -----------------------------------------------------------------------------

def event_scenarios():
    ns = "conf-events"
    core = ns_path(ns, "events")
    ev1 = ns_path(ns, "events", group="events.k8s.io/v1")
    core_event = {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "core-made"},
        "involvedObject": {"apiVersion": "v1", "kind": "ConfigMap", "name": "target", "namespace": ns},
        "reason": "Synced", "message": "synced from core", "type": "Normal",
        "source": {"component": "conformance"}, "count": 1,
        "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:00:00Z",
    }
    new_event = {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "new-made"},
        "eventTime": "2025-01-01T00:00:00.000000Z", "reportingController": "conf.example.com/ctrl",
        "reportingInstance": "ctrl-1", "action": "Rotate", "reason": "Rotated", "note": "rotated by events.k8s.io",
        "type": "Warning", "regarding": {"apiVersion": "v1", "kind": "Secret", "name": "other", "namespace": ns},
    }
    return [scenario("events-both-apis", "events", [
        create_namespace(ns),
        post("create-core", core, core_event, fields=["kind", "apiVersion", "metadata.name", "involvedObject", "reason",
                                                      "message", "type", "source", "count"]),
        post("create-events-v1", ev1, new_event,
             fields=["kind", "apiVersion", "metadata.name", "regarding", "reason", "note", "type", "action",
                     "reportingController", "reportingInstance"]),
        get("core-get-new", core + "/new-made",
            fields=["kind", "apiVersion", "involvedObject", "reason", "message", "type", "action",
                    "reportingComponent", "reportingInstance", "source", "has(eventTime)"]),
        get("events-v1-get-core", ev1 + "/core-made",
            fields=["kind", "apiVersion", "regarding", "reason", "note", "type", "reportingController",
                    "deprecatedSource", "deprecatedCount", "has(deprecatedFirstTimestamp)"]),
        get("core-list", core, fields=["kind", "sorted(items[*].metadata.name)"]),
        get("events-v1-list", ev1, fields=["kind", "apiVersion", "sorted(items[*].metadata.name)"]),
        get("core-field-involved-name", core, query={"fieldSelector": "involvedObject.name=target"},
            fields=["items[*].metadata.name"]),
        get("core-field-involved-name-of-new", core, query={"fieldSelector": "involvedObject.name=other"},
            fields=["items[*].metadata.name"]),
        get("core-field-involved-kind", core, query={"fieldSelector": "involvedObject.kind=Secret"},
            fields=["items[*].metadata.name"]),
        get("core-field-reason-type", core, query={"fieldSelector": "reason=Synced,type=Normal"},
            fields=["items[*].metadata.name"]),
        get("core-field-source", core, query={"fieldSelector": "source=conformance"},
            fields=["items[*].metadata.name"]),
        get("core-field-reporting-component", core, query={"fieldSelector": "reportingComponent=conf.example.com/ctrl"},
            fields=["items[*].metadata.name"]),
        get("core-field-unsupported", core, query={"fieldSelector": "message=x"}),
        get("events-v1-field-regarding-name", ev1, query={"fieldSelector": "regarding.name=other"},
            fields=["items[*].metadata.name"]),
        get("events-v1-field-regarding-kind", ev1, query={"fieldSelector": "regarding.kind=ConfigMap"},
            fields=["items[*].metadata.name"]),
        get("events-v1-field-reporting-controller", ev1,
            query={"fieldSelector": "reportingController=conf.example.com/ctrl"}, fields=["items[*].metadata.name"]),
        get("events-v1-field-involved", ev1, query={"fieldSelector": "involvedObject.name=target"}),
        post("events-v1-missing-event-time", ev1, dict(new_event, metadata={"name": "bad"}, eventTime=None)),
        post("events-v1-missing-reporting", ev1, {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                                                  "metadata": {"name": "bad2"},
                                                  "eventTime": "2025-01-01T00:00:00.000000Z", "type": "Normal",
                                                  "regarding": {"kind": "Secret", "name": "x"}}),
        post("core-bad-type", core, dict(core_event, metadata={"name": "badtype"}, type="Catastrophic")),
        patch("events-v1-patch-series", ev1 + "/new-made",
              {"series": {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}},
              fields=["series.count", "has(series.lastObservedTime)"]),
        get("core-sees-series", core + "/new-made", fields=["count", "series.count", "has(series.lastObservedTime)"]),
        get("all-namespaces-core", "/api/v1/events", query={"fieldSelector": "involvedObject.namespace=" + ns},
            fields=["sorted(items[*].metadata.name)"]),
    ], namespaces=[ns], description="Events written through one API are read through the other; field selectors")]


# --- discovery ----------------------------------------------------------------------

def discovery_scenarios():
    out = []
    out.append(scenario("discovery-legacy", "discovery", [
        get("api", "/api", fields=["kind", "versions", "header(Content-Type)"]),
        get("api-v1", "/api/v1", fields=[
            "kind", "groupVersion", "resources[name=configmaps]", "resources[name=secrets].verbs",
            "resources[name=namespaces].namespaced", "resources[name=namespaces/status].verbs",
            "resources[name=namespaces/finalize].verbs", "resources[name=serviceaccounts/token]",
            "resources[name=events].shortNames", "resources[name=serviceaccounts].shortNames"]),
        get("apis", "/apis", fields=["kind", "apiVersion", "groups[name=apps]", "groups[name=events.k8s.io]",
                                     "groups[name=coordination.k8s.io]", "groups[name=apiextensions.k8s.io]",
                                     "groups[name=authentication.k8s.io]", "groups[name=authorization.k8s.io]",
                                     "groups[name=rbac.authorization.k8s.io]"]),
        get("apis-apps", "/apis/apps", fields=["kind", "apiVersion", "name", "versions", "preferredVersion"]),
        get("apis-apps-v1", "/apis/apps/v1", fields=[
            "kind", "groupVersion", "resources[name=deployments]", "resources[name=deployments/status]",
            "resources[name=deployments/scale]", "resources[name=statefulsets].shortNames",
            "resources[name=daemonsets].categories"]),
        get("apis-events-v1", "/apis/events.k8s.io/v1", fields=["groupVersion", "resources"]),
        get("apis-coordination-v1", "/apis/coordination.k8s.io/v1", fields=["groupVersion", "resources"]),
        get("apis-authentication-v1", "/apis/authentication.k8s.io/v1", fields=["groupVersion", "resources"]),
        get("apis-apiextensions-v1", "/apis/apiextensions.k8s.io/v1", fields=["groupVersion", "resources"]),
        get("apis-unknown-group", "/apis/conf-nothing.example.com"),
        post("post-to-discovery", "/apis/apps/v1", {}),
    ], description="legacy discovery documents"))

    out.append(scenario("discovery-aggregated", "discovery", [
        get("api-aggregated", "/api", accept=AGGREGATED, fields=[
            "header(Content-Type)", "kind", "apiVersion", "len(items)", "items[0].versions[*].version",
            "items[0].versions[0].resources[resource=configmaps]",
            "items[0].versions[0].resources[resource=namespaces].subresources",
            "items[0].versions[0].resources[resource=serviceaccounts].subresources",
            "items[0].versions[0].freshness"]),
        get("apis-aggregated", "/apis", accept=AGGREGATED, fields=[
            "header(Content-Type)", "kind", "apiVersion",
            "items[metadata.name=apps].versions[*].version",
            "items[metadata.name=apps].versions[0].resources[resource=deployments]",
            "items[metadata.name=events.k8s.io].versions[0].resources",
            "items[metadata.name=coordination.k8s.io].versions[0].resources"]),
        get("apis-aggregated-v2beta1", "/apis",
            accept="application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
            fields=["header(Content-Type)", "kind", "apiVersion"]),
        get("apis-aggregated-fallback", "/apis",
            accept=AGGREGATED + ",application/json", fields=["header(Content-Type)", "kind"]),
        get("apis-unknown-accept-version", "/apis",
            accept="application/json;g=apidiscovery.k8s.io;v=v9;as=APIGroupDiscoveryList",
            fields=["header(Content-Type)", "kind"]),
    ], description="aggregated discovery (apidiscovery.k8s.io/v2)"))

    out.append(scenario("openapi-v3", "discovery", [
        get("root", "/openapi/v3", fields=['has(paths["api/v1"])', 'has(paths["apis/apps/v1"])',
                                           'has(paths["apis/events.k8s.io/v1"])', 'has(paths["apis/coordination.k8s.io/v1"])',
                                           'paths["api/v1"].serverRelativeURL', "header(Content-Type)"]),
        get("core-v1", "/openapi/v3/api/v1", fields=[
            "openapi", "info.title", "info.version",
            'components.schemas["io.k8s.api.core.v1.ConfigMap"]["x-kubernetes-group-version-kind"]',
            'sorted(keys(components.schemas["io.k8s.api.core.v1.ConfigMap"].properties))',
            'sorted(keys(components.schemas["io.k8s.api.core.v1.Secret"].properties))',
            'components.schemas["io.k8s.api.core.v1.Secret"].properties.data.type',
            'has(paths["/api/v1/namespaces/{namespace}/configmaps/{name}"])',
            'sorted(keys(paths["/api/v1/namespaces/{namespace}/configmaps/{name}"]))']),
        get("apps-v1", "/openapi/v3/apis/apps/v1", fields=[
            'components.schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]',
            'has(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"])']),
        get("unknown-group-version", "/openapi/v3/apis/conf-nothing.example.com/v1"),
        get("openapi-v2", "/openapi/v2", fields=["swagger", "header(Content-Type)"], timeout=60),
    ], description="OpenAPI v3 documents of built-in groups"))

    out.append(scenario("version-health", "discovery", [
        get("version", "/version", fields=["major", "minor", "gitVersion", "gitTreeState", "platform", "compiler",
                                           "emulationMajor", "emulationMinor"]),
        get("healthz", "/healthz", fields=["header(Content-Type)", "body()"]),
        get("readyz", "/readyz", fields=["header(Content-Type)", "body()"]),
        get("livez", "/livez", fields=["header(Content-Type)", "body()"]),
        get("readyz-verbose", "/readyz", query={"verbose": "true"}, fields=["header(Content-Type)"]),
        get("unknown-path", "/nonsense"),
    ], description="/version and health endpoints"))
    return out


# --- ServiceAccount tokens ----------------------------------------------------------------

def token_scenarios():
    ns = "conf-tokens"
    sa = ns_path(ns, "serviceaccounts")
    tr = "/apis/authentication.k8s.io/v1/tokenreviews"

    def review(token_var, audiences=None):
        spec = {"token": "${%s}" % token_var}
        if audiences:
            spec["audiences"] = audiences
        return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec}
    rev_fields = ["kind", "apiVersion", "status.authenticated", "status.user.username", "status.user.groups",
                  "status.user.uid", "status.audiences", "status.error", "keys(status.user.extra)"]
    return [scenario("token-request-review", "tokens", [
        create_namespace(ns),
        post("create-service-account", sa, {"apiVersion": "v1", "kind": "ServiceAccount",
                                            "metadata": {"name": "robot"}}),
        post("token-default", sa + "/robot/token", {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                    "spec": {}},
             fields=["kind", "apiVersion", "metadata.name", "metadata.namespace", "spec", "status"],
             capture={"tok": "status.token"}),
        post("token-audience", sa + "/robot/token", {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                     "spec": {"audiences": ["vault"], "expirationSeconds": 600}},
             fields=["spec", "status"], capture={"vault_tok": "status.token"}),
        post("token-too-short", sa + "/robot/token", {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                                      "spec": {"expirationSeconds": 599}}),
        post("token-missing-service-account", sa + "/nobody/token",
             {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}),
        post("token-wrong-kind", sa + "/robot/token", {"apiVersion": "v1", "kind": "ConfigMap", "spec": {}}),
        post("review-valid", tr, review("tok"), fields=rev_fields),
        post("review-audience-match", tr, review("vault_tok", ["vault"]), fields=rev_fields),
        post("review-audience-mismatch", tr, review("vault_tok"), fields=rev_fields),
        post("review-garbage", tr, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                    "spec": {"token": "garbage"}}, fields=rev_fields),
        post("review-empty", tr, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {}}),
        get("use-token", ns_path(ns), as_="tok"),
        get("use-audience-token", ns_path(ns), as_="vault_tok"),
        delete("delete-service-account", sa + "/robot"),
        post("review-after-delete", tr, review("tok"), fields=rev_fields,
             poll={"until": {"field": "status.authenticated", "absent": True}, "timeout": 30}),
        get("use-token-after-delete", ns_path(ns), as_="tok", poll={"until": {"status": 401}, "timeout": 30}),
    ], namespaces=[ns], description="TokenRequest and TokenReview (authentication.k8s.io/v1)")]


# --- patch types ------------------------------------------------------------------------

def patch_scenarios():
    ns = "conf-patch"
    c = ns_path(ns)
    return [scenario("patch-types", "patch", [
        create_namespace(ns),
        post("create", c, cm("p", {"a": "1", "b": "2"}, labels={"l1": "x", "l2": "y"})),
        patch("merge-null-deletes", c + "/p", {"data": {"a": None}, "metadata": {"labels": {"l1": None}}},
              fields=["data", "metadata.labels"]),
        patch("merge-replace-map", c + "/p", {"data": {"c": "3"}}, fields=["data"]),
        patch("json-add-map", c + "/p", [{"op": "add", "path": "/metadata/annotations", "value": {"k": "v"}}],
              ct=CT_JSONPATCH, fields=["metadata.annotations"]),
        patch("json-escaped-key", c + "/p", [{"op": "add", "path": "/metadata/annotations/example.com~1key",
                                              "value": "slash"}], ct=CT_JSONPATCH, fields=["metadata.annotations"]),
        patch("json-move-copy", c + "/p", [{"op": "copy", "from": "/data/b", "path": "/data/b2"},
                                           {"op": "move", "from": "/data/c", "path": "/data/c2"}],
              ct=CT_JSONPATCH, fields=["data"]),
        patch("json-test-pass", c + "/p", [{"op": "test", "path": "/data/b", "value": "2"},
                                           {"op": "replace", "path": "/data/b", "value": "20"}],
              ct=CT_JSONPATCH, fields=["data"]),
        patch("json-remove-missing", c + "/p", [{"op": "remove", "path": "/data/nope"}], ct=CT_JSONPATCH),
        patch("json-empty", c + "/p", [], ct=CT_JSONPATCH, fields=["data"]),
        patch("strategic-finalizers-merge", c + "/p", {"metadata": {"finalizers": ["conf.example.com/a"]}},
              ct=CT_STRATEGIC, fields=["metadata.finalizers"]),
        patch("strategic-finalizers-append", c + "/p", {"metadata": {"finalizers": ["conf.example.com/b"]}},
              ct=CT_STRATEGIC, fields=["metadata.finalizers"]),
        patch("strategic-delete-from-list", c + "/p",
              {"metadata": {"$deleteFromPrimitiveList/finalizers": ["conf.example.com/a"]}},
              ct=CT_STRATEGIC, fields=["metadata.finalizers"]),
        patch("merge-finalizers-replace", c + "/p", {"metadata": {"finalizers": []}}, fields=["metadata.finalizers"]),
        patch("strategic-unknown-directive", c + "/p", {"$patch": "explode"}, ct=CT_STRATEGIC),
        patch("merge-change-name", c + "/p", {"metadata": {"name": "renamed"}}),
        patch("merge-change-uid", c + "/p", {"metadata": {"uid": "44444444-4444-4444-4444-444444444444"}},
              fields=["data"]),
        patch("merge-empty", c + "/p", {}, fields=["data"]),
        get("final", c + "/p", fields=["data", "metadata.labels", "metadata.annotations", "metadata.finalizers"]),
    ], namespaces=[ns], description="merge, JSON and strategic merge patch semantics")]


def scenarios():
    return (core_scenarios() + error_scenarios() + crd_scenarios() + watch_scenarios() + list_scenarios()
            + delete_scenarios() + dry_run_scenarios() + ssa_scenarios() + rbac_scenarios() + event_scenarios()
            + discovery_scenarios() + token_scenarios() + patch_scenarios())
