import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** What the benchmarks measure with: one load run, and a process's memory. */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** The resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** One autocannon run over `paths` in turn. */
export async function measure(
  url: string,
  paths: string[],
  options: { connections?: number; seconds?: number; headers?: Record<string, string> } = {},
): Promise<Run> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: options.connections ?? 32,
    duration: options.seconds ?? SECONDS,
    headers: options.headers ?? {},
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] as string }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
