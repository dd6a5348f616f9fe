// Bundles the UI into src/rustcoder/serve/static, which `rustcoder serve` serves (setup.sh runs it).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const out = "../src/rustcoder/serve/static";
mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: ["src/main.ts", "src/style.css"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir: join(out, "assets"),
  entryNames: "[name]",
  logLevel: "warning",
});
copyFileSync("index.html", join(out, "index.html"));
