#!/usr/bin/env bash
# Installs the taihaoban kiosk on a fresh Debian 12 terminal, as root. Running it again
# changes nothing that is already as asked, and says so. Operators' guide: packaging/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: install.sh --bundle DIR --trusted-root FILE --repository-url URL --terminal-id ID
                  --platform-url URL --receipt-printer CONNECTION [--no-apt] [--root DIR]

  --bundle DIR           the first release: DIR/manifest.json and DIR/wheels/*.whl
                         (taihaoban-release build)
  --trusted-root FILE    the TUF root.json of the release repository to trust
  --repository-url URL   the release repository (TUF: URL/metadata/, URL/targets/)
  --terminal-id ID       the id the platform knows this terminal by (e.g. XT-0001)
  --platform-url URL     the credit platform's API base URL (https://...)
  --receipt-printer C    the thermal printer: usb://VID:PID, tcp://host:9100 or
                         serial:///dev/ttyS0
  --no-apt               do not install Debian packages (already there)
  --root DIR             install into DIR instead of / (tests): every path under DIR, the user
                         written to DIR/etc/passwd (useradd --root), units enabled with
                         systemctl --root; no apt-get, no daemon-reload, no udev reload

The configuration, the terminal secret and the releases already installed are never
overwritten by a second run.
EOF
}

readonly USER_NAME=taihaoban
readonly USER_GROUPS=(lp dialout) # USB and parallel printers; serial readers and printers
readonly SYSTEM_PYTHON=/usr/bin/python3.11 # as the updater builds releases ([updater] python)
readonly APT_PACKAGES=(
	pcscd libccid libpcsclite1 # the card reader, through pcscd
	cups cups-client libcups2  # the A4 printer
	cage                       # the kiosk compositor
	python3-venv python3-pip   # the releases' virtualenvs (system Python 3.11 and its pip)
	fonts-wqy-zenhei           # Chinese on screen, in the PDF and on the receipt
	espeak-ng alsa-utils       # the voice prompts: rendered at first start, played by aplay
	# what the PySide6 wheels load under Wayland
	libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libwayland-client0
	libwayland-cursor0 libwayland-egl1
)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUNDLE="" TRUSTED_ROOT="" REPOSITORY_URL="" TERMINAL_ID="" PLATFORM_URL="" RECEIPT_PRINTER="" ROOT="" APT=yes
CHANGES=0

log() { echo "install: $*"; }
die() {
	echo "install: error: $*" >&2
	exit 1
}
changed() {
	CHANGES=$((CHANGES + 1))
	log "changed: $*"
}
unchanged() { log "unchanged: $*"; }

while (($#)); do
	case $1 in
	--bundle) BUNDLE=${2:?--bundle needs a directory} && shift 2 ;;
	--trusted-root) TRUSTED_ROOT=${2:?--trusted-root needs a file} && shift 2 ;;
	--repository-url) REPOSITORY_URL=${2:?--repository-url needs a URL} && shift 2 ;;
	--terminal-id) TERMINAL_ID=${2:?--terminal-id needs an id} && shift 2 ;;
	--platform-url) PLATFORM_URL=${2:?--platform-url needs a URL} && shift 2 ;;
	--receipt-printer) RECEIPT_PRINTER=${2:?--receipt-printer needs a connection} && shift 2 ;;
	--root) ROOT=${2:?--root needs a directory} && shift 2 ;;
	--no-apt) APT=no && shift ;;
	-h | --help) usage && exit 0 ;;
	*) usage >&2 && die "unknown option $1" ;;
	esac
done

[[ $(id -u) -eq 0 ]] || die "run as root"
[[ -f $BUNDLE/manifest.json ]] || die "--bundle: no manifest.json in '${BUNDLE}'"
[[ -f $TRUSTED_ROOT ]] || die "--trusted-root: no file '${TRUSTED_ROOT}'"
# The values go into TOML strings: allow only what cannot break out of one (nor out of sed's |).
readonly URL_PATTERN='^https?://[^[:space:][:cntrl:]"\|]+$'
readonly PRINTER_PATTERN='^(usb|tcp|serial)://[A-Za-z0-9._:/?&=-]+$'
[[ $TERMINAL_ID =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ ]] || die "--terminal-id: letters, digits, _ . - only"
[[ $PLATFORM_URL =~ $URL_PATTERN ]] || die "--platform-url: an http(s) URL"
[[ $REPOSITORY_URL =~ $URL_PATTERN ]] || die "--repository-url: an http(s) URL"
[[ $RECEIPT_PRINTER =~ $PRINTER_PATTERN ]] ||
	die "--receipt-printer: usb://VID:PID, tcp://host:port or serial:///dev/ttyS0"
if [[ -n $ROOT ]]; then
	ROOT=$(cd "$ROOT" && pwd)
	APT=no
fi

readonly ETC=$ROOT/etc/taihaoban-kiosk
readonly STATE=$ROOT/var/lib/taihaoban-kiosk
readonly OPT=$ROOT/opt/taihaoban-kiosk

# The manifest's version, then its wheels (paths relative to the bundle), one a line.
mapfile -t MANIFEST < <("$SYSTEM_PYTHON" -c '
import json, sys
manifest = json.load(open(sys.argv[1], encoding="utf-8"))
print(manifest["version"])
if manifest["app_wheel"] not in manifest["wheels"]:
    sys.exit("manifest: app_wheel is not among wheels")
print("\n".join(manifest["wheels"]))
' "$BUNDLE/manifest.json") || die "--bundle: manifest.json is not a release manifest"
VERSION=${MANIFEST[0]}
WHEELS=("${MANIFEST[@]:1}")
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+([.+-][0-9A-Za-z.]+)?$ ]] || die "manifest: bad version '$VERSION'"
for wheel in "${WHEELS[@]}"; do
	[[ $wheel =~ ^wheels/[A-Za-z0-9_.+-]+\.whl$ ]] || die "manifest: bad wheel path '$wheel'"
	[[ -f $BUNDLE/$wheel ]] || die "bundle: $wheel is missing"
done

# ensure_mode PATH MODE UID GID: the file's mode and owner, fixed if they differ.
ensure_mode() {
	if [[ $(stat -c '%a %u %g' "$1") != "$2 $3 $4" ]]; then
		chown "$3:$4" "$1"
		chmod "$2" "$1"
		changed "${1#"$ROOT"} mode $2 owner $3:$4"
	fi
}

# ensure_dir PATH MODE UID GID
ensure_dir() {
	if [[ ! -d $1 ]]; then
		install -d -m "$2" -o "$3" -g "$4" "$1"
		changed "${1#"$ROOT"}/ created"
	else
		ensure_mode "$@"
	fi
}

# install_file SRC DEST MODE UID GID: DEST replaced (atomically) only when its content differs.
install_file() {
	if [[ -f $2 ]] && cmp -s "$1" "$2"; then
		ensure_mode "$2" "$3" "$4" "$5"
		return
	fi
	install -m "$3" -o "$4" -g "$5" "$1" "$2.new"
	mv -f "$2.new" "$2"
	changed "${2#"$ROOT"}"
}

install_debian_packages() {
	if [[ $APT == no ]]; then
		log "skipped: Debian packages (--no-apt or --root)"
		return
	fi
	local missing=() package
	for package in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$package")
	done
	if ((${#missing[@]} == 0)); then
		unchanged "Debian packages"
		return
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
	changed "Debian packages installed: ${missing[*]}"
}

create_user() {
	local root_option=() group
	[[ -n $ROOT ]] && root_option=(--root "$ROOT")
	if grep -q "^$USER_NAME:" "$ROOT/etc/passwd"; then
		unchanged "user $USER_NAME"
	else
		useradd "${root_option[@]}" --system --user-group --no-create-home \
			--home-dir /var/lib/taihaoban-kiosk --shell /usr/sbin/nologin "$USER_NAME"
		changed "user $USER_NAME created"
	fi
	for group in "${USER_GROUPS[@]}"; do
		if ! grep -Eq "^$group:[^:]*:[0-9]+:(.*,)?$USER_NAME(,|$)" "$ROOT/etc/group"; then
			usermod "${root_option[@]}" --append --groups "$group" "$USER_NAME"
			changed "user $USER_NAME added to group $group"
		fi
	done
	KIOSK_UID=$(awk -F: -v name="$USER_NAME" '$1 == name { print $3 }' "$ROOT/etc/passwd")
	KIOSK_GID=$(awk -F: -v name="$USER_NAME" '$1 == name { print $4 }' "$ROOT/etc/passwd")
}

install_configuration() {
	ensure_dir "$ETC" 750 0 "$KIOSK_GID"
	local rendered
	rendered=$(mktemp)
	# & in a sed replacement means "the match": escaped.
	sed -e "s|@TERMINAL_ID@|$TERMINAL_ID|" -e "s|@PLATFORM_URL@|${PLATFORM_URL//&/\\&}|" \
		-e "s|@RECEIPT_PRINTER@|${RECEIPT_PRINTER//&/\\&}|" \
		-e "s|@REPOSITORY_URL@|${REPOSITORY_URL//&/\\&}|" "$HERE/kiosk.toml.in" >"$rendered"
	if [[ ! -f $ETC/kiosk.toml ]]; then
		install_file "$rendered" "$ETC/kiosk.toml" 640 0 "$KIOSK_GID"
	else
		cmp -s "$rendered" "$ETC/kiosk.toml" ||
			log "kept: /etc/taihaoban-kiosk/kiosk.toml differs from these options (edited by hand?): not overwritten"
		ensure_mode "$ETC/kiosk.toml" 640 0 "$KIOSK_GID"
	fi
	rm -f "$rendered"

	# The terminal's HMAC secret: made once, here, and never replaced (the platform knows it).
	if [[ ! -f $ETC/terminal.secret ]]; then
		(
			umask 077
			od -An -vtx1 -N32 /dev/urandom | tr -d ' \n' >"$ETC/terminal.secret.new"
		)
		chown "0:$KIOSK_GID" "$ETC/terminal.secret.new"
		chmod 640 "$ETC/terminal.secret.new"
		mv "$ETC/terminal.secret.new" "$ETC/terminal.secret"
		changed "/etc/taihaoban-kiosk/terminal.secret generated (register it with the platform)"
	else
		unchanged "/etc/taihaoban-kiosk/terminal.secret"
		ensure_mode "$ETC/terminal.secret" 640 0 "$KIOSK_GID"
	fi

	"$SYSTEM_PYTHON" -c '
import json, sys
sys.exit(json.load(open(sys.argv[1], encoding="utf-8"))["signed"]["_type"] != "root")
' "$TRUSTED_ROOT" || die "--trusted-root: not a TUF root.json"
	install_file "$TRUSTED_ROOT" "$ETC/tuf-root.json" 644 0 0
}

create_directories() {
	ensure_dir "$STATE" 750 "$KIOSK_UID" "$KIOSK_GID"
	# The app commits a new release's version here itself, after its health check.
	ensure_dir "$STATE/updater" 750 "$KIOSK_UID" "$KIOSK_GID"
	ensure_dir "$OPT" 755 0 0
	ensure_dir "$OPT/releases" 755 0 0
	ensure_dir "$OPT/wheels" 755 0 0
}

# The wheels a release needs, kept so that an update downloads only the wheels it lacks.
fill_wheel_cache() {
	local wheel added=0
	for wheel in "${WHEELS[@]}"; do
		if [[ ! -f $OPT/$wheel ]]; then
			install -m 644 -o 0 -g 0 "$BUNDLE/$wheel" "$OPT/$wheel.new"
			mv -f "$OPT/$wheel.new" "$OPT/$wheel"
			added=$((added + 1))
		fi
	done
	if ((added)); then changed "wheel cache: $added wheels added"; else unchanged "wheel cache"; fi
}

# The release's virtualenv, built offline from exactly the manifest's wheels in a partial
# directory and renamed into place when complete: a kill leaves no half release under its name.
install_release() {
	local final=$OPT/releases/$VERSION partial wheel
	local wheel_files=()
	if [[ -x $final/venv/bin/taihaoban-kiosk ]]; then
		unchanged "release $VERSION"
		return
	fi
	[[ ! -e $final ]] || die "${final#"$ROOT"} exists without venv/bin/taihaoban-kiosk: remove it and run again"
	rm -rf "$OPT/releases/.$VERSION.partial-"*
	partial=$(mktemp -d "$OPT/releases/.$VERSION.partial-XXXXXX")
	chmod 755 "$partial"
	for wheel in "${WHEELS[@]}"; do wheel_files+=("$BUNDLE/$wheel"); done
	# As the updater builds them (kiosk/updater/releases.py): no pip inside, the system's pip.
	"$SYSTEM_PYTHON" -m venv --without-pip "$partial/venv"
	"$SYSTEM_PYTHON" -m pip --python "$partial/venv/bin/python" install --quiet --no-index \
		--no-deps --no-cache-dir --disable-pip-version-check "${wheel_files[@]}"
	# Scripts name their interpreter by absolute path: the one they will have once renamed.
	"$SYSTEM_PYTHON" -c '
import pathlib, sys
partial, final, venv = sys.argv[1].encode(), sys.argv[2].encode(), pathlib.Path(sys.argv[3])
for path in [*venv.glob("bin/*"), venv / "pyvenv.cfg"]:
    if path.is_file() and not path.is_symlink() and partial in (data := path.read_bytes()):
        path.write_bytes(data.replace(partial, final))
' "$partial" "$final" "$partial/venv"
	install -m 644 "$BUNDLE/manifest.json" "$partial/manifest.json"
	mv -T "$partial" "$final"
	changed "release $VERSION installed in ${final#"$ROOT"}"
}

# current -> releases/<version>, switched atomically (rename of a new symlink over the old);
# left alone when it already names an installed release (the updater's choice since).
point_current() {
	local current=$OPT/current target
	target=$(readlink "$current" || true)
	if [[ $target == "releases/$VERSION" ]]; then
		unchanged "current -> releases/$VERSION"
		return
	fi
	if [[ -n $target && -x $OPT/$target/venv/bin/taihaoban-kiosk ]]; then
		log "kept: current -> $target (installed since; release $VERSION stays beside it)"
		return
	fi
	rm -f "$OPT/.current.new"
	ln -s "releases/$VERSION" "$OPT/.current.new"
	mv -T "$OPT/.current.new" "$current"
	changed "current -> releases/$VERSION"
}

install_system_files() {
	local unit units_changed=$CHANGES rules_changed
	ensure_dir "$ROOT/etc/systemd/system" 755 0 0
	for unit in "$HERE"/systemd/*; do
		install_file "$unit" "$ROOT/etc/systemd/system/$(basename "$unit")" 644 0 0
	done
	ensure_dir "$ROOT/etc/pam.d" 755 0 0
	install_file "$HERE/pam/taihaoban-kiosk" "$ROOT/etc/pam.d/taihaoban-kiosk" 644 0 0
	ensure_dir "$ROOT/usr/share/doc/taihaoban-kiosk" 755 0 0
	install_file "$HERE/README.md" "$ROOT/usr/share/doc/taihaoban-kiosk/README.md" 644 0 0
	ensure_dir "$ROOT/etc/sysctl.d" 755 0 0
	install_file "$HERE/sysctl/90-taihaoban-kiosk.conf" "$ROOT/etc/sysctl.d/90-taihaoban-kiosk.conf" 644 0 0
	units_changed=$((CHANGES - units_changed))
	rules_changed=$CHANGES
	ensure_dir "$ROOT/etc/udev/rules.d" 755 0 0
	for unit in "$HERE"/udev/*.rules; do
		install_file "$unit" "$ROOT/etc/udev/rules.d/$(basename "$unit")" 644 0 0
	done
	rules_changed=$((CHANGES - rules_changed))

	local systemctl=(systemctl) running=no
	if [[ -n $ROOT ]]; then
		systemctl+=(--root "$ROOT")
	elif [[ -d /run/systemd/system ]]; then
		running=yes
	fi
	if [[ $running == yes ]] && ((units_changed)); then
		systemctl daemon-reload
		sysctl --quiet --load /etc/sysctl.d/90-taihaoban-kiosk.conf
	fi
	for unit in taihaoban-kiosk.service taihaoban-kiosk-update.timer; do
		if [[ $("${systemctl[@]}" is-enabled "$unit" 2>/dev/null) == enabled ]]; then
			unchanged "$unit enabled"
		else
			"${systemctl[@]}" enable --quiet "$unit"
			changed "$unit enabled"
		fi
	done
	# The kiosk is wanted by graphical.target: the terminal must boot into it (Debian's default).
	if [[ -z $ROOT && $(systemctl get-default) != graphical.target ]]; then
		systemctl set-default graphical.target
		changed "default target graphical.target"
	fi
	if [[ $running == yes ]] && ((rules_changed)); then
		udevadm control --reload-rules
		udevadm trigger --action=add --subsystem-match=usb --subsystem-match=usbmisc
		log "udev rules reloaded"
	elif [[ $running == no ]]; then
		log "skipped: udev reload (no running systemd or --root)"
	fi
}

install_debian_packages
create_user
install_configuration
create_directories
fill_wheel_cache
install_release
point_current
install_system_files

if ((CHANGES == 0)); then
	log "nothing changed: this terminal was already installed as asked"
else
	# The update timer is not started here: it starts at boot, after the kiosk has made its
	# state files (the updater, run as root, must not be the one creating them).
	log "done: $CHANGES changes. Reboot to start the kiosk and the update timer."
fi
