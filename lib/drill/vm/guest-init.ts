/**
 * The guest's two init stages. Stage 1 runs from the initramfs under busybox: it inserts the
 * modules that reach the root, mounts the host's root read-only over 9p beneath a tmpfs overlay
 * (so the guest has every program the host has installed and writes only to its own memory),
 * and switches to it. Stage 2 runs under the host's /bin/sh: it mounts the run-time file
 * systems (cgroup v2 among them), loads the modules the caller asked for, brings up the network
 * devices, shares and disks, and hands PID 1 to the command agent. Options come on the kernel
 * command line as `ha.*=`.
 */

/** The 9p tag of the host's root. */
export const HOST_ROOT_TAG = "hostroot";

/** Where both stages and the agent live inside the guest. */
export const GUEST_DIR = "ha-vm";

/** Stage 1, `/init` of the initramfs; the modules to insert are listed in `/modules.order`. */
export const STAGE1 = `#!/bin/busybox sh
# Stage 1: reach the host's root and switch to it; any failure ends init, which ends the VM.
/bin/busybox --install -s /bin
fail() { echo "ha-vm stage 1: $*" >&2; exit 1; }
mkdir -p /proc /sys /dev /lower /rw /newroot
mount -t proc proc /proc || fail "mount /proc"
mount -t devtmpfs dev /dev || fail "mount /dev"
while read -r m; do
  insmod "/modules/$m" || fail "insmod $m"
done < /modules.order
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose ${HOST_ROOT_TAG} /lower ||
  fail "mount the host root"
mount -t tmpfs -o mode=0755 rw /rw || fail "mount the overlay's tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  fail "mount the overlay"
mkdir -p /newroot/${GUEST_DIR}
cp /${GUEST_DIR}/* /newroot/${GUEST_DIR}/ || fail "copy stage 2"
mount -t proc proc /newroot/proc || fail "mount the root's /proc"
mount -t sysfs sysfs /newroot/sys || fail "mount the root's /sys"
mount --move /dev /newroot/dev || fail "move /dev"
umount /proc
exec switch_root /newroot /bin/sh /${GUEST_DIR}/stage2
`;

/** Stage 2, run by the host's /bin/sh as PID 1 of the switched root; ends by exec'ing the agent. */
export const STAGE2 = `#!/bin/sh
# Stage 2: run-time mounts, modules, network and shares, then the command agent as PID 1.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
errors=/run/${GUEST_DIR}-boot-errors
# Marks on the console (the VM's console.log), for reading where a boot spends its time.
mark() {
  read -r up _ < /proc/uptime
  echo "ha-vm stage 2: $1 at $up s"
}
mark "started"
read -r cmdline < /proc/cmdline
value() {
  for w in $cmdline; do
    case "$w" in "$1"=*) printf '%s\\n' "\${w#*=}" ;; esac
  done
}
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /run/lock /run/netns
# cgroup v2, as a container engine (dockerd, runc) and systemd-less daemons expect it.
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>> "$errors" || echo "mount cgroup2 failed" >> "$errors"
: > "$errors"
name=$(value ha.hostname)
[ -n "$name" ] && printf '%s\\n' "$name" > /proc/sys/kernel/hostname
modules=$(value ha.modules | tr , ' ')
if [ -n "$modules" ]; then
  # shellcheck disable=SC2086 # one word per module
  modprobe -a $modules 2>> "$errors" || echo "modprobe -a $modules failed" >> "$errors"
fi
mark "modules loaded"
batch="link set lo up"
for pair in $(value ha.net | tr , ' '); do
  dev=\${pair%%=*}
  addr=\${pair#*=}
  batch="$batch
link set $dev up"
  [ "$addr" != "$pair" ] && batch="$batch
addr add $addr dev $dev"
done
printf '%s\\n' "$batch" | ip -batch - 2>> "$errors" || echo "ip -batch failed" >> "$errors"
for share in $(value ha.shares | tr , ' '); do
  tag=\${share%%:*}
  rest=\${share#*:}
  dir=\${rest%:*}
  mode=\${rest##*:}
  mkdir -p "$dir"
  mount -t 9p -o "trans=virtio,version=9p2000.L,$mode,msize=262144" "$tag" "$dir" 2>> "$errors" ||
    echo "mount share $tag on $dir failed" >> "$errors"
done
for disk in $(value ha.disks | tr , ' '); do
  dev=\${disk%%:*}
  dir=\${disk#*:}
  mkdir -p "$dir"
  # The block device appears once virtio_blk has probed it.
  i=0
  while [ ! -b "/dev/$dev" ] && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  mount -t ext4 -o noatime "/dev/$dev" "$dir" 2>> "$errors" || echo "mount disk $dev on $dir failed" >> "$errors"
done
mark "starting the agent"
exec python3 -S -B /${GUEST_DIR}/agent.py
`;
