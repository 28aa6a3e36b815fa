#!/usr/bin/env bash
# Creates examples/python/.venv and installs the example's dependencies from requirements.txt.
# Re-running is cheap: pip skips what is already installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
  "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$here/.venv/bin/python" -c 'import confluent_kafka, fastavro; print("confluent-kafka", confluent_kafka.version()[0], "fastavro", fastavro.__version__)'
