"""Carries neutron's later change to the OVN mechanism driver: a port bound to an OVS chassis gets
the chassis's datapath type in its vif_details (2025.1's bind_port sets OVS_DATAPATH_TYPE from
ovn_utils.get_datapath_type, and the integration bridge's name beside it).

Why gategrid needs it on Victoria and Zed: their driver reads the chassis's `datapath-type` but
puts it only into vhost-user bindings. For a plain OVS port nova's os-vif then takes its default,
"system", and ensure_ovs_bridge('br-int', 'system') flips br-int's datapath_type on every plug. On
a host without the openvswitch kernel module (this one: OVS runs its userspace datapath, "netdev")
vswitchd tears br-int down and rebuilds it, and the new guest's tap is left down ("error sending
Ethernet packet on tapXXX: Network is down"): a guest started or rebooted after the first one gets
no DHCP lease. Measured on zed (cloud cell, 2026-12-07); the same guest passes on 2025.1.

Zed's driver also reads the chassis's datapath type from its external_ids, where OVN before 22.09
kept it; bookworm's OVN (23.03) keeps it in other_config and leaves external_ids empty (measured:
`ovn-sbctl list Chassis`), so the type read was "" and the first change alone carried nothing.
Later neutron reads other_config (ovn_utils.get_datapath_type); this reads other_config first, then
external_ids (bullseye's OVN 20.12 still writes there, and Victoria reads it by another path).

Run at image build: edits mech_driver.py in place when it has the old shape, does nothing when the
driver already sets the datapath type, and fails the build when it finds neither (a new package
whose shape this does not know must be looked at, not silently left unpatched).
"""
import sys

PATH = ('/usr/lib/python3/dist-packages/neutron/plugins/ml2/drivers/ovn/'
        'mech_driver/mech_driver.py')
OLD = ('                    vif_type = portbindings.VIF_TYPE_OVS\n'
       '                    vif_details = self.vif_details[vif_type]\n')
NEW = ('                    vif_type = portbindings.VIF_TYPE_OVS\n'
       '                    vif_details = dict(self.vif_details[vif_type])\n'
       '                    # gategrid: ovn_vif_datapath.py (the chassis\'s datapath type).\n'
       '                    if datapath_type:\n'
       '                        vif_details[portbindings.OVS_DATAPATH_TYPE] = (\n'
       '                            datapath_type)\n')


# Zed's shape: the chassis's config read from external_ids only.
OLD_READ = "        datapath_type = chassis.external_ids.get('datapath-type', '')\n"
NEW_READ = ("        # gategrid: ovn_vif_datapath.py (OVN >= 22.09 keeps it in other_config).\n"
            "        datapath_type = (chassis.other_config.get('datapath-type') or\n"
            "                         chassis.external_ids.get('datapath-type', ''))\n")


def main():
    # The driver's path; another file by argument (the unit test's recorded driver shapes).
    path = sys.argv[1] if len(sys.argv) > 1 else PATH
    with open(path) as f:
        source = f.read()
    if 'portbindings.OVS_DATAPATH_TYPE' in source:
        print('ovn_vif_datapath: the driver already sets the datapath type; nothing to do')
        return 0
    if source.count(OLD) != 1:
        print('ovn_vif_datapath: %s has neither the old bind_port shape nor '
              'OVS_DATAPATH_TYPE; look at this package\'s driver and update the '
              'patch' % path, file=sys.stderr)
        return 1
    source = source.replace(OLD, NEW)
    if source.count(OLD_READ) == 1:
        source = source.replace(OLD_READ, NEW_READ)
        print('ovn_vif_datapath: the datapath type is read from the chassis\'s other_config first')
    with open(path, 'w') as f:
        f.write(source)
    print('ovn_vif_datapath: vif_details carry the chassis\'s datapath type')
    return 0


if __name__ == '__main__':
    sys.exit(main())
