#!/bin/sh
# `npm run gpu:sim`: runs the packed .gpu/ the way the GPU machine will, here on SwiftShader, so the
# one device call is tested before it costs device time: from a copy outside the repo (no
# node_modules reachable), with a PATH that holds no node (the carried binary must do), on tiny
# settings. Checks the refusal of a software adapter, the benchmark, the train CLI's two data paths,
# and the unpacking of the Vulkan loader.
# Extra arguments replace the benchmark's tiny settings.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$ROOT/.gpu/run.mjs" ] || { echo "gpu:sim: no .gpu/run.mjs: run npm run gpu:pack first" >&2; exit 1; }
SIM=$(mktemp -d "${TMPDIR:-/tmp}/tabtune-gpu-sim.XXXXXX")
mkdir -p "$SIM/repo" "$SIM/bin" "$SIM/tmp"
cp -r "$ROOT/.gpu" "$SIM/repo/.gpu"
# Only what gpu-run.sh calls; no node.
for tool in sh gzip mkdir chmod cp dirname id grep cat; do ln -s "$(command -v "$tool")" "$SIM/bin/$tool"; done
ln -s /sbin/ldconfig "$SIM/bin/ldconfig"

run() {
  (cd "$SIM/repo" && env -i PATH="$SIM/bin" HOME="$SIM" TMPDIR="$SIM/tmp" OUT="$SIM/out" sh .gpu/gpu-run.sh "$@")
}
fail() {
  echo "gpu:sim: FAILED: $1 (files in $SIM)" >&2
  exit 1
}

if (cd "$SIM/repo" && env -i PATH="$SIM/bin" sh -c 'command -v node') >/dev/null; then fail 'node is on the simulated PATH'; fi
echo "gpu:sim: in $SIM/repo, PATH=$SIM/bin (no node there), no node_modules above it"

echo "gpu:sim: 1. a software adapter is refused without --allow-software"
set +e
run --models tiny-cnn >"$SIM/refusal.log" 2>&1
code=$?
set -e
[ "$code" -ne 0 ] && grep -q 'refusing to measure on' "$SIM/refusal.log" || fail "no refusal (exit $code)"
grep 'refusing' "$SIM/refusal.log"

echo "gpu:sim: 2. the benchmark, tiny"
if [ "$#" -eq 0 ]; then set -- --models resnet9 --width 0.125 --batch 8 --steps 1 --repetitions 1 --warmup 1; fi
run --allow-software --budget-s 400 "$@" || fail 'the benchmark'
grep -q '"status": "measured"' "$SIM/out/summary.json" || fail 'no model measured'

echo "gpu:sim: 3. the train CLI on synthetic data, and its folder loader (bundled: it must say there is no data)"
run train -- --model tiny-cnn --data synthetic --width 4 --epochs 1 --train-size 16 --val-size 8 --batch 8 >"$SIM/train.log" 2>&1 || { cat "$SIM/train.log"; fail 'train on synthetic data'; }
grep -E '^(Model|Images/s)' "$SIM/train.log"
set +e
run train -- --model tiny-cnn --data "$SIM/no-such-folder" --epochs 1 >"$SIM/train-folder.log" 2>&1
set -e
grep -q 'no CIFAR-10 data found' "$SIM/train-folder.log" || { cat "$SIM/train-folder.log"; fail 'the folder loader'; }
grep 'no CIFAR-10 data found' "$SIM/train-folder.log"

echo "gpu:sim: 4. with no Vulkan loader, gpu-run.sh unpacks .gl's debs into / (dpkg and ldconfig faked here: this machine's / stays as it is)"
mkdir -p "$SIM/fake" "$SIM/repo/.gl"
: >"$SIM/repo/.gl/libvulkan1_test_amd64.deb"
printf '#!/bin/sh\necho "dpkg $*" >>"%s/dpkg.calls"\n' "$SIM" >"$SIM/fake/dpkg"
printf '#!/bin/sh\n[ "${1:-}" = -p ] || echo ldconfig >>"%s/dpkg.calls"\n' "$SIM" >"$SIM/fake/ldconfig"
chmod +x "$SIM/fake/dpkg" "$SIM/fake/ldconfig"
(cd "$SIM/repo" && env -i PATH="$SIM/fake:$SIM/bin" HOME="$SIM" TMPDIR="$SIM/tmp" OUT="$SIM/out" sh .gpu/gpu-run.sh train -- --help) >"$SIM/gl.log" 2>&1 || { cat "$SIM/gl.log"; fail 'gpu-run.sh with .gl'; }
if [ "$(id -u)" = 0 ]; then
  grep -q "dpkg -x $SIM/repo/.gl/libvulkan1_test_amd64.deb /" "$SIM/dpkg.calls" && grep -q '^ldconfig$' "$SIM/dpkg.calls" || fail 'the .gl debs were not unpacked'
  cat "$SIM/dpkg.calls"
fi
rm -r "$SIM/repo/.gl"

echo "gpu:sim: passed; the benchmark's files:"
ls -l "$SIM/out"
