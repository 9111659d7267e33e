#!/bin/sh
# Builds the guest's kernel and initramfs into $1: busybox (static), dropbear with the libraries it
# links, the cloud kernel's modules the guest needs (virtio over PCI: the transport, which virtio_net does not depend on; virtio networking, packet sockets for DHCP), in
# load order, decompressed (busybox insmod reads plain .ko).
set -eu
out="$1"
here=/usr/local/share/gategrid-guest
kver="$(ls /lib/modules | sort -V | tail -n 1)"
root="$(mktemp -d)"
mkdir -p "$out" "$root"/bin "$root"/sbin "$root"/etc "$root"/proc "$root"/sys "$root"/dev "$root"/run "$root"/tmp "$root"/root/.ssh "$root"/var/log "$root"/lib/modules "$root"/usr/share/udhcpc "$root"/etc/dropbear
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"; done
# dropbear and what it links (ld.so, libc, libz, libcrypt ...), at the paths it expects them.
for bin in /usr/sbin/dropbear /usr/bin/dropbearkey; do
  cp "$bin" "$root/sbin/"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
done
# Modules in dependency order (modprobe's own resolution), decompressed.
: > "$root/etc/modules.order"
for m in virtio_pci virtio_net af_packet; do
  modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}' | while read -r ko; do
    name="$(basename "$ko" | sed 's/\.ko.*$//').ko"
    grep -qx "$name" "$root/etc/modules.order" && continue
    case "$ko" in
      *.xz) xz -dc "$ko" > "$root/lib/modules/$name" ;;
      *.zst) zstd -dqc "$ko" > "$root/lib/modules/$name" ;;
      *) cp "$ko" "$root/lib/modules/$name" ;;
    esac
    echo "$name" >> "$root/etc/modules.order"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '/bin/sh\n' > "$root/etc/shells"
cp "$here/init" "$root/init"
# Tempest's scenario tests ask the guest's metadata with curl (busybox has none).
cp "$here/curl" "$root/bin/curl" && chmod 0755 "$root/bin/curl"
cp "$here/udhcpc.script" "$root/usr/share/udhcpc/default.script"
chmod 0755 "$root/init" "$root/usr/share/udhcpc/default.script"
chmod 0700 "$root/root" "$root/root/.ssh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initrd.img"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"
cat "$root/etc/modules.order" > "$out/modules"
rm -rf "$root"
