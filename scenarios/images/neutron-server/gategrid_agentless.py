"""gategrid's agentless ML2 mechanism driver: binds every port, with no agent behind it.

Why it exists: a test cloud without a hypervisor (nova's fake.FakeDriver) has no Open vSwitch and
no L2 agent, so ML2's real drivers never bind a port and every server boot fails with
"binding failed". Debian's python3-neutron ships the `test` mechanism driver, but it binds only
for special host names, asserts during nova's bind-by-update and keeps its state in memory (one API
process only). This one is stateless: it binds the first segment it is offered with vif_type ovs
and marks the port ACTIVE, so nova's network workflow (create, bind, update, unbind, delete) runs
through the real neutron API and database. No traffic flows: nothing here plugs a device.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class AgentlessMechanismDriver(api.MechanismDriver):

    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                {portbindings.CAP_PORT_FILTER: False,
                                 portbindings.OVS_HYBRID_PLUG: False},
                                status=constants.PORT_STATUS_ACTIVE)
            return
