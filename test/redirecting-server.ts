/** Two local HTTP servers for tests of redirects: one answers every request with a 307 to the other, which records what reached it. */
import { createServer, type Server } from 'node:http';

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

/** `origin` redirects to another host, whose answer is `answer` (JSON); `otherHostSaw` holds the bodies that reached that host. */
export async function redirectingServer(answer: unknown): Promise<{ origin: string; otherHostSaw: string[]; close(): void }> {
  const otherHostSaw: string[] = [];
  const other = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      otherHostSaw.push(body);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(answer));
    });
  });
  const otherPort = await listen(other);
  const redirecting = createServer((request, response) => {
    response.statusCode = 307;
    response.setHeader('location', `http://localhost:${otherPort}${request.url}`);
    response.end();
  });
  const port = await listen(redirecting);
  return {
    origin: `http://127.0.0.1:${port}`,
    otherHostSaw,
    close() {
      redirecting.close();
      other.close();
    },
  };
}
