# shellcheck shell=bash
# The single-node cluster inside the sealed namespace (sourced by scripts/cluster, which defines
# say, fail, root, state, run, logs, the settings and the fence). What runs where:
#   in the namespace's network (nsenter --net, the host's mounts and cgroups):
#     etcd on 127.0.0.1:2379, kube-apiserver on the node IP:6443, kube-controller-manager,
#     kube-scheduler, containerd (our own root/state/socket under .stack/cluster/containerd),
#     kubelet, kube-proxy (iptables mode); the CNI bridge cni0 and every pod's veth end;
#   each pod in a network namespace of its own that containerd creates (/run/netns/cni-…).
# Why nsenter --net and not `ip netns exec`: `ip netns exec` gives every command a private mount
# namespace with a fresh /sys and no /sys/fs/cgroup — the kubelet and runc need the host's cgroups,
# and the kubelet's volume mounts must be the ones containerd bind-mounts into containers.
#
# Everything up changes outside .stack/cluster is recorded first in $machine (sysctls with their
# values, directories it creates, the pod namespaces and cgroups that existed), so down undoes
# exactly that, also after an interrupted up.

# shellcheck disable=SC2153,SC2154  # settings and root/state/run/logs come from scripts/cluster
machine="$state/machine.env"
pki="$state/pki"
ctrd="$state/containerd"
ctrd_socket="$ctrd/containerd.sock"
kubelet_dir="$state/kubelet"
cni_dir="$state/cni"
manifests="$root/scripts/cluster.d"
images_cache="$root/.stack/tools/cluster-images"
kube_version=v1.33.13
pause_tag=3.10.1
pause_image="booking-rush.local/pause:$pause_tag"
coredns_version=v1.12.1
coredns_image="booking-rush.local/coredns:$coredns_version"
cni_network=booking-rush-pods
# The global (not per-namespace) sysctls the kubelet sets at start (setupKernelTunables) and the
# conntrack table size kube-proxy would raise: recorded at up, restored at down.
host_sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.netfilter.nf_conntrack_max)
conntrack_hashsize=/sys/module/nf_conntrack/parameters/hashsize
# Directories outside .stack/cluster that containerd, the kubelet, libcni and libmount create at
# fixed paths (shim sockets in /run/containerd/s, /var/lib/kubelet/device-plugins, the
# /var/log/containers links, libcni's result cache, libmount's utab) and the exec resolv.conf.
outside_dirs=(/run/containerd /var/lib/cni /var/lib/kubelet /var/log/containers /run/mount /run/netns "/etc/netns/$CLUSTER_NETNS" /etc/netns)
# Start order; down stops in the reverse (kubelet first, see stop_components).
components=(etcd kube-apiserver containerd kube-controller-manager kube-scheduler kubelet kube-proxy)
packages=(containerd runc containernetworking-plugins etcd-server)

# ------------------------------------------------------------------ machine record

