import { MediaFetchPolicy } from '@aigw/contracts';
import { ChatMessage, ChatRequest, GatewayError, HostResolver, ImagePart, fetchImageBytes } from '@aigw/providers';

/** Images fetched for one request at most (Bedrock Converse takes 20 a request). */
const MAX_FETCHED_IMAGES = 20;

/** An image part given by an http(s) URL (a data: URL is already inline). */
function isRemoteImage(part: { type: string; source?: { type: string; url?: string } }): part is ImagePart {
  return part.type === 'image' && part.source?.type === 'url' && /^https?:/i.test(part.source.url ?? '');
}

/** The image parts of a message given by URL: user content and tool results. */
function remoteImagesOf(message: ChatMessage): ImagePart[] {
  if (message.role === 'user') return message.content.filter(isRemoteImage);
  if (message.role === 'tool') return message.content.flatMap((result) => result.content.filter(isRemoteImage));
  return [];
}

/** True when some image of the request is given by an http(s) URL (checked without building the lists). */
export function hasRemoteImages(chat: ChatRequest): boolean {
  return chat.messages.some((message) =>
    message.role === 'user'
      ? message.content.some(isRemoteImage)
      : message.role === 'tool' && message.content.some((result) => result.content.some(isRemoteImage)),
  );
}

/**
 * The request with every image URL replaced by the fetched bytes, for a
 * provider that takes images only inline (Bedrock Converse). Fetched only
 * when `media.fetch_image_urls` allows it, through fetchImageBytes (address
 * checks on connect, no redirects, size and time caps); the request itself is
 * not changed, so other candidates still get the URLs. Rejects with the
 * client's 400 (or 413) when an image cannot be fetched.
 */
export async function inlineRemoteImages(chat: ChatRequest, policy: MediaFetchPolicy, resolver: HostResolver, signal: AbortSignal): Promise<ChatRequest> {
  const images = chat.messages.flatMap(remoteImagesOf);
  if (images.length > MAX_FETCHED_IMAGES) {
    throw new GatewayError('invalid_request', `at most ${MAX_FETCHED_IMAGES} images by URL can be sent to this model's provider; send the others inline`);
  }
  const fetched = new Map<ImagePart, ImagePart>();
  await Promise.all(
    images.map(async (part) => {
      const url = (part.source as { url: string }).url;
      const image = await fetchImageBytes(url, policy, { resolver, signal, param: 'image_url' });
      fetched.set(part, { ...part, source: { type: 'base64', mediaType: image.mediaType, data: image.bytes.toString('base64') } });
    }),
  );
  const swap = <T extends { type: string }>(part: T): T => (fetched.get(part as unknown as ImagePart) as unknown as T) ?? part;
  const messages = chat.messages.map((message): ChatMessage => {
    if (message.role === 'user') return { ...message, content: message.content.map(swap) };
    if (message.role === 'tool') return { ...message, content: message.content.map((result) => ({ ...result, content: result.content.map(swap) })) };
    return message;
  });
  return { ...chat, messages };
}
