#!/usr/bin/env python3
"""Validates policy YAML documents against docs/policy.schema.json.

usage: validate_policy_schema.py SCHEMA PATH...

Each PATH is a policy file or a directory searched recursively for *.yaml and
*.yml files, skipping what the loader skips (decision fixtures *_test.yaml and
entity files *entities.yaml). Every document is converted to JSON and
validated; every error is printed as `file: document N: /json/path: message`.
Exits 0 when all documents are valid, 1 otherwise, 2 on unusable input.

YAML is read with the YAML 1.2 core rules the loader (yaml-cpp) follows:
only true/false are booleans (`on:` is a key, not True) and dates stay
strings.
"""
import json
import os
import re
import sys

import jsonschema
import yaml


class CoreLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans and timestamps."""


CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def is_policy_file(path):
    stem, ext = os.path.splitext(os.path.basename(path))
    return ext in (".yaml", ".yml") and not stem.endswith("_test") \
        and not stem.endswith("entities")


def policy_files(path):
    if os.path.isfile(path):
        return [path]
    found = []
    for root, _, names in os.walk(path):
        found += [os.path.join(root, n) for n in names if is_policy_file(n)]
    return sorted(found)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    files = [p for path in argv[2:] for p in policy_files(path)]
    if not files:
        print("no policy files found", file=sys.stderr)
        return 2
    errors = documents = 0
    for path in files:
        with open(path) as f:
            try:
                loaded = list(yaml.load_all(f, Loader=CoreLoader))
            except yaml.YAMLError as e:
                print(f"{path}: invalid YAML: {e}")
                errors += 1
                continue
        for index, doc in enumerate(loaded, start=1):
            if doc is None:
                continue
            documents += 1
            # What the editor sees: the document as JSON.
            doc = json.loads(json.dumps(doc))
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                where = "/" + "/".join(str(p) for p in error.absolute_path)
                print(f"{path}: document {index}: {where}: {error.message}")
                errors += 1
    print(f"validated {documents} documents in {len(files)} files: {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