# Written once, before the first change; later ups keep the first record.
record_machine() {
  [ -f "$machine" ] && return 0
  local key dir
  {
    echo "# Written by scripts/cluster up before it changed anything outside .stack/cluster."
    for key in "${host_sysctls[@]}"; do echo "sysctl $key $(sysctl -n "$key" 2>/dev/null || echo -)"; done
    echo "hashsize $(cat "$conntrack_hashsize" 2>/dev/null || echo -)"
    for dir in "${outside_dirs[@]}"; do [ -e "$dir" ] && echo "existed $dir"; done
    for dir in /run/netns/cni-*; do [ -e "$dir" ] && echo "podns $dir"; done
    for dir in /sys/fs/cgroup/*/kubepods; do [ -e "$dir" ] && echo "cgroup $dir"; done
  } > "$machine.new"
  mv -f "$machine.new" "$machine"
}

recorded() { [ -f "$machine" ] && grep -qxF "$*" "$machine"; }

restore_sysctls() {
  [ -f "$machine" ] || return 0
  local key value
  while read -r key value; do
    [ "$value" = - ] && continue
    [ "$(sysctl -n "$key" 2>/dev/null)" = "$value" ] || sysctl -q -w "$key=$value" || say "cluster: could not restore $key=$value"
  done < <(sed -n 's/^sysctl //p' "$machine")
  value=$(sed -n 's/^hashsize //p' "$machine")
  if [ -n "$value" ] && [ "$value" != - ] && [ "$(cat "$conntrack_hashsize")" != "$value" ]; then
    echo "$value" > "$conntrack_hashsize" || say "cluster: could not restore the conntrack hashsize $value"
  fi
}

# "key value" lines for every recorded sysctl that differs now (empty: all as found).
sysctls_changed() {
  [ -f "$machine" ] || return 0
  local key value
  while read -r key value; do
    [ "$value" = - ] || [ "$(sysctl -n "$key" 2>/dev/null)" = "$value" ] || echo "$key is $(sysctl -n "$key"), was $value"
  done < <(sed -n 's/^sysctl //p' "$machine")
}

# ------------------------------------------------------------------ packages and binaries

# Debian packages: installed when missing, recorded (kept across down, like .stack/tools: a
# reinstall per run would cost a minute; `scripts/cluster purge` removes what up installed).
# containerd's postinst starts the service only under systemd (absent here) and a policy-rc.d that
# denies starts is put in place for the install if none exists; any containerd that appears
# anyway is stopped by its pid.
ensure_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d created_policy="" before
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1; fi
  before=$(pgrep -x containerd | tr '\n' ' ' || true)
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$logs/apt-cluster.log" 2>&1; then
    "${apt[@]}" update >>"$logs/apt-cluster.log" 2>&1 || true
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$logs/apt-cluster.log" 2>&1 \
      || { [ -z "$created_policy" ] || rm -f "$policy"; fail "apt-get install ${missing[*]} failed (see $logs/apt-cluster.log)"; }
  fi
  [ -z "$created_policy" ] || rm -f "$policy"
  local pid
  for pid in $(pgrep -x containerd || true); do
    [[ " $before " == *" $pid "* ]] || { say "cluster: stopping the containerd the install started (pid $pid)"; kill "$pid"; }
  done
  printf '%s\n' "${missing[@]}" >> "$root/.stack/cluster-packages.installed"
}

# The packages up installed (none that were there before), removed again; only with the cluster down.
cmd_purge() {
  local list="$root/.stack/cluster-packages.installed"
  [ -f "$list" ] || { say "cluster: up installed no Debian package"; return 0; }
  ! netns_exists || fail "the cluster is up; run 'scripts/cluster down' first"
  mapfile -t installed < <(sort -u "$list")
  say "removing Debian packages up installed: ${installed[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -o DPkg::Lock::Timeout=300 "${installed[@]}" >>"$logs/apt-cluster.log" 2>&1 \
    || fail "apt-get purge failed (see $logs/apt-cluster.log)"
  rm -f "$list"
}

# The Go binaries (scripts/go-tools builds each once): name → path.
declare -A bin=()
ensure_binaries() {
  local name
  for name in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl crictl coredns; do
    bin[$name]=$(bash "$root/scripts/go-tools" path "$name") || fail "building $name failed"
  done
}

# ------------------------------------------------------------------ images

# The pause image: Kubernetes' own pause.c (in the k8s.io/kubernetes module) linked statically.
build_pause_image() {
  local out="$images_cache/pause-$pause_tag.tar"
  [ -f "$out" ] && { echo "$out"; return 0; }
  local modcache source work
  modcache=$(go env GOMODCACHE)
  source="$modcache/k8s.io/kubernetes@$kube_version/build/pause/linux/pause.c"
  [ -f "$source" ] || (cd "$root/scripts/kube" && go mod download k8s.io/kubernetes) >>"$logs/cluster-images.log" 2>&1 \
    || fail "go mod download k8s.io/kubernetes failed"
  work=$(mktemp -d)
  gcc -Os -Wall -Werror -static -DVERSION="v$pause_tag-booking-rush" -o "$work/pause" "$source" || fail "gcc -static pause.c failed"
  pack_image "$pause_image" "$work" '["/pause"]' "$out"
  rm -rf "$work"
  echo "$out"
}

# CoreDNS: the static binary alone (it needs no libc, no CA: it never forwards).
build_coredns_image() {
  local out="$images_cache/coredns-$coredns_version.tar"
  [ -f "$out" ] && { echo "$out"; return 0; }
  local work; work=$(mktemp -d)
  install -m 755 "${bin[coredns]}" "$work/coredns"
  pack_image "$coredns_image" "$work" '["/coredns"]' "$out"
  rm -rf "$work"
  echo "$out"
}

pack_image() {
  local name=$1 rootfs=$2 entrypoint=$3 out=$4
  mkdir -p "$images_cache"
  "$root/scripts/bun" run "$root/scripts/oci-image.ts" --name "$name" --rootfs "$rootfs" --out "$out" --entrypoint "$entrypoint" \
    >>"$logs/cluster-images.log" 2>&1 || fail "packing $name failed (see $logs/cluster-images.log)"
}

ctr_k8s() { ctr --address "$ctrd_socket" --namespace k8s.io "$@"; }

import_images() {
  local archive
  for archive in "$@"; do
    [ -f "$archive" ] || fail "no such image archive: $archive"
    ctr_k8s images import "$archive" >>"$logs/cluster-images.log" 2>&1 || fail "importing $archive failed (see $logs/cluster-images.log)"
  done
}

# ------------------------------------------------------------------ PKI

# One CA signs everything; each identity is a key and a cert whose CN/O the apiserver's Node and
# RBAC authorizers read (system:node:<node>/system:nodes, system:kube-proxy, …).
ensure_ca() {
  mkdir -p "$pki"
  [ -f "$pki/ca.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$pki/ca.key" -out "$pki/ca.crt" \
    -subj "/CN=booking-rush-cluster-ca" >/dev/null 2>&1 || fail "openssl: CA"
}

# issue_cert <name> <subject> [subjectAltName]: client cert unless SANs are given.
issue_cert() {
  local name=$1 subject=$2 sans=${3:-} ext="$pki/$1.ext"
  [ -f "$pki/$name.crt" ] && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subject" >/dev/null 2>&1 || fail "openssl: $name key"
  if [ -n "$sans" ]; then
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$sans" > "$ext"
  else
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$ext"
  fi
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3650 \
    -extfile "$ext" -out "$pki/$name.crt" >/dev/null 2>&1 || fail "openssl: sign $name"
  rm -f "$pki/$name.csr" "$ext"
}

# kubeconfig <name>: a kubeconfig for the identity <name> with embedded files' paths.
write_kubeconfig() {
  local name=$1
  write_if_changed "$pki/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: booking-rush
  cluster: {server: "https://$CLUSTER_NODE_IP:6443", certificate-authority: "$pki/ca.crt"}
users:
- name: $name
  user: {client-certificate: "$pki/$name.crt", client-key: "$pki/$name.key"}
contexts:
- name: booking-rush
  context: {cluster: booking-rush, user: $name}
current-context: booking-rush
EOF
}

ensure_pki() {
  ensure_ca
  local service_ip; service_ip=$(first_service_ip)
  issue_cert apiserver "/CN=kube-apiserver" \
    "IP:$CLUSTER_NODE_IP,IP:$service_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost"
  issue_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  issue_cert front-proxy-client "/CN=front-proxy-client"
  issue_cert admin "/O=system:masters/CN=booking-rush-admin"
  issue_cert kubelet "/O=system:nodes/CN=system:node:$CLUSTER_NODE_NAME"
  issue_cert controller-manager "/CN=system:kube-controller-manager"
  issue_cert scheduler "/CN=system:kube-scheduler"
  issue_cert kube-proxy "/CN=system:kube-proxy"
  local name
  for name in admin kubelet controller-manager scheduler kube-proxy; do write_kubeconfig "$name"; done
  [ -f "$pki/sa.key" ] || { openssl genrsa -out "$pki/sa.key" 2048 && openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"; } >/dev/null 2>&1
}

# 10.96.0.0/12 → 10.96.0.1: the address of the `kubernetes` Service.
first_service_ip() {
  local first; read -r first _ <<< "$(cidr_range "$CLUSTER_SERVICE_CIDR")"
  first=$((first + 1))
  echo "$((first >> 24 & 255)).$((first >> 16 & 255)).$((first >> 8 & 255)).$((first & 255))"
}

# ------------------------------------------------------------------ configuration files

# stdin → file, only when the content differs: kube-proxy exits when its config file is written,
# and a second `up` must leave a running cluster alone.
write_if_changed() {
  local file=$1
  cat > "$file.new"
  if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv -f "$file.new" "$file"; fi
}

write_containerd_config() {
  mkdir -p "$ctrd" "$cni_dir/net.d" "$cni_dir/ipam"
  write_if_changed "$ctrd/config.toml" <<EOF
# Written by scripts/cluster: containerd for the booking-rush cluster only.
version = 2
root = "$ctrd/root"
state = "$ctrd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$ctrd_socket"
[plugins."io.containerd.internal.v1.opt"]
  path = "$ctrd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  # Without it every sandbox fails: root here has no CAP_SYS_RESOURCE to lower oom_score_adj.
  restrict_oom_score_adj = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # runc, not crun (crun fails on this host's hybrid cgroups); cgroupfs like the kubelet.
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
        Root = "$ctrd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$cni_dir/net.d"
    max_conf_num = 1
    # Rendered by containerd with the podCIDR the kubelet passes on once the node has one.
    conf_template = "$cni_dir/template.conflist"
EOF
  write_cni_template
}

# bridge (hairpin, so a pod reaches itself through its Service) + host-local on the node's
# podCIDR, its leases under .stack/cluster. No ipMasq: pods talk to cluster addresses only, and an
# unrewritten source keeps the fence's counters exact.
write_cni_template() {
  write_if_changed "$cni_dir/template.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$cni_network",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$cni_dir/ipam",
        "ranges": [[{"subnet": "{{.PodCIDR}}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

write_kubelet_config() {
  mkdir -p "$kubelet_dir/root" "$kubelet_dir/pod-logs"
  # No upstream resolver: pods with dnsPolicy Default (CoreDNS itself) get no nameserver.
  echo "# booking-rush cluster: no upstream resolver" | write_if_changed "$kubelet_dir/resolv.conf"
  write_if_changed "$kubelet_dir/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$ctrd_socket
cgroupDriver: cgroupfs
failSwapOn: false
address: $CLUSTER_NODE_IP
healthzBindAddress: 127.0.0.1
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $kubelet_dir/resolv.conf
podLogsDir: $kubelet_dir/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
# Root here has no CAP_SYS_RESOURCE: it cannot lower its own oom_score_adj or raise the hard
# open-files limit (20000).
oomScoreAdj: 0
maxOpenFiles: 20000
serializeImagePulls: false
# The node shares this machine's disk, where the default thresholds (15% of the image filesystem
# free) tainted it with disk-pressure on a 252 GB disk with 41 GB free: absolute floors instead.
# Image garbage collection is off (100%): every image here was imported, none can be pulled again,
# and with the shared disk at 93% the kubelet once removed the unused pause image, after which no
# pod could start ("failed to get sandbox image").
evictionHard: {memory.available: 200Mi, nodefs.available: 2Gi, imagefs.available: 2Gi, nodefs.inodesFree: "5%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 90
EOF
}

write_kube_proxy_config() {
  mkdir -p "$state/kube-proxy"
  write_if_changed "$state/kube-proxy/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $pki/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $CLUSTER_POD_CIDR
hostnameOverride: $CLUSTER_NODE_NAME
bindAddress: $CLUSTER_NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$CLUSTER_NODE_IP/32]
oomScoreAdj: 0
# 0 everywhere = leave the host's conntrack table size and timeouts as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
EOF
}

# ------------------------------------------------------------------ processes

in_netns() { nsenter --net="/run/netns/$CLUSTER_NETNS" -- "$@"; }

pid_of() { cat "$run/$1.pid" 2>/dev/null || true; }

# Running = the recorded pid is alive and still the program we started (not a reused pid).
component_running() {
  local pid; pid=$(pid_of "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -d "/proc/$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$state"
}

# start <name> <program> <args>…: in the namespace's network, own session (an interrupted `up`
# does not take it down), output to .stack/logs/cluster-<name>.log, pid recorded.
start_component() {
  local name=$1; shift
  component_running "$name" && return 0
  # 9>&-: the lock scripts/cluster holds while it runs must not be inherited by what it starts.
  setsid nsenter --net="/run/netns/$CLUSTER_NETNS" -- "$@" >>"$logs/cluster-$name.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$run/$name.pid"
}

# wait_for <seconds> <what> <command>…: polls the command until it succeeds, bounded.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within $seconds s"
    sleep 0.5
  done
}

kubectl_admin() { "${bin[kubectl]}" --kubeconfig "$pki/admin.kubeconfig" "$@"; }

start_etcd() {
  start_component etcd etcd --name booking-rush --data-dir "$state/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster booking-rush=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381
  wait_for 60 "etcd healthy" in_netns curl -sf http://127.0.0.1:2381/health
}

start_apiserver() {
  start_component kube-apiserver "${bin[kube-apiserver]}" --etcd-servers=http://127.0.0.1:2379 \
    --bind-address="$CLUSTER_NODE_IP" --advertise-address="$CLUSTER_NODE_IP" --secure-port=6443 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --service-cluster-ip-range="$CLUSTER_SERVICE_CIDR" \
    --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- --enable-aggregator-routing=true \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
    --cert-dir="$state/apiserver-certs" --v=1
  wait_for 90 "kube-apiserver ready" curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://$CLUSTER_NODE_IP:6443/readyz"
}

start_containerd() {
  start_component containerd containerd --config "$ctrd/config.toml"
  wait_for 60 "containerd answering on $ctrd_socket" ctr --address "$ctrd_socket" version
}

start_controllers() {
  start_component kube-controller-manager "${bin[kube-controller-manager]}" --kubeconfig="$pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$pki/controller-manager.kubeconfig" --authorization-kubeconfig="$pki/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_POD_CIDR" --node-cidr-mask-size=24 \
    --service-cluster-ip-range="$CLUSTER_SERVICE_CIDR" --cluster-name=booking-rush \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --v=1
  start_component kube-scheduler "${bin[kube-scheduler]}" --kubeconfig="$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig="$pki/scheduler.kubeconfig" --authorization-kubeconfig="$pki/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --v=1
}

start_node() {
  start_component kubelet "${bin[kubelet]}" --config="$kubelet_dir/config.yaml" --kubeconfig="$pki/kubelet.kubeconfig" \
    --root-dir="$kubelet_dir/root" --cert-dir="$kubelet_dir/pki" --hostname-override="$CLUSTER_NODE_NAME" --node-ip="$CLUSTER_NODE_IP" --v=1
  start_component kube-proxy "${bin[kube-proxy]}" --config="$state/kube-proxy/config.yaml" --v=1
}

# Per-namespace sysctls only (the host's forwarding stays off): routing between the pods' bridge
# and the namespace, and iptables on bridged frames — a reply from a pod to a pod on the same bridge
# must go back through conntrack to undo kube-proxy's DNAT.
namespace_sysctls() {
  in_netns sysctl -q -w net.ipv4.ip_forward=1
  in_netns sysctl -q -w net.bridge.bridge-nf-call-iptables=1
}

apply_coredns() {
  local file
  for file in "$manifests"/coredns-*.yaml; do
    sed -e "s|@DNS_IP@|$CLUSTER_DNS_IP|g" -e "s|@DOMAIN@|$CLUSTER_DOMAIN|g" -e "s|@IMAGE@|$coredns_image|g" "$file"
    echo ---
  done | kubectl_admin apply -f - >>"$logs/cluster-apply.log" 2>&1 || fail "applying CoreDNS failed (see $logs/cluster-apply.log)"
}

node_ready() {
  [ "$(kubectl_admin get node "$CLUSTER_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

coredns_ready() {
  local ready; ready=$(kubectl_admin -n kube-system get deployment coredns -o jsonpath='{.status.readyReplicas}' 2>/dev/null)
  [ "${ready:-0}" -ge 1 ]
}

# The resolv.conf `ip netns exec` bind-mounts over /etc/resolv.conf for `scripts/cluster exec`: a
# process there resolves the Services of CLUSTER_EXEC_NAMESPACES by their short names, as a pod of
# those namespaces does (the release's settings name its servers that way).
write_exec_resolv_conf() {
  local search="" namespace
  for namespace in $CLUSTER_EXEC_NAMESPACES; do search+="$namespace.svc.$CLUSTER_DOMAIN "; done
  mkdir -p "/etc/netns/$CLUSTER_NETNS"
  printf 'nameserver %s\nsearch %ssvc.%s %s\noptions ndots:5\n' \
    "$CLUSTER_DNS_IP" "$search" "$CLUSTER_DOMAIN" "$CLUSTER_DOMAIN" | write_if_changed "/etc/netns/$CLUSTER_NETNS/resolv.conf"
}

# Volumes for the StatefulSets' claims without a provisioner: a default StorageClass that binds
# each claim, when its pod is scheduled, to one of CLUSTER_VOLUMES static hostPath volumes under
# .stack/cluster/volumes (removed with the cluster's data at down). Mode 0777: a hostPath gets no
# fsGroup, and the in-release servers run as their own non-root users.
apply_storage() {
  local index dir
  {
    printf 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: local-static\n'
    printf '  annotations: { storageclass.kubernetes.io/is-default-class: "true" }\n'
    printf 'provisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\nreclaimPolicy: Retain\n'
    for index in $(seq 1 "$CLUSTER_VOLUMES"); do
      dir="$state/volumes/pv-$index"
      mkdir -p "$dir" && chmod 0777 "$dir"
      printf -- '---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: local-pv-%s\n' "$index"
      printf 'spec:\n  capacity: { storage: %s }\n  accessModes: [ReadWriteOnce]\n' "$CLUSTER_VOLUME_SIZE"
      printf '  storageClassName: local-static\n  persistentVolumeReclaimPolicy: Retain\n'
      printf '  hostPath: { path: %s, type: Directory }\n' "$dir"
    done
  } | kubectl_admin apply -f - >>"$logs/cluster-apply.log" 2>&1 || fail "applying the storage class and volumes failed (see $logs/cluster-apply.log)"
}

node_up() {
  local started=$SECONDS
  record_machine
  ensure_packages
  ensure_binaries
  local pause_archive coredns_archive
  pause_archive=$(build_pause_image)
  coredns_archive=$(build_coredns_image)
  ensure_pki
  write_containerd_config
  write_kubelet_config
  write_kube_proxy_config
  write_exec_resolv_conf
  namespace_sysctls
  local t0=$SECONDS
  start_etcd
  start_apiserver
  start_containerd
  import_images "$pause_archive" "$coredns_archive"
  start_controllers
  start_node
  apply_coredns
  apply_storage
  wait_for 180 "node $CLUSTER_NODE_NAME Ready" node_ready
  say "node $CLUSTER_NODE_NAME Ready $((SECONDS - t0)) s after etcd started"
  wait_for 180 "CoreDNS Ready" coredns_ready
  say "CoreDNS Ready $((SECONDS - t0)) s after etcd started ($((SECONDS - started)) s for the whole up)"
}

# ------------------------------------------------------------------ down

# stop_pids <seconds> <pid>...: TERM to each, KILL to those still there after <seconds>.
stop_pids() {
  local seconds=$1 pid alive=() waited=0; shift
  for pid in "$@"; do [ -d "/proc/$pid" ] && kill -TERM "$pid" 2>/dev/null && alive+=("$pid"); done
  while [ "${#alive[@]}" -gt 0 ] && [ "$waited" -lt $((seconds * 5)) ]; do
    sleep 0.2; waited=$((waited + 1))
    local still=()
    for pid in "${alive[@]}"; do [ -d "/proc/$pid" ] && still+=("$pid"); done
    alive=("${still[@]}")
  done
  for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  return 0
}

# Stops the named components together (those still running), forgets their pids.
stop_components_named() {
  local name pids=()
  for name in "$@"; do component_running "$name" && pids+=("$(pid_of "$name")"); done
  stop_pids 20 "${pids[@]}"
  for name in "$@"; do rm -f "$run/$name.pid"; done
}

# Every pod sandbox removed through containerd (containers killed, CNI torn down, the pod's network
# namespace and shm unmounted), while containerd still runs.
remove_pods() {
  component_running containerd || return 0
  local crictl; crictl=$(bash "$root/scripts/go-tools" where crictl)
  [ -x "$crictl" ] || return 0
  timeout 120 "$crictl" --runtime-endpoint "unix://$ctrd_socket" --timeout 60s rmp --all --force >>"$logs/cluster-down.log" 2>&1 \
    || say "cluster: crictl rmp --all did not finish; the rest is stopped by pid"
}

# Container processes: in the kubepods cgroups the kubelet made (ours by where they are).
pod_pids() {
  [ -d /sys/fs/cgroup/pids/kubepods ] || return 0
  find /sys/fs/cgroup/pids/kubepods -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
}

# Whatever else is left in our namespace (shims) and in the pods' cgroups.
leftover_pids() {
  { netns_exists && ip netns pids "$CLUSTER_NETNS"; pod_pids; } | sort -un
}

# The kubelet first (it would restart what is stopped under it), then the pods through
# containerd, then the control plane and kube-proxy together, then containerd and etcd, then
# whatever is left of ours.
stop_components() {
  stop_components_named kubelet
  remove_pods
  stop_components_named kube-proxy kube-scheduler kube-controller-manager kube-apiserver
  stop_components_named containerd etcd
  # Left only when containerd was gone before its pods (an interrupted up, a crash): containers
  # first, then their shims (which do not exit on TERM while they hold a container).
  # shellcheck disable=SC2046  # one pid per word
  stop_pids 5 $(pod_pids)
  # shellcheck disable=SC2046  # one pid per word
  stop_pids 2 $(leftover_pids)
}

# Mounts under .stack/cluster (pod volumes, overlay snapshots, shm) and the pod namespaces that up
# found absent, deepest first; lazily when busy.
unmount_all() {
  local target
  while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || say "cluster: cannot unmount $target"
  done < <(our_mounts | sort -r)
  for target in /run/netns/cni-*; do
    [ -e "$target" ] || continue
    recorded "podns $target" && continue
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
    rm -f "$target"
  done
}

# Mount points at or under .stack/cluster, and pod namespaces up did not find (mountinfo's 5th
# field, octal escapes as the kernel writes them; our paths have none).
our_mounts() {
  awk -v prefix="$state/" '$5 ~ "^/run/netns/cni-" || index($5, prefix) == 1 { print $5 }' /proc/self/mountinfo \
    | while read -r target; do [[ "$target" == /run/netns/* ]] && recorded "podns $target" && continue; echo "$target"; done
}

remove_cgroups() {
  local dir
  for dir in /sys/fs/cgroup/*/kubepods; do
    [ -d "$dir" ] || continue
    recorded "cgroup $dir" && continue
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || say "cluster: cannot remove cgroup $dir"
  done
}

# Directories up created outside .stack/cluster; where others could have put something in the
# meantime, only what is ours or empty goes.
remove_outside_dirs() {
  [ -f "$machine" ] || return 0
  find /var/log/containers -maxdepth 1 -type l -lname "$state/*" -delete 2>/dev/null || true
  rm -f /var/lib/cni/results/"$cni_network"-* /var/lib/cni/results/cni-loopback-* 2>/dev/null || true
  local dir
  for dir in "${outside_dirs[@]}"; do
    [ -e "$dir" ] || continue
    recorded "existed $dir" && continue
    case "$dir" in
      /run/netns) ;;  # the fence's `ip netns` directory, shared with any other namespace
      /var/lib/kubelet|/run/mount|"/etc/netns/$CLUSTER_NETNS") rm -rf "$dir" ;;
      *) find "$dir" -depth -type d -empty -delete 2>/dev/null || true ;;
    esac
    [ -e "$dir" ] && say "cluster: $dir holds what is not ours; left in place"
  done
  return 0
}

