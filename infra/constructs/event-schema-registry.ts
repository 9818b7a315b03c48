import * as eventschemas from "aws-cdk-lib/aws-eventschemas";
import { Construct } from "constructs";
import { registrySchemas } from "../event-schemas.js";

export type EventSchemaRegistryProps = { registryName: string };

/** The event catalogue's JSON Schemas (draft 4) in an EventBridge Schema Registry. */
export class EventSchemaRegistry extends Construct {
  readonly registry: eventschemas.CfnRegistry;
  readonly schemas: eventschemas.CfnSchema[];

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    this.registry = new eventschemas.CfnRegistry(this, "Registry", {
      registryName: props.registryName,
      description: "CSP transfer tracker events (generated from the zod event catalogue)",
    });
    this.schemas = registrySchemas().map((schema) => {
      const resource = new eventschemas.CfnSchema(
        this,
        schema.schemaName.replace(/[^A-Za-z0-9]/g, ""),
        {
          registryName: this.registry.attrRegistryName,
          schemaName: schema.schemaName,
          type: "JSONSchemaDraft4",
          description: `${schema.detailType} (${schema.source})`,
          content: JSON.stringify(schema.document),
        },
      );
      return resource;
    });
  }
}
