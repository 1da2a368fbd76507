// Builds the web UI into one folder of static files (default: target/webui):
//   our page (src/)  +  noVNC's core and the part of pako it imports (node_modules/@novnc/novnc).
// No bundler: the browser loads plain ES modules. The build checks that every relative import
// of every module resolves to a file in the output, so a typo fails here and not in a browser.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] || join(root, "target", "webui"));
const novnc = join(root, "node_modules", "@novnc", "novnc");

function fail(message) {
  console.error("webui build: " + message);
  process.exit(1);
}

if (!existsSync(join(novnc, "core", "rfb.js"))) {
  fail("noVNC is not installed in node_modules; run `npm ci` first (Maven does it in generate-resources)");
}
const novncVersion = JSON.parse(readFileSync(join(novnc, "package.json"), "utf8")).version;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, "src"), out, { recursive: true });
cpSync(join(novnc, "core"), join(out, "novnc", "core"), { recursive: true });
cpSync(join(novnc, "vendor", "pako"), join(out, "novnc", "vendor", "pako"), { recursive: true });
cpSync(join(novnc, "LICENSE.txt"), join(out, "novnc", "LICENSE.txt"));
writeFileSync(join(out, "build-info.json"), JSON.stringify({ novnc: novncVersion }) + "\n");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const importPattern = /(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[;\s])import\s*["']([^"']+)["']/gm;
const problems = [];
const files = walk(out);
let imports = 0;
for (const file of files.filter((f) => f.endsWith(".js"))) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] || m[2];
    imports++;
    if (!spec.startsWith(".")) {
      problems.push(`${relative(out, file)} imports "${spec}": only relative imports can be served as files`);
    } else if (!existsSync(resolve(dirname(file), spec))) {
      problems.push(`${relative(out, file)} imports "${spec}", which is not in the build`);
    }
  }
}
for (const html of files.filter((f) => f.endsWith(".html"))) {
  const text = readFileSync(html, "utf8");
  if (/<script(?![^>]*\ssrc=)[^>]*>/i.test(text) || /\son[a-z]+\s*=/i.test(text) || /\sstyle\s*=/i.test(text)) {
    problems.push(`${relative(out, html)} has inline script, event-handler or style attributes; the CSP forbids them`);
  }
}
if (imports < 50) problems.push(`only ${imports} imports found: the import check is not working`);
if (problems.length) fail("\n  " + problems.join("\n  "));
console.log(`webui build: ${files.length} files, ${imports} imports checked (noVNC ${novncVersion}) in ${out}`);
