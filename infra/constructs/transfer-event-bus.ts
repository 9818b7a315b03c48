import type { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { SOURCES } from "../../shared/events/registry.js";

export type TransferEventBusProps = {
  busName: string;
  /** Other AWS accounts whose upstream systems may put events (as source csp.transfers). */
  allowedAccountIds: readonly string[];
  archiveRetention: Duration;
};

/**
 * The custom event bus. Only this account and the configured upstream accounts can put events
 * on it (the latter only with the upstream source), and every event is archived for replay.
 */
export class TransferEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: TransferEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, "Bus", {
      eventBusName: props.busName,
      description: "CSP transfer events: upstream facts and the tracker's own events",
    });

    if (props.allowedAccountIds.length > 0) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "AllowUpstreamAccountsToPutEvents",
          effect: iam.Effect.ALLOW,
          principals: props.allowedAccountIds.map((account) => new iam.AccountPrincipal(account)),
          actions: ["events:PutEvents"],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { "events:source": [SOURCES.upstream] } },
        }),
      );
    }

    this.archive = this.bus.archive("Archive", {
      description: "Every event on the transfer bus, for replay after an incident",
      eventPattern: { source: Object.values(SOURCES) },
      retention: props.archiveRetention,
    });
  }
}
