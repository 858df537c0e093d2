/**
 * The seam through which secret values are masked in everything that leaves an agent's sandbox.
 */

/** Masks one stream of text pieces, holding back just enough to catch a value split across two pieces. */
export interface StreamMasker {
  /** Takes the next piece; returns what can be shown now. */
  push(piece: string): string;
  /** The stream ended: returns what was held back, masked. */
  end(): string;
}

/** Masks the secret values an agent could see. */
export interface Redactor {
  /** `text` with every secret value of `agentId` masked. */
  text(agentId: string, text: string): string;
  /** A masker for one streamed answer of `agentId`. */
  stream(agentId: string): StreamMasker;
}
