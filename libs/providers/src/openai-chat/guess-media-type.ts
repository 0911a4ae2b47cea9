import { mediaTypeFromName } from '../shared/media';

/**
 * Media type from a file name or URL path extension, for file parts that
 * reference a URL (`file.file_data: "https://…/x.pdf"`): the IR needs a media
 * type and a URL carries none. Unknown extensions give octet-stream; the
 * upstream decides whether it can read it.
 */
export function guessMediaType(...names: Array<string | undefined>): string {
  for (const name of names) {
    const found = mediaTypeFromName(name);
    if (found) return found;
  }
  return 'application/octet-stream';
}
