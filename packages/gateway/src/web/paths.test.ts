import { describe, expect, test } from 'vitest';
import { pathProblem } from './paths.js';

describe('paths in normal form', () => {
  test.each([
    '/',
    '/api/status',
    '/api/secrets/bank-token',
    '/api/agents/definitions/coder/messages?limit=%61',
    '/api/secrets/caf%C3%A9',
    '/api/secrets/caf%c3%a9',
    '/api/secrets/50%25',
    '/api/secrets/',
    '/assets/index-abc123.js',
  ])('accepts %s', (path) => {
    expect(pathProblem(path)).toBeNull();
  });
});

describe('paths that parsers could read differently', () => {
  test.each([
    ['/%61pi/secrets', 'it percent-encodes "a", which must be written as is'],
    ['/api/%7Esecrets', 'it percent-encodes "~", which must be written as is'],
    ['/api/%2e%2e/x', 'it percent-encodes ".", which must be written as is'],
    ['/api%2Fsecrets', 'it percent-encodes a slash, backslash or control character (%2F)'],
    ['/api%5csecrets', 'it percent-encodes a slash, backslash or control character (%5c)'],
    ['/api/secrets%00', 'it percent-encodes a slash, backslash or control character (%00)'],
    ['/api/%zz', 'it holds a % that does not start a %XX escape'],
    ['/api/%', 'it holds a % that does not start a %XX escape'],
    ['/api/%C0%AE', 'it is not valid UTF-8 once decoded'],
    ['/api//secrets', 'it holds an empty segment (//)'],
    ['//api/secrets', 'it holds an empty segment (//)'],
    ['/api/./secrets', 'it holds a . or .. segment'],
    ['/x/../api/secrets', 'it holds a . or .. segment'],
    ['/api/secrets/..', 'it holds a . or .. segment'],
    ['/api\\secrets', 'it holds a character that must be percent-encoded'],
    ['/api/secrets;jsessionid=1', 'it holds a character that must be percent-encoded'],
    ['/api/caf\u00e9', 'it holds a character that must be percent-encoded'],
    ['api/secrets', 'it does not start with /'],
    ['http://127.0.0.1/api/secrets', 'it does not start with /'],
    ['*', 'it does not start with /'],
  ])('refuses %s: %s', (path, problem) => {
    expect(pathProblem(path)).toBe(problem);
  });
});
