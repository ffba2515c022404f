// CloudFormation custom resource (inline Lambda, CommonJS) --> SES: activates the mailroute receipt rule
// set; on delete, deactivates it only if it is still the active one, so another set is never switched off.
const {
  SESClient,
  SetActiveReceiptRuleSetCommand,
  DescribeActiveReceiptRuleSetCommand,
} = require('@aws-sdk/client-ses');

const ses = new SESClient({});

exports.handler = async (event) => {
  const name = event.ResourceProperties.RuleSetName;
  let status = 'SUCCESS';
  let reason = 'done';
  try {
    if (event.RequestType === 'Delete') {
      const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
      if (active.Metadata?.Name === name) await ses.send(new SetActiveReceiptRuleSetCommand({}));
    } else {
      await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
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
  const response = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status}`);
};
