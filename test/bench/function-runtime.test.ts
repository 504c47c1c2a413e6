import { FUNCTION_RUNTIME_NAME, TRANSFORM_MEMORY_MB } from '../../contracts/function-runtime';
import {
  benchHeapFlags,
  benchMemoryMb,
  functionNodeMajor,
  lambdaHeapFlags,
  majorOfRuntime,
  pinnedNode,
} from '../../bench/function-runtime';

describe('the benchmarks measure on the functions’ runtime', () => {
  it('the pinned Node.js is of the functions’ runtime major (bump the pin with the runtime)', () => {
    expect(Number(pinnedNode.version.split('.')[0])).toBe(functionNodeMajor());
    expect(functionNodeMajor()).toBe(majorOfRuntime(FUNCTION_RUNTIME_NAME));
  });

  it('every pin is a registry sha512 integrity', () => {
    expect(Object.keys(pinnedNode.integrity).length).toBeGreaterThan(0);
    for (const integrity of Object.values(pinnedNode.integrity))
      expect(integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('reads the major of Lambda Node.js runtime names and refuses others', () => {
    expect(majorOfRuntime('nodejs24.x')).toBe(24);
    expect(majorOfRuntime('nodejs22.x')).toBe(22);
    expect(() => majorOfRuntime('python3.13')).toThrow('not a Node.js Lambda runtime');
  });

  it('Lambda’s heap flags by memory size: a tenth new space in two semi-spaces, the rest old space', () => {
    expect(lambdaHeapFlags(1024)).toEqual(['--max-semi-space-size=51', '--max-old-space-size=922']);
    expect(lambdaHeapFlags(512)).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    expect(lambdaHeapFlags(128)).toEqual(['--max-semi-space-size=6', '--max-old-space-size=116']);
  });

  it('a child measures with the heap of the memory it was started for, else the transform’s', () => {
    const saved = process.env.LOGWARDEN_BENCH_MEMORY_MB;
    try {
      delete process.env.LOGWARDEN_BENCH_MEMORY_MB;
      expect(benchMemoryMb()).toBe(TRANSFORM_MEMORY_MB);
      expect(benchHeapFlags()).toEqual(lambdaHeapFlags(TRANSFORM_MEMORY_MB));
      process.env.LOGWARDEN_BENCH_MEMORY_MB = '512';
      expect(benchMemoryMb()).toBe(512);
      expect(benchHeapFlags()).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    } finally {
      if (saved === undefined) delete process.env.LOGWARDEN_BENCH_MEMORY_MB;
      else process.env.LOGWARDEN_BENCH_MEMORY_MB = saved;
    }
  });
});
