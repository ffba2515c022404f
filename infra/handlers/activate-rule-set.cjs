// CloudFormation custom resource (inline Lambda, CommonJS) --> SES: activates the mailroute receipt rule
// set and remembers which set was active before; on delete (removal or rollback), if ours is still the
// active one, it makes that earlier set active again, so a region never loses the receiving it had.

// The earlier set travels in the physical id (CloudFormation hands it back on update and delete):
// `<ours>` when none was active, `<ours>/after/<earlier>` otherwise. Rule set names hold no '/'.
const MARK = '/after/';
const physicalId = (name, earlier) => (earlier && earlier !== name ? `${name}${MARK}${earlier}` : name);
const earlierOf = (id) => (id?.includes(MARK) ? id.slice(id.indexOf(MARK) + MARK.length) : undefined);

/** The handler over an SES v1 client, its command classes and fetch (passed in so tests can drive it). */
function createHandler(ses, commands, fetchFn) {
  const active = async () =>
    (await ses.send(new commands.DescribeActiveReceiptRuleSetCommand({}))).Metadata?.Name;
  const activate = (name) =>
    ses.send(new commands.SetActiveReceiptRuleSetCommand(name ? { RuleSetName: name } : {}));

  async function apply(event) {
    const name = event.ResourceProperties.RuleSetName;
    if (event.RequestType === 'Create') {
      const earlier = await active();
      await activate(name);
      return physicalId(name, earlier);
    }
    if (event.RequestType === 'Update') {
      // A renamed set replaces ours; what was active before mailroute stays the one to restore.
      const earlier = earlierOf(event.PhysicalResourceId);
      await activate(name);
      return physicalId(name, earlier);
    }
    if ((await active()) !== name) return event.PhysicalResourceId;
    const earlier = earlierOf(event.PhysicalResourceId);
    try {
      await activate(earlier);
    } catch (error) {
      // The earlier set is gone: leave none active rather than fail the removal of ours.
      console.error(error);
      await activate(undefined);
    }
    return event.PhysicalResourceId;
  }

  return async (event) => {
    let status = 'SUCCESS';
    let reason = 'done';
    let id = event.PhysicalResourceId ?? event.ResourceProperties.RuleSetName;
    try {
      id = await apply(event);
    } catch (error) {
      console.error(error);
      status = 'FAILED';
      reason = String(error?.message ?? error).slice(0, 500);
    }
    const body = JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: id,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: { PreviousRuleSet: earlierOf(id) ?? '' },
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
