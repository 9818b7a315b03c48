/** CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs it with tsx). */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { App, Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { type ContextKey, readDeployConfig } from "./config.js";
import { stackNameFor, TrackerStack } from "./tracker-stack.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const app = new App();
const config = readDeployConfig((key: ContextKey) => app.node.tryGetContext(key));
const stackName = stackNameFor(config.stage);

new TrackerStack(app, stackName, {
  stackName,
  description: `CSP transfer tracker (${config.stage}): events, transfer records, expiry reminders`,
  env: { account: config.account, region: config.region },
  config,
  projectRoot,
  tags: { application: "csp-transfer-tracker", stage: config.stage },
});

// cdk-nag on every synth and deploy: an unsuppressed finding fails the command.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
Aspects.of(app).add(new ServerlessChecks({ verbose: true }));

app.synth();
