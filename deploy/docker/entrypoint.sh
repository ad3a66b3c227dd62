#!/bin/sh
# The image's entry point. `api` (the default command) or `worker` picks the process, with any
# further arguments passed on to Node; anything else runs as given (`docker run -it … sh`).
# Paths are relative to the working directory, /app in the image.
# exec: Node becomes PID 1 and receives SIGTERM itself (both apps drain, then exit 0).
set -eu

case "${1-}" in
  api | worker)
    app="$1"
    shift
    exec node "dist/apps/$app/src/main.js" "$@"
    ;;
  '')
    echo "usage: api | worker | <command> [args...]" >&2
    exit 64
    ;;
  *)
    exec "$@"
    ;;
esac
