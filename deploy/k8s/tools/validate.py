#!/usr/bin/env python3
"""Validates Kubernetes manifests offline, strictly.

Kubernetes kinds: against the schemas bundled in the PyPI package kubernetes-validate (strict mode: unknown
fields are errors). Custom kinds: against deploy/k8s/schemas/<kind>-<group>-<version>.json. A kind with no
schema is an error, not a warning. Prints one JSON object per document; exits 1 if any document is invalid.

usage: validate.py [--kubernetes-version 1.33] FILE... ('-' reads stdin, e.g. the output of kustomize build)
"""
import argparse
import json
import os
import re
import sys

import jsonschema
import kubernetes_validate.utils as kv
import yaml

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'schemas')


def schema_file(doc):
    api = re.sub(r'^([^./]*)(?:\.[^/]*)?/', r'\1-', doc.get('apiVersion', ''))
    return os.path.join(SCHEMA_DIR, '%s-%s.json' % (str(doc.get('kind', '')).lower(), api))


def check(doc, version):
    if not isinstance(doc, dict) or 'apiVersion' not in doc or 'kind' not in doc:
        return 'not a Kubernetes object (apiVersion and kind are required)'
    custom = schema_file(doc)
    try:
        if os.path.exists(custom):
            with open(custom) as f:
                jsonschema.Draft202012Validator(json.load(f)).validate(doc)
        else:
            kv.validate(doc, version, strict=True)
    except jsonschema.ValidationError as e:
        where = '.'.join(str(p) for p in e.absolute_path) or '(root)'
        return '%s: %s' % (where, e.message)
    except kv.SchemaNotFoundError as e:
        return e.message
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--kubernetes-version', default='1.33')
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()
    failed = 0
    for name in args.files:
        text = sys.stdin.read() if name == '-' else open(name).read()
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as e:
            print(json.dumps({'file': name, 'error': 'YAML: %s' % e}))
            failed += 1
            continue
        for doc in docs:
            error = check(doc, args.kubernetes_version)
            meta = doc.get('metadata') or {} if isinstance(doc, dict) else {}
            print(json.dumps({'file': name, 'kind': doc.get('kind') if isinstance(doc, dict) else None,
                              'name': meta.get('name') if isinstance(meta, dict) else None, 'error': error}))
            failed += error is not None
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