node_down() {
  stop_components
  unmount_all
  remove_cgroups
  restore_sysctls
  remove_outside_dirs
  remove_cluster_data
}

# The cluster's data goes with it (the next up starts a fresh cluster); the PKI and the image
# archives stay. --one-file-system: never into a mount that could not be removed.
remove_cluster_data() {
  [ -z "$(our_mounts)" ] || return 0
  rm -rf --one-file-system "$state/etcd" "$ctrd" "$kubelet_dir" "$cni_dir" "$state/kube-proxy" "$state/apiserver-certs" "$state/volumes" "$run"/*.pid
}

# After the fence is gone: anything of the cluster still here is a failure, said loudly.
leftovers() {
  local problems=() pid
  for pid in $(pgrep -f -- "$state" || true); do problems+=("process $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"); done
  local mount; while read -r mount; do problems+=("mount $mount"); done < <(our_mounts)
  netns_exists && problems+=("network namespace $CLUSTER_NETNS")
  link_exists "$CLUSTER_VETH_HOST" && problems+=("interface $CLUSTER_VETH_HOST")
  local dir; for dir in /sys/fs/cgroup/*/kubepods; do [ -d "$dir" ] && ! recorded "cgroup $dir" && problems+=("cgroup $dir"); done
  local line; while read -r line; do [ -n "$line" ] && problems+=("sysctl $line"); done < <(sysctls_changed)
  for dir in "${outside_dirs[@]}"; do
    [ "$dir" != /run/netns ] && [ -e "$dir" ] && [ -f "$machine" ] && ! recorded "existed $dir" && problems+=("directory $dir")
  done
  if [ "${#problems[@]}" -gt 0 ]; then
    say "cluster: LEFT OVER after down:"; printf '  - %s\n' "${problems[@]}" >&2
    return 1
  fi
  say "cluster: nothing left (processes, mounts, namespace, veth, cgroups, sysctls as found)"
}

node_status() {
  local name pid
  for name in "${components[@]}"; do
    pid=$(pid_of "$name")
    if component_running "$name"; then printf '  %-24s up   pid %s\n' "$name" "$pid"; else printf '  %-24s down\n' "$name"; fi
  done
  if component_running kube-apiserver; then
    ensure_binaries_quiet
    kubectl_admin get nodes -o wide 2>/dev/null | sed 's/^/  /'
    kubectl_admin get pods -A -o wide 2>/dev/null | sed 's/^/  /'
  fi
}

# Paths only, nothing built (status must not start a build).
ensure_binaries_quiet() { bin[kubectl]=$(bash "$root/scripts/go-tools" where kubectl); }
