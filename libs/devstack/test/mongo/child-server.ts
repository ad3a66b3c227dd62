// A devstack server in its own process, for tests that must kill it hard (kill -9).
// argv[2]: data directory. Reports { uri } to the parent over IPC.
import { startMongoServer } from '../../src/mongo/index.js';

const server = await startMongoServer({ port: 0, host: '127.0.0.1', dataDir: process.argv[2] });
process.send?.({ uri: server.uri });
