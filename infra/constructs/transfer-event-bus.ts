import type { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { SOURCES } from "../../shared/events/registry.js";

/**
 * A PutEvents condition: every entry's source is one of these. `events:source` is a multivalued
 * key (one value per entry), so the set operator, and the key must be present (ForAllValues
 * alone also matches an empty set).
 */
export function onlySources(sources: readonly string[]) {
  return {
    "ForAllValues:StringEquals": { "events:source": [...sources] },
    Null: { "events:source": "false" },
  };
}

export type TransferEventBusProps = {
  busName: string;
  /** Other AWS accounts whose upstream systems may put events (as source csp.transfers). */
  allowedAccountIds: readonly string[];
  archiveRetention: Duration;
};

/**
 * The custom event bus. Only this account and the configured upstream accounts can put events
 * on it (the latter only with the upstream source), only the product's own functions can put
 * events with the product's source (see `reserveTrackerSource`), and every event is archived
 * for replay.
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
          conditions: onlySources([SOURCES.upstream]),
        }),
      );
    }

    this.archive = this.bus.archive("Archive", {
      description: "Every event on the transfer bus, for replay after an incident",
      eventPattern: { source: Object.values(SOURCES) },
      retention: props.archiveRetention,
    });
  }

  /**
   * Refuses `PutEvents` with the product's own source (`csp.transfers.tracker`) to every
   * principal but the given roles, by an explicit Deny that no identity policy can override:
   * without it, any principal of the account allowed `events:PutEvents` could forge an
   * `Expiry Approaching` and have the notifier email whatever it says to whomever it names.
   */
  reserveTrackerSource(publisherRoles: readonly iam.IRole[]): void {
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "OnlyTheTrackerPutsTrackerEvents",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["events:PutEvents"],
        resources: [this.bus.eventBusArn],
        conditions: {
          // Any entry of the call with the tracker's source (events:source is multivalued).
          "ForAnyValue:StringEquals": { "events:source": [SOURCES.tracker] },
          ArnNotEquals: { "aws:PrincipalArn": publisherRoles.map((role) => role.roleArn) },
        },
      }),
    );
  }
}
