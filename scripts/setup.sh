#!/usr/bin/env bash
# docgen setup: everything docgen needs on Debian 12 (run as root), idempotent.
#   - Debian packages (LibreOffice headless, poppler, fonts, Pango/HarfBuzz for WeasyPrint, PostgreSQL)
#   - the Fandol fonts, taken from Debian's texlive-lang-chinese without installing TeX
#   - a venv at .venv with `pip install -c constraints.txt -e '.[test]'` (exact versions)
# A second run only checks (dpkg-query, files, a hash of pyproject.toml) and is quick.
# Environment: PYTHON (interpreter for the venv, default python3), SETUP_FORCE_PIP=1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
START=$SECONDS
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup %3ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && SUDO="sudo" || SUDO="__no_root__"
fi
as_root() {
    [ "$SUDO" = "__no_root__" ] && die "need root (or sudo) for: $*"
    $SUDO "$@"
}

# ---------------------------------------------------------------- apt helpers
APT_UPDATED=0
apt_update() {  # at most once per run
    [ "$APT_UPDATED" = 1 ] && return 0
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
}
apt_lists_usable() {  # package lists present and younger than 7 days
    [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -7 -print -quit 2>/dev/null)" ]
}
apt_install() {
    apt_lists_usable || apt_update
    if ! as_root apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; then
        # stale lists give 404s: refresh once and retry
        [ "$APT_UPDATED" = 1 ] && die "apt-get install failed: $*"
        apt_update
        as_root apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
    fi
}
missing_packages() {  # prints the packages of "$@" that are not installed
    local p
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || echo "$p"
    done
}

