import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from './suggest.js';

describe('closestName', () => {
  it('finds a name one letter off', () => {
    expect(closestName('codr', ['general', 'coder'])).toBe('coder');
  });

  it('finds a name with two letters swapped', () => {
    expect(closestName('idle_timout', ['model', 'idle_timeout', 'max_running'])).toBe('idle_timeout');
  });

  it('ignores case', () => {
    expect(closestName('CODER', ['coder'])).toBe('coder');
  });

  it('suggests nothing for a different name altogether', () => {
    expect(closestName('writer', ['general', 'coder'])).toBeNull();
  });

  it('suggests nothing for a short name more than one edit away', () => {
    expect(closestName('ab', ['xy'])).toBeNull();
  });
});

describe('didYouMean', () => {
  it('phrases the suggestion', () => {
    expect(didYouMean('telgram', ['telegram', 'web'])).toBe(' (did you mean "telegram"?)');
  });

  it('says nothing when nothing is near', () => {
    expect(didYouMean('zzz', ['telegram', 'web'])).toBe('');
  });
});
