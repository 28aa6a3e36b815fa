import { describe, expect, it } from 'vitest';
import { Corpus } from '../corpus/corpus.ts';
import { assertPublicUrl, BlockedAddressError, isBlockedAddress } from './net-guard.ts';
import { visitTool } from './visit.ts';

describe('visit address checks', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isBlockedAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '2606:4700::1111']) expect(isBlockedAddress(ip), ip).toBe(false);
  });

  const publicResolver = async () => ['93.184.216.34'];
  it('refuses non-http(s) schemes, credentials, local names and private literals', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'gopher://example.org', 'javascript:alert(1)', 'http://user:pw@example.org/', 'http://localhost:8080/', 'http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/', 'http://0x7f000001/', 'http://metadata.google.internal/']) {
      await expect(assertPublicUrl(url, publicResolver), url).rejects.toBeInstanceOf(BlockedAddressError);
    }
  });

  it('refuses a public-looking name that resolves to a private address', async () => {
    await expect(assertPublicUrl('http://rebind.example.com/', async () => ['93.184.216.34', '127.0.0.1'])).rejects.toThrow(/non-public/);
    await expect(assertPublicUrl('https://example.org/page', publicResolver)).resolves.toBeInstanceOf(URL);
  });

  it('the visit tool reports the refusal instead of fetching', async () => {
    const tool = visitTool(new Corpus(), { liveWeb: true, resolve: async () => ['127.0.0.1'] });
    expect(await tool.run({ url: 'http://internal.example.com/admin', goal: 'x' }, {})).toMatch(/was not visited: host internal.example.com resolves to a non-public address/);
    expect(await tool.run({ url: 'file:///etc/passwd', goal: 'x' }, {})).toMatch(/not visited: scheme file: is not allowed/);
    const offline = visitTool(new Corpus());
    expect(await offline.run({ url: 'http://127.0.0.1:19092/', goal: 'x' }, {})).toMatch(/is not available/);
  });
});
