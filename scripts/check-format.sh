#!/usr/bin/env bash
# Fails, naming the files, when a tracked C++ source is not clang-formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format}
bad=()
while IFS= read -r f; do
  "$clang_format" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cpp' '*.hpp')
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-formatted (run 'make format'):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "clang-format: all $(git ls-files '*.cpp' '*.hpp' | wc -l) files formatted"
