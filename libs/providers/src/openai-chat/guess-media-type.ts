/**
 * Media type from a file name or URL path extension, for file parts that
 * reference a URL (`file.file_data: "https://…/x.pdf"`): the IR needs a media
 * type and a URL carries none. Unknown extensions give octet-stream; the
 * upstream decides whether it can read it.
 */
const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

export function guessMediaType(...names: Array<string | undefined>): string {
  for (const name of names) {
    if (!name) continue;
    const path = name.split(/[?#]/)[0];
    const dot = path.lastIndexOf('.');
    if (dot < 0 || dot < path.lastIndexOf('/')) continue;
    const found = BY_EXTENSION[path.slice(dot + 1).toLowerCase()];
    if (found) return found;
  }
  return 'application/octet-stream';
}
