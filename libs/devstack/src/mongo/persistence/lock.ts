// One server per data directory (like mongod.lock): a second writer would interleave journal
// records. A lock left by a process that no longer exists (kill -9) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(dir: string): () => void {
  const path = join(dir, 'devstack-mongo.lock');
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new Error(`data directory ${dir} is in use by process ${holder}`, { cause: err });
    }
    if (holder === process.pid) {
      throw new Error(`data directory ${dir} is already in use by this process`, { cause: err });
    }
    writeFileSync(path, String(process.pid));
  }
  return () => rmSync(path, { force: true });
}
