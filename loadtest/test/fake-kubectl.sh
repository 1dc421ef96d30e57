#!/usr/bin/env bash
# A stand-in for kubectl, for the offline tests of loadtest/run-testrun.sh: no cluster.
# Every call is appended to $FAKE_KUBE_DIR/calls.log; what `apply -f -` reads is kept in
# $FAKE_KUBE_DIR/applied-N.yaml. The TestRun goes through the stages in $FAKE_STAGES (comma-
# separated, one per `get testrun`, the last one repeats); its runner pod logs $FAKE_RUNNER_LOG.
set -euo pipefail
dir="${FAKE_KUBE_DIR:?}"
echo "$*" >>"$dir/calls.log"

case "${1:-} ${2:-}" in
  "get crd")
    exit 0
    ;;
  "create configmap")
    from_file=""
    for arg in "$@"; do
      case "$arg" in --from-file=*) from_file="${arg#--from-file=}" ;; esac
    done
    [[ -r "${from_file#*=}" ]] || { echo "fake kubectl: cannot read ${from_file#*=}" >&2; exit 1; }
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  %s: (%s bytes)\n' \
      "$3" "${from_file%%=*}" "$(wc -c <"${from_file#*=}")"
    ;;
  "apply --namespace")
    n=0
    for existing in "$dir"/applied-*.yaml; do [[ -e "$existing" ]] && n=$((n + 1)); done
    cat >"$dir/applied-$n.yaml"
    echo "applied"
    ;;
  "get testrun")
    count=$(cat "$dir/stage-count" 2>/dev/null || echo 0)
    echo $((count + 1)) >"$dir/stage-count"
    IFS=, read -r -a stages <<<"${FAKE_STAGES:-finished}"
    index=$((count < ${#stages[@]} ? count : ${#stages[@]} - 1))
    printf '%s' "${stages[$index]}"
    ;;
  "get pods")
    selector=""
    while [[ $# -gt 0 ]]; do
      if [[ "$1" == -l ]]; then selector="$2"; fi
      shift
    done
    name="${selector#*k6_cr=}"
    name="${name%%,*}"
    printf '%s-1 Running\n' "$name"
    ;;
  "logs --follow")
    printf '%b' "${FAKE_RUNNER_LOG:-}"
    ;;
  "describe testrun")
    echo "Stage: error"
    ;;
  *)
    echo "fake kubectl: unexpected call: $*" >&2
    exit 1
    ;;
esac
