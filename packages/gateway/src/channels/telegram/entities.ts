const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
};

const REFERENCE = new RegExp(
  `&(?:#(\\d{1,7})|#[xX]([\\da-fA-F]{1,6})|(${Object.keys(NAMED_ENTITIES).join('|')}));`,
  'g',
);

/**
 * Decodes numeric character references and the few named ones an answer is
 * likely to use, as a Markdown renderer would: the lexer leaves them for its
 * own HTML output, and here text is escaped afresh. Other named references stay
 * as written; a reference to no valid character becomes U+FFFD, never a lone surrogate.
 */
export function decodeEntities(text: string): string {
  return text.replace(REFERENCE, (reference, decimal?: string, hex?: string, name?: string) => {
    if (name) return NAMED_ENTITIES[name] ?? reference;
    const code = decimal ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return valid ? String.fromCodePoint(code) : '\uFFFD';
  });
}
