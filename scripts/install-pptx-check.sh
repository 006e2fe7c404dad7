#!/usr/bin/env bash
# Install what the PPTX fidelity check needs (tests/pptx/fidelity.test.ts, `npm run pptx-check`):
#   - LibreOffice without a desktop (Debian's libreoffice-impress-nogui), which renders our PPTX;
#   - poppler-utils (pdftoppm, pdftotext), which rasterise and read the PDFs;
#   - with --sheets, ImageMagick too (`montage`, for `npm run pptx-sheets`).
# From Debian's packages with apt-get, as root or via sudo; only what is missing. Without them
# `npm test` skips only the fidelity check and names the package.
set -euo pipefail

sheets=0
for arg in "$@"; do
  case "$arg" in
    --sheets) sheets=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-pptx-check: unknown option $arg (--sheets, --help)" >&2; exit 2 ;;
  esac
done

packages=()
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-impress-nogui)
{ command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; } || packages+=(poppler-utils)
if [ "$sheets" -eq 1 ]; then command -v montage >/dev/null 2>&1 || packages+=(imagemagick); fi

if [ ${#packages[@]} -eq 0 ]; then
  echo "install-pptx-check: everything is there ($(soffice --version 2>/dev/null | head -n 1))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-pptx-check: no apt-get here; install ${packages[*]} (LibreOffice, poppler) yourself." >&2
  exit 3
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-pptx-check: need root (or sudo) to install: ${packages[*]}" >&2
    exit 3
  fi
fi
echo "install-pptx-check: installing ${packages[*]} (apt-get)"
$sudo apt-get update -qq
# No recommends: LibreOffice's recommends are the desktop, Java and the other suite programs.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-pptx-check: done ($(soffice --version 2>/dev/null | head -n 1))"
