/**
 * Settings of the local runtime, shared by `npm start`, the CLI and the demo so that they agree
 * on ports and names. Ports come from EVENTS_PORT, DYNAMODB_PORT, SES_PORT and WEB_PORT.
 */
export const LOCAL_REGION = "us-east-1";
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export type LocalSettings = {
  eventsPort: number;
  dynamoPort: number;
  sesPort: number;
  webPort: number;
  tableName: string;
  busName: string;
  senderEmail: string;
};

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return value;
}

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  return {
    eventsPort: port(env, "EVENTS_PORT", 4010),
    dynamoPort: port(env, "DYNAMODB_PORT", 8000),
    sesPort: port(env, "SES_PORT", 8005),
    webPort: port(env, "WEB_PORT", 4020),
    tableName: env.LOCAL_TABLE_NAME || "csp-transfers",
    busName: env.LOCAL_BUS_NAME || "csp-transfers",
    senderEmail: env.LOCAL_SENDER_EMAIL || "reminders@csp-transfers.example",
  };
}

export const loopback = (p: number) => `http://127.0.0.1:${p}`;
