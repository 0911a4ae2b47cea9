import '@fastify/multipart';
import { GatewayError } from '@aigw/providers';
import { FastifyRequest } from 'fastify';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FormData } from 'undici';

/** One uploaded file, spooled to the request's temp directory under a name of ours (never the client's). */
export interface UploadedFile {
  field: string;
  filename: string;
  mimetype: string;
  path: string;
  bytes: number;
  /** The spooled file as a Blob backed by the file: a form streams it from disk, as often as attempts need. */
  blob: Blob;
}

type UploadEntry = { kind: 'field'; name: string; value: string } | { kind: 'file'; file: UploadedFile };

/** Beyond what any of OpenAI's multipart endpoints takes (16 edit images and a mask; a prompt of 32,000 characters). */
const UPLOAD_LIMITS = { files: 20, fields: 64, parts: 100, fieldSize: 1024 * 1024, fieldNameSize: 200, headerPairs: 200 };

/**
 * A multipart request body, read once: fields kept in memory, each file
 * streamed to its own file in a per-request directory made with mkdtemp under
 * the OS temp dir — so the body is never held in memory, the model field can
 * come after the file (the OpenAI SDK sends the file first), and every
 * attempt at a channel can send the same bytes again. `dispose()` removes the
 * directory; the relay calls it when the exchange ends, whatever happened.
 */
export class MultipartUpload {
  private readonly entries: UploadEntry[] = [];
  private dir: Promise<string> | null = null;

  private constructor() {}

  /** Reads the whole upload; a body that is not multipart, malformed, or over a limit is the client's error (400, 413). */
  static async receive(request: FastifyRequest, fileSizeLimit: number, into: (upload: MultipartUpload) => void): Promise<MultipartUpload> {
    if (typeof request.isMultipart !== 'function' || !request.isMultipart()) {
      throw new GatewayError('invalid_request', 'this endpoint takes a multipart/form-data body');
    }
    const upload = new MultipartUpload();
    // Handed over before anything is written, so the caller can dispose of it whatever happens next.
    into(upload);
    try {
      for await (const part of request.parts({ limits: { ...UPLOAD_LIMITS, fileSize: fileSizeLimit } })) {
        if (part.type === 'field') {
          if (part.valueTruncated || part.fieldnameTruncated) throw new GatewayError('payload_too_large', `the form field ${part.fieldname.slice(0, 64)} is too large`);
          upload.entries.push({ kind: 'field', name: part.fieldname, value: String(part.value) });
          continue;
        }
        const path = join(await upload.directory(), String(upload.entries.length));
        await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
        if (part.file.truncated) throw tooLarge(fileSizeLimit);
        const bytes = part.file.bytesRead;
        const mimetype = part.mimetype || 'application/octet-stream';
        const file: UploadedFile = { field: part.fieldname, filename: part.filename || 'file', mimetype, path, bytes, blob: await openAsBlob(path, { type: mimetype }) };
        upload.entries.push({ kind: 'file', file });
      }
    } catch (error) {
      // Nothing will read a refused upload: gone before the error is answered.
      await upload.dispose();
      if (error instanceof GatewayError) throw error;
      if ((error as { statusCode?: number }).statusCode === 413) throw tooLarge(fileSizeLimit, (error as { code?: string }).code);
      throw new GatewayError('invalid_request', `the multipart body could not be read: ${(error as Error).message}`);
    }
    return upload;
  }

  /** The last value of a text field (a repeated field's last, as most servers read it). */
  field(name: string): string | undefined {
    for (let index = this.entries.length - 1; index >= 0; index -= 1) {
      const entry = this.entries[index];
      if (entry.kind === 'field' && entry.name === name) return entry.value;
    }
    return undefined;
  }

  /** Every text field, the last value of each (what routing rules and affinity read). */
  fields(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const entry of this.entries) if (entry.kind === 'field') fields[entry.name] = entry.value;
    return fields;
  }

  /** The files uploaded under these field names (`image` and `image[]` are both the images of an edit). */
  files(...names: string[]): UploadedFile[] {
    return this.entries.flatMap((entry) => (entry.kind === 'file' && names.includes(entry.file.field) ? [entry.file] : []));
  }

  /** The upload as a new form for an upstream, in the client's order, with some text fields replaced (the upstream model). */
  toForm(replace: Record<string, string>): FormData {
    const form = new FormData();
    for (const entry of this.entries) {
      if (entry.kind === 'file') form.append(entry.file.field, entry.file.blob, entry.file.filename);
      else form.append(entry.name, entry.name in replace ? replace[entry.name] : entry.value);
    }
    return form;
  }

  /** Removes the spooled files (idempotent). */
  async dispose(): Promise<void> {
    const dir = await this.dir?.catch(() => null);
    this.dir = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private directory(): Promise<string> {
    return (this.dir ??= mkdtemp(join(tmpdir(), 'aigw-upload-')));
  }
}

function tooLarge(limit: number, code?: string): GatewayError {
  if (code && code !== 'FST_REQ_FILE_TOO_LARGE') return new GatewayError('payload_too_large', 'the upload has too many files or fields');
  return new GatewayError('payload_too_large', `each uploaded file may be at most ${Math.floor(limit / (1024 * 1024))} MiB`);
}
