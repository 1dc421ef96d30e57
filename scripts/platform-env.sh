# Sourced, not run: exports what the platform's processes read from the environment on this
# machine: the local stack's addresses and passwords (`scripts/stack env`), then the development
# settings of scripts/dev.env, each only where the environment does not already set it.
# shellcheck shell=bash
: "${root:?platform-env.sh is sourced by a script that sets root, the path of the repository}"
set -a
# shellcheck disable=SC1090  # printed at run time
source <(bash "$root/scripts/stack" env)
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  [ -n "${!key:-}" ] || export "$key=$value"
done < "$root/scripts/dev.env"
set +a
