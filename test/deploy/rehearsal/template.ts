/**
 * The synthesized template as it would be deployed into a fixed fake account and region: every
 * CloudFormation intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolved
 * to the names and ARNs CloudFormation would give (physical names: the logical ids), and the
 * identity and resource policies that apply to a principal and a resource.
 */

export const FAKE_ACCOUNT = "123456789012";
export const FAKE_REGION = "eu-west-1";
export const FAKE_STACK = "TrackerUnderTest";

type Json = unknown;
export type Resource = {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: unknown;
  Metadata?: unknown;
};
export type TemplateJson = {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json }>;
  Parameters?: Record<string, { Default?: Json }>;
};
export type PolicyDocument = { Version?: string; Statement: Record<string, Json>[] };

const A = FAKE_ACCOUNT;
const R = FAKE_REGION;

export class DeployedTemplate {
  constructor(readonly json: TemplateJson) {}

  resource(id: string): Resource {
    const resource = this.json.Resources[id];
    if (!resource) throw new Error(`no resource ${id} in the template`);
    return resource;
  }

  ofType(type: string): [string, Resource][] {
    return Object.entries(this.json.Resources).filter(([, r]) => r.Type === type);
  }

  /** What `Ref` gives for a resource, as CloudFormation documents it per type. */
  ref(id: string): string {
    const pseudo: Record<string, string> = {
      "AWS::AccountId": A,
      "AWS::Region": R,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": FAKE_STACK,
      "AWS::StackId": `arn:aws:cloudformation:${R}:${A}:stack/${FAKE_STACK}/00000000-0000-4000-8000-000000000000`,
      "AWS::NoValue": "",
    };
    if (id in pseudo) return pseudo[id] as string;
    const parameter = this.json.Parameters?.[id];
    if (parameter) return String(parameter.Default ?? id);
    const r = this.resource(id);
    const name = (key: string) => {
      const value = r.Properties?.[key];
      return value === undefined ? id : String(this.resolve(value));
    };
    switch (r.Type) {
      case "AWS::SQS::Queue":
        return `https://sqs.${R}.amazonaws.com/${A}/${name("QueueName")}`;
      case "AWS::SecretsManager::Secret":
        return `arn:aws:secretsmanager:${R}:${A}:secret:${name("Name")}-AbCdEf`;
      case "AWS::SNS::Topic":
        return `arn:aws:sns:${R}:${A}:${name("TopicName")}`;
      case "AWS::IAM::ManagedPolicy":
        return `arn:aws:iam::${A}:policy/${name("ManagedPolicyName")}`;
      case "AWS::DynamoDB::Table":
        return name("TableName");
      case "AWS::Events::EventBus":
        return name("Name");
      case "AWS::Lambda::Function":
        return name("FunctionName");
      case "AWS::S3::Bucket":
        return name("BucketName").toLowerCase();
      case "AWS::Logs::LogGroup":
        return name("LogGroupName");
      case "AWS::CloudWatch::Dashboard":
        return name("DashboardName");
      case "AWS::SES::ConfigurationSet":
        return name("Name");
      default:
        return id;
    }
  }

  /** What `Fn::GetAtt` gives. */
  getAtt(id: string, attribute: string): string {
    const r = this.resource(id);
    const name = this.ref(id);
    const arns: Record<string, () => string> = {
      "AWS::DynamoDB::Table": () => `arn:aws:dynamodb:${R}:${A}:table/${name}`,
      "AWS::Events::EventBus": () => `arn:aws:events:${R}:${A}:event-bus/${name}`,
      "AWS::Events::Rule": () => `arn:aws:events:${R}:${A}:rule/${name}`,
      "AWS::SQS::Queue": () => `arn:aws:sqs:${R}:${A}:${name.split("/").pop()}`,
      "AWS::IAM::Role": () => `arn:aws:iam::${A}:role/${name}`,
      "AWS::Lambda::Function": () => `arn:aws:lambda:${R}:${A}:function:${name}`,
      "AWS::Logs::LogGroup": () => `arn:aws:logs:${R}:${A}:log-group:${name}:*`,
      "AWS::S3::Bucket": () => `arn:aws:s3:::${name}`,
      "AWS::Scheduler::Schedule": () => `arn:aws:scheduler:${R}:${A}:schedule/default/${name}`,
      "AWS::SecretsManager::Secret": () => name,
      "AWS::SNS::Topic": () => name,
    };
    if (attribute === "Arn" && arns[r.Type]) return (arns[r.Type] as () => string)();
    if (r.Type === "AWS::Lambda::Url" && attribute === "FunctionUrl") {
      return `https://${id.toLowerCase()}.lambda-url.${R}.on.aws/`;
    }
    if (r.Type === "AWS::Lambda::Url" && attribute === "FunctionArn") {
      return String(this.resolve(r.Properties?.TargetFunctionArn));
    }
    if (r.Type === "AWS::Events::EventBus" && attribute === "Name") return name;
    if (r.Type === "AWS::SQS::Queue" && attribute === "QueueName")
      return name.split("/").pop() ?? "";
    if (r.Type === "AWS::CloudFront::Distribution" && attribute === "DomainName") {
      return `${id.toLowerCase()}.cloudfront.net`;
    }
    if (r.Type === "AWS::S3::Bucket" && attribute === "RegionalDomainName") {
      return `${name}.s3.${R}.amazonaws.com`;
    }
    return `${id}.${attribute}`;
  }

