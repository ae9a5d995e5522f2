"""Step Functions' AWS SDK integrations (arn:aws:states:::aws-sdk:<service>:<action>), as AWS runs
them, take the action's parameters in PascalCase ("ExecutionArn") and give its response in
PascalCase ("Status"). moto's interpreter carries the code that converts both ways
(_to_boto_request, _from_boto_response) but leaves the two hooks that would call it empty, so a
definition written for AWS fails in moto. This fills the two hooks with that code, for the moto
version the project pins, and refuses any other: a newer moto may have done it itself.

Loaded into the moto server that test/support/step-functions-on-moto.ts starts, before moto's own
server code; the test of that harness checks both directions.
"""

import botocore.session
import moto
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)

PINNED_MOTO = "5.2.5"
if moto.__version__ != PINNED_MOTO:
    raise RuntimeError(
        f"test/support/moto/aws_sdk_casing.py was written for moto {PINNED_MOTO}, not {moto.__version__}: "
        "check whether moto now converts aws-sdk task parameters itself, then update or remove this file"
    )

_SESSION = botocore.session.get_session()


def _operation_model(task, boto_service_name, service_action_name):
    service = task._get_boto_service_name(boto_service_name=boto_service_name)
    action = service_action_name or task.resource.api_action
    return _SESSION.get_service_model(service).operation_model(action[0].upper() + action[1:])


def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
    shape = _operation_model(self, boto_service_name, service_action_name).input_shape
    if shape is not None:
        self._to_boto_request(parameters, shape)


def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
    shape = _operation_model(self, boto_service_name, service_action_name).output_shape
    if shape is not None:
        self._from_boto_response(response, shape)


StateTaskServiceAwsSdk._normalise_parameters = _normalise_parameters
StateTaskServiceAwsSdk._normalise_response = _normalise_response
