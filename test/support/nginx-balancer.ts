import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port.js";

/**
 * A real load balancer in front of Cairn replicas: Debian's nginx (installed by .ci/run) in the foreground with its
 * own temporary prefix, round-robin over the upstreams. As a team would run it: streaming bodies both ways (no
 * buffering of uploads or downloads), keep-alive to the upstreams, and retry on the next replica only when a
 * connection could not be made (a request already sent to a replica that dies is that request's failure, never
 * resent: POSTs are not idempotent).
 */
export interface LoadBalancer {
  url: string;
  stop(): Promise<void>;
}

export const nginxBinary = (): string => {
  for (const candidate of ["/usr/sbin/nginx", "/usr/bin/nginx"]) if (existsSync(candidate)) return candidate;
  throw new Error("nginx not found: install Debian's nginx package (.ci/run does)");
};

export const nginxConfig = (dir: string, port: number, upstreamPorts: readonly number[]): string => `
${process.getuid?.() === 0 ? "user root;" : ""}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 0;
  upstream cairn {
${upstreamPorts.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=2s;`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://cairn;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_connect_timeout 1s;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
    }
  }
}
`;

export const startNginx = async (upstreamPorts: readonly number[]): Promise<LoadBalancer> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-nginx-"));
  const port = await freePort();
  await mkdir(path.join(dir, "body"));
  await writeFile(path.join(dir, "nginx.conf"), nginxConfig(dir, port, upstreamPorts));
  const child: ChildProcess = spawn(nginxBinary(), ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) {
      const log = await readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
      throw new Error(`nginx exited with ${child.exitCode}: ${stderr}${log}`);
    }
    const listening = await fetch(`${url}/health`).then(
      () => true,
      () => false,
    );
    if (listening) break;
    if (attempt > 100) throw new Error(`nginx did not listen on ${url}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGQUIT");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
};
