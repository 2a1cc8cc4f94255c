#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/ from the repository's own inputs.

Run from anywhere: python3 fuzz/make_seeds.py (needs PyYAML). It replaces
fuzz/corpus/<target>/ entirely, so run it only to refresh the seeds on purpose
(and commit the result); scripts/fuzz never writes into the repository.

  expression     every when/unless/match of policies/ and samples/, and a
                 spread of the vendored cel-spec conformance expressions
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


def main():
    for target in ("expression", "policy_loader", "entity_file", "decision_api"):
        shutil.rmtree(CORPUS / target, ignore_errors=True)
    expression_seeds()
    policy_loader_seeds()
    entity_seeds()
    decision_api_seeds()
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
