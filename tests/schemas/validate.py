#!/usr/bin/env python3
"""Validates govgate YAML files against the JSON Schemas in schemas/.

usage: validate.py [--schemas DIR] FILE...

Each document is read as govgate reads it (the YAML 1.2 core schema: `yes`
and `on` stay strings, dates stay strings) and validated with
python3-jsonschema (Draft 7) against the schema its `kind` names; a document
without a kind (a partial facts file) uses the file's
`# yaml-language-server: $schema=...` modeline, which must otherwise name
the same schema as the kind. Prints "ok FILE" or "invalid FILE: ..." per
file; exits 0 when every file is valid, 1 otherwise, 2 on a usage error.
"""
import json
import os
import re
import sys

import jsonschema
import yaml

KINDS = {
    "RuleSet": "policy.schema.json",
    "Policy": "policy.schema.json",
    "DeploymentPlan": "plan.schema.json",
    "Facts": "facts.schema.json",
    "PolicyTest": "policy-test.schema.json",
}
MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


class CoreLoader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema instead of YAML 1.1's."""


CoreLoader.yaml_implicit_resolvers = {}
for tag, rx, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+.0123456789")),
]:
    CoreLoader.add_implicit_resolver(tag, re.compile(rx), first)


def construct_int(loader, node):
    s = loader.construct_scalar(node)
    if s.startswith("0o"):
        return int(s[2:], 8)
    if s.startswith("0x"):
        return int(s[2:], 16)
    return int(s, 10)


def construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", construct_bool)


def modeline(path, text):
    for line in text.splitlines():
        m = MODELINE.match(line)
        if m:
            return os.path.normpath(os.path.join(os.path.dirname(path), m.group(1)))
    return None


def check_file(path, schema_dir, cache):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    mode = modeline(path, text)
    if mode and not os.path.exists(mode):
        return ["the modeline names %s, which does not exist" % mode]
    problems = []
    docs = [d for d in yaml.load_all(text, Loader=CoreLoader)]
    if not docs:
        return ["no document"]
    for i, doc in enumerate(docs, 1):
        where = "document %d: " % i if len(docs) > 1 else ""
        kind = doc.get("kind") if isinstance(doc, dict) else None
        name = KINDS.get(kind) if isinstance(kind, str) else None
        schema_path = os.path.join(schema_dir, name) if name else mode
        if not schema_path:
            problems.append("%sno kind and no modeline: which schema?" % where)
            continue
        if name and mode and os.path.realpath(mode) != os.path.realpath(schema_path):
            problems.append("%sthe modeline names %s, but kind %s is %s"
                            % (where, mode, kind, name))
        if schema_path not in cache:
            with open(schema_path, encoding="utf-8") as f:
                cache[schema_path] = jsonschema.Draft7Validator(json.load(f))
        for e in sorted(cache[schema_path].iter_errors(doc), key=lambda e: list(e.path)):
            loc = "/".join(str(p) for p in e.path) or "(root)"
            problems.append("%s%s: %s" % (where, loc, e.message))
    return problems


def main(argv):
    schema_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas")
    files = argv[1:]
    if files[:1] == ["--schemas"] and len(files) >= 2:
        schema_dir, files = files[1], files[2:]
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cache, bad = {}, 0
    for path in files:
        try:
            problems = check_file(path, schema_dir, cache)
        except (OSError, yaml.YAMLError) as e:
            problems = ["cannot read: %s" % str(e).replace("\n", " ")]
        if problems:
            bad += 1
            print("invalid %s: %s" % (path, "; ".join(problems)))
        else:
            print("ok %s" % path)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
