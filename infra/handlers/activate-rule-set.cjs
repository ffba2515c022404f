// CloudFormation custom resource (inline Lambda, CommonJS) --> SES: activates the mailroute receipt rule
// set; on delete, deactivates it only if it is still the active one, so another set is never switched off.

/** The handler over an SES v1 client, its command classes and fetch (passed in so tests can drive it). */
function createHandler(ses, commands, fetchFn) {
  return async (event) => {
    const name = event.ResourceProperties.RuleSetName;
    let status = 'SUCCESS';
    let reason = 'done';
    try {
      if (event.RequestType === 'Delete') {
        const active = await ses.send(new commands.DescribeActiveReceiptRuleSetCommand({}));
        if (active.Metadata?.Name === name) await ses.send(new commands.SetActiveReceiptRuleSetCommand({}));
      } else {
        await ses.send(new commands.SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
      }
    } catch (error) {
      console.error(error);
      status = 'FAILED';
      reason = String(error?.message ?? error).slice(0, 500);
    }
    const body = JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: name,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
    // The pre-signed URL is signed with an empty content type.
    const response = await fetchFn(event.ResponseURL, {
      method: 'PUT',
      headers: { 'content-type': '' },
      body,
    });
    if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status}`);
  };
}

let awsHandler;
exports.createHandler = createHandler;
exports.handler = (event) => {
  if (!awsHandler) {
    // The nodejs22.x runtime ships the AWS SDK v3; this inline function bundles nothing.
    const sdk = require('@aws-sdk/client-ses');
    awsHandler = createHandler(new sdk.SESClient({}), sdk, fetch);
  }
  return awsHandler(event);
};
