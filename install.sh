#!/bin/sh
# Outpost installer for Linux and macOS.
#
#   curl -fsSL https://releases.outpost.example/install.sh | sh
#   curl -fsSL https://releases.outpost.example/install.sh | sh -s -- --version 1.2.0 --dir ~/bin
#
# Options and environment: see usage() below, or run it with --help (works piped too).
#
# The download is checked before anything is installed: the archive's sha256 against
# SHA256SUMS, and SHA256SUMS's Ed25519 signature with openssl (OpenSSL 3) when available.
# Everything runs from `main` on the last line, so a truncated download runs nothing.

set -eu

DEFAULT_BASE="https://releases.outpost.example"

say() {
  printf 'outpost-install: %s\n' "$*" >&2
}

die() {
  say "error: $*"
  exit 1
}

# Printed by --help. A heredoc rather than the header comment: piped (`curl … | sh -s --
# --help`) there is no file for $0 to name, so the script cannot read its own comments.
usage() {
  cat <<'EOF'
Outpost installer for Linux and macOS.

  curl -fsSL https://releases.outpost.example/install.sh | sh
  curl -fsSL https://releases.outpost.example/install.sh | sh -s -- --version 1.2.0 --dir ~/bin

Options:
  --version V    install version V (default: the latest, from latest.json)
  --dir DIR      install into DIR (default: ~/.local/bin, or /usr/local/bin as root)
  --service      print how to install the systemd service once the agent is activated
                 (a service needs config.yml and identity.json, which `outpost activate` writes)
  --no-service   do not mention the service at all
  -h, --help     print this and exit

Environment:
  OUTPOST_DOWNLOAD_BASE    release folder to download from (a mirror is a copy of it)
  OUTPOST_RELEASE_PUBKEY   PEM file of the release public key, instead of the embedded one
  OUTPOST_OS, OUTPOST_ARCH, OUTPOST_LIBC
                           skip detection: linux|darwin, x64|arm64, glibc|musl
                           (for tests, and for mirrors that fetch other platforms)
EOF
}

release_pubkey_pem() {
  # BEGIN RELEASE PUBLIC KEY (bun build/release.ts writes the release's key here)
  RELEASE_PUBKEY_PEM=""
  # END RELEASE PUBLIC KEY
  printf '%s' "$RELEASE_PUBKEY_PEM"
}

detect_target() {
  os="${OUTPOST_OS:-}"
  if [ -z "$os" ]; then
    case "$(uname -s)" in
      Linux) os=linux ;;
      Darwin) os=darwin ;;
      MINGW* | MSYS* | CYGWIN* | Windows_NT) die "this is Windows: use install.ps1 in PowerShell instead" ;;
      *) os="$(uname -s)" ;;
    esac
  fi
  case "$os" in
    linux | darwin) ;;
    *) die "unsupported operating system '$os': Outpost ships builds for Linux and macOS here (and Windows through install.ps1)" ;;
  esac

  arch="${OUTPOST_ARCH:-}"
  if [ -z "$arch" ]; then
    arch="$(uname -m)"
    # An x64 shell under Rosetta on Apple silicon: install the native arm64 build.
    if [ "$os" = darwin ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
      arch=arm64
    fi
  fi
  case "$arch" in
    x86_64 | amd64 | x64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU architecture '$arch': Outpost ships x64 and arm64 builds" ;;
  esac

  libc="${OUTPOST_LIBC:-}"
  if [ -z "$libc" ]; then
    libc=glibc
    if [ "$os" = linux ]; then
      # Ask ldd which C library the system runs on: a glibc system may also carry musl's
      # loader (Debian's musl package). Without ldd, musl only if no glibc loader exists.
      if command -v ldd >/dev/null 2>&1; then
        case "$(ldd --version 2>&1)" in *musl*) libc=musl ;; esac
      elif ls /lib/ld-musl-* >/dev/null 2>&1 && ! ls /lib*/ld-linux* >/dev/null 2>&1; then
        libc=musl
      fi
    fi
  fi
  target="$os-$arch"
  if [ "$os" = linux ] && [ "$libc" = musl ]; then
    target="$target-musl"
  fi
}

download() {
  # download URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL -o "$2" "$1" || die "download failed: $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || die "download failed: $1"
  else
    die "neither curl nor wget is installed"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{print $1}'
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r "$1" | awk '{print $1}'
  else
    die "no sha256 tool found (sha256sum, shasum or openssl)"
  fi
}

