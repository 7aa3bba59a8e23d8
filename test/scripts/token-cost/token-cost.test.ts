import { SEALED_ATTRIBUTES } from '../../../infra/client';
import { main } from '../../../scripts/token-cost/main';

test('npm run token-cost times sealing and counts one KMS request per value sealed or opened', async () => {
  const lines: string[] = [];
  expect(await main(['--iterations', '2'], (line) => lines.push(line))).toBe(0);
  const row = (label: string) => lines.find((line) => line.trimStart().startsWith(label))?.slice(label.length + 2).trim();
  expect(row('KMS requests to seal one value')).toBe('GenerateDataKey');
  expect(row('KMS requests to open one value')).toBe('Decrypt');
  expect(lines.join('\n')).toContain(`token read (opens ${SEALED_ATTRIBUTES.join(', ')})`);
  expect(row('open, same suite')).toMatch(/^\d+\.\d\d ms$/);
});

test('--iterations must be a whole number from 1 to 100000', async () => {
  for (const refused of ['0', '1e12', '100001', '2.5']) {
    await expect(main(['--iterations', refused])).rejects.toThrow(`--iterations must be a whole number from 1 to 100000, not "${refused}".`);
  }
});
