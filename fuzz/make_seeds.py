#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/ from the repository's own inputs.

Run from anywhere: python3 fuzz/make_seeds.py (needs PyYAML). It replaces
fuzz/corpus/<target>/ entirely, so run it only to refresh the seeds on purpose
(and commit the result); scripts/fuzz never writes into the repository.
Name targets to refresh only those: python3 fuzz/make_seeds.py expression.

  expression     every when/unless/match of policies/ and samples/, a
                 spread of the vendored cel-spec conformance expressions, and
                 the extension libraries over the fuzzer's fixed request
  policy_loader  every policy file, each pack's files joined into one input
                 ("#--file--" separates them), and tests/dsl/testdata/broken
  entity_file    every entities.yaml, and each as JSON
  decision_api   every route; decision bodies built from the packs'
                 decision fixtures (native, batch, allowed-actions, AuthZEN)
"""
import hashlib
import json
import pathlib
import shutil
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
PACKS = [ROOT / "policies"] + sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir())
FILE_SEPARATOR = "\n#--file--\n"
# The order of DecisionApi::Routes() (server/decision_api.cc); the fuzzer reads
# the first byte modulo the route count plus three paths that match none.
ROUTES = ["/v1/check", "/v1/allowed-actions", "/access/v1/evaluation", "/access/v1/evaluations",
          "/.well-known/authzen-configuration", "/v1/policies", "/v1/policies/reload",
          "/healthz", "/readyz", "/metrics", "/v1/openapi.json"]
MAX_CONFORMANCE = 220
# CEL's extension libraries over the fuzzer's request (fuzz/expression_fuzzer.cc
# binds a user and an organization of policies/ and a small context), so that
# mutations start from optionals, bindings and the extension functions applied
# to real attributes rather than only to the conformance files' literals.
EXTENSION_SEEDS = [
    "resource.?deleted.orValue(false)",
    "!principal.?deleted.orValue(false) && principal.?status.orValue('') == 'active'",
    "context.?nested.?k[?2].?x.hasValue()",
    "context.nested[?'k'].orValue([]).size() == 3",
    "context.tags[?5].or(optional.of('z')).value() == 'z'",
    "optional.ofNonZeroValue(context.ip).hasValue() && optional.none().orValue(1) == 1",
    "cel.bind(r, principal.roles, cel.bind(r, r.size(), r > 0))",
    "cel.bind(t, context.tags, t.map(t, t + '!').join(','))",
    "math.greatest(context.attempts, 2, 1) == 3 && math.least([context.score, 1.0]) == 0.5",
    "math.greatest([]) == 0 || math.abs(-9223372036854775807 - 1) == 0",
    "math.bitShiftLeft(context.attempts, 62) < 0 && math.round(context.score) == 1.0",
    "context.ip.charAt(3) == '.' && context.ip.indexOf('.', 4) == 5",
    "'ta©o©'.lastIndexOf('©') == 4 && '日本語'.substring(1).reverse() == '語本'",
    "context.ip.split('.').map(p, int(p)).sort() == [0, 2, 7, 192]",
    "'%s has %d tags, %.2f %x %o %b %e'.format([principal.email, size(context.tags), "
    "context.score, 255, 8, 5, 1e3])",
    "strings.quote(context.ip + '\\n\"') != '' && '  x '.trim() == 'x'",
    "context.tags.join('-').replace('-', '+', 1).upperAscii() == 'A+B'",
    "[context.tags, [1, [2, [3]]]].flatten(2).distinct().size() > 0",
    "[1, 'a', 2.0].sort() == [] || lists.range(context.attempts).slice(1, 3) == [1, 2]",
    "sets.contains(principal.roles, ['x']) || sets.intersects(context.tags, ['b']) && "
    "sets.equivalent([1, 1], [1])",
    "base64.decode(base64.encode(bytes(context.ip))) == bytes(context.ip)",
    "base64.decode('aGVsbG8') == b'hello' && base64.decode('a===') == b''",
    "resource.?name.optMap(n, n.size()).orValue(0) >= 0",
    "context.?nested.optFlatMap(n, n[?'k']).hasValue()",
]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def policy_files(pack):
    return sorted(p for p in pack.rglob("*.y*ml")
                  if not p.name.endswith("_test.yaml") and "entities" not in p.name)


def expressions_in(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("when", "unless", "match") and isinstance(v, str):
                yield v
            else:
                yield from expressions_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from expressions_in(v)


def expression_seeds():
    for pack in PACKS:
        for f in policy_files(pack):
            for doc in yaml.safe_load_all(f.read_text()):
                for e in expressions_in(doc):
                    write("expression", e)
    exprs = []
    for f in sorted((ROOT / "tests" / "conformance" / "testdata").glob("*.json")):
        exprs += [t["expr"] for t in json.loads(f.read_text())["tests"]]
    exprs = sorted(set(exprs))
    step = max(1, len(exprs) // MAX_CONFORMANCE)
    for e in exprs[::step]:
        write("expression", e)
    for e in EXTENSION_SEEDS:
        write("expression", e)


def policy_loader_seeds():
    for pack in PACKS:
        files = policy_files(pack)
        for f in files:
            write("policy_loader", f.read_text())
        write("policy_loader", FILE_SEPARATOR.join(f.read_text() for f in files))
    broken = sorted((ROOT / "tests" / "dsl" / "testdata" / "broken").rglob("*.y*ml"))
    write("policy_loader", FILE_SEPARATOR.join(f.read_text() for f in broken))


def entity_seeds():
    for pack in PACKS:
        for f in sorted(pack.rglob("*entities.y*ml")):
            text = f.read_text()
            write("entity_file", text)
            write("entity_file", json.dumps(yaml.safe_load(text), default=str))


def http_input(route, body, method=0, flags=0):
    return bytes([ROUTES.index(route), method, flags]) + json.dumps(body, default=str).encode()


def fixture_requests(pack):
    """(principal, resource, context, actions) of every case of a pack's fixtures."""
    for f in sorted(pack.rglob("*_test.yaml")):
        suite = yaml.safe_load(f.read_text())
        principals, resources = suite.get("principals", {}), suite.get("resources", {})
        for case in suite.get("cases", []):
            principal, resource = case.get("principal"), case.get("resource")
            if isinstance(principal, str):
                principal = principals.get(principal)
            if isinstance(resource, str):
                resource = resources.get(resource)
            context = dict(suite.get("context") or {})
            context.update(case.get("context") or {})
            actions = list((case.get("expect") or {}).keys())
            if isinstance(principal, dict) and isinstance(resource, dict) and actions:
                yield principal, resource, context, actions


