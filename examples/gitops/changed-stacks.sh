#!/usr/bin/env bash
# The stacks a pipeline run is about, one name a line (the pipelines of this folder use it).
#   changed-stacks.sh [--all] [--json]   list them (--json: as a JSON list, for a job matrix)
#   changed-stacks.sh --has STACK        exit 0 when STACK is one of them, 1 when not
# Which stacks:
#   DIDWW_IAC_STACKS set   exactly those (space-separated): a manual run, or a test
#   --all                  every stacks/*.yaml (the scheduled drift check)
#   otherwise              every stacks/*.yaml added or changed between the commit
#                          DIDWW_IAC_DIFF_BASE (the merge request's base, or the commit before the
#                          push) and HEAD; every stack when there is no such commit in the clone
#                          (a new branch, a shallow clone): applying an unchanged stack is a no-op.
# The `local` stack (the embedded emulator) is never listed, nor is a deleted stack file: `up`
# of a stack whose file is gone is refused, so a stack is retired with `didww-iac destroy` first.
set -euo pipefail
cd "$(dirname "$0")/../.."   # the repository's root

all=false json=false has=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --all) all=true ;;
    --json) json=true ;;
    --has) has=${2:?--has needs a stack name}; shift ;;
    *) echo "usage: $0 [--all] [--json] | --has STACK" >&2; exit 2 ;;
  esac
  shift
done

every_stack() {
  local file
  for file in stacks/*.yaml; do
    [ -e "$file" ] && basename "$file" .yaml
  done
}

if [ -n "${DIDWW_IAC_STACKS+set}" ]; then
  read -ra given <<<"$DIDWW_IAC_STACKS"
  found=$(printf '%s\n' "${given[@]}")
elif $all; then
  found=$(every_stack)
elif [ -n "${DIDWW_IAC_DIFF_BASE:-}" ] && git cat-file -e "${DIDWW_IAC_DIFF_BASE}^{commit}" 2>/dev/null; then
  # Added, copied, modified or renamed (not deleted) top-level stack files.
  found=$(git diff --name-only --diff-filter=ACMR "$DIDWW_IAC_DIFF_BASE" HEAD -- 'stacks/*.yaml' |
    sed -n 's|^stacks/\([^/]*\)\.yaml$|\1|p')
else
  echo "changed-stacks: no base commit to compare with (DIDWW_IAC_DIFF_BASE='${DIDWW_IAC_DIFF_BASE:-}'): every stack" >&2
  found=$(every_stack)
fi
[ -n "${DIDWW_IAC_STACKS+set}" ] || found=$(grep -vx 'local' <<<"$found" || true)
mapfile -t stacks < <(grep -v '^$' <<<"$found" | sort -u)

for stack in "${stacks[@]}"; do
  # Names go into job names, file names and JSON as they are: keep them plain.
  [[ "$stack" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "changed-stacks: not a stack name: '$stack'" >&2; exit 2; }
done

if [ -n "$has" ]; then
  for stack in "${stacks[@]}"; do
    [ "$stack" != "$has" ] || exit 0
  done
  exit 1
elif $json; then
  sep=""
  printf '['
  for stack in "${stacks[@]}"; do printf '%s"%s"' "$sep" "$stack"; sep=", "; done
  printf ']\n'
elif [ "${#stacks[@]}" -gt 0 ]; then
  printf '%s\n' "${stacks[@]}"
fi
