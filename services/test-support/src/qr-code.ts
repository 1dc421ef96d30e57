/**
 * Reads a QR code out of a PNG (the e-mailed ticket's attachment, a browser's screenshot of the
 * ticket view): what a door scanner would read. jsQR finds and decodes the code in the pixels.
 */
import jsQR from "jsqr";
import { PNG } from "pngjs";

/** The text of the QR code in `png`; throws when no code can be read there. */
export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  if (!code) throw new Error(`no readable QR code in the ${image.width}×${image.height} image`);
  return code.data;
}
