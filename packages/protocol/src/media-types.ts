/**
 * What a file is, by its name: one table shared by the runner (the type of a file an agent sends), the gateway (a
 * name for an upload that came without one) and the test kit (the type Telegram reports for a document). Which
 * types a channel shows how (Telegram's photos, the model's images) is each channel's own decision, kept there.
 */

/** Extensions, lower case with their dot, and their media types; a type's first extension is its usual one. */
const MEDIA_TYPES: readonly (readonly [extension: string, mediaType: string])[] = [
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.svg', 'image/svg+xml'],
  ['.pdf', 'application/pdf'],
  ['.txt', 'text/plain'],
  ['.md', 'text/markdown'],
  ['.csv', 'text/csv'],
  ['.json', 'application/json'],
  ['.html', 'text/html'],
  ['.zip', 'application/zip'],
  ['.mp3', 'audio/mpeg'],
  ['.ogg', 'audio/ogg'],
  ['.wav', 'audio/wav'],
  ['.mp4', 'video/mp4'],
];

const TYPE_BY_EXTENSION = new Map(MEDIA_TYPES);
const EXTENSION_BY_TYPE = new Map<string, string>();
for (const [extension, type] of MEDIA_TYPES) {
  if (!EXTENSION_BY_TYPE.has(type)) EXTENSION_BY_TYPE.set(type, extension);
}

/** The media type of a file called `name` (a name or a path), by its extension in any case; undefined when unknown. */
export function mediaTypeOfName(name: string): string | undefined {
  // Read as node's extname reads it, without node:path: Mission Control imports this package too.
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return TYPE_BY_EXTENSION.get(base.slice(dot).toLowerCase());
}

/** The usual extension, with its dot, of files of `mediaType`; undefined for a type the table does not know. */
export function extensionOfMediaType(mediaType: string): string | undefined {
  return EXTENSION_BY_TYPE.get(mediaType);
}