def decision_api_seeds():
    for route in ROUTES[4:]:
        write("decision_api", http_input(route, {}))
    write("decision_api", http_input("/v1/policies/reload", {}, 0, 0b0100))  # right token
    for pack in PACKS:
        cases = list(fixture_requests(pack))
        for principal, resource, context, actions in cases[:8]:
            check = {"principal": principal, "resource": resource, "context": context,
                     "actions": actions}
            write("decision_api", http_input("/v1/check", check))
            write("decision_api", http_input("/v1/allowed-actions",
                                             {k: v for k, v in check.items() if k != "actions"}))
            subject = {"type": "user", "id": principal.get("id"),
                       "properties": {k: v for k, v in principal.items() if k != "id"}}
            res = {"type": resource.get("kind", "organization"), "id": resource.get("id"),
                   "properties": {k: v for k, v in resource.items() if k not in ("id", "kind")}}
            write("decision_api", http_input("/access/v1/evaluation", {
                "subject": subject, "resource": res, "action": {"name": actions[0]},
                "context": context}))
            write("decision_api", http_input("/access/v1/evaluations", {
                "subject": subject, "resource": res, "context": context,
                "evaluations": [{"action": {"name": a}} for a in actions],
                "options": {"evaluations_semantic": "deny_on_first_deny"}}))
        batch = [{"principal": p, "resource": r, "context": c, "actions": a}
                 for p, r, c, a in cases[:20]]
        if batch:
            write("decision_api", http_input("/v1/check", {"checks": batch}))


SEEDS = {"expression": expression_seeds, "policy_loader": policy_loader_seeds,
         "entity_file": entity_seeds, "decision_api": decision_api_seeds}


def main(targets):
    for target in targets:
        if target not in SEEDS:
            sys.exit(f"make_seeds.py: no target {target!r}; the targets are {', '.join(SEEDS)}")
    for target in targets:
        shutil.rmtree(CORPUS / target, ignore_errors=True)
        SEEDS[target]()
    for d in sorted(CORPUS / t for t in targets):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:] or list(SEEDS))
