// A loopback HTTP server for the fixtures: `/media/NAME` serves tests/media/NAME at full
// speed, `/slow/NAME` trickles it (about 256 KB/s) so a download is still running when a test
// cancels it. yt-dlp's generic extractor takes either as a direct video link.

import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename, join } from "node:path";

export function serveMedia(root) {
  const server = createServer((req, res) => {
    const [, mode, name] = (req.url ?? "").split("/");
    const file = join(root, basename(decodeURIComponent(name ?? "")));
    let size;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404, { "Content-Length": 0 }).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "video/mp4", "Content-Length": size });
    if (req.method === "HEAD") return res.end();
    const stream = createReadStream(file, { highWaterMark: 16 * 1024 });
    if (mode !== "slow") return stream.pipe(res);
    stream.on("data", (chunk) => {
      stream.pause();
      const ok = res.write(chunk);
      setTimeout(() => stream.resume(), ok ? 60 : 120);
    });
    stream.on("end", () => res.end());
    res.on("close", () => stream.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}
