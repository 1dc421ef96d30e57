#!/usr/bin/env bash
# Runs the flash-sale load test (loadtest/k6/flash-sale.js) in the cluster with the k6-operator.
#
#   loadtest/run-testrun.sh --namespace NS --show SHOW_ID --zone ZONE_ID [--target-rps N] [--timeout-seconds S]
#                           [--base-url URL] [--runner-image IMAGE] [--queue-event EVENT_ID] [--fail-on-thresholds]
#
# 1. creates or updates the ConfigMap flash-sale-script from loadtest/k6/flash-sale.js;
# 2. applies loadtest/k8s/testrun.yaml as a new TestRun flash-sale-<UTC time> with the show, zone,
#    rate and waiting-room event filled in (a finished TestRun is not started again, so every run
#    gets its own name); with --queue-event the buyers go through the event's waiting room;
# 3. polls .status.stage every 5 s until it is finished or error, for at most --timeout-seconds;
# 4. streams the runners' logs while they run (the operator deletes the pods at the end:
#    cleanup: post) and prints the end of each, k6's summary.
# Exit status: 0 when the TestRun finished, 1 on error or timeout, 2 on bad usage; with
# --fail-on-thresholds also 1 when a runner reports crossed thresholds (e.g. oversold).
# It deletes nothing: the TestRun stays for inspection (kubectl delete testrun NAME -n NS).
# RUN_TESTRUN_POLL_SECONDS changes the 5 s poll interval (the offline tests use it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script_file="$here/k6/flash-sale.js"
manifest="$here/k8s/testrun.yaml"
configmap=flash-sale-script
poll_seconds="${RUN_TESTRUN_POLL_SECONDS:-5}"

usage() {
  cat <<'EOF'
usage: loadtest/run-testrun.sh --namespace NS --show SHOW_ID --zone ZONE_ID [--target-rps N] [--timeout-seconds S]
                               [--base-url URL] [--runner-image IMAGE] [--queue-event EVENT_ID] [--fail-on-thresholds]

  --namespace NS        namespace of the TestRun and its ConfigMap (the k6-operator must watch it)
  --show SHOW_ID        the published show (UUID)
  --zone ZONE_ID        its general-admission zone (UUID)
  --target-rps N        arrival rate after the ramp, over all runners (default 200)
  --timeout-seconds S   how long to wait for the run to end (default 900)
  --base-url URL        API base with /api/v1 (default: the one in loadtest/k8s/testrun.yaml)
  --runner-image IMAGE  the k6 image of the initializer and the runners (default: the one in
                        loadtest/k8s/testrun.yaml), e.g. one imported into a cluster without a registry
  --queue-event EVENT_ID
                        the show's event, its waiting room on: every buyer joins the queue at once,
                        waits to be admitted and reserves with its queue pass (scenario flash_sale_queue)
  --fail-on-thresholds  exit 1 when a runner reports crossed thresholds
EOF
}

namespace="" show="" zone="" target_rps=200 timeout_seconds=900 base_url="" runner_image="" queue_event="" fail_on_thresholds=0
if [[ $# -eq 0 ]]; then
  usage >&2
  exit 2
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) namespace="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --show) show="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --zone) zone="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --target-rps) target_rps="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --timeout-seconds) timeout_seconds="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --base-url) base_url="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --runner-image) runner_image="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --queue-event) queue_event="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --fail-on-thresholds) fail_on_thresholds=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

