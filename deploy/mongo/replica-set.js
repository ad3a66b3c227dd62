/* global rs, db, quit */
// docker-compose.yml's MongoDB health check (mongosh --file). The first run initiates the
// single-node replica set; later runs find it initiated and leave it alone, so running this every
// few seconds is safe. Healthy only once this node is primary and takes writes: the apps wait for
// that, not merely for a listening port.
try {
  rs.status();
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  // The service name, as the apps' MONGODB_URI names it: the driver connects to the hosts the
  // replica set announces, so this must resolve for them.
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongo:27017' }] });
}
quit(db.hello().isWritablePrimary ? 0 : 1);
