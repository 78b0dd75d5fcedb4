// A chosen file's bytes as base64, the form importModel takes them in (JSON over IPC and HTTP).

/** Base64 of the bytes, built in chunks (one String.fromCharCode call per 32 KiB stays within the argument limit). */
export function base64Of(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}
