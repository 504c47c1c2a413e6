import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LogwardenConfig, parseConfig } from '../../contracts/config';
import { buildApp, LogwardenStacks } from '../../stacks/logwarden-app';

export const exampleConfigPath = path.join(__dirname, '..', '..', 'logwarden.config.json');

export function exampleConfigRaw(): Record<string, unknown> {
  return JSON.parse(readFileSync(exampleConfigPath, 'utf8')) as Record<string, unknown>;
}

export function exampleConfig(overrides: Record<string, unknown> = {}): LogwardenConfig {
  return parseConfig({ ...exampleConfigRaw(), ...overrides });
}

/** The whole app built from a config; Lambda bundling is skipped, as `cdk synth --exclusively` would. */
export function buildExample(config: LogwardenConfig = exampleConfig()): LogwardenStacks & { app: App } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return { app, ...buildApp(app, config) };
}

export function templateOf(stack: Parameters<typeof Template.fromStack>[0]): Template {
  return Template.fromStack(stack);
}
