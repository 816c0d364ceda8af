#!/usr/bin/env bash
# Runs a command, shows its output as it comes, and appends it to a Markdown file as a section (a
# heading, the outcome, the output in a code block): the plan of a pull request, in a GitHub job
# summary ($GITHUB_STEP_SUMMARY) or a GitLab merge request note. Exits with the command's status.
#   report.sh FILE TITLE COMMAND [ARG...]
set -euo pipefail
[ "$#" -ge 3 ] || { echo "usage: $0 FILE TITLE COMMAND [ARG...]" >&2; exit 2; }
markdown=$1 title=$2
shift 2
# GitHub keeps 1 MiB of summary per step and GitLab 1,000,000 characters per note: a longer
# output keeps its end (the totals, the errors); the job log has all of it.
max_bytes=${DIDWW_IAC_REPORT_MAX_BYTES:-200000}

log=$(mktemp)
trap 'rm -f "$log" "$log.md"' EXIT
status=0
"$@" 2>&1 | tee "$log" || status=$?   # pipefail: the command's status, not tee's

# Terminal colours and carriage returns out; the end of a long output only.
sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//' "$log" > "$log.md"
cut=""
if [ "$(wc -c < "$log.md")" -gt "$max_bytes" ]; then
  tail -c "$max_bytes" "$log.md" | tail -n +2 > "$log"   # from the first whole line
  mv "$log" "$log.md"
  cut="(the first part is cut here; the job log has all of it)"
fi
# A fence longer than any run of backticks in the output, so nothing in it ends the block.
longest=$( (grep -o '`*' "$log.md" || true) | awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }')
fence=$(printf '%*s' "$(( longest >= 3 ? longest + 1 : 3 ))" '' | tr ' ' '`')

if [ "$status" -eq 0 ]; then outcome="succeeded"; else outcome="**failed** (exit $status)"; fi
{
  printf '### %s\n\n' "$title"
  printf '%s%s%s: %s. %s\n\n' '`' "$*" '`' "$outcome" "$cut"
  printf '%stext\n' "$fence"
  cat "$log.md"
  printf '%s\n\n' "$fence"
} >> "$markdown"
exit "$status"
