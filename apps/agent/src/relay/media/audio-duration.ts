import { parseFile } from 'music-metadata';
import { unitCount } from './media-usage.util';

/**
 * The duration of an uploaded audio file, in milliseconds, read from its
 * container headers (WAV, MP3, MP4/M4A, OGG, FLAC, WebM: the formats
 * OpenAI's transcription endpoints take); null when it cannot be told. Reads
 * headers only (no decoding, no scan of the whole file), so it costs a few
 * small reads of the spooled upload.
 */
export async function probeAudioDurationMs(path: string): Promise<number | null> {
  try {
    const { format } = await parseFile(path, { duration: false, skipCovers: true, skipPostHeaders: true });
    // A header is the client's word: clamped like any reported count.
    return typeof format.duration === 'number' && Number.isFinite(format.duration) && format.duration > 0 ? unitCount(Math.ceil(format.duration * 1000)) : null;
  } catch {
    return null;
  }
}