verify_signature() {
  # verify_signature DIR: checks DIR/SHA256SUMS against DIR/SHA256SUMS.sig
  if [ -n "${OUTPOST_RELEASE_PUBKEY:-}" ]; then
    [ -r "$OUTPOST_RELEASE_PUBKEY" ] || die "OUTPOST_RELEASE_PUBKEY=$OUTPOST_RELEASE_PUBKEY is not a readable file"
    cp "$OUTPOST_RELEASE_PUBKEY" "$1/release-pub.pem"
  else
    release_pubkey_pem >"$1/release-pub.pem"
  fi
  if [ ! -s "$1/release-pub.pem" ]; then
    say "warning: this install.sh carries no release key; the signature of SHA256SUMS is NOT checked (only the sha256)"
    return 0
  fi
  if ! command -v openssl >/dev/null 2>&1; then
    say "warning: openssl not found; the signature of SHA256SUMS is NOT checked (only the sha256)"
    return 0
  fi
  if ! openssl pkeyutl -help 2>&1 | grep -q -- '-rawin'; then
    say "warning: this openssl cannot check Ed25519 signatures (OpenSSL 3 can); the signature of SHA256SUMS is NOT checked (only the sha256)"
    return 0
  fi
  if ! openssl pkeyutl -verify -pubin -inkey "$1/release-pub.pem" -rawin -in "$1/SHA256SUMS" -sigfile "$1/SHA256SUMS.sig" >/dev/null 2>&1; then
    die "the signature of SHA256SUMS does not verify with the release key; nothing was installed"
  fi
  say "signature of SHA256SUMS verified"
}

parse_args() {
  version=""
  dir=""
  service=ask
  while [ $# -gt 0 ]; do
    case "$1" in
      --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
      --version=*) version="${1#*=}"; shift ;;
      --dir) [ $# -ge 2 ] || die "--dir needs a value"; dir="$2"; shift 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      --service) service=yes; shift ;;
      --no-service) service=no; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option '$1' (known: --version V, --dir DIR, --service, --no-service)" ;;
    esac
  done
  if [ -z "$dir" ]; then
    if [ "$(id -u)" = 0 ]; then dir=/usr/local/bin; else dir="$HOME/.local/bin"; fi
  fi
}

# The service is never installed from here: it runs `outpost run`, which needs the
# identity and the gateway section that only `outpost activate` writes, so it would start
# failing at once. The commands are printed in the order they must run.
offer_service() {
  [ "$service" = no ] && return 0
  if [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ]; then sudo=""
  elif [ "$service" = yes ]; then sudo="sudo "
  else return 0
  fi
  say "to run Outpost as a systemd service, first activate this host, then install the service:"
  say "  ${sudo}$dir/outpost activate CODE --gateway wss://HOST:PORT --config /etc/outpost/config.yml   (add --ca FILE for a private CA)"
  say "  ${sudo}$dir/outpost service install --config /etc/outpost/config.yml"
}

main() {
  parse_args "$@"
  detect_target
  base="${OUTPOST_DOWNLOAD_BASE:-$DEFAULT_BASE}"
  base="${base%/}"

  tmp="$(mktemp -d 2>/dev/null || mktemp -d -t outpost)"
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM

  if [ -z "$version" ]; then
    download "$base/latest.json" "$tmp/latest.json"
    version="$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/latest.json" | head -n 1)"
  fi
  case "$version" in
    "" | *[!0-9A-Za-z.+-]*) die "cannot tell which version to install (got '$version')" ;;
  esac

  file="outpost-$target.tar.gz"
  say "installing outpost $version ($target) from $base"
  download "$base/$version/SHA256SUMS" "$tmp/SHA256SUMS"
  download "$base/$version/SHA256SUMS.sig" "$tmp/SHA256SUMS.sig"
  verify_signature "$tmp"
  expected="$(awk -v f="$file" '$2 == f || $2 == "*" f {print $1}' "$tmp/SHA256SUMS")"
  [ -n "$expected" ] || die "release $version has no build for $target"
  download "$base/$version/$file" "$tmp/$file"
  actual="$(sha256_of "$tmp/$file")"
  [ "$actual" = "$expected" ] || die "sha256 of $file is $actual, SHA256SUMS says $expected; nothing was installed"

  mkdir "$tmp/x"
  tar -xzf "$tmp/$file" -C "$tmp/x" || die "cannot unpack $file"
  [ -f "$tmp/x/outpost" ] || die "$file holds no outpost binary"
  chmod 755 "$tmp/x/outpost"
  printed="$("$tmp/x/outpost" --version 2>/dev/null || true)"
  [ "$printed" = "$version" ] || die "the downloaded binary does not run here (it printed '$printed'); nothing was installed"

  mkdir -p "$dir" || die "cannot create $dir"
  # Copy beside the target, then rename: the rename is atomic, so the path never holds half a binary.
  cp "$tmp/x/outpost" "$dir/.outpost.install.$$" || die "cannot write to $dir"
  chmod 755 "$dir/.outpost.install.$$"
  mv -f "$dir/.outpost.install.$$" "$dir/outpost" || { rm -f "$dir/.outpost.install.$$"; die "cannot replace $dir/outpost"; }
  say "installed $dir/outpost ($version)"

  case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) say "$dir is not on your PATH; add it, e.g.: echo 'export PATH=\"$dir:\$PATH\"' >> ~/.profile" ;;
  esac
  offer_service
}

main "$@"
