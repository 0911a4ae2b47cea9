/**
 * `data:<media type>[;param=value]*;base64,<data>` → its parts, or null when
 * the value is not a base64 data URL. Works with indexOf (no regex over
 * megabytes of base64). Media-type parameters (charset) are dropped: the IR
 * keeps the bare type.
 */
export function parseDataUrl(value: string): { mediaType: string; data: string } | null {
  if (!value.startsWith('data:')) return null;
  const comma = value.indexOf(',');
  if (comma < 0) return null;
  const header = value.slice(5, comma).split(';');
  if (header[header.length - 1].toLowerCase() !== 'base64') return null;
  const mediaType = header[0].trim().toLowerCase();
  if (mediaType === '' || !mediaType.includes('/')) return null;
  return { mediaType, data: value.slice(comma + 1) };
}

export function buildDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}
