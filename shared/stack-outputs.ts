/** Output keys of the deployed stack: the stack publishes them and the CLI reads them. */
export const OUTPUT_KEYS = {
  eventBusName: "EventBusName",
  eventBusArn: "EventBusArn",
  tableName: "TableName",
  alarmTopicArn: "AlarmTopicArn",
  dashboardName: "DashboardName",
  schemaRegistryName: "SchemaRegistryName",
  expiryScanFunctionName: "ExpiryScanFunctionName",
  /** The managed policy to attach to operators who run `cli --stack`. */
  operatorPolicyArn: "OperatorPolicyArn",
  /** Prefix of every function name output: `FunctionName<FunctionId in PascalCase>`. */
  functionNamePrefix: "FunctionName",
  /** Prefix of every dead-letter queue URL output: `DlqUrl<FunctionId in PascalCase>`. */
  dlqUrlPrefix: "DlqUrl",
  scheduleDlqUrl: "DlqUrlExpiryScanSchedule",
} as const;

/** Outputs of the partner web app (infra/constructs/web-app.ts), read by `cli calendar-url`. */
export const WEB_OUTPUT_KEYS = {
  webAppUrl: "WebAppUrl",
  calendarSecretArn: "CalendarSecretArn",
} as const;
