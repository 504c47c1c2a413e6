#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../contracts/config';
import { buildApp } from './logwarden-app';

try {
  const app = new App();
  const configPath =
    (app.node.tryGetContext('logwarden:config') as string | undefined) ?? 'logwarden.config.json';
  buildApp(app, loadConfig(configPath));
  app.synth();
} catch (err) {
  if (err instanceof ConfigError) {
    // A user mistake: say what is wrong, without a stack trace.
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
