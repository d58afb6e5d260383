#!/bin/sh
# On the GPU machine, which has no Node: unpacks the Node binary and Dawn that `npm run gpu:pack`
# put beside this script into a scratch folder, makes the Vulkan loader and the NVIDIA driver
# visible to Dawn, and runs the bundle: `sh .gpu/gpu-run.sh [gpu|bench --|train --] [flags]`.
# Results go to $OUT (the device tool's folder), else ./gpu-out.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${TABTUNE_GPU_WORK:-${TMPDIR:-/tmp}/tabtune-gpu}
GL=${TABTUNE_GL_DIR:-$PWD/.gl}
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json

# Dawn opens libvulkan.so.1 at run time; that machine's image has none unless the .gl debs are unpacked.
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
if ! "$LDCONFIG" -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ -d "$GL" ] && [ "$(id -u)" = 0 ]; then
    echo "gpu-run: unpacking the Vulkan loader from $GL"
    for f in "$GL"/*.deb; do dpkg -x "$f" /; done
    "$LDCONFIG"
  else
    echo "gpu-run: no libvulkan.so.1 and no $GL to unpack (see docs/PERFORMANCE.md, On a GPU); Dawn will find no adapter" >&2
  fi
fi
# The driver's manifest lives outside the loader's search path there.
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES="$NVIDIA_ICD"
fi

# The bundle loads dawn.node from dist/<platform>-<arch>/ beside itself, as the webgpu package does.
mkdir -p "$WORK/dist/linux-x64"
gzip -dc "$HERE/node.gz" >"$WORK/node"
chmod +x "$WORK/node"
gzip -dc "$HERE/dawn.node.gz" >"$WORK/dist/linux-x64/dawn.node"
cp "$HERE/run.mjs" "$WORK/run.mjs"

export OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1 || true; fi
echo "gpu-run: node $("$WORK/node" --version) from $WORK/node; VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}; OUT=$OUT"
exec "$WORK/node" "$WORK/run.mjs" "$@"
