# Sourced, not run: pypi_tool_install VENV REQUIREMENT installs a pinned command-line tool from PyPI
# (e.g. "schemathesis==4.32.5") into its own virtualenv VENV (under .stack/tools) when it is not
# there yet. A fresh Debian machine has python3; the venv module comes with Debian's python3-venv,
# installed here when it is missing. Used by scripts/schemathesis and scripts/shellcheck.
# shellcheck shell=bash
pypi_tool_install() {
  local venv=$1 requirement=$2
  # Marked complete only after pip finished: a run cut short is redone, never half used.
  [ -f "$venv/.installed" ] && return 0
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt-get install -y -qq python3-venv >&2
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement" >&2
  touch "$venv/.installed"
}
