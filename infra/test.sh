#!/usr/bin/env bash
# infra/test.sh: runs the whole gateledger test suite against real services.
#
# On a fresh Debian machine that has only the Rust toolchain, it installs what the tests
# need (PostgreSQL, the s3s-fs S3 server, aiosmtpd, pymodbus, Chromium with its driver and
# a CJK font), starts each on loopback, passes the addresses to the tests in GATELEDGER_TEST_*
# variables, runs the suite, and stops what it started. A service that is already running
# from an earlier run is reused and left running; a variable that is already set is trusted.
#
#   infra/test.sh                       everything (what .ci/run calls)
#   infra/test.sh -E 'test(modbus)'     extra arguments go to cargo nextest run
#   infra/test.sh --keep-services       leave the services running afterwards
#   infra/test.sh --services            only start the services and print the variables
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${GATELEDGER_TEST_RUN_DIR:-${TMPDIR:-/tmp}/gateledger-test-$(id -u)}
TOOLS_DIR=${GATELEDGER_TEST_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gateledger-test}
S3S_VERSION=0.14.1

keep=0
services_only=0
args=()
for arg in "$@"; do
  case "$arg" in
    --keep-services) keep=1 ;;
    --services) services_only=1; keep=1 ;;
    *) args+=("$arg") ;;
  esac
done

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2 log_file=$3
  for _ in $(seq 1 150); do
    port_open "$port" && return 0
    sleep 0.2
  done
  log "$name did not start on port $port; its log:"
  tail -n 30 "$log_file" >&2 || true
  exit 1
}

# A free port at or above $1.
free_port() {
  local port=$1
  while port_open "$port"; do port=$((port + 1)); done
  echo "$port"
}

# Reuses the service whose pid and port were recorded by an earlier run, when it is alive.
# Prints the port on success.
running_service() {
  local name=$1 pid_file="$RUN_DIR/$1.pid" port_file="$RUN_DIR/$1.port"
  [ -f "$pid_file" ] && [ -f "$port_file" ] || return 1
  kill -0 "$(cat "$pid_file")" 2>/dev/null || return 1
  port_open "$(cat "$port_file")" || return 1
  cat "$port_file"
}

started=()
stop_started() {
  [ $keep = 1 ] && return 0
  for name in "${started[@]}"; do
    if [ "$name" = postgres ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -m fast stop >/dev/null 2>&1 || true
    elif [ -f "$RUN_DIR/$name.pid" ]; then
      kill "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.port"
  done
}
trap stop_started EXIT

mkdir -p "$RUN_DIR" "$TOOLS_DIR"
chmod 755 "$RUN_DIR"

# ---------------------------------------------------------------- PostgreSQL
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    local cmd=""
    for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
    su postgres -s /bin/sh -c "$cmd"
  else
    "$@"
  fi
}

