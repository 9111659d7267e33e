"""gategrid's fake compute driver: nova's fake.FakeDriver whose node identity survives a restart.

Why it exists: from 2023.1 on, nova-compute keeps its compute node's uuid in state_path/compute_id
(nova.virt.node) and the driver reports the node uuids it serves. FakeDriver, written for nova's
unit tests, draws them at random in every process (uuidsentinel), so a restarted or upgraded
nova-compute reports a new node, creates a duplicate compute node record and exits
(DuplicateRecord). This driver reports the uuid nova-compute keeps instead, as real drivers
effectively do. Before 2023.1 there is no such identity and it is FakeDriver unchanged.
Guests still exist only in the driver's memory: nothing runs, nothing is plugged.
"""
from nova.virt import fake

try:
    from nova.virt import node
except ImportError:  # nova < 27 (2023.1): node uuids are the resource tracker's, kept in the database
    node = None


class StableFakeDriver(fake.FakeDriver):

    if node is not None:
        def get_available_resource(self, nodename):
            status = super().get_available_resource(nodename)
            if status:
                status['uuid'] = node.get_local_node_uuid()
            return status

        def get_nodenames_by_uuid(self, refresh=False):
            return {node.get_local_node_uuid(): n for n in self.get_available_nodes()}
