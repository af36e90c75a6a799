"use strict";
// Preloaded (node --require) into the jsii kernel's Node process by
// constructs_lib/runtime/jsii_host.py: the kernel's exit waits for jsii's runtime-index
// builder, so the index gets written.
//
// jsii caches each assembly it loads (~/.cache/aws/jsii/package-cache). After the
// first full parse of a cached assembly it builds a runtime index beside it on a
// worker thread (names, kinds and offsets of every type, one definition per line),
// and later loads parse only the types they use. The worker is meant to keep the
// process alive until the index is written, but the kernel ends with
// process.exit() when the host says exit, which kills the worker. The AWS
// provider's assembly is 120 MB and takes seconds to index, so its index was
// written only by a process that happened to live long enough; every other
// process parsed all 120 MB again (~1 s and ~0.5 GB more memory on these machines).
//
// Here process.exit() waits for index workers still running, at most
// limits.waitMs; the writes are jsii's own (temporary file, then rename), so
// exiting at the limit leaves no partial index, and the next load tries again.
// jsii never removes a temporary file whose writer was cut off (32 MB for the AWS
// assembly): an exit at the limit removes its own, and an index build removes
// those of writers no longer running in the cache entry it writes to.
// Other workers and an exit with no index being built are not touched.
const fs = require("fs");
const threads = require("worker_threads");
const path = require("path");

const INDEX_WORKER = "runtime-index-worker.js";
const limits = { waitMs: 30000 }; // jsii_host.py waits a little longer than this for the kernel to exit
const pending = new Set();
let exiting = false;

// jsii's temporary name for an index file: `<file>.<pid of the writer>.tmp`.
const TEMPORARY = /^\.jsii\.runtime[^/]*\.(\d+)\.tmp$/;

function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM"; // someone else's process
  }
}

// Removes the index temporaries in `dir` whose writer's pid passes `stale`.
function removeTemporaries(dir, stale) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // no such entry (yet): nothing to remove
  }
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (match && stale(Number(match[1]))) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

class IndexAwareWorker extends threads.Worker {
  constructor(filename, options) {
    super(filename, options);
    if (path.basename(String(filename)) === INDEX_WORKER) {
      const dir = options && options.workerData && options.workerData.packageDir;
      this.packageDir = typeof dir === "string" ? dir : undefined;
      if (this.packageDir) {
        removeTemporaries(this.packageDir, (pid) => pid !== process.pid && !running(pid));
      }
      pending.add(this);
      this.once("exit", () => pending.delete(this));
    }
  }
}

const exitNow = process.exit.bind(process);

function exitAfterIndex(code) {
  if (pending.size === 0) {
    return exitNow(code);
  }
  if (exiting) {
    return undefined; // already waiting: the first exit code stands
  }
  exiting = true;
  const timer = setTimeout(() => {
    for (const worker of pending) {
      if (worker.packageDir) {
        removeTemporaries(worker.packageDir, (pid) => pid === process.pid); // cut off: its write is dropped
      }
    }
    exitNow(code);
  }, limits.waitMs);
  for (const worker of pending) {
    worker.once("exit", () => {
      if (pending.size === 0) {
        clearTimeout(timer);
        exitNow(code);
      }
    });
  }
  return undefined;
}

threads.Worker = IndexAwareWorker;
process.exit = exitAfterIndex;

module.exports = { limits }; // tests shorten the wait
