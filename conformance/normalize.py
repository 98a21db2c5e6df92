"""Normalization of recorded and replayed responses: every rule in one place.

Two kinds of rule:

* PATH_RULES: a JSON path pattern (dot separated; `*` matches one key or list
  index, `**` any number of them, including none) and the mask its value gets.
  They are applied to the whole response body (and to every watch event's
  object) before fields are picked out of it.
* STRING_RULES: regular expressions applied to every string that is left
  (messages, annotations, causes...), so that a volatile value quoted inside a
  message is masked by the same rule as the field it came from.

Masks:

* ``uid``: the uid of an object the scenario has seen becomes ``<uid:Kind/name>``
  (the object it belongs to), so an ownerReference, a TokenReview's user uid or
  a precondition message that names it is still comparable; any other uid is
  ``<uid>``.
* ``rv``: ``<rv>`` (non-empty resourceVersions; an empty one stays empty).
* ``timestamp``: ``<timestamp>`` when set (null stays null).
* ``token``, ``continue``, ``opaque``: fixed placeholders when non-empty.
* a ``(regex, replacement)`` pair: ``re.sub`` on the value.
"""

import json
import re

# --- the rules ------------------------------------------------------------

PATH_RULES = [
    # object metadata, everywhere (objects, list items, watch events, Status details)
    ("**.metadata.uid", "uid"),
    ("**.metadata.resourceVersion", "rv"),
    ("**.metadata.creationTimestamp", "timestamp"),
    ("**.metadata.deletionTimestamp", "timestamp"),
    ("**.metadata.managedFields.*.time", "timestamp"),
    ("**.metadata.continue", "continue"),
    ("**.metadata.ownerReferences.*.uid", "uid"),
    ("details.uid", "uid"),
    # conditions of CRDs, Namespaces, custom resources
    ("**.conditions.*.lastTransitionTime", "timestamp"),
    ("**.conditions.*.lastUpdateTime", "timestamp"),
    ("**.conditions.*.lastHeartbeatTime", "timestamp"),
    # Events (core/v1 and events.k8s.io/v1)
    ("**.involvedObject.uid", "uid"),
    ("**.involvedObject.resourceVersion", "rv"),
    ("**.regarding.uid", "uid"),
    ("**.regarding.resourceVersion", "rv"),
    ("**.firstTimestamp", "timestamp"),
    ("**.lastTimestamp", "timestamp"),
    ("**.eventTime", "timestamp"),
    ("**.deprecatedFirstTimestamp", "timestamp"),
    ("**.deprecatedLastTimestamp", "timestamp"),
    ("**.series.lastObservedTime", "timestamp"),
    # Leases
    ("**.spec.acquireTime", "timestamp"),
    ("**.spec.renewTime", "timestamp"),
    # TokenRequest / TokenReview
    ("status.token", "token"),
    ("status.expirationTimestamp", "timestamp"),
    ("spec.token", "token"),
    ("status.user.uid", "uid"),
    ("status.user.extra.*", "opaque"),
    # /version: the patch release, commit and build of the server
    ("gitVersion", (r"^v(\d+)\.(\d+)\..*$", r"v\1.\2.<patch>")),
    ("gitCommit", "opaque"),
    ("buildDate", "timestamp"),
    ("goVersion", "opaque"),
    # discovery documents that carry a hash of their content
    ("**.storageVersionHash", "opaque"),
    ("paths.*.serverRelativeURL", (r"\?hash=[0-9A-F]+$", "?hash=<hash>")),
    # the address the server reports for itself
    ("serverAddressByClientCIDRs.*.serverAddress", "opaque"),
]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