  /** A template value with every intrinsic resolved. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, Json]];
      if (key === "Ref") return this.ref(String(arg));
      if (key === "Fn::GetAtt") {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(".");
        return this.getAtt(String(id), String(attribute));
      }
      if (key === "Fn::Join") {
        const [separator, parts] = arg as [string, Json[]];
        return (this.resolve(parts) as Json[]).map(String).join(separator);
      }
      if (key === "Fn::Select") {
        const [index, list] = arg as [Json, Json];
        return (this.resolve(list) as Json[])[Number(this.resolve(index))];
      }
      if (key === "Fn::Split") {
        const [separator, text] = arg as [string, Json];
        return String(this.resolve(text)).split(separator);
      }
      if (key === "Fn::Sub") {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [
          string,
          Record<string, Json>,
        ];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in vars) return String(this.resolve(vars[name]));
          const [id, attribute] = name.split(".");
          return attribute ? this.getAtt(String(id), attribute) : this.ref(String(id));
        });
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The stack's outputs, resolved (what DescribeStacks would answer). */
  outputs(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.json.Outputs ?? {}).map(([key, o]) => [
        key,
        String(this.resolve(o.Value)),
      ]),
    );
  }

  /** A function's logical id by its description (each function's description is unique). */
  functionByDescription(description: string): string {
    const found = this.ofType("AWS::Lambda::Function").find(
      ([, r]) => r.Properties?.Description === description,
    );
    if (!found) throw new Error(`no function described "${description}"`);
    return found[0];
  }

  /** A function's environment as deployed. */
  functionEnvironment(functionId: string): Record<string, string> {
    const env = this.resolve(
      (this.resource(functionId).Properties?.Environment as { Variables?: Json } | undefined)
        ?.Variables ?? {},
    ) as Record<string, Json>;
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  }

  /** The role a function runs with: its logical id and ARN. */
  functionRole(functionId: string): { id: string; arn: string } {
    const role = this.resource(functionId).Properties?.Role as { "Fn::GetAtt": [string, string] };
    const id = role["Fn::GetAtt"][0];
    return { id, arn: this.getAtt(id, "Arn") };
  }

  /** Every identity policy attached to a role: inline, AWS::IAM::Policy and managed ones. */
  identityPolicies(roleId: string): { name: string; policy: PolicyDocument }[] {
    const policies: { name: string; policy: PolicyDocument }[] = [];
    const role = this.resource(roleId);
    for (const inline of (role.Properties?.Policies ?? []) as {
      PolicyName: string;
      PolicyDocument: Json;
    }[]) {
      policies.push({
        name: inline.PolicyName,
        policy: this.resolve(inline.PolicyDocument) as PolicyDocument,
      });
    }
    for (const [id, policy] of this.ofType("AWS::IAM::Policy")) {
      const roles = (policy.Properties?.Roles ?? []) as { Ref?: string }[];
      if (roles.some((r) => r.Ref === roleId)) {
        policies.push({
          name: id,
          policy: this.resolve(policy.Properties?.PolicyDocument) as PolicyDocument,
        });
      }
    }
    return policies;
  }

  /** A managed policy of the template (the operators' policy). */
  managedPolicy(id: string): { name: string; policy: PolicyDocument } {
    return {
      name: id,
      policy: this.resolve(this.resource(id).Properties?.PolicyDocument) as PolicyDocument,
    };
  }

  /**
   * The resource policy that applies to an ARN: the bus's policies, a queue's policy, a
   * function's permissions, a topic's or bucket's policy; undefined when the resource has none.
   */
  resourcePolicy(arn: string): PolicyDocument | undefined {
    const statements: Record<string, Json>[] = [];
    for (const [, p] of this.ofType("AWS::Events::EventBusPolicy")) {
      const busName = String(this.resolve(p.Properties?.EventBusName));
      if (arn === `arn:aws:events:${R}:${A}:event-bus/${busName}`) {
        statements.push(this.resolve(p.Properties?.Statement) as Record<string, Json>);
      }
    }
    for (const [, p] of this.ofType("AWS::SQS::QueuePolicy")) {
      const urls = this.resolve(p.Properties?.Queues) as string[];
      if (urls.some((url) => arn === `arn:aws:sqs:${R}:${A}:${url.split("/").pop()}`)) {
        statements.push(
          ...(this.resolve(p.Properties?.PolicyDocument) as PolicyDocument).Statement,
        );
      }
    }
    for (const [, p] of this.ofType("AWS::Lambda::Permission")) {
      const fn = String(this.resolve(p.Properties?.FunctionName));
      if (fn !== arn) continue;
      const principal = String(this.resolve(p.Properties?.Principal));
      const condition: Record<string, Record<string, Json>> = {};
      if (p.Properties?.SourceArn) {
        condition.ArnLike = { "aws:SourceArn": this.resolve(p.Properties.SourceArn) };
      }
      if (p.Properties?.FunctionUrlAuthType) {
        condition.StringEquals = {
          "lambda:FunctionUrlAuthType": this.resolve(p.Properties.FunctionUrlAuthType),
        };
      }
      statements.push({
        Effect: "Allow",
        Principal:
          principal === "*"
            ? "*"
            : principal.endsWith(".amazonaws.com")
              ? { Service: principal }
              : { AWS: principal },
        Action: this.resolve(p.Properties?.Action),
        Resource: arn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      });
    }
    return statements.length > 0 ? { Version: "2012-10-17", Statement: statements } : undefined;
  }
}