start_postgres() {
  if [ -n "${GATELEDGER_TEST_PG_URL:-}" ]; then log "PostgreSQL: using GATELEDGER_TEST_PG_URL"; return; fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PG_BIN" ]; then apt_install postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  local port
  if port=$(running_service postgres); then
    log "PostgreSQL: reusing the cluster on port $port"
  else
    port=$(free_port "${GATELEDGER_TEST_PG_PORT:-55432}")
    if [ ! -f "$RUN_DIR/pg/PG_VERSION" ]; then
      rm -rf "$RUN_DIR/pg"
      mkdir -p "$RUN_DIR/pg"
      [ "$(id -u)" = 0 ] && chown postgres: "$RUN_DIR/pg"
      as_postgres "$PG_BIN/initdb" -D "$RUN_DIR/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$RUN_DIR/initdb.log" 2>&1 \
        || { cat "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    rm -f "$RUN_DIR/pg/postmaster.pid"
    # A throwaway cluster: durability is traded for speed (benchmarks start their own).
    as_postgres "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg/server.log" -w -t 60 start \
      -o "-p $port -k $RUN_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" >/dev/null \
      || { tail -n 30 "$RUN_DIR/pg/server.log" >&2; die "PostgreSQL did not start"; }
    head -n 1 "$RUN_DIR/pg/postmaster.pid" >"$RUN_DIR/postgres.pid"
    echo "$port" >"$RUN_DIR/postgres.port"
    started+=(postgres)
    log "PostgreSQL: started on port $port"
  fi
  export GATELEDGER_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# ---------------------------------------------------------------- S3 (s3s-fs)
start_s3() {
  if [ -n "${GATELEDGER_TEST_S3_ENDPOINT:-}" ]; then log "S3: using GATELEDGER_TEST_S3_ENDPOINT"; return; fi
  local bin
  bin=$(command -v s3s-fs || true)
  [ -z "$bin" ] && [ -x "$HOME/.cargo/bin/s3s-fs" ] && bin="$HOME/.cargo/bin/s3s-fs"
  if [ -z "$bin" ]; then
    log "S3: building s3s-fs $S3S_VERSION (about 2 minutes, once)"
    cargo install "s3s-fs@$S3S_VERSION" --features binary --locked --quiet
    bin="$HOME/.cargo/bin/s3s-fs"
  fi
  local port
  if port=$(running_service s3); then
    log "S3: reusing s3s-fs on port $port"
  else
    port=$(free_port "${GATELEDGER_TEST_S3_PORT:-8014}")
    rm -rf "$RUN_DIR/s3"; mkdir -p "$RUN_DIR/s3"
    nohup "$bin" --host 127.0.0.1 --port "$port" --access-key gateledger --secret-key gateledger-test-secret \
      "$RUN_DIR/s3" >"$RUN_DIR/s3.log" 2>&1 &
    echo $! >"$RUN_DIR/s3.pid"; echo "$port" >"$RUN_DIR/s3.port"
    started+=(s3)
    wait_port "$port" s3s-fs "$RUN_DIR/s3.log"
    log "S3: s3s-fs started on port $port"
  fi
  export GATELEDGER_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
  export GATELEDGER_TEST_S3_ACCESS_KEY=gateledger
  export GATELEDGER_TEST_S3_SECRET_KEY=gateledger-test-secret
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required
  export AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
}

# ---------------------------------------------------------------- Python peers
VENV="$TOOLS_DIR/venv"
ensure_venv() {
  if ! "$VENV/bin/python" -c 'import aiosmtpd, pymodbus' 2>/dev/null; then
    command -v python3 >/dev/null && python3 -m venv --help >/dev/null 2>&1 || apt_install python3 python3-venv
    log "installing aiosmtpd and pymodbus into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'aiosmtpd==1.4.6' 'pymodbus>=3.16,<4'
  fi
}

start_smtp() {
  if [ -n "${GATELEDGER_TEST_SMTP:-}" ]; then log "SMTP: using GATELEDGER_TEST_SMTP"; return; fi
  ensure_venv
  local port
  if port=$(running_service smtp); then
    log "SMTP: reusing aiosmtpd on port $port"
  else
    port=$(free_port "${GATELEDGER_TEST_SMTP_PORT:-2525}")
    rm -rf "$RUN_DIR/maildir"; mkdir -p "$RUN_DIR/maildir"/{tmp,new,cur}
    nohup "$VENV/bin/aiosmtpd" -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$RUN_DIR/maildir" \
      >"$RUN_DIR/smtp.log" 2>&1 &
    echo $! >"$RUN_DIR/smtp.pid"; echo "$port" >"$RUN_DIR/smtp.port"
    started+=(smtp)
    wait_port "$port" aiosmtpd "$RUN_DIR/smtp.log"
    log "SMTP: aiosmtpd started on port $port"
  fi
  export GATELEDGER_TEST_SMTP="127.0.0.1:$port"
  export GATELEDGER_TEST_MAILDIR="$RUN_DIR/maildir"
}

start_modbus() {
  if [ -n "${GATELEDGER_TEST_MODBUS:-}" ]; then log "Modbus: using GATELEDGER_TEST_MODBUS"; return; fi
  ensure_venv
  local port
  if port=$(running_service modbus); then
    log "Modbus: reusing pymodbus on port $port"
  else
    port=$(free_port "${GATELEDGER_TEST_MODBUS_PORT:-5020}")
    nohup "$VENV/bin/python" "$ROOT/infra/modbus_peer.py" "$port" >"$RUN_DIR/modbus.log" 2>&1 &
    echo $! >"$RUN_DIR/modbus.pid"; echo "$port" >"$RUN_DIR/modbus.port"
    started+=(modbus)
    wait_port "$port" pymodbus "$RUN_DIR/modbus.log"
    log "Modbus: pymodbus started on port $port"
  fi
  export GATELEDGER_TEST_MODBUS="127.0.0.1:$port"
}

# ---------------------------------------------------------------- Chromium
ensure_chromium() {
  if [ -z "${GATELEDGER_TEST_CHROMIUM:-}" ]; then
    apt_install chromium chromium-driver fonts-wqy-microhei
    export GATELEDGER_TEST_CHROMIUM=/usr/bin/chromium
    export GATELEDGER_TEST_CHROMEDRIVER=/usr/bin/chromedriver
  fi
}

start_postgres
start_s3
start_smtp
start_modbus
ensure_chromium

if [ $services_only = 1 ]; then
  env | grep -E '^(GATELEDGER_TEST_|AWS_RE)' | sort | sed 's/^/export /'
  exit 0
fi

cd "$ROOT"
log "checking formatting"
cargo fmt --all -- --check
log "building"
cargo build --workspace --all-targets --locked
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --profile ci "${args[@]}"
else
  log "cargo-nextest not found; running cargo test"
  cargo test --workspace --locked "${args[@]}"
fi
