import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as ses from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";

export type ReminderEmailProps = {
  senderEmail: string;
  /** The SES identity covering senderEmail: the address itself or its domain. */
  sesIdentity: string;
  /** Create (and so start verifying) the identity in this stack. */
  createIdentity: boolean;
};

/**
 * SES sending for expiry reminders: a configuration set (reputation metrics, bounce and
 * complaint suppression), optionally the sender identity, and a grant that lets a function
 * send only through that identity and only from the configured address.
 */
export class ReminderEmail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity | undefined;
  private readonly props: ReminderEmailProps;

  constructor(scope: Construct, id: string, props: ReminderEmailProps) {
    super(scope, id);
    this.props = props;
    this.configurationSet = new ses.ConfigurationSet(this, "ConfigurationSet", {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = props.createIdentity
      ? new ses.EmailIdentity(this, "Identity", {
          identity: props.sesIdentity.includes("@")
            ? ses.Identity.email(props.sesIdentity)
            : ses.Identity.domain(props.sesIdentity),
          configurationSet: this.configurationSet,
        })
      : undefined;
  }

  /** ses:SendEmail / SendRawEmail on the identity and configuration set, From the sender only. */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const identityArn = stack.formatArn({
      service: "ses",
      resource: "identity",
      resourceName: this.props.sesIdentity,
    });
    const configurationSetArn = stack.formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: this.configurationSet.configurationSetName,
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resourceArns: [identityArn, configurationSetArn],
      conditions: { StringEquals: { "ses:FromAddress": this.props.senderEmail } },
    });
  }
}
