/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  /** Present only for file parts. */
  fileName: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

/** A body that cannot be read as multipart at all. */
export class MultipartError extends Error {
  override name = 'MultipartError';
}

/** The `boundary` parameter of a multipart Content-Type header, quoted or not. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('multipart/form-data without a boundary');
  return boundary;
}

const CRLF = Buffer.from('\r\n');

/**
 * Splits a multipart/form-data body into parts. Deliberately lenient about what grammY sends:
 * lowercase header names without a space after the colon, and unquoted filenames that may contain
 * spaces, quotes or semicolons (grammY writes `filename=<name>` raw as the last parameter).
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  let cursor = body.indexOf(delimiter);
  if (cursor === -1) throw new MultipartError('multipart body does not contain its boundary');

  const parts: MultipartPart[] = [];
  for (;;) {
    cursor += delimiter.length;
    // "--" right after a delimiter closes the body; anything after it is epilogue.
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return parts;
    cursor = skipLineBreak(body, cursor);

    const next = nextDelimiter(body, delimiter, cursor);
    if (next === undefined) throw new MultipartError('multipart body ends without a closing boundary');
    parts.push(parsePart(body.subarray(cursor, next.contentEnd)));
    cursor = next.delimiterStart;
  }
}

function skipLineBreak(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return at + 2;
  if (body[at] === 0x0a) return at + 1;
  return at;
}

// A part's content ends at the line break that precedes the next delimiter.
function nextDelimiter(
  body: Buffer,
  delimiter: Buffer,
  from: number,
): { contentEnd: number; delimiterStart: number } | undefined {
  const withBreak = body.indexOf(Buffer.concat([CRLF, delimiter]), from);
  if (withBreak !== -1) return { contentEnd: withBreak, delimiterStart: withBreak + 2 };
  const bare = body.indexOf(delimiter, from);
  if (bare === -1) return undefined;
  const contentEnd = body[bare - 1] === 0x0a ? bare - 1 : bare;
  return { contentEnd, delimiterStart: bare };
}

function parsePart(raw: Buffer): MultipartPart {
  let headerEnd = raw.indexOf('\r\n\r\n');
  let separatorLength = 4;
  if (headerEnd === -1) {
    headerEnd = raw.indexOf('\n\n');
    separatorLength = 2;
  }
  if (headerEnd === -1) throw new MultipartError('multipart part without a header/body separator');

  const headers = new Map<string, string>();
  for (const line of raw.subarray(0, headerEnd).toString('utf8').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (disposition === undefined) throw new MultipartError('multipart part without Content-Disposition');
  const params = dispositionParams(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('multipart part without a name');
  return {
    name,
    fileName: params.get('filename*') ?? params.get('filename'),
    contentType: headers.get('content-type'),
    data: raw.subarray(headerEnd + separatorLength),
  };
}

/** Parses `form-data; name="x"; filename=…`; `filename*` (RFC 5987) is decoded. */
function dispositionParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const firstSemicolon = header.indexOf(';');
  let rest = firstSemicolon === -1 ? '' : header.slice(firstSemicolon + 1);
  while (rest.trim() !== '') {
    const eq = rest.indexOf('=');
    if (eq === -1) break;
    const key = rest.slice(0, eq).trim().toLowerCase();
    rest = rest.slice(eq + 1).trimStart();
    let value: string;
    if (rest.startsWith('"')) {
      const close = rest.indexOf('"', 1);
      if (close === -1) throw new MultipartError(`unterminated quoted ${key} in Content-Disposition`);
      value = rest.slice(1, close);
      const semicolon = rest.indexOf(';', close);
      rest = semicolon === -1 ? '' : rest.slice(semicolon + 1);
    } else if (key === 'filename') {
      // An unquoted filename runs to the end of the header: grammY does not quote or escape it.
      value = rest.trimEnd();
      rest = '';
    } else {
      const semicolon = rest.indexOf(';');
      value = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
      rest = semicolon === -1 ? '' : rest.slice(semicolon + 1);
    }
    params.set(key, key === 'filename*' ? decodeExtendedValue(value) : value);
  }
  return params;
}

/** Decodes `charset'language'percent-encoded` (RFC 5987). */
function decodeExtendedValue(value: string): string {
  const encoded = value.slice(value.indexOf("'", value.indexOf("'") + 1) + 1);
  try {
    return decodeURIComponent(encoded);
  } catch (error) {
    throw new MultipartError(`malformed filename* in Content-Disposition: ${String(error)}`);
  }
}
