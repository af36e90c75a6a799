"use strict";
// Preloaded (node --require) into the jsii kernel's Node process by
// constructs_lib/runtime/jsii_host.py: the AWS provider's JavaScript index loads each of its
// resource modules when the kernel first asks for it, not all 2,135 at start-up.
//
// That index (@cdktf/provider-aws/lib/index.js) is one statement per module,
//     exports.vpc = require("./vpc");
// and the kernel finds a class by walking the exports (`closure.vpc.Vpc`), so each
// statement becomes a getter that requires the module on first read and then keeps
// it as a plain value. An index with any other require in it is loaded unchanged:
// this rewrite knows one shape and touches nothing else.
const Module = require("module");
const fs = require("fs");
const path = require("path");

const INDEX = path.join("node_modules", "@cdktf", "provider-aws", "lib", "index.js");
const EXPORT_OF_MODULE = /^exports\.([A-Za-z_$][\w$]*) = require\(("\.\/[^"\\]+")\);$/;

function lazyExport(target, name, load) {
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = load();
      Object.defineProperty(target, name, { enumerable: true, configurable: true, writable: true, value });
      return value;
    },
  });
}

// The index with every module export made lazy, or null when it is not the one shape.
function lazySource(source) {
  let lazy = 0;
  const lines = [];
  for (const line of source.split("\n")) {
    const match = EXPORT_OF_MODULE.exec(line.trimEnd());
    if (match) {
      lazy += 1;
      lines.push(`__lazyExport(exports, ${JSON.stringify(match[1])}, () => require(${match[2]}));`);
    } else if (line.includes("require(")) {
      return null;
    } else {
      lines.push(line);
    }
  }
  if (lazy === 0) {
    return null;
  }
  // After the "use strict" directive, which must stay the first statement.
  const start = lines[0].trim() === '"use strict";' ? 1 : 0;
  lines.splice(start, 0, `const __lazyExport = require(${JSON.stringify(__filename)}).lazyExport;`);
  return lines.join("\n");
}

const compileJs = Module._extensions[".js"];
Module._extensions[".js"] = function loadJs(module, filename) {
  if (!filename.endsWith(path.sep + INDEX)) {
    return compileJs(module, filename);
  }
  const rewritten = lazySource(fs.readFileSync(filename, "utf8"));
  if (rewritten === null) {
    return compileJs(module, filename);
  }
  return module._compile(rewritten, filename);
};

module.exports = { lazyExport, lazySource, INDEX };