bad() { echo "error: $1" >&2; usage >&2; exit 2; }
uuid_re='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
[[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || bad "--namespace must be a namespace name"
[[ "$show" =~ $uuid_re ]] || bad "--show must be a UUID"
[[ "$zone" =~ $uuid_re ]] || bad "--zone must be a UUID"
[[ "$target_rps" =~ ^[1-9][0-9]{0,5}$ ]] || bad "--target-rps must be a positive integer"
[[ "$timeout_seconds" =~ ^[1-9][0-9]{0,5}$ ]] || bad "--timeout-seconds must be a positive integer"
[[ -z "$base_url" || "$base_url" =~ ^https?://[A-Za-z0-9._:/-]+$ ]] || bad "--base-url must be an http(s) URL"
[[ -z "$queue_event" || "$queue_event" =~ $uuid_re ]] || bad "--queue-event must be a UUID"
[[ -z "$runner_image" || "$runner_image" =~ ^[a-z0-9][a-z0-9._/:-]*:[A-Za-z0-9._-]+$ ]] || bad "--runner-image must be an image name with a tag"

command -v kubectl >/dev/null || { echo "error: kubectl is not on PATH" >&2; exit 1; }
kubectl get crd testruns.k6.io >/dev/null || { echo "error: the TestRun CRD (testruns.k6.io) is not installed: install the k6-operator first" >&2; exit 1; }

run_name="flash-sale-$(date -u +%Y%m%d-%H%M%S)"
logs_dir="$(mktemp -d "${TMPDIR:-/tmp}/$run_name.XXXXXX")"
declare -A followers=()   # runner pod -> pid of the `kubectl logs -f` this script started

stop_followers() {
  local pod
  for pod in "${!followers[@]}"; do
    kill "${followers[$pod]}" 2>/dev/null || true
  done
}
trap stop_followers EXIT

echo "ConfigMap $configmap <- loadtest/k6/flash-sale.js (namespace $namespace)"
kubectl create configmap "$configmap" --namespace "$namespace" --from-file="flash-sale.js=$script_file" --dry-run=client -o yaml \
  | kubectl apply --namespace "$namespace" -f -

echo "TestRun $run_name: show $show, zone $zone, $target_rps req/s${queue_event:+, through the waiting room of event $queue_event}"
substitutions=(
  -e "s/^  name: flash-sale\$/  name: $run_name/"
  -e "s/__SHOW_ID__/$show/g"
  -e "s/__ZONE_ID__/$zone/g"
  -e "s/__TARGET_RPS__/$target_rps/g"
  -e "s/__QUEUE_EVENT_ID__/$queue_event/g"
)
if [[ -n "$base_url" ]]; then
  substitutions+=(-e "/- name: BASE_URL/{n;s|value: .*|value: $base_url|;}")
fi
if [[ -n "$runner_image" ]]; then
  substitutions+=(-e "s|^\(    image:\) .*|\1 $runner_image|")
fi
sed "${substitutions[@]}" "$manifest" | kubectl apply --namespace "$namespace" -f -

# Starts one `kubectl logs -f` per runner pod as soon as the pod runs, so the logs outlive the pod.
follow_runners() {
  local pod phase
  while read -r pod phase; do
    [[ -n "$pod" && -z "${followers[$pod]:-}" ]] || continue
    case "$phase" in
      Running|Succeeded|Failed)
        kubectl logs --follow --namespace "$namespace" "pod/$pod" >"$logs_dir/$pod.log" 2>&1 &
        followers[$pod]=$!
        ;;
    esac
  done < <(kubectl get pods --namespace "$namespace" -l "app=k6,k6_cr=$run_name,runner=true" \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}' 2>/dev/null || true)
}

deadline=$((SECONDS + timeout_seconds))
stage=""
while :; do
  stage="$(kubectl get testrun "$run_name" --namespace "$namespace" -o jsonpath='{.status.stage}' 2>/dev/null || true)"
  follow_runners
  if [[ "$stage" == finished || "$stage" == error ]]; then break; fi
  if ((SECONDS >= deadline)); then break; fi
  echo "  $(date -u +%H:%M:%S) stage: ${stage:-pending}"
  sleep "$poll_seconds"
done

# Give the log streams a few seconds to drain (bounded), then stop the ones still open.
for _ in 1 2 3 4 5 6; do
  open=0
  for pod in "${!followers[@]}"; do
    if kill -0 "${followers[$pod]}" 2>/dev/null; then open=1; fi
  done
  ((open == 0)) && break
  sleep 1
done
stop_followers

echo
echo "=== runners of $run_name (full logs in $logs_dir) ==="
crossed=0
if [[ ${#followers[@]} -eq 0 ]]; then
  echo "(no runner pod was seen running)"
fi
for pod in "${!followers[@]}"; do
  log="$logs_dir/$pod.log"
  echo "--- $pod ---"
  grep -E 'setup:|teardown:|level=(error|warning)' "$log" | tail -n 20 || true
  tail -n 60 "$log"
  if grep -q "thresholds on metrics" "$log"; then crossed=1; fi
done
echo

case "$stage" in
  finished)
    if ((crossed == 1)); then
      echo "TestRun $run_name finished, but thresholds were crossed (see above)"
      ((fail_on_thresholds == 1)) && exit 1
    else
      echo "TestRun $run_name finished"
    fi
    exit 0
    ;;
  error)
    echo "TestRun $run_name ended in stage error" >&2
    kubectl describe testrun "$run_name" --namespace "$namespace" | tail -n 20 >&2 || true
    exit 1
    ;;
  *)
    echo "TestRun $run_name did not finish within ${timeout_seconds} s (stage: ${stage:-pending}); it is left running" >&2
    exit 1
    ;;
esac
