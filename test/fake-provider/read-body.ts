import { IncomingMessage } from 'node:http';

/** A request's whole body; rejects when the client goes away before sending all of it. */
export function readBodyBytes(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
    incoming.on('close', () => incoming.complete || reject(new Error('client closed before sending the whole body')));
  });
}

/** A request's whole body as UTF-8 text. */
export async function readBody(incoming: IncomingMessage): Promise<string> {
  return (await readBodyBytes(incoming)).toString('utf8');
}
