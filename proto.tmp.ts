import { createServer } from 'node:net';
import { createServer as httpServer } from 'node:http';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createClients } from './scripts/lib/clients';
import { startLocalEngine } from './scripts/lib/local-engine';
async function main() {
  const hang = createServer(() => {}); await new Promise<void>(r => hang.listen(0, '127.0.0.1', r));
  const plain = httpServer((req, res) => { res.statusCode = 404; res.end('<html>hi</html>'); }); await new Promise<void>(r => plain.listen(0, '127.0.0.1', r));
  const engine = await startLocalEngine({ port: 0 });
  for (const [label, endpoint] of [['hang', `http://127.0.0.1:${(hang.address() as any).port}`], ['plain', `http://127.0.0.1:${(plain.address() as any).port}`], ['refused', 'http://127.0.0.1:1'], ['dynalite', engine.endpoint], ['nxdomain', 'http://nope.invalid:8000']] as const) {
    const { client } = createClients({ region: 'us-east-1', endpoint, local: true, limits: { connectionTimeoutMs: 500, requestTimeoutMs: 700, maxAttempts: 2 } });
    const t = Date.now();
    try { await client.send(new DescribeTableCommand({ TableName: 'x' })); } catch (e: any) { console.log(label, Date.now() - t, e.name, e.message); }
    client.destroy();
  }
  hang.close(); plain.close(); await engine.close();
}
main();
