// Packs a directory into a one-layer OCI image archive that `ctr images import` loads: how the local
// cluster gets images with no registry and no Docker engine (issue 13, "Images without a registry").
//
// usage: scripts/bun run scripts/oci-image.ts --name booking-rush.local/x:1 --rootfs DIR --out FILE.tar
//          [--entrypoint '["/x"]'] [--cmd '["-a"]'] [--env K=V]... [--user 1000:1000] [--workdir /app]
//          [--port 8080]...
// The layer keeps the rootfs' numeric owners and modes; file times are zeroed and entries sorted, so
// the same directory always gives the same digests. The archive holds an OCI image layout whose
// index names the image (io.containerd.image.name), which containerd uses as the image's name.
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    rootfs: { type: "string" },
    out: { type: "string" },
    entrypoint: { type: "string" },
    cmd: { type: "string" },
    env: { type: "string", multiple: true, default: [] },
    user: { type: "string" },
    workdir: { type: "string" },
    port: { type: "string", multiple: true, default: [] },
  },
});

function fail(message: string): never {
  console.error(`oci-image: ${message}`);
  process.exit(2);
}

function stringList(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    fail(`--${flag} must be a JSON array of strings`);
  }
  return parsed;
}

function run(command: string[]): string {
  const result = Bun.spawnSync(command, { stderr: "pipe" });
  if (result.exitCode !== 0) fail(`${command.join(" ")}: ${result.stderr.toString().trim()}`);
  return result.stdout.toString();
}

function sha256Of(path: string): string {
  return `sha256:${run(["sha256sum", path]).split(" ")[0]}`;
}

const name = values.name ?? fail("--name is required");
const rootfs = values.rootfs ?? fail("--rootfs is required");
const out = values.out ?? fail("--out is required");
if (!statSync(rootfs).isDirectory()) fail(`${rootfs} is not a directory`);
if (!/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/.test(name)) {
  fail(`--name must be registry/path:tag, e.g. booking-rush.local/redis:7.0 (got ${name})`);
}

const layout = mkdtempSync(join(tmpdir(), "oci-image-"));
try {
  const blobs = join(layout, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const blob = (digest: string) => join(blobs, digest.slice("sha256:".length));

  const layerPath = join(layout, "layer.tar");
  run([
    "tar",
    "--create",
    "--file",
    layerPath,
    "--directory",
    rootfs,
    "--sort=name",
    "--mtime=@0",
    "--numeric-owner",
    "--xattrs",
    "--xattrs-include=security.capability",
    ".",
  ]);
  const layerDigest = sha256Of(layerPath);
  const layerSize = statSync(layerPath).size;
  renameSync(layerPath, blob(layerDigest));

  const env = values.env;
  if (!env.some((entry) => entry.startsWith("PATH="))) {
    env.unshift("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  const imageConfig = {
    architecture: "amd64",
    os: "linux",
    config: {
      Env: env,
      Entrypoint: stringList("entrypoint", values.entrypoint),
      Cmd: stringList("cmd", values.cmd),
      User: values.user,
      WorkingDir: values.workdir,
      ExposedPorts: values.port.length ? Object.fromEntries(values.port.map((port) => [`${port}/tcp`, {}])) : undefined,
    },
    rootfs: { type: "layers", diff_ids: [layerDigest] },
  };
  const writeBlob = (content: unknown) => {
    const path = join(layout, "blob.json");
    writeFileSync(path, JSON.stringify(content));
    const digest = sha256Of(path);
    const size = statSync(path).size;
    renameSync(path, blob(digest));
    return { digest, size };
  };
  const config = writeBlob(imageConfig);
  const manifest = writeBlob({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layerSize }],
  });
  const tag = name.slice(name.lastIndexOf(":") + 1);
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          ...manifest,
          annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
  run(["tar", "--create", "--file", `${out}.partial`, "--directory", layout, "oci-layout", "index.json", "blobs"]);
  renameSync(`${out}.partial`, out);
  console.log(`${name} ${manifest.digest} ${out}`);
} finally {
  rmSync(layout, { recursive: true, force: true });
}
