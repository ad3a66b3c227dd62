#!/bin/bash
# docker-compose.yml's MongoDB entry point. mongod refuses a replica set with access control
# unless its members authenticate to each other, even when there is a single member: this creates
# that shared key file once (on the mongo-config volume), then hands over to the image's own entry
# point, which creates the users on the first start and drops root.
set -euo pipefail

keyfile=/data/configdb/replica-set.key
if [ ! -s "$keyfile" ]; then
  umask 077
  # 756 random bytes are 1008 base64 characters: MongoDB takes 6 to 1024.
  head -c 756 /dev/urandom | base64 > "$keyfile"
fi
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"

exec docker-entrypoint.sh "$@"
