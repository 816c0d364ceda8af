#!/usr/bin/env bash
# Posts a Markdown file as a note (comment) on the merge request of this GitLab pipeline, through
# GitLab's API. GITLAB_API_TOKEN: a project access token (scope `api`, role Reporter) kept as a
# masked CI/CD variable; the job token (CI_JOB_TOKEN) may not write notes.
#   gitlab-note.sh FILE     a missing or empty FILE posts nothing (the job stopped before a plan)
set -euo pipefail
file=${1:?usage: gitlab-note.sh FILE}
if [ ! -s "$file" ]; then
  echo "gitlab-note: no $file, nothing to post"
  exit 0
fi
: "${GITLAB_API_TOKEN:?set GITLAB_API_TOKEN (a project access token with scope api) as a masked CI/CD variable}"
: "${CI_MERGE_REQUEST_IID:?not a merge request pipeline}"
curl --silent --show-error --fail --output /dev/null \
  --header "PRIVATE-TOKEN: $GITLAB_API_TOKEN" \
  --data-urlencode "body@$file" \
  "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
echo "gitlab-note: posted $file on merge request !$CI_MERGE_REQUEST_IID"
