/**
 * Imported first by local entry points: the AWS SDK's notice that it will soon need Node 22
 * concerns this laptop, not Lambda (which runs Node 24), so keep it out of the output.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
