/**
 * The single-page app, built in memory by Bun's bundler when the process starts: from the HTML
 * entry (client/index.html, which imports the TSX and the CSS) to an index.html and hashed assets,
 * held in memory and never written (the image's root filesystem is read-only), so no build step
 * exists outside the process. Each file is compressed here, once (encodings.ts).
 */
import { join } from "node:path";
import { type EncodedFile, encodeFile } from "./encodings";

export interface WebConfig {
  /** Minified, with React's production build; else readable, with React's warnings (WEB_CLIENT_BUILD, settings.ts). */
  production: boolean;
}

/** A built file with its compressed copies (encodings.ts), made once here and served as asked. */
export type BuiltAsset = EncodedFile;

export interface BuiltClient {
  /** index.html, naming its assets under /assets/. */
  indexHtml: BuiltAsset;
  /** Each built asset by its hashed file name (`main-3nay9e1a.js`). */
  assets: Map<string, BuiltAsset>;
}

export const clientEntry = join(import.meta.dir, "client", "index.html");
export const assetsPrefix = "/assets/";

/** The hashed file name of an asset, as the HTML names it after `/assets/`. */
const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

export async function buildClient(config: WebConfig, entry = clientEntry): Promise<BuiltClient> {
  const result = await Bun.build({
    entrypoints: [entry],
    target: "browser",
    minify: config.production,
    sourcemap: "none",
    publicPath: assetsPrefix,
    // Every file but the HTML carries its content hash, so it can be cached for a year.
    naming: { entry: "[name]-[hash].[ext]", chunk: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    define: { "process.env.NODE_ENV": JSON.stringify(config.production ? "production" : "development") },
    throw: false,
  });
  if (!result.success) {
    const messages = result.logs.map((log) => String(log.message ?? log)).join("; ");
    throw new Error(`the web client did not build: ${messages}`);
  }
  let indexHtml: BuiltAsset | undefined;
  const assets = new Map<string, BuiltAsset>();
  for (const output of result.outputs) {
    const body = new Uint8Array(await output.arrayBuffer());
    if (output.path.endsWith(".html")) {
      indexHtml = await encodeFile(body, "text/html; charset=utf-8");
      continue;
    }
    assets.set(fileName(output.path), await encodeFile(body, output.type));
  }
  if (indexHtml === undefined) throw new Error("the web client's build has no index.html");
  return { indexHtml, assets };
}
