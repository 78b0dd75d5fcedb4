// A JSON document as bytes from a file or a request body: UTF-8, with or without the byte-order
// mark Windows editors write at the start. The CLI (a spec file) and the lab server (a request
// body) both read documents here, so they accept the same ones; the form builds its document
// itself and has no bytes to read.

export class JsonDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDocumentError';
  }
}

/**
 * The value of a JSON document (undefined for an empty or all-blank one). A leading BOM is
 * dropped; bytes that are not UTF-8 or text that is not JSON throw JsonDocumentError.
 */
export function parseJsonDocument(bytes: Uint8Array): unknown {
  let text: string;
  try {
    // The decoder drops one leading BOM (ignoreBOM: false) and refuses what is not UTF-8.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new JsonDocumentError('is not UTF-8 text');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JsonDocumentError(`is not valid JSON: ${(err as Error).message}`);
  }
}