STRING_RULES = [
    # a uid quoted in a message (preconditions, ownerReferences, ...)
    ("uid", re.compile(UUID)),
    # RFC 3339 times (with or without fractional seconds) quoted in a message
    ("sub", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"), "<timestamp>"),
    # JWTs (service account tokens) quoted anywhere
    ("sub", re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"), "<token>"),
    # resourceVersions in messages
    ("sub", re.compile(r"(too old resource version: )\d+ \(\d+\)"), r"\1<rv> (<rv>)"),
    ("sub", re.compile(r"(ResourceVersion in precondition: )\d+(, ResourceVersion in object meta: )\d+"), r"\1<rv>\2<rv>"),
    ("sub", re.compile(r"(current resource version: )\d+"), r"\1<rv>"),
    ("sub", re.compile(r"(the ResourceVersion in the precondition \()\d+(\) does not match the ResourceVersion in record \()\d+"),
     r"\1<rv>\2<rv>"),
    ("sub", re.compile(r"(Too large resource version: )\d+"), r"\1<rv>"),
    ("sub", re.compile(r"(Too large resource version: <rv>, current: )\d+"), r"\1<rv>"),
    ("sub", re.compile(r"(resourceVersion )\d+( is too)"), r"\1<rv>\2"),
    # Go pointer values printed in validation messages (%#v of a struct)
    ("sub", re.compile(r"\((\*[A-Za-z0-9_.]+)\)\(0x[0-9a-f]+\)"), r"(\1)(<pointer>)"),
    # the source file of the server's type scheme (a build path)
    ("sub", re.compile(r'(in scheme )"[^"]*"'), r'\1"<scheme>"'),
    # the credential id the authenticator adds to a user's extra
    ("sub", re.compile(r"JTI=[0-9a-f-]+"), "JTI=<id>"),
]

# Status causes are compared as a set: kube-apiserver lists the schema violations of a
# custom resource in Go map order, which changes from request to request. They are
# sorted (by field, message, reason), and an Invalid message that lists the same causes
# as "[field: message, ...]" is rewritten in that order.
SORT_CAUSES = True

PLACEHOLDERS = {"token": "<token>", "continue": "<continue>", "opaque": "<opaque>", "rv": "<rv>", "timestamp": "<timestamp>"}

GENERATED_SUFFIX = r"[a-z0-9]{5}"


SEP = "\x00"


def _pattern_regex(pattern):
    """`a.*.b` / `**.a` as a regex over paths joined with NUL (keys may hold dots)."""
    out = []
    parts = pattern.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append("(?:[^\x00]*\x00)*" if not last else ".*")
        elif part == "*":
            out.append("[^\x00]*" + ("" if last else "\x00"))
        else:
            out.append(re.escape(part) + ("" if last else "\x00"))
    return "".join(out)


_MASKS = [mask for _, mask in PATH_RULES]
_COMBINED = re.compile(
    "|".join("(?P<r%d>^%s$)" % (i, _pattern_regex(p)) for i, (p, _) in enumerate(PATH_RULES)), re.DOTALL)


def path_mask(path):
    """The mask of the first rule matching a path (tuple of keys and indexes), or None."""
    m = _COMBINED.match(SEP.join(str(p) for p in path))
    if not m:
        return None
    return _MASKS[int(m.lastgroup[1:])]


class Normalizer:
    """Normalizes the exchanges of one scenario run. It remembers which uid
    belongs to which object, so references stay comparable across steps."""

    def __init__(self, generate_name_prefixes=()):
        self.uid_names = {}
        # longest first, so "gen-a-" wins over "gen-"
        self.generated = [
            re.compile(re.escape(p) + GENERATED_SUFFIX + r"(?![a-z0-9])")
            for p in sorted(set(generate_name_prefixes), key=len, reverse=True)
        ]
        self.generated_prefixes = sorted(set(generate_name_prefixes), key=len, reverse=True)

    # -- learning which uid is whose -------------------------------------
    def learn(self, value, list_kind=None):
        """Walks a response body and remembers `uid -> Kind/name` of every object in it."""
        if isinstance(value, dict):
            meta = value.get("metadata")
            kind = value.get("kind") or list_kind
            if isinstance(meta, dict) and isinstance(meta.get("uid"), str) and meta.get("name") and kind:
                uid = meta["uid"]
                if uid not in self.uid_names:
                    self.uid_names[uid] = "<uid:%s/%s>" % (kind, self._mask_generated(meta["name"]))
            item_kind = None
            k = value.get("kind")
            if isinstance(k, str) and k.endswith("List"):
                item_kind = k[: -len("List")]
            for key in sorted(value):
                child = value[key]
                if key == "items":
                    self.learn(child, item_kind)
                elif key == "object":
                    self.learn(child)
                elif isinstance(child, (dict, list)) and key not in ("metadata",):
                    self.learn(child)
        elif isinstance(value, list):
            for child in value:
                self.learn(child, list_kind)

    # -- masking ---------------------------------------------------------
    def _uid(self, value):
        if not isinstance(value, str) or not value:
            return value
        return self.uid_names.get(value, "<uid>")

    def _mask_generated(self, s):
        for rx in self.generated:
            s = rx.sub(lambda m: m.group(0)[: -5] + "<gen>", s)
        return s

    def _mask(self, mask, value):
        if mask == "uid":
            return self._uid(value)
        if isinstance(mask, tuple):
            return re.sub(mask[0], mask[1], value) if isinstance(value, str) else value
        if value is None or value == "":
            return value
        if mask == "opaque" and isinstance(value, list):
            return ["<opaque>" for _ in value]
        return PLACEHOLDERS[mask]

    def string(self, s):
        for rule in STRING_RULES:
            if rule[0] == "uid":
                s = rule[1].sub(lambda m: self._uid(m.group(0)), s)
            else:
                s = rule[1].sub(rule[2], s)
        return self._mask_generated(s)

    def value(self, value, path=()):
        """Returns a normalized copy of a JSON value found at `path`."""
        if path:
            mask = path_mask(path)
            if mask is not None:
                value = self._mask(mask, value)
        if isinstance(value, dict):
            return {self._mask_generated(k) if self.generated else k: self.value(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.string(value)
        return value

    def body(self, body):
        """Learns the uids of a whole response body, then normalizes it."""
        self.learn(body)
        return self.value(body)

    def status_causes(self, message, causes):
        """Orders a Status' causes (and the list in its message) by rule SORT_CAUSES."""
        if not SORT_CAUSES or not isinstance(causes, list) or len(causes) < 2:
            return message, causes

        def key(c):
            return json.dumps([c.get("field"), c.get("message"), c.get("reason")]) if isinstance(c, dict) else json.dumps(c)

        def text(c):
            if not isinstance(c, dict):
                return None
            return ": ".join(x for x in (c.get("field"), c.get("message")) if x)
        ordered = sorted(causes, key=key)
        if isinstance(message, str) and message.endswith("]") and ": [" in message:
            listed = ", ".join(text(c) or "" for c in causes)
            head, sep, tail = message.rpartition("[" + listed + "]")
            if sep and not tail:
                message = head + "[" + ", ".join(text(c) or "" for c in ordered) + "]"
        return message, ordered
