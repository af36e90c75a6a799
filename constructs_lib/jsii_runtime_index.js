"use strict";
// Preloaded (node --require) into the jsii kernel's Node process by
// constructs_lib/jsii_host.py: the kernel's exit waits for jsii's runtime-index
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
// exiting at the limit leaves no partial index (at worst a temporary file), and
// the next load tries again.
// Other workers and an exit with no index being built are not touched.
const threads = require("worker_threads");
const path = require("path");

const INDEX_WORKER = "runtime-index-worker.js";
const limits = { waitMs: 30000 }; // jsii_host.py waits a little longer than this for the kernel to exit
const pending = new Set();
let exiting = false;

class IndexAwareWorker extends threads.Worker {
  constructor(filename, options) {
    super(filename, options);
    if (path.basename(String(filename)) === INDEX_WORKER) {
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
  const timer = setTimeout(() => exitNow(code), limits.waitMs);
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
