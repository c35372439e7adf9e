# Shared by the scripts: where things are, and a private desktop session for tests.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-$(nproc)}"

build_preset() {
  local preset="$1"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
}

# Runs "$@" with a temporary HOME (so nothing of the user's is touched), a private D-Bus
# session and an unlocked gnome-keyring in it (for QtKeychain), and offscreen Qt.
run_private_session() {
  local home
  home="$(mktemp -d "${TMPDIR:-/tmp}/legba-home.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$home'" RETURN
  mkdir -p "$home/.config" "$home/.local/share" "$home/.cache" "$home/run"
  chmod 700 "$home/run"
  env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY \
    HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run" \
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" LEGBA_TEST_HOME="$home" \
    dbus-run-session -- bash -c '
      # The keyring daemon answers on this session bus; the password only unlocks the
      # throwaway login keyring of this temporary HOME.
      echo -n "legba-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
      exec "$@"' legba-session "$@"
}
