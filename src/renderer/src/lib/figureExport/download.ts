// Saves a Blob as a file through an <a download>: the browser's download in the lab server's
// page, and Electron's save in the app (its session handles the download).
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // After the click has handed the URL to the download; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
