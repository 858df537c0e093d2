import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateAuthority } from './certificate-authority.js';

describe('the installation CA', () => {
  let folder = '';
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps its key readable by its owner only, in a private folder', () => {
    folder = mkdtempSync(join(tmpdir(), 'praktor-ca-'));
    CertificateAuthority.open(join(folder, 'ca'));
    expect(statSync(join(folder, 'ca', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder, 'ca')).mode & 0o777).toBe(0o700);
  });

  it('is made once and the same CA is opened again', () => {
    folder = mkdtempSync(join(tmpdir(), 'praktor-ca-'));
    const first = CertificateAuthority.open(folder);
    const again = CertificateAuthority.open(folder);
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(readFileSync(join(folder, 'ca.pem'), 'utf8')).toBe(first.certificatePem);
  });

  it('is a CA that may sign only end certificates', () => {
    folder = mkdtempSync(join(tmpdir(), 'praktor-ca-'));
    const cert = new X509Certificate(CertificateAuthority.open(folder).certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Praktor egress CA');
  });

  it('puts its certificate after the usual roots in the bundle', () => {
    folder = mkdtempSync(join(tmpdir(), 'praktor-ca-'));
    const ca = CertificateAuthority.open(folder);
    const bundle = ca.bundle();
    expect(bundle.match(/BEGIN CERTIFICATE/g)?.length).toBeGreaterThan(100);
    expect(bundle.trim().endsWith(ca.certificatePem.trim())).toBe(true);
  });
});
