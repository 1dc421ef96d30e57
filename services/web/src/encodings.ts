/**
 * The built files compressed once, when the client is built (client-build.ts), and each answer in
 * the best encoding the request's Accept-Encoding allows: brotli, then gzip, else the bytes as they
 * are. `Vary: Accept-Encoding` on every answer, so a cache never hands the gzip to a client that
 * did not ask for it.
 */
import { promisify } from "node:util";
import { brotliCompress, constants } from "node:zlib";

export type Encoding = "br" | "gzip";

/** A built file: its bytes, and the same bytes in each encoding that made them smaller. */
export interface EncodedFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  encoded: Partial<Record<Encoding, Uint8Array>>;
}

/** Text compresses; the images the client ships (PNG, WebP) already are. */
const compressible = /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg\+xml)/;

const brotli = promisify(brotliCompress);

/**
 * Brotli at its best quality (11): about 13% smaller than gzip -9 on the app's script, at about a
 * second of CPU once per start, off the event loop (zlib's thread pool). Gzip -9 is native and fast.
 */
export async function encodeFile(body: Uint8Array<ArrayBuffer>, contentType: string): Promise<EncodedFile> {
  const encoded: EncodedFile["encoded"] = {};
  if (compressible.test(contentType)) {
    const candidates: [Encoding, Uint8Array][] = [
      [
        "br",
        new Uint8Array(
          await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
        ),
      ],
      ["gzip", Bun.gzipSync(body, { level: 9 })],
    ];
    for (const [encoding, bytes] of candidates) if (bytes.byteLength < body.byteLength) encoded[encoding] = bytes;
  }
  return { body, contentType, encoded };
}

/** Preferred first, when the client weighs them the same. */
const preference: Encoding[] = ["br", "gzip"];

/**
 * The encoding to answer in, from Accept-Encoding (RFC 9110 §12.5.3): the client's highest
 * q-value among those we have, brotli before gzip on a tie; a coding named with q=0 is refused,
 * `*` stands for every coding not named; none: the bytes as they are (identity).
 */
export function chooseEncoding(acceptEncoding: string | null, available: Encoding[]): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...parameters] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  let best: Encoding | undefined;
  let bestWeight = 0;
  for (const encoding of preference) {
    if (!available.includes(encoding)) continue;
    const weight = weights.get(encoding) ?? weights.get("*") ?? 0;
    if (weight > bestWeight) {
      best = encoding;
      bestWeight = weight;
    }
  }
  return best;
}

/** The file as the request accepts it, with its Content-Encoding, Content-Length and Vary. */
export function encodedResponse(request: Request, file: EncodedFile, init: { status?: number; headers: Record<string, string> }): Response {
  const encoding = chooseEncoding(request.headers.get("accept-encoding"), Object.keys(file.encoded) as Encoding[]);
  const body = encoding ? file.encoded[encoding]! : file.body;
  const headers: Record<string, string> = {
    ...init.headers,
    "content-type": file.contentType,
    "content-length": String(body.byteLength),
    vary: "Accept-Encoding",
  };
  if (encoding) headers["content-encoding"] = encoding;
  return new Response(body, { status: init.status ?? 200, headers });
}