# ---------------------------------------------------------------- 1. Debian packages
PYTHON=${PYTHON:-python3}
python_ok() {  # python >= 3.11 that can make a venv with pip
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

PKGS=(
    libreoffice-writer-nogui libreoffice-calc-nogui  # LibreOffice headless: second reader in tests
    poppler-utils                                    # pdftoppm, pdffonts
    fontconfig
    fonts-noto-cjk fonts-arphic-ukai fonts-lxgw-wenkai  # free CJK substitutes (spec: Fonts)
    fonts-hanazono                                   # HanaMinA/B: CJK Ext-A..F fallback (𠀀 U+20000)
    libpango-1.0-0 libpangoft2-1.0-0                 # WeasyPrint
    libharfbuzz-subset0                              # WeasyPrint's fast font subsetting
    chromium                                         # the web app's tests (Playwright drives /usr/bin/chromium)
)
if ! python_ok "$PYTHON"; then
    log "no python3 >= 3.11 with venv found: adding python3 python3-venv python3-pip"
    PKGS+=(python3 python3-venv python3-pip)
    PYTHON=/usr/bin/python3
fi

mapfile -t MISSING < <(missing_packages "${PKGS[@]}")
if [ "${#MISSING[@]}" -gt 0 ]; then
    log "installing Debian packages: ${MISSING[*]}"
    apt_install "${MISSING[@]}"
else
    log "Debian packages: all ${#PKGS[@]} present"
fi
python_ok "$PYTHON" || die "$PYTHON is not a python >= 3.11 with venv/ensurepip"

# PostgreSQL for `docgen serve --database postgresql://…` and the service tests, which start a
# throwaway cluster of their own (initdb + pg_ctl in a temporary folder). Debian would create and
# start a system cluster "main" on install: postgresql-common goes first and is told not to.
if [ -n "$(missing_packages postgresql)" ]; then
    [ -n "$(missing_packages postgresql-common)" ] && { log "installing postgresql-common"; apt_install postgresql-common; }
    CC=/etc/postgresql-common/createcluster.conf
    if [ -f "$CC" ] && ! grep -q '^create_main_cluster = false' "$CC"; then
        log "PostgreSQL: no system cluster on install ($CC: create_main_cluster = false)"
        as_root sed -ri 's/^#? *create_main_cluster *=.*$/create_main_cluster = false/' "$CC"
        grep -q '^create_main_cluster = false' "$CC" || echo 'create_main_cluster = false' | as_root tee -a "$CC" >/dev/null
    fi
    log "installing postgresql (server binaries for the tests and for deployments on PostgreSQL)"
    apt_install postgresql
else
    log "PostgreSQL: present ($(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr '\n' ' '))"
fi

# ---------------------------------------------------------------- 2. Fandol fonts
FANDOL_DIR=/usr/local/share/fonts/fandol
FANDOL_FILES=(FandolFang-Regular.otf FandolKai-Regular.otf FandolHei-Regular.otf
              FandolHei-Bold.otf FandolSong-Regular.otf FandolSong-Bold.otf)
fandol_present() {
    local f
    for f in "${FANDOL_FILES[@]}"; do [ -s "$FANDOL_DIR/$f" ] || return 1; done
}
if fandol_present; then
    log "Fandol fonts: present in $FANDOL_DIR"
else
    log "Fandol fonts: fetching texlive-lang-chinese (about 50 MB, not installed, only unpacked)"
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    # let apt's sandbox user write there (avoids the 'Download is performed unsandboxed' warning)
    if id _apt >/dev/null 2>&1 && [ -z "$SUDO" ]; then chown _apt "$TMP"; fi
    apt_lists_usable || apt_update
    if ! (cd "$TMP" && apt-get download -qq texlive-lang-chinese); then
        apt_update
        (cd "$TMP" && apt-get download -qq texlive-lang-chinese) || die "apt-get download texlive-lang-chinese failed"
    fi
    dpkg -x "$TMP"/texlive-lang-chinese_*.deb "$TMP/x"
    SRC=$(find "$TMP/x" -type d -path '*fonts/opentype/public/fandol' -print -quit)
    [ -n "$SRC" ] || die "no fonts/opentype/public/fandol inside texlive-lang-chinese"
    as_root mkdir -p "$FANDOL_DIR"
    as_root cp "$SRC"/*.otf "$FANDOL_DIR"/
    as_root chmod 644 "$FANDOL_DIR"/*.otf
    fandol_present || die "Fandol files missing after copy: expected ${FANDOL_FILES[*]}"
    log "Fandol fonts: copied $(ls "$SRC"/*.otf | wc -l) files to $FANDOL_DIR; running fc-cache"
    as_root fc-cache -f "$FANDOL_DIR" >/dev/null
    rm -rf "$TMP"
    trap - EXIT
fi

# The official typeface names map to the free substitutes for LibreOffice/WPS (see the file).
FC_CONF=/etc/fonts/conf.d/60-docgen-gongwen.conf
if ! cmp -s "$ROOT/scripts/fontconfig/60-docgen-gongwen.conf" "$FC_CONF"; then
    log "fontconfig: installing $FC_CONF (official names -> free substitutes, official fonts first)"
    as_root install -m 644 "$ROOT/scripts/fontconfig/60-docgen-gongwen.conf" "$FC_CONF"
    as_root fc-cache -f >/dev/null
fi

# ---------------------------------------------------------------- 3. venv + pip
VENV=$ROOT/.venv
STAMP=$VENV/.docgen-setup-hash
if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    log "venv at $VENV is broken or too old: recreating"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    log "creating venv $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi
# Exact versions of every dependency come from constraints.txt (reproducible installs: the PDFs'
# bytes depend on WeasyPrint's, pydyf's and pypdf's versions; see its header to regenerate it).
# The stamp covers what the install depends on: pyproject.toml, constraints.txt, the venv's python, the repo path.
WANT=$({ cat pyproject.toml constraints.txt; "$VENV/bin/python" --version 2>&1; echo "$ROOT"; } | sha256sum | cut -d' ' -f1)
if [ "${SETUP_FORCE_PIP:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] &&
    "$VENV/bin/python" -c 'import docgen' 2>/dev/null; then
    log "venv: up to date (pyproject.toml and constraints.txt unchanged)"
else
    log "venv: pip install -c constraints.txt -e '.[test]'"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
    echo "$WANT" >"$STAMP"
fi

log "done in $((SECONDS - START)) s"
