# docker-entrypoint-initdb.d, sourced on the first start only (empty data volume), while mongod
# still runs without access control: creates the apps' own user, limited to their database
# (readWrite is all Sharexpress needs: it creates its indexes and uses no transactions).
# The JavaScript reads the credentials from the environment, so no quoting can break it.
mongosh --quiet --norc --host 127.0.0.1 --port 27017 sharexpress --eval '
  db.createUser({
    user: process.env.MONGO_APP_USER,
    pwd: process.env.MONGO_APP_PASSWORD,
    roles: [{ role: "readWrite", db: "sharexpress" }],
  });
'
