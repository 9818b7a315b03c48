import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import {
  FINAL_INDEX_STEP,
  INDEX_STEPS,
  type IndexDefinition,
  type IndexStep,
  TABLE_KEYS,
} from "../../shared/store/table-definition.js";

/**
 * `cdk.json` context (or `-c`) naming the step of the index migration a deployed table is
 * taken to (README "Deploying"): 1, 2 or 3 (the default, and what a new stack gets).
 */
export const INDEX_STEP_CONTEXT = "tableIndexStep";

export function indexStepOf(value: unknown): IndexStep {
  if (value === undefined) return FINAL_INDEX_STEP;
  const step = Number(value);
  if (!(step in INDEX_STEPS) || !Number.isInteger(step)) {
    throw new Error(
      `context ${INDEX_STEP_CONTEXT} must be one of ${Object.keys(INDEX_STEPS).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return step as IndexStep;
}

const READ_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:ConditionCheckItem",
] as const;
const WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
] as const;

/**
 * The one table (shared/store/table-definition.ts): on-demand, point-in-time recovery, deletion
 * protection, kept when the stack is deleted. Grants name the table and its indexes explicitly
 * (no `index/*`), and never allow Scan: every access pattern is a key lookup or a query.
 */
export class TransferTable extends Construct {
  readonly table: dynamodb.Table;
  /** The indexes this synth gives the table (the migration step's). */
  readonly indexes: readonly IndexDefinition[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.indexes = INDEX_STEPS[indexStepOf(this.node.tryGetContext(INDEX_STEP_CONTEXT))];
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    for (const index of this.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        ...(index.projection === "ALL"
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : {
              projectionType: dynamodb.ProjectionType.INCLUDE,
              nonKeyAttributes: [...index.projection],
            }),
      });
    }
  }

  /** Table and index ARNs, each named. */
  resourceArns(): string[] {
    return [
      this.table.tableArn,
      ...this.indexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
    ];
  }

  grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...READ_ACTIONS, ...WRITE_ACTIONS],
      resourceArns: this.resourceArns(),
    });
  }

  /** Reads only (the Partner Center connector looks transfers up; it never writes them). */
  grantReadData(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...READ_ACTIONS],
      resourceArns: this.resourceArns(),
    });
  }
}
