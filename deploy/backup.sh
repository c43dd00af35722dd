#!/usr/bin/env bash
# Nightly backup of the 八千代市DX推進ポータル (see docs/production.md, "バックアップ").
#
#   1. pg_dump --format=custom of DATABASE_URL  -> $BACKUP_DIR/dx-portal-db-YYYYmmdd-HHMMSS.dump
#   2. tar of MEDIA_ROOT (the attachments)      -> $BACKUP_DIR/dx-portal-media-YYYYmmdd-HHMMSS.tar.gz
#   3. delete this script's backups older than BACKUP_KEEP_DAYS days
#
# The database is dumped first: attachments are only ever added or deleted, never changed, so
# every file the dump refers to is still there when the tar runs a moment later.
#
# Environment (the systemd unit reads /etc/dx-portal/env):
#   DATABASE_URL      postgres://user:password@host:5432/dbname (required; as for the app)
#   MEDIA_ROOT        directory of the attachments (required; as for the app)
#   BACKUP_DIR        where backups are written (default /var/backups/dx-portal)
#   BACKUP_KEEP_DAYS  days to keep backups (default 14)
#   PYTHON            interpreter used to split DATABASE_URL (default python3)
#
# Exits non-zero if any step fails; a failed run leaves no file that looks like a good backup
# (files are written under a temporary name and renamed only once complete and verified).
# Needs pg_dump/pg_restore of the server's major version or newer (package postgresql-client).

set -euo pipefail
umask 077

log() { printf '%s dx-portal-backup: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/dx-portal}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
PYTHON="${PYTHON:-python3}"

[[ "$BACKUP_KEEP_DAYS" =~ ^[0-9]+$ && "$BACKUP_KEEP_DAYS" -ge 1 ]] \
    || die "BACKUP_KEEP_DAYS must be a whole number of days, at least 1 (got '$BACKUP_KEEP_DAYS')"
[[ -d "$MEDIA_ROOT" ]] || die "MEDIA_ROOT $MEDIA_ROOT is not a directory (is the share mounted?)"
for tool in pg_dump pg_restore tar gzip flock "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
mkdir -p "$BACKUP_DIR"

# One run at a time (a manual run while the timer fires would otherwise write the same files).
exec 9>"$BACKUP_DIR/.backup.lock"
flock -n 9 || die "another backup is running (lock $BACKUP_DIR/.backup.lock)"

work="$(mktemp -d)"
trap 'rm -rf "$work"; rm -f "$BACKUP_DIR"/.partial-*' EXIT

# Split DATABASE_URL into libpq's environment variables, with the password in a private
# password file: a URL on the command line would show the password to every user in `ps`.
# Percent-escapes in the user name and password (a password containing '@', ':' or '/') are
# decoded as the application's settings decode them.
"$PYTHON" - "$work/pgpass" >"$work/pgenv" <<'PY' || die "DATABASE_URL is not a PostgreSQL URL"
import os, shlex, sys
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
    sys.exit(f"unsupported scheme {url.scheme!r}")
# The host as written (urlsplit's .hostname would lower-case it).
hostport = url.netloc.rpartition("@")[2]
if hostport.startswith("["):
    host = hostport[1 : hostport.index("]")]
else:
    host = hostport.rsplit(":", 1)[0] if url.port is not None else hostport
host = unquote(host)
values = {
    "PGHOST": host,
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
options = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
for key, value in parse_qsl(url.query):
    if key in options:
        values[options[key]] = value
if not values["PGDATABASE"]:
    sys.exit("no database name")
password = unquote(url.password or "")
with open(sys.argv[1], "w") as f:
    if password:
        esc = lambda s: s.replace("\\", "\\\\").replace(":", "\\:")
        f.write(":".join(["*", "*", "*", "*", esc(password)]) + "\n")
for name, value in values.items():
    if value:
        print(f"export {name}={shlex.quote(value)}")
PY
# shellcheck disable=SC1091
source "$work/pgenv"
export PGPASSFILE="$work/pgpass" PGAPPNAME="dx-portal-backup"

stamp="$(date '+%Y%m%d-%H%M%S')"
db_file="$BACKUP_DIR/dx-portal-db-$stamp.dump"
media_file="$BACKUP_DIR/dx-portal-media-$stamp.tar.gz"

# 1. Database. --no-password: fail instead of waiting for a prompt nobody answers.
log "dumping database $PGDATABASE on ${PGHOST:-local socket}"
pg_dump --format=custom --no-password --file="$BACKUP_DIR/.partial-db-$stamp" \
    || die "pg_dump failed"
# A dump pg_restore cannot read is no backup.
pg_restore --list "$BACKUP_DIR/.partial-db-$stamp" >/dev/null \
    || die "pg_restore cannot read the dump"
mv "$BACKUP_DIR/.partial-db-$stamp" "$db_file"

# 2. Attachments. GNU tar exits 1 when a file changed while it was read (an upload arriving
# during the backup): that file may be incomplete in this archive, the others are fine, and
# tomorrow's archive has it whole, so warn and go on. Anything above 1 is a failure.
log "archiving $MEDIA_ROOT"
media_parent="$(dirname "$MEDIA_ROOT")"
media_name="$(basename "$MEDIA_ROOT")"
set +e
tar --create --gzip --file="$BACKUP_DIR/.partial-media-$stamp" \
    --directory="$media_parent" "$media_name"
tar_status=$?
set -e
if [[ $tar_status -eq 1 ]]; then
    log "WARNING: some attachments changed while being archived (see the messages above)"
elif [[ $tar_status -ne 0 ]]; then
    die "tar of $MEDIA_ROOT failed (exit $tar_status)"
fi
gzip --test "$BACKUP_DIR/.partial-media-$stamp" || die "the attachments archive is damaged"
mv "$BACKUP_DIR/.partial-media-$stamp" "$media_file"

# 3. Retention: only after today's backup succeeded, and only this script's own files.
find "$BACKUP_DIR" -maxdepth 1 -type f \
    \( -name 'dx-portal-db-*.dump' -o -name 'dx-portal-media-*.tar.gz' \) \
    -mtime +"$((BACKUP_KEEP_DAYS - 1))" -print -delete \
    | sed 's/^/removed old backup: /' >&2

log "done: $(du -h "$db_file" | cut -f1) $db_file, $(du -h "$media_file" | cut -f1) $media_file"
