import { describe, expect, it } from 'vitest';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart.js';

// Byte-for-byte the framing grammY 1.x writes: lowercase headers, no space after the colon,
// unquoted filename, CRLF only between parts.
function grammyStyleBody(boundary: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\n`),
    Buffer.from('content-disposition:form-data;name="chat_id"\r\n\r\n42'),
    Buffer.from(`\r\n--${boundary}\r\n`),
    Buffer.from('content-disposition:form-data;name="document"\r\n\r\nattach://abc123'),
    Buffer.from(`\r\n--${boundary}\r\n`),
    Buffer.from(
      'content-disposition:form-data;name="abc123";filename=my report; final "v2".txt\r\ncontent-type:application/octet-stream\r\n\r\n',
    ),
    Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe('parseMultipart', () => {
  it("reads grammY's framing, including an unquoted filename with spaces, quotes and a semicolon", () => {
    const parts = parseMultipart(grammyStyleBody('----------xyz'), '----------xyz');
    expect(parts.map(({ name, fileName, contentType }) => ({ name, fileName, contentType }))).toEqual([
      { name: 'chat_id', fileName: undefined, contentType: undefined },
      { name: 'document', fileName: undefined, contentType: undefined },
      { name: 'abc123', fileName: 'my report; final "v2".txt', contentType: 'application/octet-stream' },
    ]);
    expect(parts[0]?.data.toString()).toBe('42');
    expect(parts[2]?.data).toEqual(Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]));
  });

  it("reads a standard FormData body as Node's fetch encodes it", async () => {
    const form = new FormData();
    form.set('caption', 'héllo');
    form.set('document', new Blob(['file body'], { type: 'text/plain' }), 'notes.txt');
    const request = new Request('http://x.invalid', { method: 'POST', body: form });
    const contentType = request.headers.get('content-type') ?? '';
    const parts = parseMultipart(Buffer.from(await request.arrayBuffer()), multipartBoundary(contentType));
    expect(parts.map((part) => [part.name, part.fileName, part.contentType, part.data.toString()])).toEqual([
      ['caption', undefined, undefined, 'héllo'],
      ['document', 'notes.txt', 'text/plain', 'file body'],
    ]);
  });

  it('takes the boundary from a quoted Content-Type parameter', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
  });

  it('rejects a body that never closes its last part', () => {
    expect(() =>
      parseMultipart(Buffer.from('--b\r\ncontent-disposition:form-data;name="x"\r\n\r\n1'), 'b'),
    ).toThrow(MultipartError);
  });
});
